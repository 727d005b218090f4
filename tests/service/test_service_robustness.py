"""Runaway and engine-crashing queries: the timeout frees the worker, a crash is survived.

Ordering is asserted rather than tight timings: the simple query must be answered while the
runaway one is still running, and the runaway one must end within the timeout plus a second.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from live_service import RunningService, free_port, serve_in_thread
from rdflib import Dataset

from iacai.service.settings import Settings

CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CROSS_PRODUCT_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } ORDER BY ?l"
COUNT_CHALLENGES = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/iacai/ontology#Challenge> }"
)
OTHER_CLIENT = "127.0.0.3"
"""Another client (another source address): a client with a long query gets no other (429)."""
DEEP_NESTING = "SELECT * WHERE {" + "(" * 5000 + "1" + ")" * 5000 + "}"


def count_of(response: httpx.Response) -> int:
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def wait_until_busy(http: httpx.Client, idle_workers: int) -> None:
    """Poll /healthz until at most `idle_workers` are idle (a query runs), for 10 s at most."""
    deadline = time.monotonic() + 10
    while http.get("/healthz").json()["idle_query_workers"] > idle_workers:
        assert time.monotonic() < deadline, "the runaway query never reached a worker"


def wait_until_all_idle(http: httpx.Client, workers: int) -> None:
    deadline = time.monotonic() + 30
    while http.get("/healthz").json()["idle_query_workers"] < workers:
        assert time.monotonic() < deadline, "a killed worker was not replaced"


RUNAWAY_CLIENTS = {CROSS_PRODUCT: "127.0.0.21", CROSS_PRODUCT_ROWS: "127.0.0.22"}


@pytest.mark.parametrize("runaway", [CROSS_PRODUCT, CROSS_PRODUCT_ROWS])
def test_timeout_stops_a_runaway_query_while_others_are_answered(
    service: RunningService, runaway: str
) -> None:
    timeout = service.settings.query_timeout
    # a client address of its own: earlier tests' long queries must not count against it
    runaway_client = httpx.HTTPTransport(local_address=RUNAWAY_CLIENTS[runaway])
    with (
        service.client(transport=runaway_client) as http,
        ThreadPoolExecutor(max_workers=1) as background,
    ):
        wait_until_all_idle(http, service.settings.query_workers)
        replaced_before = http.get("/healthz").json()["query_workers_replaced"]
        started = time.monotonic()
        pending = background.submit(http.get, "/sparql", params={"query": runaway})
        wait_until_busy(http, service.settings.query_workers - 1)
        simple_started = time.monotonic()
        with service.client(transport=httpx.HTTPTransport(local_address=OTHER_CLIENT)) as other:
            simple = other.get("/sparql", params={"query": COUNT_CHALLENGES + f" # {runaway[-8:]}"})
        simple_took = time.monotonic() - simple_started
        assert not pending.done(), (
            f"the simple query took {simple_took:.2f} s ({simple.status_code}) and the runaway"
            f" ended first: {pending.result().status_code} {pending.result().text[:200]}"
        )
        runaway_response = pending.result()
        runaway_took = time.monotonic() - started
        assert count_of(simple) == 15
        assert simple_took < 1.0
        # 503 when the service's own engine was stopped; 504 when a remote store was too slow.
        remote = service.settings.store_location.is_remote
        assert runaway_response.status_code == (504 if remote else 503)
        assert "timeout reached" in runaway_response.text
        assert timeout <= runaway_took < timeout + 1.0
        health = http.get("/healthz").json()
        assert health["query_workers_replaced"] == replaced_before + 1
        wait_until_all_idle(http, service.settings.query_workers)
        assert count_of(http.get("/sparql", params={"query": COUNT_CHALLENGES})) == 15


def test_deep_nesting_is_refused_before_the_engine(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": DEEP_NESTING})
    assert response.status_code == 400
    assert "nests brackets 5001 deep" in response.text
    assert count_of(client.get("/sparql", params={"query": COUNT_CHALLENGES})) == 15


@pytest.fixture(scope="module")
def unguarded_service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    """A service whose nesting limit lets a crashing query through to the engine."""
    settings = Settings(port=free_port(), max_nesting=1_000_000, query_workers=2, cache_entries=0)
    yield from serve_in_thread(settings, shipped_dataset)


def test_engine_crash_is_survived(unguarded_service: RunningService) -> None:
    crasher = unguarded_service.client(transport=httpx.HTTPTransport(local_address=OTHER_CLIENT))
    with unguarded_service.client() as http, ThreadPoolExecutor(max_workers=4) as clients:
        crash = clients.submit(crasher.post, "/sparql", data={"query": DEEP_NESTING})
        others = [
            clients.submit(http.get, "/sparql", params={"query": COUNT_CHALLENGES + f" #{n}"})
            for n in range(6)
        ]
        crashed = crash.result()
        crasher.close()
        assert crashed.status_code == 503, crashed.text
        assert "failed on this query and was restarted" in crashed.text
        assert [count_of(other.result()) for other in others] == [15] * 6
        assert http.get("/healthz").json()["query_workers_replaced"] >= 1
        wait_until_all_idle(http, unguarded_service.settings.query_workers)
        assert count_of(http.get("/sparql", params={"query": COUNT_CHALLENGES})) == 15
