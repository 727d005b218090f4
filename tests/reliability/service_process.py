"""`iacai serve` as a real process on 127.0.0.1: started, waited for, measured, stopped.

The reliability tests need what an in-process server cannot give: a pid to signal, worker
processes to kill, the resident memory of the service alone, an exit status and its stderr.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx
import psutil

from health import wait_until_healthy
from iacai.service.engine.zygote import WORKER_NAME

REPOSITORY = Path(__file__).resolve().parents[2]
COUNT_CHALLENGES = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/iacai/ontology#Challenge> }"
)
# The settings of the shared service (conftest.py) that the tests rely on.
QUERY_TIMEOUT = 2
"""A short query timeout, so that runaway queries sent by the fuzzers end quickly."""
KEEP_ALIVE = 2
"""Seconds before an idle or slow connection is closed."""
CONCURRENCY = 64
"""Connections at once; the load test's 32 clients stay under it."""


STOPPED_CLEANLY = (0, -signal.SIGTERM)
"""uvicorn shuts down gracefully on SIGTERM, then raises the signal again for its parent to see."""
CHALLENGES = 15
"""The essay's Table 3 has fifteen challenges: the known answer every test ends by asking for."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def command(*flags: str) -> list[str]:
    """`iacai serve` with these flags, run by this interpreter."""
    return [sys.executable, "-m", "iacai.service", *flags]


@dataclass
class ServiceProcess:
    """One `iacai serve` process and what it was started with."""

    process: subprocess.Popen[bytes]
    port: int
    output: IO[bytes]
    """Where its stdout and stderr go: a file, never a pipe that a chatty server could fill."""
    settings: Mapping[str, str] = field(default_factory=dict)

    def messages(self) -> str:
        """Everything the process has printed so far."""
        self.output.seek(0)
        return self.output.read().decode(errors="replace")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=60, **options)  # type: ignore[arg-type]

    def processes(self) -> list[psutil.Process]:
        """The server process and all its descendants (the zygote, the query workers)."""
        root = psutil.Process(self.process.pid)
        return [root, *root.children(recursive=True)]

    def query_workers(self) -> list[psutil.Process]:
        """The query-worker processes: those the zygote forked, named for `ps`."""
        workers = []
        for child in psutil.Process(self.process.pid).children(recursive=True):
            with contextlib.suppress(psutil.NoSuchProcess):
                if child.name() == WORKER_NAME:
                    workers.append(child)
        return workers

    def resident_bytes(self) -> int:
        """Resident memory of the whole service: every one of its processes."""
        total = 0
        for process in self.processes():
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total

    def count_challenges(self) -> int:
        with self.client() as http:
            response = http.get("/sparql", params={"query": COUNT_CHALLENGES + " # after"})
        assert response.status_code == 200, response.text
        return int(response.json()["results"]["bindings"][0]["n"]["value"])

    def stop(self) -> int:
        """SIGTERM, as a process manager stops a service; SIGKILL if it lingers."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start(
    *flags: str,
    environment: Mapping[str, str] | None = None,
    wait: bool = True,
    **popen: object,
) -> ServiceProcess:
    """Start `iacai serve` on a free port; with `wait`, return once /healthz answers."""
    port = free_port()
    settings = {"IACAI_PORT": str(port), "IACAI_LOG_LEVEL": "warning", **(environment or {})}
    output = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the process, by the fixture)
    process = subprocess.Popen(
        command(*flags),
        env={**os.environ, **settings},
        stdout=output,
        stderr=subprocess.STDOUT,
        cwd=REPOSITORY,
        **popen,  # type: ignore[arg-type]
    )
    service = ServiceProcess(process, port, output, settings)
    if wait:
        wait_until_up(service)
    return service


def wait_until_up(service: ServiceProcess, seconds: float = 90) -> None:
    try:
        wait_until_healthy(service.url, lambda: service.process.poll() is None, seconds)
    except RuntimeError as error:
        service.stop()
        raise RuntimeError(f"{error}: {service.messages()}") from error


def is_listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(("127.0.0.1", port)) == 0


PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_SYS_NICE = 24, 1, 2, 23
"""From <linux/prctl.h> and <linux/capability.h>."""


def without_capabilities(*capabilities: int) -> Callable[[], None]:
    """A `preexec_fn` that drops these capabilities from root's (in the child only, before it
    runs the service), so that a test run as root sees the service as an unprivileged one."""

    def drop() -> None:
        if os.geteuid() != 0:
            return
        libc = ctypes.CDLL(None, use_errno=True)
        for capability in capabilities:
            if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) refused")

    return drop
