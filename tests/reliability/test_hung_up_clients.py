"""Clients that hang up: a long query nobody will read is stopped at once, a short one is not.

uvicorn never cancels a request when its client goes; without the server's help a runaway query
whose client closed its socket kept a query worker (and a CPU) until the timeout. Each client is
its own loopback address, as in the fair-scheduling tests, so that the hung-up clients' queries
make no other client heavy in the pool.
"""

from __future__ import annotations

import socket
import time
from urllib.parse import quote

import httpx
from service_process import CHALLENGES, COUNT_CHALLENGES, ServiceProcess

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUERY_WORKERS = 4
"""The default number of query workers (the service under test runs with its defaults)."""
SHORT = "SELECT (COUNT(*) AS ?n) WHERE { ?a a ?c . ?d a ?e . }"
"""About half a million rows counted: under a tenth of a second, well within the fast lane."""
FREED_WITHIN = 2.0
"""Seconds within which a hung-up runaway query's worker is replaced and the pool idle again."""


def health(service: ServiceProcess) -> dict[str, object]:
    with service.client() as http:
        return dict(http.get("/healthz").json())


def connect_from(service: ServiceProcess, address: str) -> socket.socket:
    return socket.create_connection(("127.0.0.1", service.port), source_address=(address, 0))


def hang_up(service: ServiceProcess, query: str, address: str, after: float) -> None:
    """Ask `query` from `address`, then close the socket `after` seconds later, unread."""
    with connect_from(service, address) as s:
        s.sendall(
            f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: application/sparql-results+json\r\n\r\n".encode()
        )
        time.sleep(after)


def count_from(service: ServiceProcess, address: str) -> int:
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(base_url=service.url, transport=transport, timeout=30) as http:
        query = f"{COUNT_CHALLENGES} # {address} {time.time()}"
        response = http.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_a_hung_up_runaway_query_frees_its_worker(default_served: ServiceProcess) -> None:
    service = default_served
    logged_before = len(service.messages())
    replaced = health(service)["query_workers_replaced"]
    assert isinstance(replaced, int)
    hang_up(service, f"{RUNAWAY} # hung up {time.time()}", "127.0.0.81", after=0.2)
    assert count_from(service, "127.0.0.82") == CHALLENGES  # answered meanwhile
    deadline = time.monotonic() + FREED_WITHIN
    seen = health(service)
    while time.monotonic() < deadline:
        seen = health(service)
        if seen["query_workers_replaced"] == replaced + 1 and seen["idle_query_workers"] == (
            QUERY_WORKERS
        ):
            break
        time.sleep(0.05)
    assert seen["query_workers_replaced"] == replaced + 1, seen
    assert seen["idle_query_workers"] == QUERY_WORKERS, seen
    assert count_from(service, "127.0.0.82") == CHALLENGES  # and afterwards
    logged = service.messages()[logged_before:]
    assert "Traceback" not in logged, logged
    assert "Exception in ASGI application" not in logged, logged


def test_a_hung_up_short_query_costs_no_worker(default_served: ServiceProcess) -> None:
    """A query about to end is let end: killing its worker would cost a fork per hang-up."""
    service = default_served
    replaced = health(service)["query_workers_replaced"]
    for sent in range(3):  # clients hanging up, each while its query runs, none waiting for another
        address = f"127.0.0.{91 + sent}"
        hang_up(service, f"{SHORT} # hung up {sent} {time.time()}", address, after=0.03)
    time.sleep(0.8)  # past the fast lane: a cancel due then would have come
    seen = health(service)
    assert seen["query_workers_replaced"] == replaced, seen
    assert seen["idle_query_workers"] == QUERY_WORKERS, seen
    assert count_from(service, "127.0.0.83") == CHALLENGES


def test_pipelined_requests_are_answered_in_order(default_served: ServiceProcess) -> None:
    """Several requests sent at once on one connection (HTTP/1.1 pipelining) each get their
    answer, in order: the work on hung-up clients watches each request, not the connection."""
    service = default_served
    heads = "".join(
        f"GET /sparql?query={quote(f'{COUNT_CHALLENGES} # pipelined {n} {time.time()}')} "
        "HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/csv\r\n"
        + ("Connection: close\r\n" if n == 2 else "")
        + "\r\n"
        for n in range(3)
    )
    with connect_from(service, "127.0.0.84") as s:
        s.settimeout(30)
        s.sendall(heads.encode())
        received = b""
        while chunk := s.recv(65536):
            received += chunk
    assert received.count(b"HTTP/1.1 200 OK") == 3, received
    assert received.count(f"\r\n{CHALLENGES}\r\n".encode()) == 3, received
