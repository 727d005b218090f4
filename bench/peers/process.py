"""Starting a server as a child process, waiting until it answers, and what CPU it has used."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

REPOSITORY = Path(__file__).resolve().parents[2]
"""The checkout holding `bench/`: every server process can import the benchmark's modules."""

READY_QUERY = "ASK {}"
START_TIMEOUT = 300.0
"""Seconds a server may take to load the data (rdflib parsing the 100x graph is the slowest)."""


@dataclass(frozen=True)
class Footprint:
    """A server's memory, its processes together, two ways.

    `resident` sums each process's resident set: a page that several of them share (a query
    worker forked from a process holding the store) counts once per process. `proportional`
    sums their PSS: each shared page split among the processes that map it, so the service's
    pages count once, which is what it takes from the machine's memory.
    """

    resident: int
    proportional: int


class ServerStartError(RuntimeError):
    """A server that exited or never answered; the message ends with its log."""


@dataclass
class Server:
    """A running peer: its SPARQL endpoint, the process whose CPU is counted, how to stop it."""

    name: str
    url: str
    pid: int
    stop: Callable[[], None]

    def cpu_seconds(self) -> float:
        """User plus system CPU of the process and all its descendants (query workers too)."""
        return cpu_seconds_of(self.processes())

    def footprint(self) -> Footprint:
        """Memory of the process and all its descendants together, resident and proportional."""
        resident = proportional = 0
        for process in self.processes():
            try:
                memory = process.memory_full_info()
            except psutil.NoSuchProcess:
                continue
            except psutil.AccessDenied:  # another user's process: its resident memory only
                memory = process.memory_info()
            resident += memory.rss
            proportional += getattr(memory, "pss", memory.rss)
        return Footprint(resident, proportional)

    def processes(self) -> list[psutil.Process]:
        """The process and its descendants now (finding them reads every process's parent:
        several milliseconds)."""
        try:
            root = psutil.Process(self.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []


def cpu_seconds_of(processes: Iterable[psutil.Process]) -> float:
    """User plus system CPU of the processes, with their children's that have ended (a query
    worker replaced); a process gone since it was found counts nothing."""
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system + times.children_user + times.children_system
    return total


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def spawn(
    name: str,
    command: Sequence[str],
    url: str,
    log_path: Path,
    environment: Mapping[str, str] | None = None,
) -> Server:
    """Start the command in a session of its own and return once `url` answers a SPARQL ASK."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            list(command),
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(REPOSITORY), **(environment or {})},
            start_new_session=True,
        )

    def stop() -> None:
        _stop_session(process)

    try:
        wait_until_answers(url, lambda: process.poll() is None)
    except ServerStartError as error:
        stop()
        raise ServerStartError(f"{name}: {error}\n{_tail(log_path)}") from error
    return Server(name, url, process.pid, stop)


def wait_until_answers(url: str, alive: Callable[[], bool] = lambda: True) -> None:
    """Poll the endpoint until it answers `ASK {}` with 200, or fail."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if not alive():
            raise ServerStartError("exited before answering")
        try:
            response = httpx.get(url, params={"query": READY_QUERY},
                                 headers={"Accept": "application/sparql-results+json"}, timeout=5)
            if response.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise ServerStartError(f"no answer from {url} within {START_TIMEOUT:.0f} s")


def _stop_session(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's own process group (it and its workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def _tail(path: Path, lines: int = 20) -> str:
    text = path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""
    return "\n".join(text.splitlines()[-lines:])
