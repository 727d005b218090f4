"""Connections and work slots are bounded so that a crowd costs the other clients little.

One `iacai serve` with small bounds, so that a test reaches them with a few dozen sockets: 12
connections per address, 40 in all, 2 requests answered at once. Idle connections past a
client's share close that client's own oldest ones; stalled requests past the server's bound
close the longest-waiting one (408); a new client is served meanwhile. A request takes a work
slot only while it is answered: beyond the slots it is refused with 503 and Retry-After. The
service raises its limit of open files to what its connections need, and says when it cannot.
"""

from __future__ import annotations

import resource
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from service_process import STOPPED_CLEANLY, ServiceProcess, start

CLIENT_SHARE = 12
CONNECTIONS = 40
WORK_SLOTS = 2
QUERY_TIMEOUT = 3
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
STALLED_HEAD = (
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    b"Content-Length: 10\r\n\r\n"
)


OPEN_FILES = (200, 290)
"""The service's limit of open files (soft, hard): its 40 connections want 296 (40 + 256)."""


def few_open_files() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, OPEN_FILES)


@pytest.fixture(scope="module")
def bounded() -> Iterator[ServiceProcess]:
    service = start(
        preexec_fn=few_open_files,
        environment={
            "IACAI_MAX_CLIENT_CONNECTIONS": str(CLIENT_SHARE),
            "IACAI_MAX_CONNECTIONS": str(CONNECTIONS),
            "IACAI_LIMIT_CONCURRENCY": str(WORK_SLOTS),
            "IACAI_QUERY_WORKERS": "1",
            "IACAI_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
            "IACAI_CACHE_ENTRIES": "0",
        },
    )
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()


def connect(port: int, address: str, sends: bytes = b"") -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), source_address=(address, 0))
    connection.sendall(sends)
    return connection


def closed_by_server(connection: socket.socket) -> bytes | None:
    """What the server said before closing the connection, or None while it stays open."""
    connection.settimeout(0.05)
    try:
        return connection.recv(4096)
    except TimeoutError:
        return None
    except OSError:
        return b""


def healthz(url: str, address: str) -> tuple[int, float]:
    transport = httpx.HTTPTransport(local_address=address)
    started = time.monotonic()
    with httpx.Client(base_url=url, transport=transport, timeout=10) as http:
        status = http.get("/healthz").status_code
    return status, time.monotonic() - started


def test_idle_connections_past_a_share_close_the_clients_own(bounded: ServiceProcess) -> None:
    idle = [connect(bounded.port, "127.0.0.51") for _ in range(3 * CLIENT_SHARE)]
    try:
        assert healthz(bounded.url, "127.0.0.51")[0] == 200  # its own oldest idle one makes room
        assert healthz(bounded.url, "127.0.0.52")[0] == 200
        time.sleep(0.3)
        still_open = [c for c in idle if closed_by_server(c) is None]
    finally:
        for connection in idle:
            connection.close()
    assert len(still_open) <= CLIENT_SHARE, len(still_open)
    assert still_open == idle[-len(still_open) :], "the newest were closed, not the oldest"


def test_a_crowd_of_stalled_requests_leaves_room_for_new_clients(bounded: ServiceProcess) -> None:
    crowd = [f"127.0.0.{60 + n}" for n in range(5)]  # 10 each: within the client's share
    stalled = [
        connect(bounded.port, crowd[n % len(crowd)], STALLED_HEAD) for n in range(CONNECTIONS + 10)
    ]
    try:
        status, took = healthz(bounded.url, "127.0.0.70")
        time.sleep(0.3)
        answers = [closed_by_server(c) for c in stalled]
    finally:
        for connection in stalled:
            connection.close()
    assert status == 200 and took < 1, (status, took)
    cut = [answer for answer in answers if answer is not None]
    assert len(stalled) - len(cut) <= CONNECTIONS, len(cut)
    assert all(answer.startswith(b"HTTP/1.1 408") for answer in cut), cut
    assert answers[: len(cut)] == cut, "the newest were cut, not the longest waiting"


def test_requests_beyond_the_work_slots_are_refused(bounded: ServiceProcess) -> None:
    def runaway(address: str) -> None:
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(base_url=bounded.url, transport=transport, timeout=30) as http:
            http.get("/sparql", params={"query": RUNAWAY})

    held = [
        threading.Thread(target=runaway, args=(f"127.0.0.{81 + n}",)) for n in range(WORK_SLOTS)
    ]
    for thread in held:
        thread.start()
    time.sleep(1)  # one runs, the other waits for the only query worker: both are answered
    with httpx.Client(base_url=bounded.url, timeout=10) as http:
        refused = http.get("/healthz")
    for thread in held:
        thread.join()
    assert refused.status_code == 503, refused.text
    assert refused.headers["retry-after"] == "1" and "at once" in refused.text, refused.text
    assert healthz(bounded.url, "127.0.0.90")[0] == 200


def test_the_open_file_limit_is_raised_for_the_connections_or_the_start_warns(
    bounded: ServiceProcess,
) -> None:
    limits = Path(f"/proc/{bounded.process.pid}/limits").read_text()
    soft = next(line for line in limits.splitlines() if line.startswith("Max open files"))
    assert soft.split()[3] == str(OPEN_FILES[1]), soft  # raised to the hard limit
    assert "max-connections 40 needs 296 open files, the limit is 290" in bounded.messages()
