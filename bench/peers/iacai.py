"""iacai-kg itself, once with every cache off and once with its response cache on.

The service's own app on the benchmark's dump (see `iacai_app`), with the service's defaults
(one uvicorn worker, its query workers) except what the benchmark needs: a row cap, answer-size
cap, worker memory and timeout high enough for the 100x graph's whole answers, and a quiet log.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.peers.process import Server, free_port, spawn
from bench.scale import Dump

BENCH_SETTINGS = {
    "IACAI_MAX_ROWS": "10000000",
    "IACAI_QUERY_TIMEOUT": "60",
    "IACAI_LOG_LEVEL": "warning",
    # whole answers at 100x, as the other peers give (70,000 rows, 19 MB of terms): the default
    # 8 MiB cap cut them, and a worker needs more than its default 192 MiB to write them
    "IACAI_MAX_ANSWER_BYTES": str(64 << 20),
    "IACAI_WORKER_MEMORY": "512",
    # every query is fresh however long it runs: at 100x most take seconds, and 16 clients
    # sending them at once are what the long lane exists to refuse (503, then 429 for the
    # client's next queries), which would measure the refusals instead of the engine
    "IACAI_FAST_LANE_SECONDS": "60",
}


def start_uncached(dump: Dump, work: Path) -> Server:
    """The service with its response cache off: every request runs its query."""
    return _start("iacai", dump, work, {"IACAI_CACHE_ENTRIES": "0"})


def start_cached(dump: Dump, work: Path) -> Server:
    """The service with its response cache as shipped (keyed by the data version, with ETag)."""
    return _start("iacai-cached", dump, work, {})


def _start(name: str, dump: Dump, work: Path, cache: dict[str, str]) -> Server:
    port = free_port()
    environment = {**BENCH_SETTINGS, **cache}
    command = [sys.executable, "-m", "bench.peers.iacai_app", str(dump.path), "--port", str(port)]
    url = f"http://127.0.0.1:{port}/sparql"
    return spawn(name, command, url, work / f"{name}.log", environment)

