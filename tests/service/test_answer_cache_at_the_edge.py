"""The answer cache in front of every layer: a kept answer is the answer the service gave.

The cache keeps whole responses as they left CORS, the security headers and compression, so a
hit must be byte for byte the miss before it (but for `date`), and a kept 304 the service's own.
"""

from __future__ import annotations

import uuid

import httpx

ANSWER_HEADERS = {
    "Accept": "application/sparql-results+json",
    "Accept-Encoding": "gzip",
    "Origin": "https://reader.example",
}


def _fresh_query() -> str:
    """A query no earlier request asked (its comment), with an answer large enough to gzip."""
    return f"SELECT ?s ?label WHERE {{ ?s rdfs:label ?label }} LIMIT 40 # {uuid.uuid4()}"


def _head(response: httpx.Response) -> tuple[int, list[tuple[str, str]]]:
    return response.status_code, [(k, v) for k, v in response.headers.multi_items() if k != "date"]


def test_a_hit_is_the_miss_before_it(client: httpx.Client) -> None:
    query = _fresh_query()
    miss = client.get("/sparql", params={"query": query}, headers=ANSWER_HEADERS)
    kept = client.get("/healthz").json()["answer_cache"]["entries"]
    hit = client.get("/sparql", params={"query": query}, headers=ANSWER_HEADERS)
    assert client.get("/healthz").json()["answer_cache"]["entries"] == kept
    assert _head(hit) == _head(miss)
    assert hit.content == miss.content and len(miss.json()["results"]["bindings"]) == 40
    headers = miss.headers
    assert headers["content-encoding"] == "gzip" and headers["access-control-allow-origin"]
    assert headers["x-content-type-options"] == "nosniff" and "content-security-policy" in headers


def test_a_kept_304_is_the_services_own(client: httpx.Client) -> None:
    query = _fresh_query()
    etag = client.get("/sparql", params={"query": query}, headers=ANSWER_HEADERS).headers["etag"]
    revalidating = {**ANSWER_HEADERS, "If-None-Match": etag}
    first = client.get("/sparql", params={"query": query}, headers=revalidating)
    again = client.get("/sparql", params={"query": query}, headers=revalidating)
    assert first.status_code == 304 and first.content == b""
    assert _head(again) == _head(first)
    assert dict(first.headers)["etag"] == etag and "content-security-policy" not in first.headers


def test_another_origin_or_encoding_is_not_served_the_kept_answer(client: httpx.Client) -> None:
    query = _fresh_query()
    client.get("/sparql", params={"query": query}, headers=ANSWER_HEADERS)
    plain = client.get(
        "/sparql",
        params={"query": query},
        headers={"Accept": ANSWER_HEADERS["Accept"], "Accept-Encoding": "identity"},
    )
    assert "content-encoding" not in plain.headers
    assert "access-control-allow-origin" not in plain.headers
    assert len(plain.json()["results"]["bindings"]) == 40
