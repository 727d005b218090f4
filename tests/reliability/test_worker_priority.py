"""The query workers' CPU priority: nicer than the server (which routes every request and answer),
and nicer still while a query of theirs is long (fresh queries then get most of the CPU), back
to the fresh queries' priority once it has ended (restored, or the worker replaced where
lowering a nice value needs a privilege the service lacks).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest
from service_process import (
    CAP_SYS_NICE,
    CHALLENGES,
    COUNT_CHALLENGES,
    STOPPED_CLEANLY,
    ServiceProcess,
    start,
    without_capabilities,
)

from iacai.service.engine.pool import LONG_QUERY_NICE_STEP
from iacai.service.engine.zygote import NICE_ABOVE_SERVER, ZYGOTE_NAME
from iacai.service.settings import Settings

LONG_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?t }"
"""About a second on the shipped graph: long past a 0.1 s fast lane, well within the timeout."""
MOST_NICE = 19
"""The kernel's highest nice value: one asked beyond it is set to it."""


def _nices(workers: list[psutil.Process]) -> list[int]:
    nices = []
    for worker in workers:
        try:
            nices.append(worker.nice())
        except psutil.NoSuchProcess:  # replaced meanwhile
            continue
    return nices


QUICK_TO_TURN_LONG = {"IACAI_CACHE_ENTRIES": "0", "IACAI_FAST_LANE_SECONDS": "0.1"}


@pytest.fixture(scope="module")
def quick_to_turn_long() -> Iterator[ServiceProcess]:
    service = start(environment=QUICK_TO_TURN_LONG)
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()


def _unprivileged() -> None:
    """In the child: no way to lower a nice value (as a service not run as root has none)."""
    without_capabilities(CAP_SYS_NICE)()
    resource.setrlimit(resource.RLIMIT_NICE, (0, 0))


def test_the_zygote_and_every_worker_run_nicer_than_the_server(
    default_served: ServiceProcess,
) -> None:
    assert default_served.count_challenges() == CHALLENGES  # workers answer
    server = psutil.Process(default_served.process.pid)
    zygote = next(p for p in default_served.processes() if p.name() == ZYGOTE_NAME)
    workers = default_served.query_workers()
    assert workers
    fresh = min(server.nice() + NICE_ABOVE_SERVER, MOST_NICE)
    assert zygote.nice() == fresh
    assert _nices(workers) == [fresh] * len(workers)


def test_a_long_querys_worker_runs_nicer_still_until_the_query_ends(
    quick_to_turn_long: ServiceProcess,
) -> None:
    server = psutil.Process(quick_to_turn_long.process.pid)
    fresh = min(server.nice() + NICE_ABOVE_SERVER, MOST_NICE)
    with ThreadPoolExecutor(1) as background, quick_to_turn_long.client() as http:
        answer = background.submit(http.get, "/sparql", params={"query": LONG_QUERY})
        seen: set[int] = set()
        while not answer.done():
            seen.update(_nices(quick_to_turn_long.query_workers()))
            time.sleep(0.02)
        response: httpx.Response = answer.result()
    assert response.status_code == 200, response.text
    assert min(fresh + LONG_QUERY_NICE_STEP, MOST_NICE) in seen, seen
    deadline = time.monotonic() + 10  # a worker that could not be restored is being replaced
    while time.monotonic() < deadline:
        workers = quick_to_turn_long.query_workers()
        if len(workers) == Settings().query_workers and set(_nices(workers)) == {fresh}:
            break
        time.sleep(0.05)
    assert set(_nices(quick_to_turn_long.query_workers())) == {fresh}
    assert quick_to_turn_long.count_challenges() == CHALLENGES


def test_an_unprivileged_services_heavy_client_costs_no_worker_per_short_query() -> None:
    """Without the privilege to lower a nice value, a worker whose long query ended is replaced
    (it cannot be restored). A heavy client's next queries run in the long lane; a short one
    must end at the priority it began with, not cost a worker (killed, forked again) each."""
    service = start(environment=QUICK_TO_TURN_LONG, preexec_fn=_unprivileged)
    try:
        with service.client() as http:
            long = http.get("/sparql", params={"query": LONG_QUERY})
            assert long.status_code == 200, long.text
            deadline = time.monotonic() + 10  # the long query's worker, replaced
            while "replaced" not in service.messages() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert service.messages().count("replaced") == 1, service.messages()
            for sent in range(5):  # the client is heavy now: these run in the long lane
                short = http.get("/sparql", params={"query": f"{COUNT_CHALLENGES} # {sent}"})
                assert short.status_code == 200, short.text
        assert service.messages().count("replaced") == 1, service.messages()
    finally:
        assert service.stop() in STOPPED_CLEANLY, service.messages()
