"""The query edge answers /sparql in front of FastAPI's layers: its answers must be theirs.

A GET at /sparql is answered by the edge (`sparql.query_edge`); a HEAD takes FastAPI's layers
(the representation middleware answers it as a GET without the body). So for every kind of
request, a GET's status and headers must be exactly the HEAD's: the same validators, gzip,
`Vary` (CORS's Origin too), security headers and error handling, whichever way it went.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from iacai.service.http.representations import Representation
from iacai.service.sparql import protocol
from iacai.service.sparql.query_edge import QueryEdge

SELECT = "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s LIMIT 40"
CONSTRUCT = "CONSTRUCT { ?s rdfs:label ?label } WHERE { ?s rdfs:label ?label } LIMIT 5"
RESULTS = "application/sparql-results+json"
BROWSER = "text/html,application/xhtml+xml,*/*;q=0.8"

REQUESTS: dict[str, tuple[dict[str, str], list[tuple[str, str]]]] = {
    "json": ({"query": SELECT}, [("Accept", RESULTS)]),
    "json gzipped": ({"query": SELECT}, [("Accept", RESULTS), ("Accept-Encoding", "gzip")]),
    "csv": ({"query": SELECT}, [("Accept", "text/csv")]),
    "xml by format": ({"query": SELECT, "format": "xml"}, []),
    "turtle": ({"query": CONSTRUCT}, [("Accept", "text/turtle"), ("Accept-Encoding", "gzip")]),
    "two Accept lines": ({"query": SELECT}, [("Accept", "text/csv;q=0.1"), ("Accept", RESULTS)]),
    "syntax error": ({"query": "SELEKT * WHERE {}"}, [("Accept", RESULTS)]),
    "syntax error, browser": ({"query": "SELEKT * WHERE {}"}, [("Accept", BROWSER)]),
    "update": ({"query": "INSERT DATA { <a:b> <a:c> <a:d> }"}, [("Accept", RESULTS)]),
    "not acceptable": ({"query": SELECT}, [("Accept", "image/png")]),
    "bad dataset": ({"query": SELECT, "default-graph-uri": "not an IRI"}, [("Accept", RESULTS)]),
    "service description": ({}, [("Accept", "text/turtle")]),
    "query page": ({}, [("Accept", BROWSER)]),
    "query as a page": ({"query": SELECT}, [("Accept", BROWSER)]),
}


def _head(response: httpx.Response) -> tuple[int, list[tuple[str, str]]]:
    return response.status_code, sorted(
        (name, value) for name, value in response.headers.multi_items() if name != "date"
    )


ONE_STORE = pytest.mark.parametrize("store", ["memory"], indirect=True)
"""The edge does the same whatever the store: these tests run on the in-memory one."""


@ONE_STORE
@pytest.mark.parametrize("case", REQUESTS)
def test_a_get_at_the_edge_has_the_head_of_fastapis_layers(
    client: httpx.Client, case: str
) -> None:
    parameters, headers = REQUESTS[case]
    answered = client.get("/sparql", params=parameters, headers=headers)
    layered = client.head("/sparql", params=parameters, headers=headers)
    assert _head(answered) == _head(layered)
    assert answered.headers["x-content-type-options"] == "nosniff"
    assert "Origin" in answered.headers["vary"] or answered.status_code >= 400


@ONE_STORE
def test_a_revalidated_get_is_the_304_of_fastapis_layers(client: httpx.Client) -> None:
    headers = {"Accept": RESULTS, "Accept-Encoding": "gzip"}
    etag = client.get("/sparql", params={"query": SELECT}, headers=headers).headers["etag"]
    revalidating = {**headers, "If-None-Match": etag}
    answered = client.get("/sparql", params={"query": SELECT}, headers=revalidating)
    layered = client.head("/sparql", params={"query": SELECT}, headers=revalidating)
    assert answered.status_code == 304 and answered.content == b""
    assert _head(answered) == _head(layered)


@ONE_STORE
def test_a_post_at_the_edge_is_answered_as_the_get(client: httpx.Client) -> None:
    got = client.get("/sparql", params={"query": SELECT}, headers={"Accept": RESULTS})
    posted = client.post(
        "/sparql",
        content=SELECT,
        headers={"Accept": RESULTS, "Content-Type": "application/sparql-query"},
    )
    assert posted.status_code == 200 and posted.content == got.content
    assert posted.headers["etag"] == got.headers["etag"]
    assert posted.headers["content-security-policy"] == got.headers["content-security-policy"]


@ONE_STORE
def test_what_the_edge_passes_on_keeps_its_layers(client: httpx.Client) -> None:
    """A cross-origin request, and one that repeats Content-Type, go to FastAPI's layers."""
    crossing = client.get(
        "/sparql",
        params={"query": SELECT},
        headers={"Accept": RESULTS, "Origin": "https://reader.example"},
    )
    assert crossing.status_code == 200 and crossing.headers["access-control-allow-origin"]
    repeated = client.post(
        "/sparql",
        content=SELECT,
        headers=[
            ("Content-Type", "application/sparql-query"),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
    )
    assert repeated.status_code == 400 and "more than one Content-Type" in repeated.text


def test_while_fastapi_traces_a_query_takes_its_layers() -> None:
    """With a tracer provider configured, /sparql is traced as every request: not at the edge."""
    pytest.importorskip("fastapi.telemetry", reason="this FastAPI has no telemetry of its own")
    trace = pytest.importorskip("opentelemetry.trace")

    class QuietTracerProvider(trace.TracerProvider):  # type: ignore[misc,name-defined]
        """A configured provider, whose spans go nowhere."""

        def get_tracer(self, *args: Any, **kwargs: Any) -> Any:
            return trace.NoOpTracer()

    app = FastAPI(telemetry={"tracer_provider": QuietTracerProvider()})  # type: ignore[call-arg]
    passed_on: list[str] = []

    async def layers(scope: Scope, receive: Receive, send: Send) -> None:
        passed_on.append(scope["method"])

    async def nothing_to_send(message: Message) -> None:
        raise AssertionError("the edge answered")

    async def no_body() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    edge = QueryEdge(app, Representation(0.0, 60, lambda _tag: None), False, layers)
    for method in ("GET", "POST"):
        scope = {"type": "http", "method": method, "path": "/sparql", "root_path": "",
                 "query_string": b"query=ASK%7B%7D", "headers": [(b"accept", b"*/*")]}
        asyncio.run(edge(scope, no_body, nothing_to_send))
    assert passed_on == ["GET", "POST"]


@ONE_STORE
def test_an_error_no_handler_maps_is_fastapis_bare_500(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bug (an exception no handler maps) gets the 500 FastAPI's outermost layer sends, at
    the edge as behind it, and the service answers the next connection."""

    async def failing(request: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr(protocol, "sparql_get", failing)
    url = f"{client.base_url}/sparql"
    fresh = f"{SELECT} # {uuid.uuid4()}"  # asked by no earlier test: the answer cache misses
    asked = {"params": {"query": fresh}, "headers": {"Accept": RESULTS}}
    # uvicorn closes a connection after a 500: each request on a connection of its own
    answered = httpx.get(url, **asked)  # type: ignore[arg-type]
    layered = httpx.head(url, **asked)  # type: ignore[arg-type]
    assert answered.status_code == 500 and answered.text == "Internal Server Error"
    assert _head(answered) == _head(layered)
    monkeypatch.undo()
    assert httpx.get(url, **asked).is_success  # type: ignore[arg-type]
