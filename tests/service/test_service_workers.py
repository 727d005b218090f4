"""`iacai serve --workers N`: several server processes, and not one byte of difference between them.

Each request goes over a fresh connection, so the kernel hands it to either process; the test
goes on until both have answered, then requires every body, ETag and Last-Modified of a query to
be identical (blank-node labels included: every process serves the one snapshot `iacai serve`
validated, and its time of change).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest
from live_service import free_port

from health import wait_until_healthy

QUERIES = (
    "SELECT ?work ?list WHERE { ?work <http://purl.org/ontology/bibo/authorList> ?list } "
    "ORDER BY ?work",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s <http://purl.org/ontology/bibo/authorList> ?o ; ?p ?o }",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
)


@pytest.fixture(scope="module")
def two_workers() -> Iterator[str]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "iacai.cli", "serve", "--workers", "2", "--query-workers", "1",
         "--port", str(port), "--log-level", "warning"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, lambda: server.poll() is None, seconds=120)
        yield url
    finally:
        server.terminate()
        server.wait(30)


def fresh_get(url: str, **params: str) -> httpx.Response:
    with httpx.Client(timeout=30) as http:  # a new connection each time
        return http.get(url, params=params, headers={"Accept": "application/sparql-results+json,"
                                                     "text/turtle;q=0.9"})


def test_every_worker_gives_the_same_bytes_and_etag(two_workers: str) -> None:
    processes: set[int] = set()
    answers: dict[str, set[tuple[bytes, str, str]]] = {query: set() for query in QUERIES}
    for _ in range(200):
        processes.add(fresh_get(f"{two_workers}/healthz").json()["server_process"])
        for query in QUERIES:
            response = fresh_get(f"{two_workers}/sparql", query=query)
            assert response.status_code == 200, response.text
            headers = response.headers
            answers[query].add((response.content, headers["etag"], headers["last-modified"]))
        if len(processes) == 2 and _ > 20:
            break
    assert len(processes) == 2, "one process answered everything: nothing was compared"
    assert {query: len(seen) for query, seen in answers.items()} == dict.fromkeys(QUERIES, 1)
