"""Run the whole benchmark and write bench/RESULTS.md:

    .venv/bin/python -m bench.run                    # every peer, the graph at 1x, 10x and 100x
    .venv/bin/python -m bench.run --seconds 0.2 --scales 1 --rounds 2 --peers iacai,floor

Per scale: dump the graph as N-Quads, time the engine alone, start every peer of the scale on
127.0.0.1 (each on its own port, idle while another is driven) and check it gives the engine's
answer to every query; then measure in rounds, each driving every query with 1 and then 16
clients against each peer in turn, bounded in requests and seconds, the peers in another order
in each round, so that the machine's drift over minutes falls on every peer alike; stop them
all. Each cell's figures are the median of its rounds. A peer that cannot start is reported,
not fatal.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import httpx
import psutil

from bench import agreement, engine, report
from bench.load import LoadJob, drive
from bench.mix import MixQuery, distinct_workloads, query_mix
from bench.peers import ENGINES, PEERS
from bench.peers.process import Footprint, Server, ServerStartError, cpu_seconds_of
from bench.results import Cell, RunResults, ScaleResults
from bench.scale import Dump, write_dump

BENCH_DIR = Path(__file__).resolve().parent

REVALIDATED = "iacai-revalidated"
"""iacai-cached once more, its clients sending If-None-Match with the answer's ETag: every
answer a bodiless 304, the cheapest the service can give."""

SCALED_PLANS: dict[int, dict[str, tuple[int, ...]]] = {
    10: {"iacai": (1, 16), "oxigraph": (1, 16), "rdflib-endpoint": (1,), "virtuoso": (1, 16)},
    100: {"iacai": (1, 16), "oxigraph": (1,), "virtuoso": (1, 16)},
}
"""Who runs on the scaled graphs, with how many clients. The heaviest queries take a second or
more there (rdflib-endpoint already at 10x), and 16 clients hold each cell until 16 such answers
are done: minutes per peer, spent where a goal needs it (iacai and Virtuoso at 100x). The floor
does not depend on the data."""


@dataclass(frozen=True)
class Options:
    """How much to run: the peers, the scales, the queries (empty: the whole mix), each cell's
    bounds, how many rounds of each cell."""

    peers: tuple[str, ...] = tuple(PEERS)
    queries: tuple[str, ...] = ()
    scales: tuple[int, ...] = (1, 10, 100)
    clients: tuple[int, ...] = (1, 16)
    rounds: int = 3
    seconds: float = 0.3
    scaled_seconds: float = 0.2
    max_requests: int = 2000
    output: Path = BENCH_DIR / "RESULTS.md"
    work: Path = BENCH_DIR / "work"
    scaled_plans: dict[int, dict[str, tuple[int, ...]]] = field(
        default_factory=lambda: dict(SCALED_PLANS)
    )

    def plan_at(self, factor: int) -> dict[str, tuple[int, ...]]:
        """The peers to run at this scale, in the tables' order, and their client counts."""
        if factor == 1:
            wanted = dict.fromkeys(self.peers, self.clients)
        else:
            wanted = self.scaled_plans.get(factor, {"iacai": (1,)})
        return {name: wanted[name] for name in PEERS if name in wanted and name in self.peers}


def run(options: Options) -> RunResults:
    """Measure everything the options ask for, write the report, and return the results."""
    started = time.monotonic()
    results = RunResults(
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=_machine(),
        versions=_versions(),
        budget={
            "rounds": f"{options.rounds} of every cell, the peers in another order in each; "
                      "each figure the median of the rounds'",
            "per cell and round (1x)": f"at most {options.max_requests} requests or "
                                       f"{options.seconds} s",
            "per cell and round (scaled)": f"at most {options.max_requests} requests or "
                                           f"{options.scaled_seconds} s",
            **{f"peers and clients ({factor}x)": _described(options.plan_at(factor))
               for factor in options.scales},
        },
    )
    results.load_average.append(("start", os.getloadavg()))
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as loader:
        for factor in options.scales:
            results.scales.append(_run_scale(factor, options, loader, results))
    results.load_average.append(("end", os.getloadavg()))
    results.duration_seconds = time.monotonic() - started
    previous = options.output.read_text(encoding="utf-8") if options.output.is_file() else ""
    profile = report.section_of(previous, report.PROFILE_HEADING)  # made by profile_path.py
    options.output.write_text(report.with_section(report.render(results), report.PROFILE_HEADING,
                                                  profile), encoding="utf-8")
    return results


@dataclass(frozen=True)
class _Column:
    """A column of the tables: a running server, the client counts it is driven with, and
    whether its clients revalidate (iacai-revalidated is iacai-cached's own server)."""

    server: Server
    clients: tuple[int, ...]
    revalidate: bool = False

    @property
    def name(self) -> str:
        return REVALIDATED if self.revalidate else self.server.name

    def drives(self, query: MixQuery, clients: int) -> bool:
        """Whether the column has this cell (a new text has no ETag to revalidate yet)."""
        return clients in self.clients and not (self.revalidate and query.variants)


@dataclass
class _Session:
    """What one scale's measurements share: the load generator's process, the running peers
    and their process trees, the memory sampler, each cell's bounds."""

    loader: ProcessPoolExecutor
    columns: list[_Column]
    trees: _ProcessTrees
    sampler: _PeakSampler
    rounds: int
    max_requests: int
    seconds: float
    client_counts: tuple[int, ...]

    def texts(self, query: MixQuery, round_number: int, clients: int) -> tuple[str, ...]:
        """A distinct-text workload's texts for one round at one client count."""
        cells = self.rounds * len(self.client_counts)
        return query.texts_of_cell(round_number * len(self.client_counts)
                                   + self.client_counts.index(clients), cells)


def _run_scale(
    factor: int, options: Options, loader: ProcessPoolExecutor, results: RunResults
) -> ScaleResults:
    dump = write_dump(factor, options.work / f"data-{factor}x.nq")
    store = engine.load_store(dump.path)
    plan = options.plan_at(factor)
    client_counts = tuple(sorted({count for counts in plan.values() for count in counts}))
    cells = options.rounds * len(client_counts)
    distinct = distinct_workloads(store, cells * (options.max_requests + LoadJob.warmup_requests))
    mix = [q for q in [*query_mix(store), *distinct]
           if q.name in options.queries or not options.queries]
    seconds = options.seconds if factor == 1 else options.scaled_seconds
    scale = ScaleResults(factor, len(store), [query.name for query in mix], options.rounds,
                         distinct=[query.name for query in mix if query.variants])
    _log(f"{factor}x: timing the engine alone")
    for query in mix:
        scale.engine[query.name] = engine.time_query(store, query, options.max_requests, seconds)
    references = {query.name: engine.reference_answer(store, query) for query in mix}
    with ExitStack() as running, _PeakSampler() as sampler:
        columns, at_rest = _start_peers(factor, dump, plan, options.work, running, scale)
        _log(f"{factor}x: checking every server's answers")
        for column in columns:
            if column.name in ENGINES:  # once per server: not iacai-revalidated
                scale.checked.append(column.name)
                scale.mismatches.extend(_disagreements(column.server, mix, references))
        session = _Session(loader, columns, _ProcessTrees([c.server for c in columns]), sampler,
                           options.rounds, options.max_requests, seconds, client_counts)
        for round_number in range(options.rounds):
            _log(f"{factor}x: round {round_number + 1} of {options.rounds}")
            _run_round(session, round_number, mix, scale)
            results.load_average.append((f"after round {round_number + 1} at {factor}x",
                                         os.getloadavg()))
        scale.memory = {name: (rest, sampler.most.get(name, Footprint(0, 0)))
                        for name, rest in at_rest.items()}
    return scale


def _start_peers(
    factor: int,
    dump: Dump,
    plan: dict[str, tuple[int, ...]],
    work: Path,
    running: ExitStack,
    scale: ScaleResults,
) -> tuple[list[_Column], dict[str, Footprint]]:
    """Start every peer of the plan, each stopped when `running` closes, and note each one's
    memory at rest. All stay up together: an idle server costs next to no CPU, and only then
    can the rounds interleave them."""
    columns, at_rest = [], {}
    for name, client_counts in plan.items():
        _log(f"{factor}x: starting {name}")
        try:
            server = PEERS[name](dump, work / f"{factor}x")
        except ServerStartError as error:
            scale.notes.append(f"{name} did not run: {str(error).splitlines()[0]}")
            _log(f"{factor}x: {name} did not start: {error}")
            continue
        running.callback(server.stop)
        at_rest[name] = server.footprint()
        columns.append(_Column(server, client_counts))
        if name == "iacai-cached":
            columns.append(_Column(server, client_counts, revalidate=True))
    scale.servers = [column.name for column in columns]
    return columns, at_rest


def _run_round(
    session: _Session, round_number: int, mix: Sequence[MixQuery], scale: ScaleResults
) -> None:
    """Every cell once: for each client count and query, each column in turn, starting from
    another column for each query and, for the same query, a third of the way round in each of
    three rounds, so that no peer always comes first or always follows the same one."""
    for clients in session.client_counts:
        for position, query in enumerate(mix):
            columns = [column for column in session.columns if column.drives(query, clients)
                       and not _failed_before(scale, column, query, clients)]
            turn = round_number * len(columns) // session.rounds + position
            for column in _rotated(columns, turn):
                scale.cells.append(_measure(session, column, query, clients, round_number))


def _rotated(columns: list[_Column], turn: int) -> list[_Column]:
    start = turn % len(columns) if columns else 0
    return columns[start:] + columns[:start]


def _failed_before(scale: ScaleResults, column: _Column, query: MixQuery, clients: int) -> bool:
    """Whether an earlier round of the cell got no answer at all (every request timed out,
    say): measuring it again would cost minutes to show the same error."""
    earlier = scale.cell(column.name, query.name, clients)
    return earlier is not None and any(cell.requests == 0 for cell in earlier.rounds)


def _described(plan: dict[str, tuple[int, ...]]) -> str:
    return ", ".join(f"{peer} ({' and '.join(map(str, counts))})" for peer, counts in plan.items())


def _disagreements(
    server: Server, mix: Sequence[MixQuery], references: dict[str, agreement.Answer]
) -> list[agreement.Mismatch]:
    found = []
    for query in mix:
        try:
            detail = agreement.compare(references[query.name], agreement.fetch(server.url, query),
                                       query)
        except Exception as error:  # any failure to answer is a disagreement
            detail = f"no answer: {type(error).__name__}: {str(error).splitlines()[0][:200]}"
        if detail:
            found.append(agreement.Mismatch(server.name, query.name, detail))
    return found


def _measure(
    session: _Session, column: _Column, query: MixQuery, clients: int, round_number: int
) -> Cell:
    """One round of one cell. The driven server's CPU is its own process tree's; the idle
    peers' is counted apart, so that neither lands in the other's figure or in the noise."""
    server = column.server
    headers = (("If-None-Match", _etag(server.url, query)),) if column.revalidate else ()
    job = LoadJob(server.url, query.text, query.accept, clients, session.max_requests,
                  session.seconds, headers=headers,
                  variants=session.texts(query, round_number, clients))
    server_before, idle_before = session.trees.cpu_seconds(server)
    machine_before = _machine_cpu_seconds()
    with session.sampler.driving(server):
        measured = session.loader.submit(drive, job).result()
    machine_after = _machine_cpu_seconds()
    session.trees.refresh(server)
    server_after, idle_after = session.trees.cpu_seconds(server)
    if measured.errors:
        _settle(server)
    return Cell(
        server=column.name,
        query=query.name,
        clients=clients,
        round=round_number,
        latencies=measured.latencies,
        wall_seconds=measured.wall_seconds,
        statuses=measured.statuses,
        errors=measured.errors,
        server_cpu_seconds=server_after - server_before,
        client_cpu_seconds=measured.client_cpu_seconds,
        machine_cpu_seconds=machine_after - machine_before,
        idle_cpu_seconds=idle_after - idle_before,
    )


class _ProcessTrees:
    """The running peers' process trees, to read their CPU around every cell cheaply.

    Finding a tree reads every process on the machine (several milliseconds); reading the CPU of
    processes found costs microseconds each. A server's tree changes only while it is driven (a
    query worker replaced), so it is found again after each of its cells and kept meanwhile.
    """

    def __init__(self, servers: Sequence[Server]) -> None:
        self._trees = {server.pid: server.processes() for server in servers}

    def refresh(self, server: Server) -> None:
        self._trees[server.pid] = server.processes()

    def cpu_seconds(self, server: Server) -> tuple[float, float]:
        """The server's CPU so far, and that of all the other peers together."""
        idle = sum(cpu_seconds_of(tree) for pid, tree in self._trees.items() if pid != server.pid)
        return cpu_seconds_of(self._trees[server.pid]), idle


SETTLE_LIMIT = 300.0
"""Seconds to wait at most for a server to finish the work its clients gave up on."""


def _settle(server: Server) -> None:
    """Wait until the server is at rest (under a tenth of a core for a second): a request that
    timed out may still be running in it, and would take CPU from the next peer's cell."""
    started = time.monotonic()
    while time.monotonic() < started + SETTLE_LIMIT:
        before = server.cpu_seconds()
        time.sleep(1.0)
        if server.cpu_seconds() - before < 0.1:
            _log(f"{server.name} at rest {time.monotonic() - started:.0f} s after its clients "
                 "gave up")
            return
    _log(f"{server.name} still busy {SETTLE_LIMIT:.0f} s after its clients gave up")


class _PeakSampler:
    """The most memory each server's processes hold while it is driven, sampled in a thread every
    `interval` seconds from the server being driven only (the idle peers' memory is theirs).

    A sample reads every process's smaps (for its PSS): about 7 ms of CPU for the service's six
    processes, 1-2 ms for a one-process peer. Taken every 50 ms, that was 14% of a core beside
    the service and far less beside the others; every half second it costs under 2%, and a
    server's memory does not rise and fall faster than that under this load.
    """

    def __init__(self, interval: float = 0.5) -> None:
        self.interval, self.most = interval, dict[str, Footprint]()
        self._driven: Server | None = None
        self._done, self._wake = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._wake.set()
        self._thread.join()

    @contextmanager
    def driving(self, server: Server) -> Iterator[None]:
        """Sample this server while the block runs, at once if it has no sample yet (a server
        driven for less than an interval in all still gets one)."""
        self._driven = server
        if server.name not in self.most:
            self._wake.set()
        try:
            yield
        finally:
            self._driven = None

    def _sample(self) -> None:
        while not self._done.is_set():
            self._wake.wait(self.interval)
            self._wake.clear()
            if (server := self._driven) is None:
                continue
            now, most = server.footprint(), self.most.get(server.name, Footprint(0, 0))
            self.most[server.name] = Footprint(max(most.resident, now.resident),
                                               max(most.proportional, now.proportional))


def _etag(url: str, query: MixQuery) -> str:
    response = httpx.get(url, params={"query": query.text}, headers={"Accept": query.accept},
                         timeout=120)
    return response.headers.get("etag", "")


def _machine_cpu_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _machine() -> dict[str, str]:
    model = next((line.split(":", 1)[1].strip() for line in _cpuinfo() if "model name" in line),
                 platform.processor() or "unknown")
    return {
        "CPU": f"{model}, {os.cpu_count()} logical cores",
        "memory": f"{psutil.virtual_memory().total / 2**30:.0f} GiB",
        "system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "Python": platform.python_version(),
    }


def _cpuinfo() -> list[str]:
    path = Path("/proc/cpuinfo")
    return path.read_text().splitlines() if path.is_file() else []


def _versions() -> dict[str, str]:
    versions = {}
    for package in ("iacai", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "fastapi",
                    "uvicorn"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    versions["Virtuoso"] = _virtuoso_version()
    return versions


def _virtuoso_version() -> str:
    try:
        shown = subprocess.run(["virtuoso-t", "-?"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "not installed"
    lines = (shown.stdout + shown.stderr).splitlines()
    return next((line.strip() for line in lines if line.startswith("Version")), "unknown")


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def main(arguments: Sequence[str] | None = None) -> None:
    """The command line: every option of `Options`, defaults as there."""
    defaults = Options()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peers", default=",".join(defaults.peers),
                        help=f"comma-separated, of {', '.join(PEERS)}")
    parser.add_argument("--queries", default="",
                        help="comma-separated names of the mix to run (default: all of it)")
    parser.add_argument("--scales", default=",".join(map(str, defaults.scales)),
                        help="comma-separated factors the graph is scaled by (1: as shipped)")
    parser.add_argument("--rounds", type=int, default=defaults.rounds,
                        help="how many times each cell is measured, interleaved across peers "
                             "(the report shows the median)")
    parser.add_argument("--seconds", type=float, default=defaults.seconds,
                        help="most seconds per query, server, client count and round (1x)")
    parser.add_argument("--scaled-seconds", type=float, default=defaults.scaled_seconds,
                        help="the same on the scaled graphs")
    parser.add_argument("--max-requests", type=int, default=defaults.max_requests,
                        help="most requests per query, server, client count and round")
    parser.add_argument("--output", type=Path, default=defaults.output, help="the report to write")
    parser.add_argument("--work", type=Path, default=defaults.work,
                        help="where dumps, logs and Virtuoso's database go")
    parsed = parser.parse_args(arguments)
    peers = tuple(name.strip() for name in parsed.peers.split(",") if name.strip())
    unknown = sorted(set(peers) - set(PEERS))
    if unknown:
        parser.error(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(PEERS)}")
    if parsed.rounds < 1:
        parser.error("--rounds must be at least 1")
    options = Options(
        peers=peers,
        queries=tuple(name.strip() for name in parsed.queries.split(",") if name.strip()),
        scales=tuple(int(factor) for factor in parsed.scales.split(",")),
        rounds=parsed.rounds,
        seconds=parsed.seconds,
        scaled_seconds=parsed.scaled_seconds,
        max_requests=parsed.max_requests,
        output=parsed.output,
        work=parsed.work,
    )
    run(options)
    _log(f"wrote {options.output}")


if __name__ == "__main__":
    main()
