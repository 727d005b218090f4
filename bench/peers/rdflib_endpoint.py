"""rdflib-endpoint, the Python peer: its own command line serving the dump, as its README shows.

`rdflib-endpoint serve FILE.nq` loads the file into an rdflib `Dataset(default_union=True)`, so
each quad keeps its named graph and a query's default graph is their union, as in the service.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench.peers.process import Server, free_port, spawn
from bench.scale import Dump


def start(dump: Dump, work: Path) -> Server:
    """`rdflib-endpoint serve` on the dump (rdflib's own store and query engine)."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "rdflib-endpoint"), "serve", str(dump.path),
               "--host", "127.0.0.1", "--port", str(port)]
    url = f"http://127.0.0.1:{port}/"
    return spawn("rdflib-endpoint", command, url, work / "rdflib-endpoint.log")
