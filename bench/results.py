"""What one benchmark run measured, and the statistics the report is made of."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
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
    """One query driven against one server by a number of clients, and the CPU each side used."""

    server: str
    query: str
    clients: int
    latencies: list[float]
    wall_seconds: float
    statuses: dict[int, int]
    errors: list[str]
    server_cpu_seconds: float
    client_cpu_seconds: float
    machine_cpu_seconds: float

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
        """CPU the rest of the machine used meanwhile: the other engineers' work, the noise."""
        own = self.server_cpu_seconds + self.client_cpu_seconds
        return max(0.0, self.machine_cpu_seconds - own)


@dataclass
class ScaleResults:
    """Everything measured on the graph at one scale."""

    factor: int
    quads: int
    queries: list[str]
    engine: dict[str, EngineTiming] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)
    servers: list[str] = field(default_factory=list)
    checked: list[str] = field(default_factory=list)
    """The servers whose answers were compared with the engine's."""
    notes: list[str] = field(default_factory=list)
    distinct: list[str] = field(default_factory=list)
    """The distinct-text workloads among `queries` (every request a new text)."""
    memory: dict[str, tuple[Footprint, Footprint]] = field(default_factory=dict)
    """Each server's memory (with its children) at rest after starting, and the most sampled
    while it was under load (each way: the most resident, the most proportional)."""

    @property
    def repeated(self) -> list[str]:
        """The queries sent over and over (the mix the targets are computed on)."""
        return [query for query in self.queries if query not in self.distinct]

    def cell(self, server: str, query: str, clients: int) -> Cell | None:
        for cell in self.cells:
            if (cell.server, cell.query, cell.clients) == (server, query, clients):
                return cell
        return None

    def throughput_ratio(
        self, server: str, baseline: str, clients: int, queries: Sequence[str] | None = None
    ) -> tuple[float, int]:
        """Geometric mean over the queries (default: the repeated mix) of server/baseline
        requests per second, and how many it rests on (those both answered without error)."""
        ratios = []
        for query in self.repeated if queries is None else queries:
            mine, theirs = self.cell(server, query, clients), self.cell(baseline, query, clients)
            if mine and theirs and mine.ok and theirs.ok:
                ratios.append(mine.requests_per_second / theirs.requests_per_second)
        return geometric_mean(ratios), len(ratios)

    def cpu_ratio(
        self, server: str, baseline: str, clients: int, queries: Sequence[str] | None = None
    ) -> tuple[float, int]:
        """Geometric mean over the queries (default: the repeated mix) of baseline/server CPU
        seconds per request: how many times less CPU the server spends on an answer. Less
        disturbed by other work on the machine than throughput is."""
        ratios = []
        for query in self.repeated if queries is None else queries:
            mine, theirs = self.cell(server, query, clients), self.cell(baseline, query, clients)
            if mine and theirs and mine.ok and theirs.ok and mine.server_cpu_seconds > 0:
                ratios.append(theirs.cpu_per_request / mine.cpu_per_request)
        return geometric_mean(ratios), len(ratios)

    def p50_excess(self, server: str, baseline: str) -> dict[str, float]:
        """Single-client p50 of the server minus the baseline's, per query of the repeated mix,
        in seconds."""
        excess = {}
        for query in self.repeated:
            mine, theirs = self.cell(server, query, 1), self.cell(baseline, query, 1)
            if mine and theirs and mine.ok and theirs.ok:
                excess[query] = mine.p50 - theirs.p50
        return excess


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
