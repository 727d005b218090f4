"""The same query mix on the three stores, on Virtuoso directly, and on 1, 2 and 4 server workers.

One run, one machine, every cache of the service off: iacai-kg over its in-memory store, its
on-disk store and a remote store (the Virtuoso started here), Virtuoso's own endpoint, and the
in-memory service under 1, 2 and 4 uvicorn processes. Each cell drives one query with 16
keep-alive clients (and with 1 for the latency), bounded in requests and seconds, and every
answer must be 200. Writes bench/RESULTS-stores.md.

    .venv/bin/python -m bench.stores [--seconds 2] [--max-requests 2000]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from bench import engine
from bench.load import LoadJob, drive
from bench.mix import query_mix
from bench.peers import virtuoso
from bench.peers.process import Server, free_port, spawn
from bench.scale import Dump, write_dump

HERE = Path(__file__).resolve().parent
SETTINGS = {"IACAI_MAX_ROWS": "10000000", "IACAI_QUERY_TIMEOUT": "60",
            "IACAI_LOG_LEVEL": "warning", "IACAI_CACHE_ENTRIES": "0"}


def iacai(name: str, dump: Dump, work: Path, store: str, workers: int = 1) -> Server:
    """The service on the dump (see `bench.peers.iacai_app`) over the given store."""
    port = free_port()
    command = [sys.executable, "-m", "bench.peers.iacai_app", str(dump.path), "--port", str(port),
               "--workers", str(workers)]
    return spawn(name, command, f"http://127.0.0.1:{port}/sparql", work / f"{name}.log",
                 {**SETTINGS, "IACAI_STORE": store})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="most seconds per cell")
    parser.add_argument("--max-requests", type=int, default=2000, help="most requests per cell")
    parser.add_argument("--output", type=Path, default=HERE / "RESULTS-stores.md")
    arguments = parser.parse_args()
    work = HERE / "work" / "stores"
    work.mkdir(parents=True, exist_ok=True)
    dump = write_dump(1, work / "data-1x.nq")
    mix = query_mix(engine.load_store(dump.path))
    started = time.monotonic()
    the_virtuoso = virtuoso.start(dump, work)
    starters: list[tuple[str, Callable[[], Server]]] = [
        ("memory", lambda: iacai("memory", dump, work, "memory")),
        ("disk", lambda: iacai("disk", dump, work, f"disk:{work / 'disk-store'}")),
        ("remote (Virtuoso)", lambda: iacai("remote", dump, work, the_virtuoso.url)),
        ("memory, 2 workers", lambda: iacai("memory-w2", dump, work, "memory", workers=2)),
        ("memory, 4 workers", lambda: iacai("memory-w4", dump, work, "memory", workers=4)),
    ]
    table: dict[str, dict[str, tuple[float, float]]] = {}
    context = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as loader:
            table["Virtuoso directly"] = _measure_all(the_virtuoso, mix, arguments, loader)
            for label, start in starters:
                server = start()
                try:
                    table[label] = _measure_all(server, mix, arguments, loader)
                finally:
                    server.stop()
    finally:
        the_virtuoso.stop()
    arguments.output.write_text(
        _report(table, [q.name for q in mix], time.monotonic() - started), encoding="utf-8"
    )
    print(f"wrote {arguments.output}", file=sys.stderr)


def _measure_all(
    server: Server, mix: list, arguments: argparse.Namespace, loader: ProcessPoolExecutor
) -> dict[str, tuple[float, float]]:
    """Per query: requests per second with 16 clients, and the single-client p50 in ms."""
    cells = {}
    for query in mix:
        results = []
        for clients in (16, 1):
            job = LoadJob(server.url, query.text, query.accept, clients,
                          arguments.max_requests, arguments.seconds)
            measured = loader.submit(drive, job).result()
            bad = {status: n for status, n in measured.statuses.items() if status != 200}
            if bad or measured.errors:
                raise RuntimeError(f"{server.name} {query.name}: {bad} {measured.errors[:3]}")
            results.append(measured)
        cells[query.name] = (results[0].requests_per_second,
                             statistics.median(results[1].latencies) * 1000)
        print(f"{server.name:10} {query.name:40} {cells[query.name][0]:8.0f} req/s "
              f"{cells[query.name][1]:6.2f} ms", file=sys.stderr)
    return cells


def _report(table: dict[str, dict[str, tuple[float, float]]], queries: list[str],
            seconds: float) -> str:
    servers = list(table)
    lines = [
        "# The query mix on each store, on Virtuoso directly, and on 1, 2 and 4 workers",
        "",
        f"One run of `python -m bench.stores` ({seconds:.0f} s), on {os.cpu_count()} cores; the "
        "service's response cache is off everywhere, so every request runs its query. The remote "
        "store is the Virtuoso measured directly in the first column. Each cell: requests per "
        "second with 16 concurrent keep-alive clients / median latency of a single client (ms).",
        "",
        "| query | " + " | ".join(servers) + " |",
        "|---|" + "---:|" * len(servers),
    ]
    for name in queries:
        cells = [f"{table[s][name][0]:.0f} / {table[s][name][1]:.2f}" for s in servers]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    means = [
        f"**{_geometric_mean([table[s][q][0] for q in queries]):.0f}** / "
        f"{_geometric_mean([table[s][q][1] for q in queries]):.2f}"
        for s in servers
    ]
    lines.append("| geometric mean | " + " | ".join(means) + " |")
    lines.append("")
    return "\n".join(lines)


def _geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(max(v, 1e-9)) for v in values) / len(values))


if __name__ == "__main__":
    main()
