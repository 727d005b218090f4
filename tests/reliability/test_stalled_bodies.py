"""Stalled and trickled request bodies are cut off, and give their place back, within a deadline.

With the default settings (256 connections at once, a 10 s body deadline): 260 connections send
a POST head announcing a body and never send it, which fills every place; one more sends its body
a byte a second. All of them must be cut off (408, or closed; those beyond the limit are refused
at once with 503), the trickle long before its body ends, and `/healthz` and a query from a fresh
connection answered within 20 s of the attack.
"""

from __future__ import annotations

import selectors
import socket
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from service_process import COUNT_CHALLENGES, STOPPED_CLEANLY, ServiceProcess, start

STALLED = 260
WITHIN = 20.0
"""Seconds after the attack by which every stalled body is cut off and others are served."""
BODY = b"query=" + b"x" * 54
HEAD = (
    "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    f"Content-Length: {len(BODY)}\r\n\r\n"
).encode()


@pytest.fixture(scope="module")
def service() -> Iterator[ServiceProcess]:
    served = start()
    yield served
    assert served.stop() in STOPPED_CLEANLY, served.messages()


def stalled_connection(port: int) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(HEAD)
    connection.setblocking(False)
    return connection


def test_stalled_and_trickled_bodies_are_cut_off(service: ServiceProcess) -> None:
    started = time.monotonic()
    trickle = stalled_connection(service.port)  # first, so within the limit
    stalled = [stalled_connection(service.port) for _ in range(STALLED)]
    selector = selectors.DefaultSelector()
    for connection in [*stalled, trickle]:
        selector.register(connection, selectors.EVENT_READ)
    answers: dict[socket.socket, bytes] = {}
    trickled = 0
    healthy_after: float | None = None
    next_byte = time.monotonic()
    while time.monotonic() - started < WITHIN + 5:
        if len(answers) == STALLED + 1 and healthy_after is not None:
            break
        if trickle not in answers and time.monotonic() >= next_byte:
            try:
                trickle.send(BODY[trickled : trickled + 1])
                trickled += 1
            except OSError:
                answers.setdefault(trickle, b"")
            next_byte += 1
        for key, _ in selector.select(timeout=0.2):
            connection = key.fileobj
            assert isinstance(connection, socket.socket)
            try:
                answers[connection] = connection.recv(4096)
            except OSError:
                answers[connection] = b""
            selector.unregister(connection)
        if healthy_after is None and answers:
            try:
                if httpx.get(f"{service.url}/healthz", timeout=1).status_code == 200:
                    healthy_after = time.monotonic() - started
            except httpx.TransportError:
                pass
    took = time.monotonic() - started
    for connection in [*stalled, trickle]:
        connection.close()
    assert len(answers) == STALLED + 1, f"{STALLED + 1 - len(answers)} still open after {took} s"
    assert took < WITHIN, took
    statuses = Counter(a[:12].decode() for a in answers.values())
    assert set(statuses) <= {"HTTP/1.1 408", "HTTP/1.1 503", ""}, statuses  # 503: over the limit
    assert sum(a.startswith(b"HTTP/1.1 408") for a in answers.values()) > STALLED / 2
    assert trickled < len(BODY), "the trickled body was let through"
    assert answers[trickle].startswith(b"HTTP/1.1 408"), answers[trickle]
    assert healthy_after is not None and healthy_after < WITHIN, healthy_after
    query = httpx.get(f"{service.url}/sparql", params={"query": COUNT_CHALLENGES}, timeout=10)
    assert query.status_code == 200, query.text
