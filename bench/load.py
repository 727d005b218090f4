"""The load generator: keep-alive HTTP/1.1 clients on one asyncio loop, in a process of its own.

A general-purpose client (httpx, aiohttp) spends more CPU per request than a small server needs to
answer it, and would measure itself. These clients send a request prepared once as bytes and read
the answer by its Content-Length or chunks, nothing more; the process they run in reports the CPU
it used, so a reader can see that the load generator was not the bottleneck.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

FIRST_CLIENT_ADDRESS = 100
"""Clients connect from 127.0.100.1, 127.0.100.2, ... (all loopback): one address each."""
REQUEST_TIMEOUT = 60.0
"""Seconds one request may take before it counts as failed (a peer's slowest answer at 100x)."""


@dataclass(frozen=True)
class LoadJob:
    """One cell of the benchmark: one query against one server, at one number of clients.

    Bounded both ways: it stops after `max_requests` answers or `max_seconds`, whichever is first
    (a request under way when time is up is still awaited, so each client gets at least one).
    """

    url: str
    query: str
    accept: str
    clients: int
    max_requests: int
    max_seconds: float
    warmup_requests: int = 2
    """Requests sent first on one connection and not measured, to absorb first-time costs (a
    query plan to compile, pages to read); none more once `max_seconds` have passed, since a
    query that takes seconds is warm after one and a second would only lengthen the run."""
    headers: tuple[tuple[str, str], ...] = ()
    """More request headers, e.g. If-None-Match for a client that revalidates."""
    variants: tuple[str, ...] = ()
    """Texts to send each once, in turn, instead of `query` over and over (warm-up included):
    the job ends when they run out."""

    def requests(self) -> Iterator[bytes]:
        """The requests to send, in order: each variant once, or the one query for ever."""
        if self.variants:
            return (self._request(text) for text in self.variants)
        return itertools.repeat(self._request(self.query))

    def _request(self, text: str) -> bytes:
        parts = urlsplit(self.url)
        target = f"{parts.path}?query={quote(text, safe='')}"
        extra = "".join(f"{name}: {value}\r\n" for name, value in self.headers)
        return (
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nAccept: {self.accept}\r\n"
            f"User-Agent: iacai-bench\r\n{extra}\r\n"
        ).encode()


@dataclass
class LoadResult:
    """What a job measured: each answer's latency in seconds, and what it cost the client."""

    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    client_cpu_seconds: float = 0.0

    @property
    def requests_per_second(self) -> float:
        return len(self.latencies) / self.wall_seconds if self.wall_seconds else 0.0


def drive(job: LoadJob) -> LoadResult:
    """Run the job to its bounds and return the measurements (call it in the load process)."""
    try:
        import uvloop

        runner = uvloop.run
    except ImportError:
        runner = asyncio.run
    cpu_before = time.process_time()
    result = runner(_drive(job))
    result.client_cpu_seconds = time.process_time() - cpu_before
    return result


async def _drive(job: LoadJob) -> LoadResult:
    parts = urlsplit(job.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    requests = job.requests()
    result = LoadResult()
    warmup = _Connection(host, port)
    warm_by = time.perf_counter() + job.max_seconds
    for request in itertools.islice(requests, job.warmup_requests):
        await warmup.measure(request, LoadResult())
        if time.perf_counter() >= warm_by:
            break
    warmup.close()
    budget = _Budget(job.max_requests, time.perf_counter() + job.max_seconds, requests)
    started = time.perf_counter()
    clients = (
        _client(host, port, _source_address(host, number), budget, result)
        for number in range(job.clients)
    )
    await asyncio.gather(*clients)
    result.wall_seconds = time.perf_counter() - started
    return result


@dataclass
class _Budget:
    """The requests the clients share: the next one to send while count and time allow."""

    remaining: int
    deadline: float
    requests: Iterator[bytes]

    def take(self) -> bytes | None:
        if self.remaining <= 0 or time.perf_counter() >= self.deadline:
            return None
        self.remaining -= 1
        return next(self.requests, None)


def _source_address(host: str, number: int) -> str | None:
    """Where client `number` connects from: each its own loopback address, as separate users
    would (a server may tell clients apart by address, as iacai's fair scheduling does)."""
    if not host.startswith("127."):
        return None
    return f"127.0.{FIRST_CLIENT_ADDRESS + number // 250}.{1 + number % 250}"


async def _client(
    host: str, port: int, source: str | None, budget: _Budget, result: LoadResult
) -> None:
    connection = _Connection(host, port, source)
    try:
        while (request := budget.take()) is not None:
            await connection.measure(request, result)
    finally:
        connection.close()


class _Connection:
    """One keep-alive connection, opened again whenever the server closes it."""

    def __init__(self, host: str, port: int, source: str | None = None) -> None:
        self.host, self.port = host, port
        self.source = (source, 0) if source else None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def measure(self, request: bytes, result: LoadResult) -> None:
        started = time.perf_counter()
        try:
            status, keep_alive = await asyncio.wait_for(self._exchange(request), REQUEST_TIMEOUT)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
            result.errors.append(f"{type(error).__name__}: {error}")
            self.close()
            return
        result.latencies.append(time.perf_counter() - started)
        result.statuses[status] = result.statuses.get(status, 0) + 1
        if not keep_alive:
            self.close()

    async def _exchange(self, request: bytes) -> tuple[int, bool]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(
                self.host, self.port, local_addr=self.source
            )
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status, headers = _parse_head(head)
        if headers.get("transfer-encoding", "").lower() == "chunked":
            await _read_chunks(self.reader)
        elif "content-length" in headers:
            await self.reader.readexactly(int(headers["content-length"]))
        elif status not in (204, 304):
            await self.reader.read()
            return status, False
        return status, headers.get("connection", "").lower() != "close"

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _parse_head(head: bytes) -> tuple[int, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name:
            headers[name.strip().lower()] = value.strip()
    return status, headers


async def _read_chunks(reader: asyncio.StreamReader) -> None:
    while True:
        size = int((await reader.readline()).split(b";")[0], 16)
        if size == 0:
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            return
        await reader.readexactly(size + 2)
