"""What one benchmark run measured, and the statistics the report is made of."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bench.agreement import Mismatch
from bench.engine import EngineTiming
from bench.peers.process import Footprint


def percentile(values: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile (0.5 is the median), or NaN with no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))]


def geometric_mean(values: Iterable[float]) -> float:
    """The geometric mean of positive values (NaN if there are none)."""
    positive = [value for value in values if value > 0 and not math.isnan(value)]
    return statistics.geometric_mean(positive) if positive else math.nan


@dataclass
class Cell:
    """One query driven against one server by a number of clients in one round, and the CPU each
    side used."""

    server: str
    query: str
    clients: int
    round: int
    latencies: list[float]
    wall_seconds: float
    statuses: dict[int, int]
    errors: list[str]
    server_cpu_seconds: float
    client_cpu_seconds: float
    machine_cpu_seconds: float
    idle_cpu_seconds: float = 0.0
    """CPU the other peers of the scale used meanwhile, running but not driven."""

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def ok(self) -> bool:
        """Every request answered 200 (or 304), none failed."""
        return not self.errors and set(self.statuses) <= {200, 304} and self.requests > 0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.wall_seconds if self.wall_seconds else math.nan

    @property
    def p50(self) -> float:
        return percentile(self.latencies, 0.50)

    @property
    def p95(self) -> float:
        return percentile(self.latencies, 0.95)

    @property
    def cpu_per_request(self) -> float:
        return self.server_cpu_seconds / self.requests if self.requests else math.nan

    @property
    def other_cpu_seconds(self) -> float:
        """CPU the rest of the machine used meanwhile, beyond the benchmark's own processes (the
        driven server, the load generator, the idle peers): the other engineers' work, the
        noise."""
        own = self.server_cpu_seconds + self.client_cpu_seconds + self.idle_cpu_seconds
        return max(0.0, self.machine_cpu_seconds - own)


@dataclass(frozen=True)
class Measured:
    """A cell's rounds together, each figure the median of the rounds' own (one round: itself).

    The median, not the mean or pooled samples: a round that other work on the machine slowed
    is outvoted by the others instead of pulling the figure, and each round's percentiles come
    from one stretch of time, so the median p95 is a tail seen in most rounds, not one round's
    stall.
    """

    rounds: tuple[Cell, ...]

    @property
    def ok(self) -> bool:
        """Every round answered without error (an error in any round is shown, not hidden)."""
        return all(cell.ok for cell in self.rounds)

    @property
    def statuses(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for cell in self.rounds:
            for status, count in cell.statuses.items():
                counts[status] = counts.get(status, 0) + count
        return counts

    @property
    def errors(self) -> list[str]:
        return [error for cell in self.rounds for error in cell.errors]

    @property
    def requests(self) -> int:
        return sum(cell.requests for cell in self.rounds)

    @property
    def requests_per_second(self) -> float:
        return self._median(lambda cell: cell.requests_per_second)

    @property
    def p50(self) -> float:
        return self._median(lambda cell: cell.p50)

    @property
    def p95(self) -> float:
        return self._median(lambda cell: cell.p95)

    @property
    def cpu_per_request(self) -> float:
        return self._median(lambda cell: cell.cpu_per_request)

    def _median(self, figure: Callable[[Cell], float]) -> float:
        values = [value for cell in self.rounds if not math.isnan(value := figure(cell))]
        return statistics.median(values) if values else math.nan


@dataclass
class ScaleResults:
    """Everything measured on the graph at one scale."""

    factor: int
    quads: int
    queries: list[str]
    rounds: int = 1
    """How many times each cell was measured (the tables show the median)."""
    engine: dict[str, EngineTiming] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    """Every round of every cell, appended as measured (never replaced: the lookups are indexed
    again only when cells were added)."""
    mismatches: list[Mismatch] = field(default_factory=list)
    servers: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    """The servers whose answers were compared with the engine's."""
    notes: list[str] = field(default_factory=list)
    distinct: list[str] = field(default_factory=list)
    """The distinct-text workloads among `queries` (every request a new text)."""
    memory: dict[str, tuple[Footprint, Footprint]] = field(default_factory=dict)
    """Each server's memory (with its children) at rest after starting, and the most sampled
    while it was driven (each way: the most resident, the most proportional)."""
    _by_key: dict[tuple[str, str, int], list[Cell]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _indexed_count: int = field(default=-1, init=False, repr=False, compare=False)

    @property
    def repeated(self) -> list[str]:
        """The queries sent over and over (the mix the targets are computed on)."""
        return [query for query in self.queries if query not in self.distinct]

    def cell(self, server: str, query: str, clients: int, in_round: int | None = None
             ) -> Measured | None:
        """The cell's rounds (or the one round asked for), None if it was not measured."""
        rounds = tuple(cell for cell in self._index().get((server, query, clients), ())
                       if in_round is None or cell.round == in_round)
        return Measured(rounds) if rounds else None

    def throughput_ratio(
        self, server: str, baseline: str, clients: int, queries: Sequence[str] | None = None,
        in_round: int | None = None,
    ) -> tuple[float, int]:
        """Geometric mean over the queries (default: the repeated mix) of server/baseline
        requests per second (of the medians, or of one round's figures), and how many it rests
        on (those both answered without error)."""
        return self._ratio(server, baseline, clients, queries, in_round,
                           lambda mine, theirs: mine.requests_per_second
                           / theirs.requests_per_second)

    def cpu_ratio(
        self, server: str, baseline: str, clients: int, queries: Sequence[str] | None = None,
        in_round: int | None = None,
    ) -> tuple[float, int]:
        """Geometric mean over the queries (default: the repeated mix) of baseline/server CPU
        seconds per request: how many times less CPU the server spends on an answer. Less
        disturbed by other work on the machine than throughput is."""
        return self._ratio(server, baseline, clients, queries, in_round,
                           lambda mine, theirs: theirs.cpu_per_request / mine.cpu_per_request
                           if mine.cpu_per_request > 0 else math.nan)

    def p50_excess(self, server: str, baseline: str, in_round: int | None = None
                   ) -> dict[str, float]:
        """Single-client p50 of the server minus the baseline's, per query of the repeated mix,
        in seconds."""
        excess = {}
        for query in self.repeated:
            if pair := self._pair(server, baseline, query, 1, in_round):
                excess[query] = pair[0].p50 - pair[1].p50
        return excess

    def _ratio(
        self, server: str, baseline: str, clients: int, queries: Sequence[str] | None,
        in_round: int | None, ratio: Callable[[Measured, Measured], float],
    ) -> tuple[float, int]:
        ratios = []
        for query in self.repeated if queries is None else queries:
            pair = self._pair(server, baseline, query, clients, in_round)
            if pair and not math.isnan(value := ratio(*pair)):
                ratios.append(value)
        return geometric_mean(ratios), len(ratios)

    def _pair(
        self, server: str, baseline: str, query: str, clients: int, in_round: int | None
    ) -> tuple[Measured, Measured] | None:
        """The two servers' cells (or one round of each) when both answered without error in
        every round: a round's ratio rests on the same queries as the medians'."""
        mine, theirs = self.cell(server, query, clients), self.cell(baseline, query, clients)
        if not (mine and theirs and mine.ok and theirs.ok):
            return None
        if in_round is None:
            return mine, theirs
        mine, theirs = (self.cell(server, query, clients, in_round),
                        self.cell(baseline, query, clients, in_round))
        return (mine, theirs) if mine and theirs else None

    def _index(self) -> dict[tuple[str, str, int], list[Cell]]:
        """The cells by server, query and clients, built again only when cells were added (the
        report looks cells up thousands of times)."""
        if self._indexed_count != len(self.cells):
            self._by_key = {}
            for cell in self.cells:
                self._by_key.setdefault((cell.server, cell.query, cell.clients), []).append(cell)
            self._indexed_count = len(self.cells)
        return self._by_key


@dataclass
class RunResults:
    """A whole run: the machine, the budget, and each scale's results."""

    started: str
    machine: dict[str, str]
    versions: dict[str, str]
    budget: dict[str, str]
    scales: list[ScaleResults] = field(default_factory=list)
    load_average: list[tuple[str, tuple[float, float, float]]] = field(default_factory=list)
    duration_seconds: float = 0.0
