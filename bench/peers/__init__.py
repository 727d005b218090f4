"""The servers the benchmark compares, each started on 127.0.0.1 with the same data dump.

Each peer is a function from the dump (and a folder for its logs and files) to a running Server.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bench.peers import floor, iacai, oxigraph, rdflib_endpoint, virtuoso, worker_floor
from bench.peers.process import Server
from bench.scale import Dump

Starter = Callable[[Dump, Path], Server]

PEERS: dict[str, Starter] = {
    "iacai": iacai.start_uncached,
    "iacai-cached": iacai.start_cached,
    "oxigraph": oxigraph.start,
    "rdflib-endpoint": rdflib_endpoint.start,
    "virtuoso": virtuoso.start,
    "worker-floor": worker_floor.start,
    "floor": floor.start,
}
"""Every peer by the name the results use, in the order the tables show them."""

ENGINES = ("iacai", "iacai-cached", "oxigraph", "rdflib-endpoint", "virtuoso", "worker-floor")
"""The peers that really answer SPARQL (the floor answers a constant)."""
