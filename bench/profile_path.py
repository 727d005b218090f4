"""Where one client's time goes on the uncached /sparql path, stage by stage.

    .venv/bin/python -m bench.profile_path                  # the repeated mix, 200 requests each
    .venv/bin/python -m bench.profile_path --requests 50 --queries lookup-count-by-category

It prints its tables and puts them in bench/RESULTS.md under "## Profile" (`--output`), a
section the benchmark keeps when it rewrites the rest; the heading says when other work on the
machine was heavy enough to distort the figures.

The service (`create_app` on the 1x dump, answer cache off, bench settings) runs under uvicorn
with `iacai serve`'s options (its bounded HTTP protocol) in this process, so each stage's
functions can be wrapped with a timer: a stack of spans, each stage's time *exclusive* of the
stages it calls (one client sends one request at a time, so
wall-clock spans nest). The client is the benchmark's own load generator in another process.
The worker's share is timed apart: the same jobs, captured on their way to the worker, run
through the worker's own `execute` in this process. What no span covers (the event loop, the
sockets, the kernel and the client) is the rest of the client's observed latency. Then the same
load again under cProfile, whose functions by own time point at what the stages hide.

Nothing here changes the service: the timers are put around its functions in this process only.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import functools
import inspect
import os
import pstats
import statistics
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import psutil
import uvicorn
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Router
from uvicorn.protocols.http import httptools_impl

from bench import engine, report
from bench.load import LoadJob, LoadResult, drive
from bench.mix import query_mix
from bench.peers import iacai
from bench.peers.iacai_app import snapshot_from_dump
from bench.peers.process import free_port
from bench.scale import write_dump
from iacai import query_lexer
from iacai.service import settings
from iacai.service.app import create_app
from iacai.service.engine import pool, wire, worker
from iacai.service.http.representations import Representation
from iacai.service.http.server import uvicorn_options
from iacai.service.sparql import answerer, protocol
from iacai.service.sparql.query_edge import QueryEdge
from iacai.stores.opening import open_for_queries

BENCH_DIR = Path(__file__).resolve().parent
WORKER = "worker: query and answer writing (timed apart)"
HOP = "hop to the worker and back (pool wait minus the worker's own time)"
REST = "rest: event loop, sockets, kernel, client (latency minus every span)"
BEFORE_HEADING = "### Before"
"""Where an earlier profile goes beneath the new one (`--keep-previous`)."""
NOISY_SHARE = 0.25
"""Cores' worth of other work on the machine above which the heading calls the run loaded."""


@dataclass
class Spans:
    """Exclusive wall time per stage: a span's time minus that of the spans opened inside it."""

    totals: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    _stack: list[list[Any]] = field(default_factory=list)
    unnested: int = 0
    """Spans that did not close in the order they opened (concurrency): 0 in a valid run."""

    @contextmanager
    def span(self, stage: str) -> Iterator[None]:
        entry: list[Any] = [stage, time.perf_counter(), 0.0]
        self._stack.append(entry)
        try:
            yield
        finally:
            elapsed = time.perf_counter() - entry[1]
            if self._stack and self._stack[-1] is entry:
                self._stack.pop()
            else:
                self.unnested += 1
                self._stack.remove(entry)
            self.totals[stage] += elapsed - entry[2]
            if self._stack:
                self._stack[-1][2] += elapsed

    def reset(self) -> None:
        self.totals.clear()


def _timed(spans: Spans, owner: Any, attribute: str, stage: str) -> Callable[[], None]:
    """Put a span around `owner.attribute`; return what takes it off again."""
    original = inspect.getattr_static(owner, attribute)
    function = original.__func__ if isinstance(original, staticmethod) else original
    if inspect.iscoroutinefunction(function):
        async def timed_async(*args: Any, **kwargs: Any) -> Any:
            with spans.span(stage):
                return await function(*args, **kwargs)
        timed: Callable[..., Any] = functools.wraps(function)(timed_async)
    else:
        def timed_sync(*args: Any, **kwargs: Any) -> Any:
            with spans.span(stage):
                return function(*args, **kwargs)
        timed = functools.wraps(function)(timed_sync)
    setattr(owner, attribute, staticmethod(timed) if isinstance(original, staticmethod) else timed)
    return lambda: setattr(owner, attribute, original)


STAGES: tuple[tuple[Any, str, str], ...] = (
    (httptools_impl.HttpToolsProtocol, "data_received", "HTTP parsing (uvicorn, httptools)"),
    (httptools_impl.RequestResponseCycle, "run_asgi", "uvicorn request cycle (scope, task)"),
    (httptools_impl.RequestResponseCycle, "send", "HTTP writing (uvicorn send)"),
    (QueryEdge, "__call__", "query edge: Request, handler call, the answer's way out"),
    (protocol, "_parameters", "protocol: reading the parameters"),
    (protocol, "_respond", "protocol: dispatch, QueryRequest"),
    (query_lexer, "outline", "lexical pass (query_lexer.outline)"),
    (answerer.Answerer, "checked_outline", "outline checks (update, nesting, SERVICE)"),
    (answerer.Answerer, "negotiate", "negotiation"),
    (answerer.Answerer, "_etag", "ETag hashing"),
    (answerer.Answerer, "answer", "answer: headers, Response object"),
    (answerer.Answerer, "_kept_or_run", "answer cache lookup (off) and keeping"),
    (answerer.Answerer, "_run", "QueryJob, reply checks"),
    (pool.QueryPool, "run", HOP),
    (wire, "frame", "pickling the job (server side)"),
    (wire.MessageReader, "data_received", "reading the reply"),
    (Representation, "finish", "representation: validators, gzip (send side)"),
    (CORSMiddleware, "send", "CORS: Vary: Origin (send side)"),
)
"""What is timed: (module or class, function, stage). Middlewares are found on the app."""


@dataclass
class Profiled:
    """One query's requests: the client's latencies and the spans' totals."""

    query: str
    result: LoadResult
    totals: dict[str, float]


def main(arguments: Sequence[str] | None = None) -> None:
    """Parse the command line, profile, print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="requests per query")
    parser.add_argument("--queries", default="", help="comma-separated names (default: the mix)")
    parser.add_argument("--work", type=Path, default=BENCH_DIR / "work")
    parser.add_argument("--top", type=int, default=25, help="cProfile rows to print")
    parser.add_argument("--output", type=Path, default=BENCH_DIR / "RESULTS.md",
                        help="the report whose profile section to write (none: -)")
    parser.add_argument("--keep-previous", action="store_true",
                        help="keep the report's earlier profile beneath the new one, as the "
                             "figures before a change")
    parsed = parser.parse_args(arguments)
    wanted = {name.strip() for name in parsed.queries.split(",") if name.strip()}
    os.environ.update({**iacai.BENCH_SETTINGS, "IACAI_CACHE_ENTRIES": "0"})
    dump = write_dump(1, parsed.work / "data-1x.nq")
    store = engine.load_store(dump.path)
    mix = [query for query in query_mix(store) if not wanted or query.name in wanted]
    machine_before, wall_before = _machine_cpu_seconds(), time.monotonic()
    lines = asyncio.run(_profile(dump.path, mix, parsed.requests, parsed.top))
    other = _machine_cpu_seconds() - machine_before - _own_cpu_seconds()
    share = other / (time.monotonic() - wall_before)
    loaded = share > NOISY_SHARE
    heading = (f"{report.PROFILE_HEADING} of the uncached /sparql path"
               + (" (loaded machine, to be re-run quiet)" if loaded else ""))
    section = "\n".join([
        heading, "",
        f"Written by `.venv/bin/python -m bench.profile_path` (see `bench/README.md`), "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; other work on the machine "
        f"used {share:.2f} cores on average meanwhile, load average (1 min) "
        f"{os.getloadavg()[0]:.2f}.", "", *lines])
    print(section)
    if str(parsed.output) != "-":
        previous = parsed.output.read_text(encoding="utf-8") if parsed.output.is_file() else ""
        if parsed.keep_previous:
            section += _as_before(report.section_of(previous, report.PROFILE_HEADING))
        parsed.output.write_text(report.with_section(previous, report.PROFILE_HEADING, section),
                                 encoding="utf-8")


def _as_before(earlier: str) -> str:
    """An earlier profile section as the part of the new one that shows the figures before
    (its own earlier part dropped: only the latest before and after are kept)."""
    if not earlier:
        return ""
    heading, _, body = earlier.partition("\n")
    body = body.split(f"\n{BEFORE_HEADING}")[0]
    title = heading.removeprefix(report.PROFILE_HEADING).strip()
    return f"\n\n{BEFORE_HEADING}: the profile {title}\n{body.rstrip()}\n"


def _machine_cpu_seconds() -> float:
    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def _own_cpu_seconds() -> float:
    """This process's CPU and that of its children (the query workers, the client), ended ones
    included."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


async def _profile(dump: Path, mix: list[Any], requests: int, top: int) -> list[str]:
    port = free_port()
    config = replace(settings.from_sources(), host="127.0.0.1", port=port)
    app = create_app(config, snapshot_from_dump(dump))
    server = uvicorn.Server(uvicorn.Config(app, **uvicorn_options(config), loop="asyncio"))
    serving = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.05)
    url = f"http://127.0.0.1:{port}/sparql"
    loop = asyncio.get_running_loop()
    spans, jobs = Spans(), []
    restores = [_timed(spans, *stage) for stage in STAGES]
    with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as client:
        def load(query: Any, count: int) -> Any:
            job = LoadJob(url, query.text, query.accept, 1, count, 600.0, warmup_requests=0)
            return loop.run_in_executor(client, drive, job)

        for query in mix:  # warm up: the workers, the index built at start, every import
            await load(query, 20)
        await asyncio.sleep(1.0)
        restores += [_timed(spans, type(layer), "__call__", f"middleware {type(layer).__name__}")
                     for layer in _middlewares(app)]
        restores.append(_capturing(jobs))
        profiled = []
        for query in mix:
            spans.reset()
            result = await load(query, requests)
            profiled.append(Profiled(query.name, result, dict(spans.totals)))
        for restore in reversed(restores):
            restore()
        profiler = cProfile.Profile()
        profiler.enable()
        for query in mix:
            await load(query, requests)
        profiler.disable()
    setup = app.state.pool._setup
    server.should_exit = True
    await serving
    worker_seconds = _worker_seconds(jobs, setup, requests)
    return [*_stage_lines(profiled, worker_seconds, spans.unnested), "",
            *_profile_lines(profiler, top)]


def _middlewares(app: Any) -> list[Any]:
    """The app's ASGI layers from the outside in, down to the router (not included)."""
    layers, layer = [], app.middleware_stack
    while layer is not None and not isinstance(layer, Router):
        layers.append(layer)
        layer = getattr(layer, "app", None)
    return layers


def _capturing(jobs: list[Any]) -> Callable[[], None]:
    """Keep each job the server sends its worker, to run it again through the worker's code."""
    original = wire.frame

    def frame(message: object) -> bytes:
        if isinstance(message, worker.QueryJob):
            jobs.append(message)
        return original(message)

    wire.frame = frame  # type: ignore[assignment]
    return lambda: setattr(wire, "frame", original)


def _worker_seconds(jobs: list[Any], setup: Any, requests: int) -> dict[str, float]:
    """Each distinct job's median time through the worker's own `execute` and reply pickling."""
    store = open_for_queries(setup.store, setup.nquads, setup.data_version, setup.graph_names,
                             setup.query_timeout)
    seconds: dict[str, float] = {}
    for job in {job.query: job for job in jobs}.values():
        times = []
        for _ in range(min(requests, 50)):
            started = time.perf_counter()
            wire.frame(worker.execute(store, job, setup))
            times.append(time.perf_counter() - started)
        seconds[job.query] = statistics.median(times)
    return seconds


def _stage_lines(
    profiled: list[Profiled], worker_seconds: dict[str, float], unnested: int
) -> list[str]:
    """Mean microseconds per request of each stage over all the queries, and their share."""
    count = sum(len(p.result.latencies) for p in profiled)
    latency = sum(sum(p.result.latencies) for p in profiled)
    totals: dict[str, float] = defaultdict(float)
    for p in profiled:
        for stage, seconds in p.totals.items():
            totals[stage] += seconds
    worker_total = sum(worker_seconds.values()) / max(len(worker_seconds), 1) * count
    totals[WORKER] = worker_total
    totals[HOP] = totals.get(HOP, 0.0) - worker_total
    totals[REST] = latency - sum(seconds for stage, seconds in totals.items() if stage != REST)
    lines = [f"{len(profiled)} queries, {count} requests, one client, answer cache off; "
             f"client-observed mean latency {latency / count * 1e6:,.0f} µs, median of the "
             f"queries' p50 {statistics.median(_p50(p) for p in profiled) * 1e6:,.0f} µs"
             + (f"; {unnested} spans did not nest" if unnested else "") + ".", "",
             "| stage | µs per request | share |", "| --- | ---: | ---: |"]
    lines += [f"| {stage} | {seconds / count * 1e6:,.0f} | {seconds / latency:.0%} |"
              for stage, seconds in sorted(totals.items(), key=lambda item: -item[1])]
    return lines


def _p50(profiled: Profiled) -> float:
    return statistics.median(profiled.result.latencies)


def _profile_lines(profiler: cProfile.Profile, top: int) -> list[str]:
    stats = pstats.Stats(profiler)
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]  # type: ignore[attr-defined]
    lines = [f"cProfile of the server process (not the worker), the same load again: the top "
             f"{top} functions by own time (cProfile's overhead inflates Python code).", "",
             "| function | calls | own s | cumulative s |", "| --- | ---: | ---: | ---: |"]
    for (filename, line, name), (_, calls, own, cumulative, _) in rows:
        where = "/".join(Path(filename).parts[-2:]) if filename != "~" else "built-in"
        lines.append(f"| `{name}` ({where}:{line}) | {calls:,} | {own:.3f} | {cumulative:.3f} |")
    return lines


if __name__ == "__main__":
    main()
