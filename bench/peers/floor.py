"""The floor: a bare FastAPI app under uvicorn that answers every query with one constant result.

It does no SPARQL at all, so its latency and throughput are what HTTP, uvicorn and FastAPI alone
cost on this machine: no SPARQL server written on the same stack can beat it.

    .venv/bin/python -m uvicorn bench.peers.floor:app --host 127.0.0.1 --port 8001
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from fastapi import FastAPI, Response

from bench.peers.process import Server, free_port, spawn
from bench.scale import Dump

ANSWER = json.dumps({
    "head": {"vars": ["answer"]},
    "results": {"bindings": [{"answer": {"type": "literal", "value": "constant"}}]},
}).encode()

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/sparql")
@app.post("/sparql")
async def sparql() -> Response:
    """The constant answer, whatever was asked."""
    return Response(ANSWER, media_type="application/sparql-results+json")


def start(dump: Dump, work: Path) -> Server:
    """The floor app under uvicorn, one process like the service's default, no access log."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", f"{__name__}:app", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log", "--log-level", "warning"]
    return spawn("floor", command, f"http://127.0.0.1:{port}/sparql", work / "floor.log")
