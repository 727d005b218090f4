"""Virtuoso 7, the mature C peer, started and loaded by `bench/virtuoso/start`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bench.peers.process import Server, ServerStartError, free_port, wait_until_answers
from bench.scale import Dump

SCRIPTS = Path(__file__).resolve().parents[1] / "virtuoso"


def start(dump: Dump, work: Path) -> Server:
    """A fresh Virtuoso database holding the dump, its SPARQL endpoint on a free loopback port."""
    database = work / "virtuoso"
    http_port = free_port()
    command = [str(SCRIPTS / "start"), "--sql-port", str(free_port()), "--http-port",
               str(http_port), "--workdir", str(database), str(dump.path)]
    try:
        started = subprocess.run(command, capture_output=True, text=True, check=True, timeout=600)
    except (OSError, subprocess.SubprocessError) as error:
        detail = getattr(error, "stderr", "") or ""
        raise ServerStartError(f"virtuoso: {error}\n{detail}") from error
    url = f"http://127.0.0.1:{http_port}/sparql"
    wait_until_answers(url)

    def stop() -> None:
        subprocess.run([str(SCRIPTS / "stop"), "--workdir", str(database)], check=False)

    return Server("virtuoso", url, int(started.stdout.split()[-1]), stop)
