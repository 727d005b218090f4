"""Conditional requests by RFC 9110 (13), on a real server: one regression test per defect found.

- If-None-Match naming the answer: 304 to a GET or HEAD, 412 to a query sent by POST (13.1.2).
- A 304 carries the `Vary`, validators and `Cache-Control` its 200 carries (15.4.5).
- An If-None-Match that is not `*` or a list of entity tags (`W/*`) is ignored, as if not sent.
"""

from __future__ import annotations

import time
from urllib.parse import quote

import httpx
import pytest

from iacai.service.http.conditions import read_if_none_match

CHALLENGE = "<https://w3id.org/iacai/ontology#Challenge>"
SELECT = f"SELECT ?c WHERE {{ ?c a {CHALLENGE} }} ORDER BY ?c LIMIT 7"
RESULTS = "application/sparql-results+json"
DIRECT = "application/sparql-query"
REVALIDATED = [
    f"/sparql?query={quote(SELECT)}",  # tagged by the answerer, at the query edge
    "/queries/challenges-by-category",  # tagged by the answerer, through FastAPI's layers
    "/id/challenge/bias.ttl",  # tagged by the document's handler
    "/static/query.css",  # a static file
    "/matrix",  # tagged by the representation middleware
]
"""Answers whose 304 is made each of the ways the service makes one."""
SENT_BY_304 = ("vary", "etag", "cache-control", "last-modified", "expires", "content-location")


@pytest.mark.parametrize("origin", [None, "https://reader.example"], ids=["edge", "layers"])
def test_a_query_by_post_that_the_client_holds_is_412_not_304(
    client: httpx.Client, origin: str | None
) -> None:
    """At the query edge, and through FastAPI's layers (a cross-origin request goes there)."""
    asking = {"Accept": RESULTS, "Content-Type": DIRECT} | ({"Origin": origin} if origin else {})
    first = client.post("/sparql", content=SELECT, headers=asking)
    assert first.status_code == 200
    for held in (first.headers["etag"], "*", first.headers["etag"]):  # the last: a repeat
        refused = client.post("/sparql", content=SELECT, headers={**asking, "If-None-Match": held})
        assert refused.status_code == 412, refused.text
        assert refused.headers["content-type"].startswith("text/plain")
        assert "If-None-Match names this answer" in refused.text
        assert "etag" not in refused.headers
    again = client.post("/sparql", content=SELECT, headers=asking)  # the 412 was not kept
    assert again.status_code == 200 and again.content == first.content
    revalidating = {"Accept": RESULTS, "If-None-Match": first.headers["etag"]}
    assert client.get("/sparql", params={"query": SELECT}, headers=revalidating).status_code == 304


def test_a_412_is_a_page_for_a_browser(client: httpx.Client) -> None:
    asking = {"Accept": f"{RESULTS},text/html;q=0.5", "Content-Type": DIRECT}
    etag = client.post("/sparql", content=SELECT, headers=asking).headers["etag"]
    refused = client.post("/sparql", content=SELECT, headers={**asking, "If-None-Match": etag})
    assert refused.status_code == 412
    assert refused.headers["content-type"].startswith("text/html")
    assert "A condition of the request does not hold" in refused.text


@pytest.mark.parametrize("path", REVALIDATED)
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_304_carries_what_its_200_carries(client: httpx.Client, path: str, encoding: str) -> None:
    first = client.get(path, headers={"Accept-Encoding": encoding})
    assert first.status_code == 200 and "Accept-Encoding" in first.headers["vary"]
    revalidated = client.get(
        path, headers={"Accept-Encoding": encoding, "If-None-Match": first.headers["etag"]}
    )
    assert revalidated.status_code == 304
    for name in SENT_BY_304:
        assert revalidated.headers.get(name) == first.headers.get(name), name
    assert "content-type" not in revalidated.headers


@pytest.mark.parametrize("path", REVALIDATED)
def test_a_malformed_if_none_match_is_ignored(client: httpx.Client, path: str) -> None:
    first = client.get(path)
    etag = first.headers["etag"]
    bare = etag.removeprefix("W/").strip('"')
    for malformed in ("W/*", f"*, {etag}", bare, f"w/{etag}", f'"{bare}', f"{etag} {etag}"):
        answer = client.get(path, headers={"If-None-Match": malformed})
        assert answer.status_code == 200, malformed
        assert answer.content == first.content
    # as if not sent: If-Modified-Since decides
    by_date = {"If-None-Match": "W/*", "If-Modified-Since": first.headers["last-modified"]}
    assert client.get(path, headers=by_date).status_code == 304
    for readable in ("*", f'"other", , {etag}', f'W/"{bare}"'):
        assert client.get(path, headers={"If-None-Match": readable}).status_code == 304, readable


def test_reading_if_none_match_takes_linear_time() -> None:
    """No backtracking blow-up on a long malformed value (the spaces around a tag)."""
    started = time.perf_counter()
    assert read_if_none_match(' , "a" ' * 20_000 + "x") is None
    assert read_if_none_match(" ," * 40_000 + " x") is None
    assert time.perf_counter() - started < 0.5
    condition = read_if_none_match('"a,b", W/"c"')
    assert condition is not None and condition.tags == {'"a,b"', 'W/"c"'}
