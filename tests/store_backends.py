"""The three stores the service tests run against, and a real Virtuoso 7 for the remote one.

Virtuoso (Debian's virtuoso-opensource) is started on 127.0.0.1 with the benchmark's
configuration (bench/virtuoso/), its database made anew in a temporary folder, and loaded with
`iacai load` through the Graph Store Protocol, as a user would load it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

VIRTUOSO_SCRIPTS = Path(__file__).resolve().parents[1] / "bench" / "virtuoso"
VIRTUOSO_CREDENTIALS = {"IACAI_REMOTE_USER": "dba", "IACAI_REMOTE_PASSWORD": "dba"}
"""Virtuoso's stock administrator: the database lives in a temporary folder, on loopback only."""
STORE_KINDS = ("memory", "disk", "remote")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Virtuoso:
    """A Virtuoso server with its own database folder; stopped and started again at will."""

    workdir: Path
    http_port: int
    sql_port: int

    @property
    def sparql_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    @property
    def update_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql-auth"

    def start_fresh(self) -> None:
        """A new, empty database (the benchmark's start script, given no file to load)."""
        subprocess.run(
            [str(VIRTUOSO_SCRIPTS / "start"), "--sql-port", str(self.sql_port),
             "--http-port", str(self.http_port), "--workdir", str(self.workdir)],
            check=True, capture_output=True, timeout=120,
        )

    def stop(self) -> None:
        subprocess.run([str(VIRTUOSO_SCRIPTS / "stop"), "--workdir", str(self.workdir)],
                       check=True, timeout=60)

    def restart(self) -> None:
        """Start the server again on the database it had (what it loaded is still there)."""
        subprocess.run(["virtuoso-t", "+configfile", "virtuoso.ini", "+wait"],
                       cwd=self.workdir, check=True, capture_output=True, timeout=120)
        deadline = time.monotonic() + 60
        while not self.answers():
            assert time.monotonic() < deadline, "Virtuoso did not come back"
            time.sleep(0.2)

    def answers(self) -> bool:
        try:
            return httpx.get(self.sparql_url, params={"query": "ASK {}"}, timeout=2).is_success
        except httpx.TransportError:
            return False

    def load(self, *options: str) -> subprocess.CompletedProcess[str]:
        """`iacai load --into` this server, as a user runs it."""
        return subprocess.run(
            [sys.executable, "-m", "iacai.cli", "load", "--into", self.sparql_url, *options],
            env={**os.environ, **VIRTUOSO_CREDENTIALS},
            capture_output=True, text=True, timeout=300,
        )


def running_virtuoso(workdir: Path) -> Iterator[Virtuoso]:
    """A fresh Virtuoso loaded with the knowledge graph (scripts/test installs Virtuoso)."""
    if shutil.which("virtuoso-t") is None:
        pytest.fail("Virtuoso is not installed (scripts/test installs virtuoso-opensource)")
    virtuoso = Virtuoso(workdir, free_port(), free_port())
    virtuoso.start_fresh()
    try:
        loaded = virtuoso.load("--graph-store", virtuoso.graph_store_url)
        assert loaded.returncode == 0, loaded.stderr
        yield virtuoso
    finally:
        virtuoso.stop()


def store_setting(kind: str, request: pytest.FixtureRequest, folder: Path) -> str:
    """The `--store` value for one kind; the remote one asks for the session's Virtuoso."""
    if kind == "disk":
        return f"disk:{folder}"
    if kind == "remote":
        return request.getfixturevalue("virtuoso").sparql_url
    return "memory"
