"""The answer-cache middleware and the row-cap check of pyoxigraph-written answers, in process.

The middleware wraps a small real ASGI application that counts the requests reaching it, so
each test can see whether an answer came from the cache or from the application.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import pyoxigraph
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.testclient import TestClient

from iacai.service.engine.writers import rows_within_caps, write_solutions_within_cap
from iacai.service.http.answer_cache import AnswerCacheMiddleware, KeepTaggedAnswers
from iacai.service.http.caches import AnswerCache, CachedAnswer, HasBody
from iacai.service.http.conditions import etag_matches
from iacai.service.http.request_headers import OneReadingMiddleware

LARGE = 1 << 30


def _counting_app(
    cache: AnswerCache[Hashable, HasBody] | None = None,
) -> tuple[FastAPI, list[Request]]:
    app = FastAPI()
    seen: list[Request] = []

    @app.api_route("/sparql", methods=["GET", "POST"])
    async def answer(request: Request) -> Response:
        seen.append(request)
        if etag_matches('W/"tag-1"', request.headers.get("if-none-match")):
            return Response(status_code=304, headers={"ETag": 'W/"tag-1"'})
        body = await request.body()
        text = f"{request.url.query}|{request.headers.get('accept')}|{body.decode()}"
        return Response(text, media_type="text/plain", headers={"ETag": 'W/"tag-1"'})

    @app.get("/plain")
    async def plain(request: Request) -> Response:
        seen.append(request)
        return Response("no tag", media_type="text/plain")

    @app.get("/tagged-later")
    async def tagged_later(request: Request) -> Response:
        seen.append(request)
        return Response("tagged by a layer", media_type="text/plain")

    @app.get("/varying")
    async def varying(request: Request) -> Response:
        seen.append(request)
        return Response("by agent", headers={"ETag": '"v"', "Vary": "User-Agent"})

    cache = AnswerCache(8, 10_000) if cache is None else cache
    app.add_middleware(KeepTaggedAnswers)
    app.add_middleware(_TagEveryAnswer)  # as the representations layer does
    app.add_middleware(OneReadingMiddleware)
    front = AnswerCacheMiddleware(app, cache=cache, data_version="v1", largest_body=1000)
    return front, seen  # type: ignore[return-value]  # an ASGI app, as TestClient takes


class _TagEveryAnswer:
    """A layer between the application and the cache that gives every answer an ETag."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        async def tagging(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message["headers"])
                if not any(name == b"etag" for name, _ in headers):
                    headers.append((b"etag", b'"layer"'))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, tagging)


def test_a_repeated_get_is_answered_without_the_application() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    first = client.get("/sparql?query=ASK{}", headers={"Accept": "text/plain"})
    second = client.get("/sparql?query=ASK{}", headers={"Accept": "text/plain"})
    assert len(seen) == 1
    assert second.content == first.content == b"query=ASK{}|text/plain|"
    assert second.headers == first.headers


def test_another_accept_header_or_query_string_is_another_entry() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    client.get("/sparql?query=ASK{}", headers={"Accept": "text/plain"})
    client.get("/sparql?query=ASK{}", headers={"Accept": "text/csv"})
    client.get("/sparql?query=ASK{ }", headers={"Accept": "text/plain"})
    assert len(seen) == 3


def test_if_none_match_gets_the_services_own_304_then_the_kept_one() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    for _ in range(3):
        answer = client.get("/sparql?query=ASK{}", headers={"If-None-Match": 'W/"tag-1"'})
        assert answer.status_code == 304
        assert answer.content == b""
        assert answer.headers["etag"] == 'W/"tag-1"'
        assert "content-type" not in answer.headers
    assert len(seen) == 1  # the application's own 304, kept
    other = client.get("/sparql?query=ASK{}", headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.text == "query=ASK{}|*/*|"
    assert len(seen) == 2
    again = client.get("/sparql?query=ASK{}", headers={"If-None-Match": '"other"'})
    assert again.status_code == 200 and again.text == other.text
    assert len(seen) == 2  # the kept 200, the 304 beside it


def test_a_kept_answer_is_revalidated_by_the_service_once() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    full = client.get("/sparql?query=ASK{}")
    for _ in range(3):
        answer = client.get("/sparql?query=ASK{}", headers={"If-None-Match": full.headers["etag"]})
        assert answer.status_code == 304 and answer.headers["etag"] == full.headers["etag"]
    assert len(seen) == 2


def test_posts_are_keyed_by_their_body_and_the_body_reaches_the_application() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    first = client.post("/sparql", content=b"query=ASK{}", headers=form)
    again = client.post("/sparql", content=b"query=ASK{}", headers=form)
    other = client.post("/sparql", content=b"query=ASK{ }", headers=form)
    assert len(seen) == 2
    assert first.text.endswith("|query=ASK{}") and again.text == first.text
    assert other.text.endswith("|query=ASK{ }")


def test_answers_the_application_did_not_tag_are_not_kept() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    for path in ("/plain", "/tagged-later"):
        first = client.get(path)
        assert client.get(path).headers["etag"] == first.headers["etag"] == '"layer"'
    assert len(seen) == 4


def test_answers_varying_on_a_field_outside_the_key_are_not_kept() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    client.get("/varying", headers={"User-Agent": "a"})
    client.get("/varying", headers={"User-Agent": "a"})
    assert len(seen) == 2


@pytest.mark.parametrize(
    "condition", [{"Range": "bytes=0-1"}, {"If-Modified-Since": "Sun, 29 Nov 2026 00:00:00 GMT"}]
)
def test_ranges_and_other_conditions_go_to_the_service(condition: dict[str, str]) -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    client.get("/sparql?query=ASK{}")
    client.get("/sparql?query=ASK{}", headers=condition)
    assert len(seen) == 2


def test_each_keyed_field_makes_another_entry() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    variants = [{}, {"Accept-Encoding": "gzip"}, {"Origin": "http://a.example"}, {"Host": "b"}]
    for headers in [*variants, *variants]:
        client.get("/sparql?query=ASK{}", headers=headers)
    assert len(seen) == len(variants)


def _solutions(rows: int, tricky: bool = False) -> pyoxigraph.QuerySolutions:
    store = pyoxigraph.Store()
    for number in range(rows):  # tricky: literals that hold every format's row separator
        value = pyoxigraph.Literal(f'r{number} }},{{ <result\n"' if tricky else f"r{number}")
        store.add(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode(f"http://x/{number}"),
                pyoxigraph.NamedNode("http://x/p"),
                value,
            )
        )
    return store.query("SELECT ?s ?o WHERE { ?s ?p ?o }")


@pytest.mark.parametrize("format_name", ["json", "xml", "csv", "tsv"])
def test_an_answer_over_the_cap_is_never_written_whole(format_name: str) -> None:
    assert write_solutions_within_cap(format_name, _solutions(4), 3, LARGE) is None
    assert write_solutions_within_cap(format_name, _solutions(4, tricky=True), 3, LARGE) is None
    assert write_solutions_within_cap(format_name, _solutions(3), 3, LARGE) is not None
    assert write_solutions_within_cap(format_name, _solutions(3), 3, 20) is None


def test_an_answer_within_the_cap_is_pyoxigraphs_own() -> None:
    expected = _solutions(2).serialize(format=pyoxigraph.QueryResultsFormat.JSON)
    assert write_solutions_within_cap("json", _solutions(2), 10, LARGE) == expected


def test_rows_are_cut_at_the_byte_cap_as_at_the_row_cap() -> None:
    rows, cut = rows_within_caps(_solutions(100), 1000, 1000)
    assert cut and 10 < len(rows) < 40, len(rows)
    rows, cut = rows_within_caps(_solutions(100), 5, LARGE)
    assert cut and len(rows) == 5
    rows, cut = rows_within_caps(_solutions(100), 100, LARGE)
    assert not cut and len(rows) == 100


def test_the_cache_holds_at_most_its_bytes_and_never_a_large_answer() -> None:
    cache: AnswerCache[int, CachedAnswer] = AnswerCache(100, 3000)
    for key in range(10):
        cache.put(key, CachedAnswer(b"x" * 1000, truncated=False))
    assert cache.size == 3000
    assert [key for key in range(10) if cache.get(key) is not None] == [7, 8, 9]
    cache.put(99, CachedAnswer(b"x" * 3001, truncated=False))
    assert cache.get(99) is None and cache.size == 3000


@pytest.mark.parametrize(
    ("first", "second"), [("text/csv", "text/plain"), ("text/plain", "text/csv")]
)
def test_repeated_accept_lines_are_read_joined_by_the_cache_and_the_app(
    first: str, second: str
) -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    poisoning = client.get("/sparql?query=ASK{}", headers=[("Accept", first), ("Accept", second)])
    assert poisoning.text == f"query=ASK{{}}|{first}, {second}|"
    alone = client.get("/sparql?query=ASK{}", headers={"Accept": first})
    assert alone.text == f"query=ASK{{}}|{first}|", "served another request's answer"
    assert len(seen) == 2


def test_a_repeated_content_type_is_refused() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    response = client.post(
        "/sparql",
        content=b"ASK {}",
        headers=[
            ("Content-Type", "application/sparql-query"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
    )
    assert response.status_code == 400
    assert response.text == "The request has more than one Content-Type header.\n"
    assert seen == []


def test_a_kept_304_answers_the_same_tag_only() -> None:
    app, seen = _counting_app()
    client = TestClient(app)
    for tag in ('W/"tag-1"', '"tag-1"', '"tag-1"', 'W/"tag-1"'):
        answer = client.get("/sparql?query=ASK{}", headers={"If-None-Match": tag})
        assert answer.status_code == 304
    assert len(seen) == 3  # the second "tag-1" from the cache; each new form from the service


def test_a_kept_answer_counts_its_key_and_headers_against_the_bound() -> None:
    cache: AnswerCache[Hashable, HasBody] = AnswerCache(8, 10_000)
    app, seen = _counting_app(cache)
    client = TestClient(app)
    wide = {"Accept": "text/plain;q=0.1, x/" + "a" * 2000}  # 2 KB in the key, and in the body
    for query in ("ASK{}", "ASK{ }", "ASK{  }"):
        client.get(f"/sparql?query={query}", headers=wide)
    assert 8000 < cache.size <= 10_000 and len(cache) == 2, (cache.size, len(cache))
    client.get("/sparql?query=ASK{}", headers=wide)  # the first was dropped for the third
    assert len(seen) == 4
