"""The benchmark harness works: a tiny run starts real servers on 127.0.0.1, checks their answers,
drives them and writes the report. No timing is asserted: on a shared machine none would hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.results import RunResults
from bench.run import Options, run

QUERIES = ("lookup-neighbourhood", "lookup-count-by-category")
"""A CONSTRUCT and a SELECT: both answer kinds, and both cheap even for rdflib-endpoint."""

PEERS = ("iacai", "rdflib-endpoint", "floor")


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResults, Path]:
    folder = tmp_path_factory.mktemp("bench")
    output = folder / "RESULTS.md"
    options = Options(peers=PEERS, queries=QUERIES, scales=(1,), seconds=0.1, max_requests=40,
                      output=output, work=folder / "work")
    return run(options), output


@pytest.mark.e2e
def test_every_peer_is_driven_sequentially_and_concurrently(smoke_run: tuple[RunResults, Path]):
    results, _ = smoke_run
    scale = results.scales[0]
    assert scale.notes == []
    assert scale.servers == list(PEERS)
    for server in PEERS:
        for clients in (1, 16):
            for query in QUERIES:
                cell = scale.cell(server, query, clients)
                assert cell is not None, (server, query, clients)
                assert cell.ok, (server, query, clients, cell.statuses, cell.errors[:3])
                assert cell.requests >= clients
    assert sum(cell.server_cpu_seconds for cell in scale.cells if cell.server == "iacai") > 0


@pytest.mark.e2e
def test_the_service_gives_the_engines_answers(smoke_run: tuple[RunResults, Path]):
    results, _ = smoke_run
    assert [m for m in results.scales[0].mismatches if m.server == "iacai"] == []


@pytest.mark.e2e
def test_the_report_has_each_table(smoke_run: tuple[RunResults, Path]):
    _, output = smoke_run
    report = output.read_text(encoding="utf-8")
    for heading in ("## Machine and versions", "### Targets", "### Same answers?",
                    "### Requests per second, 16 clients", "### Latency p50 / p95 (ms), 1 client",
                    "### CPU each side used", "### Where the time goes"):
        assert heading in report
    for query in QUERIES:
        assert f"| {query} |" in report
    assert "| query | iacai | rdflib-endpoint | floor |" in report
