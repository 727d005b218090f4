"""The worker floor: uvicorn and the service's own worker pool, and nothing else.

Every query goes to a query-worker process, as the service's queries do (a runaway query is
stopped by killing its worker; a crash or a query that needs too much memory takes down only its
worker: the guarantees of issues 3, 6 and 11). This app does nothing around that hop: no
protocol checks, negotiation, validators, caches or headers. So its throughput is the most a
server that keeps that isolation can reach on this machine with this engine, and what the
service adds to it is the service's own cost; what it lacks of the floor's is the isolation's.

    .venv/bin/python -m bench.peers.worker_floor DUMP.nq --port 8002
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import uvicorn

from bench.peers.iacai import BENCH_SETTINGS
from bench.peers.iacai_app import snapshot_from_dump
from bench.peers.process import Server, free_port, spawn
from bench.scale import Dump
from iacai.namespaces import PREFIXES
from iacai.service import settings
from iacai.service.engine import allocator
from iacai.service.engine.pool import QueryPool
from iacai.service.engine.worker import QueryAnswer, QueryJob, WorkerSetup
from iacai.service.http.server import uvicorn_options
from iacai.service.http.url_encoding import form_items

MEDIA_TYPES = {"json": b"application/sparql-results+json", "turtle": b"text/turtle"}


class WorkerFloor:
    """Each GET /sparql?query=... answered by one job on the pool, in JSON (Turtle if asked)."""

    def __init__(self, config: settings.Settings, setup: WorkerSetup) -> None:
        self._config = config
        self._setup = setup
        self._pool: QueryPool | None = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        assert self._pool is not None
        query = next((v for k, v in form_items(scope["query_string"]) if k == "query"), "")
        accept = next((v for k, v in scope["headers"] if k == b"accept"), b"")
        format_name = "turtle" if b"turtle" in accept else "json"
        job = QueryJob(query, format_name, self._config.max_rows)
        reply = await self._pool.run(job, self._config.query_timeout, scope["client"][0])
        status, media_type, body = (
            (200, MEDIA_TYPES[format_name], reply.body)
            if isinstance(reply, QueryAnswer)
            else (500, b"text/plain", repr(reply).encode())
        )
        headers = [(b"content-type", media_type), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                config = self._config
                self._pool = QueryPool(self._setup, config.query_workers, config.fast_lane_seconds)
                await self._pool.start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._pool is not None:
                    await self._pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def start(dump: Dump, work: Path) -> Server:
    """The worker floor under uvicorn, with the service's benchmark settings."""
    port = free_port()
    command = [sys.executable, "-m", __name__, str(dump.path), "--port", str(port)]
    url = f"http://127.0.0.1:{port}/sparql"
    return spawn("worker-floor", command, url, work / "worker-floor.log", BENCH_SETTINGS)


def main() -> None:
    """Serve the dump on 127.0.0.1 until stopped, with the service's settings and protocol."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path, help="the N-Quads file to serve")
    parser.add_argument("--port", type=int, required=True)
    arguments = parser.parse_args()
    config = replace(settings.from_sources(), host="127.0.0.1", port=arguments.port)
    setup = WorkerSetup(
        snapshot_from_dump(arguments.dump).nquads,
        dict(PREFIXES),
        {},
        query_timeout=config.query_timeout,
        memory_limit=config.worker_memory << 20,
        max_answer_bytes=config.max_answer_bytes,
        malloc_library=allocator.library(config.worker_malloc),
    )
    uvicorn.run(WorkerFloor(config, setup), **uvicorn_options(config))


if __name__ == "__main__":
    main()
