"""The benchmark's rounds: each figure the median of a cell's rounds, each target ratio also per
round, a round's ratio on the same queries as the medians'. Built from made-up cells, so the
arithmetic is checked exactly (tests/test_bench_smoke.py drives real servers)."""

from __future__ import annotations

import math

import pytest
from bench import report
from bench.results import Cell, ScaleResults

QUERIES = ["q1", "q2"]


def _cell(server: str, query: str, round_number: int, rate: float, errors: int = 0) -> Cell:
    """A one-client cell answering `rate` requests per second for a second, at 1 ms of server
    CPU per request, its latencies 1/rate each."""
    requests = int(rate)
    return Cell(server, query, 16, round_number, [1 / rate] * requests, 1.0, {200: requests},
                ["TimeoutError: "] * errors, requests * 0.001, 0.1, 1.0)


def _scale(rates: dict[tuple[str, str], list[float]]) -> ScaleResults:
    scale = ScaleResults(1, 100, list(QUERIES), rounds=3, servers=["a", "b"])
    for (server, query), by_round in rates.items():
        scale.cells += [_cell(server, query, number, rate) for number, rate in enumerate(by_round)]
    return scale


def test_a_cells_figures_are_the_medians_of_its_rounds():
    scale = _scale({("a", "q1"): [100.0, 400.0, 200.0]})
    cell = scale.cell("a", "q1", 16)
    assert cell is not None and len(cell.rounds) == 3
    assert cell.requests_per_second == 200.0
    assert cell.p50 == cell.p95 == pytest.approx(1 / 200)
    assert cell.requests == 700
    assert scale.cell("a", "q1", 16, in_round=1).requests_per_second == 400.0
    assert scale.cell("a", "q1", 1) is None


def test_an_error_in_any_round_shows_and_keeps_the_cell_out_of_the_ratios():
    scale = _scale({("a", "q1"): [100.0] * 3, ("b", "q1"): [100.0] * 3,
                    ("a", "q2"): [300.0] * 3, ("b", "q2"): [100.0] * 3})
    scale.cells[-1] = _cell("b", "q2", 2, 100.0, errors=1)
    assert not scale.cell("b", "q2", 16).ok
    assert scale.throughput_ratio("a", "b", 16) == (1.0, 1)
    # the rounds where q2 went well count it no more than the medians do
    assert [scale.throughput_ratio("a", "b", 16, in_round=n) for n in range(3)] == [(1.0, 1)] * 3


def test_each_round_has_its_own_ratio_and_the_target_says_in_how_many_it_was_met():
    scale = _scale({("a", "q1"): [100.0, 100.0, 100.0], ("b", "q1"): [50.0, 100.0, 200.0],
                    ("a", "q2"): [100.0, 100.0, 100.0], ("b", "q2"): [50.0, 100.0, 200.0]})
    ratios = [scale.throughput_ratio("a", "b", 16, in_round=n)[0] for n in range(3)]
    assert ratios == pytest.approx([2.0, 1.0, 0.5])
    assert scale.throughput_ratio("a", "b", 16)[0] == pytest.approx(1.0)
    assert scale.cpu_ratio("a", "b", 16)[0] == pytest.approx(1.0)
    row = report._ratio_target(scale, "a vs b", "a", "b", 16, 1.0)
    assert "| 1.00x | 0.50 to 2.00x |" in row
    assert "yes; in 2 of 3 rounds |" in row
    row = report._ratio_target(scale, "a vs b", "a", "b", 16, 1.5)
    assert "**no**; in 1 of 3 rounds |" in row


def test_idle_peers_cpu_is_neither_the_servers_nor_noise():
    cell = Cell("a", "q1", 1, 0, [0.001], 1.0, {200: 1}, [], 0.5, 0.2, 1.0, idle_cpu_seconds=0.1)
    assert cell.other_cpu_seconds == pytest.approx(0.2)
    assert math.isnan(Cell("a", "q1", 1, 0, [], 1.0, {}, [], 0, 0, 0).cpu_per_request)
