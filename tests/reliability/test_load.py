"""A bounded load: 32 clients on 127.0.0.1, the benchmark mix plus pathological queries, twice.

Well-formed queries are the benchmark's mix (bench/mix.py), each made unique by a comment so
that every one reaches the engine rather than the answer cache; about one request in ten is
pathological (too deep, too large, an update, a federated call, a syntax error), and one client
sends nothing but runaway queries that the timeout stops. Every well-formed request must be
answered 200, every pathological one refused as documented. The service's resident memory (all
its processes) is measured before, after the first and after the second run: the second run
must not add what the first did. IACAI_LOAD_SECONDS sets each run's length (default 8; the
figures in docs/reliability.md are from 30); IACAI_LOAD_REPORT names a JSON file for them.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyoxigraph
import pytest
from bench.mix import query_mix
from service_process import CHALLENGES, QUERY_TIMEOUT, STOPPED_CLEANLY, ServiceProcess, start

SECONDS = float(os.environ.get("IACAI_LOAD_SECONDS", "8"))
CLIENTS = 32
MIB = 1024 * 1024

PATHOLOGICAL = {
    "deep nesting": ("SELECT * WHERE {" + "(" * 3000 + "1" + ")" * 3000 + "}", 400),
    "huge literal": ('SELECT * WHERE { ?s ?p "' + "x" * 150_000 + '" }', 413),
    "update": ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 400),
    "federated": ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", 400),
    "syntax error": ("SELECT * WHERE { ?s ?p }", 400),
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@dataclass
class Tally:
    """What one run measured."""

    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    pathological: Counter[str] = field(default_factory=Counter)
    runaways: Counter[int] = field(default_factory=Counter)

    def p95_ms(self) -> float:
        return statistics.quantiles(self.latencies, n=100)[94] * 1000

    def p50_ms(self) -> float:
        return statistics.median(self.latencies) * 1000


@pytest.fixture(scope="module")
def loaded() -> Iterator[ServiceProcess]:
    """The runaway client's queries are stopped by a short timeout, so that a run ends soon after
    its time (the default timeout, 10 s, would keep its last one that long)."""
    service = start(environment={"IACAI_QUERY_TIMEOUT": str(QUERY_TIMEOUT)})
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()


async def well_formed_client(
    http: httpx.AsyncClient, mix: list[tuple[str, str]], client: int, until: float, tally: Tally
) -> None:
    sent = 0
    while time.monotonic() < until:
        sent += 1
        if sent % 10 == 0:
            name = list(PATHOLOGICAL)[sent // 10 % len(PATHOLOGICAL)]
            query, status = PATHOLOGICAL[name]
            response = await http.post("/sparql", data={"query": query})
            if response.status_code != status or not response.text.strip():
                tally.failures.append(f"{name}: {response.status_code} {response.text[:100]}")
            tally.pathological[name] += 1
            continue
        text, accept = mix[(client + sent) % len(mix)]
        started = time.monotonic()
        response = await http.get(
            "/sparql",
            params={"query": f"{text}# client {client} request {sent} at {started}"},
            headers={"Accept": accept},
        )
        elapsed = time.monotonic() - started
        if response.status_code != 200 or not response.content:
            tally.failures.append(f"{response.status_code}: {response.text[:200]}")
        else:
            tally.latencies.append(elapsed)


async def runaway_client(http: httpx.AsyncClient, until: float, tally: Tally) -> None:
    while time.monotonic() < until:
        response = await http.get("/sparql", params={"query": f"{RUNAWAY} # {time.time()}"})
        tally.runaways[response.status_code] += 1


async def drive(url: str, mix: list[tuple[str, str]], seconds: float) -> Tally:
    tally = Tally()
    https = [  # each client its own source address, as the service tells clients apart
        httpx.AsyncClient(
            base_url=url,
            timeout=60,
            transport=httpx.AsyncHTTPTransport(local_address=f"127.0.1.{n + 1}"),
        )
        for n in range(CLIENTS)
    ]
    until = time.monotonic() + seconds  # once the clients are made (each makes an SSL context)
    await asyncio.gather(
        runaway_client(https[-1], until, tally),
        *(well_formed_client(https[n], mix, n, until, tally) for n in range(CLIENTS - 1)),
    )
    for http in https:
        await http.aclose()
    return tally


def test_load_with_pathological_queries(
    loaded: ServiceProcess, shipped_store: pyoxigraph.Store
) -> None:
    mix = [(query.text, query.accept) for query in query_mix(shipped_store)]
    asyncio.run(drive(loaded.url, mix, 1))  # warm up: workers, dumps, imports
    memory = [loaded.resident_bytes()]
    runs = []
    for _ in range(2):
        runs.append(asyncio.run(drive(loaded.url, mix, SECONDS)))
        memory.append(loaded.resident_bytes())
    figures = {
        "seconds_per_run": SECONDS,
        "clients": CLIENTS,
        "runs": [
            {
                "well_formed_answered": len(run.latencies),
                "well_formed_failed": len(run.failures),
                "requests_per_second": round(len(run.latencies) / SECONDS, 1),
                "p50_ms": round(run.p50_ms(), 1),
                "p95_ms": round(run.p95_ms(), 1),
                "pathological": dict(run.pathological),
                "runaway_statuses": dict(run.runaways),
            }
            for run in runs
        ],
        "resident_mib": [round(m / MIB, 1) for m in memory],
    }
    print(json.dumps(figures, indent=2))
    if report := os.environ.get("IACAI_LOAD_REPORT"):
        Path(report).write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    for run in runs:
        assert run.failures == [], run.failures[:5]
        assert len(run.latencies) > 100
        assert sum(run.pathological.values()) > 10
        assert set(run.runaways) <= {503}, run.runaways
    first_growth, second_growth = memory[1] - memory[0], memory[2] - memory[1]
    assert second_growth < max(first_growth, 0) / 2 + 32 * MIB, figures["resident_mib"]
    assert loaded.count_challenges() == CHALLENGES
