"""The iacai-kg service on a benchmark dump: `create_app` under uvicorn, as `iacai serve` runs it.

`iacai serve` always serves the shipped files and validates them with SHACL first, which on this
2-core machine takes minutes; the benchmark serves its own dumps (the graph scaled 10x and
100x too), already known to hold the shipped shape. So this launcher makes the service's
`Snapshot` from a dump and then does what `iacai serve` does with one uvicorn worker: the same
app, the same settings (IACAI_* variables), the same uvicorn options (its bounded HTTP protocol).

    .venv/bin/python -m bench.peers.iacai_app DUMP.nq --port 8000
"""

from __future__ import annotations

import argparse
import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pyoxigraph
import uvicorn

from iacai.service import settings
from iacai.service.app import create_app
from iacai.service.http.server import uvicorn_options
from iacai.snapshot import SNAPSHOT_FILE_VARIABLE, Snapshot, write_snapshot


def snapshot_from_dump(dump: Path) -> Snapshot:
    """The dump's bytes as the service's snapshot, its hash as the data version."""
    nquads = dump.read_bytes()
    graph_names = {
        quad.graph_name.value
        for quad in pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
        if isinstance(quad.graph_name, pyoxigraph.NamedNode)
    }
    return Snapshot(nquads, hashlib.sha256(nquads).hexdigest()[:16], tuple(sorted(graph_names)))


def main() -> None:
    """Serve the dump on 127.0.0.1 until stopped."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path, help="the N-Quads file to serve")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1,
                        help="uvicorn processes, sharing one snapshot file as `iacai serve` does")
    arguments = parser.parse_args()
    config = replace(settings.from_sources(), host="127.0.0.1", port=arguments.port)
    snapshot = snapshot_from_dump(arguments.dump)
    if arguments.workers == 1:
        uvicorn.run(create_app(config, snapshot), **uvicorn_options(config))
        return
    snapshot_file = arguments.dump.with_suffix(".snapshot")
    write_snapshot(snapshot, snapshot_file)
    os.environ[SNAPSHOT_FILE_VARIABLE] = str(snapshot_file)
    uvicorn.run("iacai.service.app:app_from_environment", factory=True,
                workers=arguments.workers, **uvicorn_options(config))


if __name__ == "__main__":
    main()
