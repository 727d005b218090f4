"""Run the whole benchmark and write bench/RESULTS.md:

    .venv/bin/python -m bench.run                    # every peer, the graph at 1x, 10x and 100x
    .venv/bin/python -m bench.run --seconds 0.3 --scales 1 --peers iacai,floor   # a quick look

Per scale: dump the graph as N-Quads, time the engine alone, then start each peer in turn on
127.0.0.1 (one at a time, so none competes with another), check it gives the engine's answer to
every query, drive every query with 1 and then 16 clients, bounded in requests and seconds, and
stop it. A peer that cannot start is reported, not fatal.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import subprocess
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
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
from bench.peers.process import Footprint, Server, ServerStartError
from bench.results import Cell, RunResults, ScaleResults
from bench.scale import write_dump

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
    bounds."""

    peers: tuple[str, ...] = tuple(PEERS)
    queries: tuple[str, ...] = ()
    scales: tuple[int, ...] = (1, 10, 100)
    clients: tuple[int, ...] = (1, 16)
    seconds: float = 0.5
    scaled_seconds: float = 0.3
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
            "per cell (1x)": f"at most {options.max_requests} requests or {options.seconds} s",
            "per cell (scaled)": f"at most {options.max_requests} requests or "
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


def _run_scale(
    factor: int, options: Options, loader: ProcessPoolExecutor, results: RunResults
) -> ScaleResults:
    dump = write_dump(factor, options.work / f"data-{factor}x.nq")
    store = engine.load_store(dump.path)
    distinct = distinct_workloads(store, options.max_requests + LoadJob.warmup_requests)
    mix = [q for q in [*query_mix(store), *distinct]
           if q.name in options.queries or not options.queries]
    seconds = options.seconds if factor == 1 else options.scaled_seconds
    scale = ScaleResults(factor, len(store), [query.name for query in mix],
                         distinct=[query.name for query in mix if query.variants])
    for query in mix:
        scale.engine[query.name] = engine.time_query(store, query, options.max_requests, seconds)
    references = {query.name: engine.reference_answer(store, query) for query in mix}
    for name, client_counts in options.plan_at(factor).items():
        _log(f"{factor}x: starting {name}")
        try:
            server = PEERS[name](dump, options.work / f"{factor}x")
        except ServerStartError as error:
            scale.notes.append(f"{name} did not run: {str(error).splitlines()[0]}")
            _log(f"{factor}x: {name} did not start: {error}")
            continue
        try:
            scale.servers.append(name)
            at_rest, peak = server.footprint(), _PeakSampler(server)
            if name in ENGINES:
                scale.checked.append(name)
                scale.mismatches.extend(_disagreements(server, mix, references))
            with peak:
                for clients in client_counts:
                    for query in mix:
                        scale.cells.append(
                            _measure(server, query, clients, options.max_requests, seconds, loader)
                        )
            scale.memory[name] = (at_rest, peak.most)
            if name == "iacai-cached":
                scale.servers.append(REVALIDATED)
                for clients in client_counts:
                    for query in mix:
                        if not query.variants:  # a new text has no ETag to send yet
                            scale.cells.append(_measure(server, query, clients,
                                                        options.max_requests, seconds, loader,
                                                        revalidate=True))
            results.load_average.append((f"after {name} at {factor}x", os.getloadavg()))
        finally:
            server.stop()
    return scale


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
    server: Server,
    query: MixQuery,
    clients: int,
    max_requests: int,
    seconds: float,
    loader: ProcessPoolExecutor,
    revalidate: bool = False,
) -> Cell:
    headers = (("If-None-Match", _etag(server.url, query)),) if revalidate else ()
    job = LoadJob(server.url, query.text, query.accept, clients, max_requests, seconds,
                  headers=headers, variants=query.variants)
    server_before, machine_before = server.cpu_seconds(), _machine_cpu_seconds()
    measured = loader.submit(drive, job).result()
    return Cell(
        server=REVALIDATED if revalidate else server.name,
        query=query.name,
        clients=clients,
        latencies=measured.latencies,
        wall_seconds=measured.wall_seconds,
        statuses=measured.statuses,
        errors=measured.errors,
        server_cpu_seconds=server.cpu_seconds() - server_before,
        client_cpu_seconds=measured.client_cpu_seconds,
        machine_cpu_seconds=_machine_cpu_seconds() - machine_before,
    )


class _PeakSampler:
    """The most memory a server's processes hold while the `with` block runs, sampled in a
    thread every `interval` seconds.

    A sample reads every process's smaps (for its PSS): about 7 ms of CPU for the service's six
    processes, 1-2 ms for a one-process peer. Taken every 50 ms, that was 14% of a core beside
    the service and far less beside the others; every half second it costs under 2%, and a
    server's memory does not rise and fall faster than that under this load.
    """

    def __init__(self, server: Server, interval: float = 0.5) -> None:
        self.server, self.interval, self.most = server, interval, Footprint(0, 0)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> _PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            now = self.server.footprint()
            self.most = Footprint(max(self.most.resident, now.resident),
                                  max(self.most.proportional, now.proportional))
            if self._done.wait(self.interval):
                return


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
    parser.add_argument("--seconds", type=float, default=defaults.seconds,
                        help="most seconds per query, server and client count (1x)")
    parser.add_argument("--scaled-seconds", type=float, default=defaults.scaled_seconds,
                        help="the same on the scaled graphs")
    parser.add_argument("--max-requests", type=int, default=defaults.max_requests,
                        help="most requests per query, server and client count")
    parser.add_argument("--output", type=Path, default=defaults.output, help="the report to write")
    parser.add_argument("--work", type=Path, default=defaults.work,
                        help="where dumps, logs and Virtuoso's database go")
    parsed = parser.parse_args(arguments)
    peers = tuple(name.strip() for name in parsed.peers.split(",") if name.strip())
    unknown = sorted(set(peers) - set(PEERS))
    if unknown:
        parser.error(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(PEERS)}")
    options = Options(
        peers=peers,
        queries=tuple(name.strip() for name in parsed.queries.split(",") if name.strip()),
        scales=tuple(int(factor) for factor in parsed.scales.split(",")),
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
