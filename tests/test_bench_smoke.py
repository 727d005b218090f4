"""The benchmark harness works: a tiny run starts real servers on 127.0.0.1, checks their answers,
drives them in interleaved rounds and writes the report. No timing is asserted: on a shared
machine none would hold."""

from __future__ import annotations

from pathlib import Path

import pytest
from bench import engine
from bench.load import LoadJob
from bench.mix import distinct_workloads
from bench.results import RunResults
from bench.run import Options, run

DISTINCT = "distinct-label-search"
QUERIES = ("lookup-neighbourhood", "lookup-count-by-category", DISTINCT)
"""A CONSTRUCT and a SELECT sent over and over, and a workload whose every text is new: both
answer kinds, both workload kinds, all cheap even for rdflib-endpoint."""

PEERS = ("iacai", "oxigraph", "rdflib-endpoint", "floor")
MAX_REQUESTS = 40
ROUNDS = 2
CLIENT_COUNTS = (1, 16)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[RunResults, Path]:
    folder = tmp_path_factory.mktemp("bench")
    output = folder / "RESULTS.md"
    options = Options(peers=PEERS, queries=QUERIES, scales=(1,), clients=CLIENT_COUNTS,
                      rounds=ROUNDS, seconds=0.1, max_requests=MAX_REQUESTS, output=output,
                      work=folder / "work")
    return run(options), output


@pytest.mark.e2e
def test_every_peer_is_driven_sequentially_and_concurrently(smoke_run: tuple[RunResults, Path]):
    results, _ = smoke_run
    scale = results.scales[0]
    assert scale.notes == []
    assert scale.servers == list(PEERS)
    for server in PEERS:
        for clients in CLIENT_COUNTS:
            for query in QUERIES:
                cell = scale.cell(server, query, clients)
                assert cell is not None, (server, query, clients)
                assert cell.ok, (server, query, clients, cell.statuses, cell.errors[:3])
                assert [each.round for each in cell.rounds] == list(range(ROUNDS))
                assert all(each.requests >= clients for each in cell.rounds)
                assert min(c.requests_per_second for c in cell.rounds) <= (
                    cell.requests_per_second) <= max(c.requests_per_second for c in cell.rounds)
    assert sum(cell.server_cpu_seconds for cell in scale.cells if cell.server == "iacai") > 0
    assert all(cell.idle_cpu_seconds >= 0 for cell in scale.cells)


@pytest.mark.e2e
def test_the_rounds_interleave_the_peers_in_another_order_each_time(
    smoke_run: tuple[RunResults, Path],
):
    cells = smoke_run[0].scales[0].cells
    assert [cell.round for cell in cells] == sorted(cell.round for cell in cells)
    for clients in CLIENT_COUNTS:
        for query in QUERIES:
            orders = [[c.server for c in cells if (c.query, c.clients, c.round)
                       == (query, clients, number)] for number in range(ROUNDS)]
            assert all(sorted(order) == sorted(PEERS) for order in orders), orders
            assert orders[0] != orders[1], (query, clients)
    # one query's peers one after another, before the next query
    first = [(cell.query, cell.clients) for cell in cells if cell.round == 0]
    assert first == [key for key in dict.fromkeys(first) for _ in PEERS]


@pytest.mark.e2e
def test_the_service_and_the_oxigraph_server_give_the_engines_answers(
    smoke_run: tuple[RunResults, Path],
):
    results, _ = smoke_run
    assert "oxigraph" in results.scales[0].checked
    assert [m for m in results.scales[0].mismatches if m.server in ("iacai", "oxigraph")] == []


@pytest.mark.e2e
def test_a_distinct_workload_never_sends_a_text_twice(smoke_run: tuple[RunResults, Path]):
    results, output = smoke_run
    scale = results.scales[0]
    assert scale.distinct == [DISTINCT]
    assert scale.repeated == [query for query in QUERIES if query != DISTINCT]
    store = engine.load_store(output.parent / "work" / "data-1x.nq")
    workload = next(w for w in distinct_workloads(store, MAX_REQUESTS + LoadJob.warmup_requests)
                    if w.name == DISTINCT)
    job = LoadJob("http://127.0.0.1:1/sparql", workload.text, workload.accept, 16, MAX_REQUESTS,
                  1.0, variants=workload.variants)
    sent = list(job.requests())
    assert len(sent) == len(set(sent)) == MAX_REQUESTS + LoadJob.warmup_requests
    cells = ROUNDS * len(CLIENT_COUNTS)
    slices = [workload.texts_of_cell(number, cells) for number in range(cells)]
    assert all(slices) and len(set().union(*slices)) == sum(map(len, slices))
    for server in PEERS:
        for clients in CLIENT_COUNTS:
            cell = scale.cell(server, DISTINCT, clients)
            assert cell is not None and cell.ok, (server, clients)
            assert all(clients <= each.requests <= MAX_REQUESTS for each in cell.rounds)


@pytest.mark.e2e
def test_each_servers_memory_is_sampled_at_rest_and_under_load(
    smoke_run: tuple[RunResults, Path],
):
    memory = smoke_run[0].scales[0].memory
    assert set(memory) == set(PEERS)
    for rest, peak in memory.values():
        assert rest.resident > 0 and peak.resident > 0
        assert 0 < rest.proportional <= rest.resident and peak.proportional > 0


@pytest.mark.e2e
def test_the_report_has_each_table(smoke_run: tuple[RunResults, Path]):
    _, output = smoke_run
    report = output.read_text(encoding="utf-8")
    for heading in ("## Machine and versions", "### Targets", "### Same answers?",
                    "### Requests per second, 16 clients", "### Latency p50 / p95 (ms), 1 client",
                    "### CPU each side used", "### Where the time goes", "### Every text new",
                    "### Memory (MiB)"):
        assert heading in report
    for query in QUERIES:
        assert f"| {query} |" in report
    assert "| query | iacai | oxigraph | rdflib-endpoint | floor |" in report
    assert "- iacai/oxigraph, 16 clients:" in report
    assert "| target | measured | each round | by CPU (each round) | goal | met |" in report
    assert f"in 0 of {ROUNDS} rounds" in report or f"in {ROUNDS} of {ROUNDS} rounds" in report
