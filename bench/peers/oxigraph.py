"""The Oxigraph server, the same Rust engine as the service's behind its own HTTP server.

`oxigraph load` puts the dump into a fresh RocksDB folder (each quad in its named graph), then
`oxigraph serve-read-only --union-default-graph` answers with their union as the default graph,
as the service does. The `oxigraph` command comes with the test extra (`pip install oxigraph`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bench.peers.process import Server, ServerStartError, free_port, spawn
from bench.scale import Dump


def start(dump: Dump, work: Path, timeout_seconds: int | None = None) -> Server:
    """A fresh Oxigraph database holding the dump, served read-only on a free loopback port.

    No query timeout unless asked (the attacks ask for one): the server starts a thread per
    query that sleeps out its timeout, and at thousands of queries a second those threads
    exhausted the machine's thread limit, after which it failed every request (500).
    """
    location = work / "oxigraph"
    shutil.rmtree(location, ignore_errors=True)
    command = str(Path(sys.executable).with_name("oxigraph"))
    try:
        subprocess.run([command, "load", "--location", str(location), "--file", str(dump.path)],
                       check=True, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", "") or ""
        raise ServerStartError(f"oxigraph: {error}\n{detail}") from error
    port = free_port()
    serve = [command, "serve-read-only", "--location", str(location), "--bind",
             f"127.0.0.1:{port}", "--union-default-graph"]
    if timeout_seconds is not None:
        serve += ["--timeout-s", str(timeout_seconds)]
    return spawn("oxigraph", serve, f"http://127.0.0.1:{port}/query", work / "oxigraph.log")
