"""Stalled and trickled request bodies are cut off in time, and cost other clients nothing.

With the default settings (a 5 s body deadline, 64 connections per address and 256 in all,
256 work slots that a request takes only once its body has arrived): 260 connections send a POST
head announcing a body and never send it; one more, from an address of its own and last (so that
no bound closes it early), sends its body a byte a second. All of them must be cut off (408, or
closed), the trickle by its deadline long before its body ends, within 20 s; and all the while
`/healthz` and a simple query from another client are answered 200 in under a second. Sent from
13 addresses (20 each, a crowd within every client's share: past the server's, the longest
stalled are closed with 408) and from one address (past its share: the connections beyond it are
refused at once with 429).
"""

from __future__ import annotations

import json
import selectors
import socket
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx
from service_process import CHALLENGES, COUNT_CHALLENGES, ServiceProcess

STALLED = 260
WITHIN = 20.0
"""Seconds after the attack by which every stalled body is cut off and others are served."""
PROMPT = 1.0
"""Seconds within which `/healthz` and a simple query must answer during the attack."""
CLIENT_SHARE = 64
"""Connections one address may hold (the default of --max-client-connections)."""
OTHER_CLIENT = "127.0.0.200"
TRICKLER = "127.0.0.98"
BODY = b"query=" + b"x" * 54
HEAD = (
    "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    "Content-Type: application/x-www-form-urlencoded\r\n"
    f"Content-Length: {len(BODY)}\r\n\r\n"
).encode()


def stalled_connection(port: int, address: str) -> socket.socket:
    connection = socket.create_connection(
        ("127.0.0.1", port), timeout=5, source_address=(address, 0)
    )
    connection.sendall(HEAD)
    connection.setblocking(False)
    return connection


@dataclass
class Attack:
    """What the stalled connections got, and how others were served meanwhile."""

    answers: dict[socket.socket, bytes] = field(default_factory=dict)
    trickled: int = 0
    took: float = 0.0
    healthy_after: float | None = None
    served: list[tuple[str, int, float]] = field(default_factory=list)
    """(what, status, seconds) of each request from another client during the attack."""

    def statuses(self) -> Counter[str]:
        return Counter(answer[:12].decode() for answer in self.answers.values())

    def slow_or_failed(self) -> list[tuple[str, int, float]]:
        return [(w, status, s) for w, status, s in self.served if status != 200 or s >= PROMPT]

    def figures(self) -> dict[str, object]:
        """For docs/reliability.md (printed with pytest -s)."""
        figures: dict[str, object] = {
            "statuses": dict(self.statuses()),
            "took_s": self.took,
            "trickled_bytes": self.trickled,
        }
        for what in ("health", "query"):
            seconds = sorted(s for w, _, s in self.served if w == what)
            figures[what] = {
                "asked": len(seconds),
                "p50_ms": round(statistics.median(seconds) * 1000, 1),
                "max_ms": round(seconds[-1] * 1000, 1),
            }
        return figures


def attack(service: ServiceProcess, addresses: list[str]) -> tuple[Attack, socket.socket]:
    """One trickled body and 260 stalled ones from `addresses` in turn; `/healthz` and a query
    from another client asked all along, until every connection is cut off."""
    outcome = Attack()
    started = time.monotonic()
    stalled = [
        stalled_connection(service.port, addresses[n % len(addresses)]) for n in range(STALLED)
    ]
    trickle = stalled_connection(service.port, TRICKLER)  # the newest: closed by no bound
    selector = selectors.DefaultSelector()
    for connection in [*stalled, trickle]:
        selector.register(connection, selectors.EVENT_READ)
    next_byte = time.monotonic()
    transport = httpx.HTTPTransport(local_address=OTHER_CLIENT)
    with httpx.Client(base_url=service.url, transport=transport, timeout=WITHIN) as other:
        while time.monotonic() - started < WITHIN + 5:
            if len(outcome.answers) == STALLED + 1:
                break
            if trickle not in outcome.answers and time.monotonic() >= next_byte:
                try:
                    trickle.send(BODY[outcome.trickled : outcome.trickled + 1])
                    outcome.trickled += 1
                except OSError:
                    outcome.answers.setdefault(trickle, b"")
                next_byte += 1
            for key, _ in selector.select(timeout=0.2):
                connection = key.fileobj
                assert isinstance(connection, socket.socket)
                try:
                    outcome.answers[connection] = connection.recv(4096)
                except OSError:
                    outcome.answers[connection] = b""
                selector.unregister(connection)
            for what, path, parameters in (
                ("health", "/healthz", {}),
                ("query", "/sparql", {"query": f"{COUNT_CHALLENGES} # {time.time()}"}),
            ):
                asked = time.monotonic()
                status = other.get(path, params=parameters).status_code
                outcome.served.append((what, status, time.monotonic() - asked))
                if outcome.healthy_after is None and status == 200 and outcome.answers:
                    outcome.healthy_after = time.monotonic() - started
    outcome.took = time.monotonic() - started
    for connection in [*stalled, trickle]:
        connection.close()
    return outcome, trickle


def test_stalled_and_trickled_bodies_are_cut_off(default_served: ServiceProcess) -> None:
    service = default_served
    crowd = [f"127.0.0.{100 + n}" for n in range(13)]  # 20 each: within every share
    outcome, trickle = attack(service, crowd)
    print(json.dumps({"13 addresses": outcome.figures()}))
    answers = outcome.answers
    took = outcome.took
    assert len(answers) == STALLED + 1, f"{STALLED + 1 - len(answers)} still open after {took} s"
    assert took < WITHIN, took
    statuses = outcome.statuses()
    assert set(statuses) <= {"HTTP/1.1 408", "HTTP/1.1 503", ""}, statuses  # 503: over the limit
    assert sum(a.startswith(b"HTTP/1.1 408") for a in answers.values()) > STALLED / 2
    assert outcome.trickled < len(BODY), "the trickled body was let through"
    assert answers[trickle].startswith(b"HTTP/1.1 408"), answers[trickle]
    healthy_after = outcome.healthy_after
    assert healthy_after is not None and healthy_after < WITHIN, healthy_after
    assert len(outcome.served) >= 10, outcome.served
    assert outcome.slow_or_failed() == [], outcome.slow_or_failed()
    assert service.count_challenges() == CHALLENGES


def test_one_address_holds_only_its_share(default_served: ServiceProcess) -> None:
    service = default_served
    outcome, trickle = attack(service, ["127.0.0.99"])
    print(json.dumps({"1 address": outcome.figures()}))
    statuses = outcome.statuses()
    assert len(outcome.answers) == STALLED + 1 and outcome.took < WITHIN, (outcome.took, statuses)
    assert statuses["HTTP/1.1 429"] == STALLED - CLIENT_SHARE, statuses  # refused at once
    assert statuses["HTTP/1.1 408"] == CLIENT_SHARE + 1, statuses  # with the trickle
    assert outcome.answers[trickle].startswith(b"HTTP/1.1 408"), outcome.answers[trickle]
    assert outcome.slow_or_failed() == [], outcome.slow_or_failed()
