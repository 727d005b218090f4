"""The whole service stays under a stated memory bound under the red team's memory attacks.

One `iacai serve` with its default limits (four query workers, each allowed `--worker-memory`
beyond the store it shares, answers of 8 MiB, 128 MiB waiting for slow readers) but a short
write timeout. A sampler thread reads the
resident memory of every process of the service (psutil) ten times a second while: two 60-byte
ORDER BY queries over a cross product run at once; the 90 KB query whose 5000 rows made a
450 MB answer is sent; and 16 clients ask for that answer and never read it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from service_process import CHALLENGES, STOPPED_CLEANLY, ServiceProcess, start

from iacai.service.settings import Settings

BOUND = 1536 << 20
"""The whole service (server, query workers, resource tracker), resident, in bytes."""
WRITE_TIMEOUT = 3
NON_READERS = 16
ORDER_BY_BOMB = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?i ?c"
DIRECT = {"Content-Type": "application/sparql-query"}
LARGE_ANSWER = 'SELECT ?s ?big WHERE { ?s ?p ?o BIND("' + "x" * 90_000 + '" AS ?big) } LIMIT 5000'


class Sampler:
    """The service's resident memory, sampled in a thread; the peak is kept."""

    def __init__(self, service: ServiceProcess) -> None:
        self._service = service
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            self.peak = max(self.peak, self._service.resident_bytes())

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@pytest.fixture(scope="module")
def bounded() -> Iterator[ServiceProcess]:
    service = start(
        environment={"IACAI_WRITE_TIMEOUT": str(WRITE_TIMEOUT), "IACAI_QUERY_TIMEOUT": "20"}
    )
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()


def test_memory_bombs_and_non_readers_keep_the_service_under_the_bound(
    bounded: ServiceProcess,
) -> None:
    sampler = Sampler(bounded)
    started = time.monotonic()
    bombers = [  # two clients (source addresses): one client's queries run one at a time
        bounded.client(transport=httpx.HTTPTransport(local_address=f"127.0.0.{5 + n}"))
        for n in range(2)
    ]
    with bounded.client() as http, ThreadPoolExecutor(max_workers=2) as pool:
        bombs = [
            pool.submit(bomber.get, "/sparql", params={"query": f"{ORDER_BY_BOMB} # {n}"})
            for n, bomber in enumerate(bombers)
        ]
        for bomb in bombs:
            answer = bomb.result()
            assert answer.status_code == 503, answer.text
            assert f"{Settings().worker_memory} MiB" in answer.text, answer.text
        bombs_took = time.monotonic() - started
        wait_for_idle_workers(http, 2)
        large = http.post("/sparql", content=LARGE_ANSWER.encode(), headers=DIRECT)
    for bomber in bombers:
        bomber.close()
    assert large.status_code == 200
    assert large.headers["x-iacai-result-truncated"] == "true"
    assert len(large.content) <= 9 << 20

    before_readers = bounded.resident_bytes()
    stalled = [ask_and_never_read(bounded.port, n) for n in range(NON_READERS)]
    with bounded.client() as http:
        wait_for_idle_workers(http, 2, settled=2.0)  # every answer written
    time.sleep(WRITE_TIMEOUT + 2)  # every reader dropped
    after_readers = bounded.resident_bytes()
    peak = sampler.stop()
    for connection in stalled:
        connection.close()
    print(
        f"bombs answered 503 in {bombs_took:.1f} s; peak {peak >> 20} MiB; "
        f"{before_readers >> 20} MiB before the non-readers, {after_readers >> 20} MiB after"
    )
    assert peak < BOUND, f"peak {peak >> 20} MiB"
    assert after_readers < before_readers + (64 << 20), "unread answers were kept"
    assert bounded.count_challenges() == CHALLENGES


def ask_and_never_read(port: int, number: int) -> socket.socket:
    """A client that asks for the large answer and never reads a byte of it."""
    connection = socket.create_connection(("127.0.0.1", port))
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    body = f"{LARGE_ANSWER} # reader {number}".encode()
    connection.sendall(
        b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    return connection


def wait_for_idle_workers(http: httpx.Client, workers: int, settled: float = 0.0) -> None:
    """Until every worker has been idle for `settled` seconds (no query left waiting)."""
    deadline = time.monotonic() + 120
    idle_since = None
    while idle_since is None or time.monotonic() - idle_since < settled:
        assert time.monotonic() < deadline, "the workers did not become idle"
        idle = http.get("/healthz").json()["idle_query_workers"] >= workers
        idle_since = (idle_since or time.monotonic()) if idle else None
        time.sleep(0.2)
