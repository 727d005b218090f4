"""The red team's attacks (issue 13), run against iacai and the Oxigraph server, side by side.

Both serve the shipped graph on 127.0.0.1: `iacai serve` with its defaults, and `oxigraph
serve-read-only` over a store loaded from the same quads, with the default graph as the union of
the named graphs (as iacai's) and the same 10 s query timeout. Each attack is bounded in time:

- runaway queries (a fourfold cross product) kept in flight, 8 from one client, then 2 each
  from 4 clients, then 1 each from 16 new clients, while a victim from another address (one
  that has asked before) asks a cheap query every 50 ms;
- 260 connections that send a POST head and never the body, and one that sends its body a byte
  a second, from one address and then from a crowd of 13, while another client asks the health
  check and a cheap query in turn;
- request heads of 75,000 fields and of one 1 MB field;
- 3 clients looping on the largest documents while the health check is timed;
- memory-bomb queries (an ORDER BY over a cross product, a large CONSTRUCT), with the resident
  memory of the server's processes sampled and the server killed past `MEMORY_CAP`.

    .venv/bin/python -m bench.attacks [--seconds 20]

Not part of the tests: it prints a Markdown table (docs/reliability.md holds one run's).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import selectors
import socket
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from bench.peers import oxigraph
from bench.peers.process import Server, free_port, spawn
from bench.scale import write_dump
from iacai.service.settings import Settings

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
CHEAP = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/iacai/ontology#Challenge> }"
MEMORY_BOMBS = (
    "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 5",
    "CONSTRUCT { ?a ?b ?f } WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 5000",
)
MEMORY_CAP = 3 * 1024**3
"""Resident bytes past which the server under attack is killed (the machine is shared)."""
VICTIM = "127.0.0.200"
TRICKLER = "127.0.0.98"
STALLED = 260
MIB = 1024 * 1024
ATTACK_TIMEOUT_SECONDS = round(Settings().query_timeout)
"""The Oxigraph server gets iacai serve's own default query timeout."""


@dataclass
class Target:
    """A server under attack: where it answers queries, its health check, its big documents."""

    server: Server
    query_path: str
    health_path: str
    documents: tuple[str, ...]

    @property
    def base(self) -> str:
        return self.server.url.rsplit("/", 1)[0]

    def health(self, http: httpx.Client) -> bool:
        return http.get(self.health_path).status_code == 200

    def resident_bytes(self) -> int:
        try:
            root = psutil.Process(self.server.pid)
            processes = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for process in processes:
            try:
                total += process.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total


def start_iacai(work: Path) -> Target:
    port = free_port()
    command = [sys.executable, "-m", "iacai.service", "--port", str(port), "--log-level",
               "warning"]
    server = spawn("iacai", command, f"http://127.0.0.1:{port}/sparql", work / "iacai.log")
    documents = ("/graph/references.jsonld", "/graph/references.ttl", "/dumps/iacai.trig")
    return Target(server, "/sparql", "/healthz", documents)


def start_oxigraph(work: Path) -> Target:
    server = oxigraph.start(write_dump(1, work / "data.nq"), work, ATTACK_TIMEOUT_SECONDS)
    return Target(server, "/query", "/query?query=ASK%7B%7D", ("/store",))


def client(target: Target, address: str, timeout: float = 60) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=target.base, timeout=timeout,
                             transport=httpx.AsyncHTTPTransport(local_address=address))


async def runaway_attack(target: Target, addresses: list[str], seconds: float) -> dict[str, str]:
    """Runaway queries kept in flight; the victim's latencies and the attackers' statuses."""
    statuses: Counter[str] = Counter()
    latencies: list[float] = []
    failures = 0
    attackers = [client(target, address, timeout=seconds + 15) for address in addresses]
    victim_http = client(target, VICTIM)  # each client makes an SSL context: before the clock
    async with client(target, VICTIM) as known:  # the victim has used the service before
        await known.get(target.query_path, params={"query": f"{CHEAP} #{time.time()}"})
    until = time.monotonic() + seconds

    async def attacker(http: httpx.AsyncClient) -> None:
        async with http:
            while time.monotonic() < until:
                try:
                    response = await http.get(target.query_path,
                                              params={"query": f"{RUNAWAY} #{time.time()}"})
                    statuses[str(response.status_code)] += 1
                except httpx.HTTPError:
                    statuses["cut"] += 1

    async def victim() -> None:
        nonlocal failures
        async with victim_http as http:
            while time.monotonic() < until:
                started = time.monotonic()
                response = await http.get(
                    target.query_path, params={"query": f"{CHEAP} #{time.time()}"},
                    headers={"Accept": "application/sparql-results+json"})
                latencies.append(time.monotonic() - started)
                failures += response.status_code != 200
                await asyncio.sleep(0.05)

    tasks = [asyncio.create_task(attacker(http)) for http in attackers]
    await asyncio.sleep(1)
    await victim()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {
        "victim p50": f"{statistics.median(latencies) * 1000:.0f} ms",
        "victim max": f"{max(latencies) * 1000:.0f} ms",
        "victim failed": f"{failures} of {len(latencies)}",
        "attackers": ", ".join(f"{n}x {s}" for s, n in sorted(statuses.items())),
    }


def stalled_bodies(target: Target, addresses: list[str], within: float = 30) -> dict[str, str]:
    """260 POST heads without a body from `addresses` in turn, then one trickled body from an
    address of its own: when are they cut, and how are the health check and a cheap query from
    another client served?"""
    body = b"query=" + b"x" * 54
    head = (f"POST {target.query_path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\n\r\n").encode()
    host, port = target.base.removeprefix("http://").split(":")
    started = time.monotonic()
    connections = []
    for n in range(STALLED + 1):
        address = addresses[n % len(addresses)] if n < STALLED else TRICKLER
        connection = socket.create_connection((host, int(port)), timeout=5,
                                              source_address=(address, 0))
        with contextlib.suppress(OSError):  # refused at once
            connection.sendall(head)
        connection.setblocking(False)
        connections.append(connection)
    trickle = connections[-1]  # the newest: no connection limit closes it first
    selector = selectors.DefaultSelector()
    for connection in connections:
        selector.register(connection, selectors.EVENT_READ)
    cut: dict[socket.socket, float] = {}
    answers: Counter[str] = Counter()
    served: dict[str, list[tuple[int, float]]] = {"health": [], "query": []}
    trickled = 0
    next_byte = started
    transport = httpx.HTTPTransport(local_address=VICTIM)
    with httpx.Client(base_url=target.base, timeout=within, transport=transport) as http:
        while time.monotonic() - started < within and len(cut) < len(connections):
            if trickle not in cut and time.monotonic() >= next_byte and trickled < len(body):
                try:
                    trickle.send(body[trickled : trickled + 1])
                    trickled += 1
                except OSError:
                    cut[trickle] = time.monotonic() - started
                next_byte += 1
            for key, _ in selector.select(timeout=0.2):
                connection = key.fileobj
                assert isinstance(connection, socket.socket)
                answer = b""
                with contextlib.suppress(OSError):
                    answer = connection.recv(4096)
                answers[answer[9:12].decode() or "closed"] += 1
                cut[connection] = time.monotonic() - started
                selector.unregister(connection)
            for what, path, parameters in (
                ("health", target.health_path, {}),
                ("query", target.query_path, {"query": f"{CHEAP} #{time.time()}"}),
            ):
                asked = time.monotonic()
                try:
                    status = http.get(path, params=parameters).status_code
                except httpx.HTTPError:
                    status = 0
                served[what].append((status, time.monotonic() - asked))
    for connection in connections:
        connection.close()
    stalled_cut = [t for c, t in cut.items() if c is not trickle]
    figures = {
        "stalled bodies cut": f"{len(stalled_cut)} of {STALLED}"
        + (f", the last after {max(stalled_cut):.1f} s" if stalled_cut else ""),
        "stalled answers": ", ".join(f"{n}x {s}" for s, n in sorted(answers.items())),
        "trickled body": (f"cut after {cut[trickle]:.1f} s ({trickled} bytes)" if trickle in cut
                          else f"not cut in {within:.0f} s"),
    }
    for what, results in served.items():
        failed = sum(status != 200 for status, _ in results)
        slowest = max((took for _, took in results), default=0.0)
        figures[f"{what} during attack"] = (f"{len(results) - failed} of {len(results)} answered, "
                                            f"max {slowest * 1000:.0f} ms")
    return figures


def head_bombs(target: Target) -> dict[str, str]:
    """Heads of 75,000 fields and of one 1 MB field: the answer, and how long it took."""
    host, port = target.base.removeprefix("http://").split(":")
    figures = {}
    for name, fields in (("75,000 header fields", b"X-A: 1\r\n" * 75_000),
                         ("one 1 MB header field", b"X-Big: " + b"a" * 1_000_000 + b"\r\n")):
        started = time.monotonic()
        with socket.create_connection((host, int(port)), timeout=30) as connection:
            with contextlib.suppress(OSError):  # refused before all was sent
                connection.sendall(f"GET {target.health_path} HTTP/1.1\r\nHost: x\r\n"
                                   "Connection: close\r\n".encode() + fields + b"\r\n")
            answer = b""
            with contextlib.suppress(OSError):
                while chunk := connection.recv(65536):
                    answer += chunk
        status = answer.split(b"\r\n", 1)[0].decode(errors="replace") or "closed, no answer"
        figures[name] = f"{status} in {(time.monotonic() - started) * 1000:.0f} ms"
    return figures


async def documents_loop(target: Target, seconds: float) -> dict[str, str]:
    """3 clients loop on the largest documents; the health check's latency meanwhile."""
    fetched = 0
    readers = [client(target, f"127.0.0.{31 + n}") for n in range(3)]
    until = time.monotonic() + seconds

    async def reader(n: int) -> None:
        nonlocal fetched
        async with readers[n] as http:
            while time.monotonic() < until:
                path = target.documents[(fetched + n) % len(target.documents)]
                await http.get(path, headers={"Accept": "application/n-quads"})
                fetched += 1

    tasks = [asyncio.create_task(reader(n)) for n in range(3)]
    latencies = []
    await asyncio.sleep(1)
    with httpx.Client(base_url=target.base, timeout=30) as http:
        while time.monotonic() < until:
            started = time.monotonic()
            await asyncio.to_thread(target.health, http)
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.1)
    await asyncio.gather(*tasks)
    return {
        "health p50 (3 readers)": f"{statistics.median(latencies) * 1000:.0f} ms",
        "health max (3 readers)": f"{max(latencies) * 1000:.0f} ms",
        "documents fetched": str(fetched),
    }


async def memory_bombs(target: Target, seconds: float) -> dict[str, str]:
    """Each bomb sent twice at once; the peak resident memory of the server's processes."""
    before = target.resident_bytes()
    peak = before
    statuses: Counter[str] = Counter()

    async def bomb(query: str, n: int) -> None:
        async with client(target, f"127.0.0.{41 + n}", timeout=seconds) as http:
            try:
                response = await http.get(target.query_path, params={"query": query})
                statuses[str(response.status_code)] += 1
            except httpx.HTTPError:
                statuses["cut"] += 1

    tasks = [asyncio.create_task(bomb(q, n)) for n, q in enumerate(MEMORY_BOMBS * 2)]
    killed = False
    while not all(task.done() for task in tasks):
        peak = max(peak, target.resident_bytes())
        if peak > MEMORY_CAP and not killed:
            target.server.stop()
            killed = True
        await asyncio.sleep(0.1)
    return {
        "resident before": f"{before / MIB:.0f} MiB",
        "resident peak": f"{peak / MIB:.0f} MiB"
        + (f" (killed past {MEMORY_CAP / MIB:.0f} MiB)" if killed else ""),
        "bomb answers": ", ".join(f"{n}x {s}" for s, n in sorted(statuses.items())),
    }


def attack_all(target: Target, seconds: float) -> dict[str, str]:
    figures: dict[str, str] = {}
    runaways = {
        "8 runaway, 1 client": ["127.0.0.11"] * 8,
        "4 clients x 2 runaway": [f"127.0.0.{21 + n}" for n in range(4)] * 2,
        "16 new clients x 1 runaway": [f"127.0.0.{31 + n}" for n in range(16)],
    }
    for name, addresses in runaways.items():
        for key, value in asyncio.run(runaway_attack(target, addresses, seconds)).items():
            figures[f"{name}: {key}"] = value
        time.sleep(ATTACK_TIMEOUT_SECONDS + 2)  # the runaway queries end by the timeout
    for name, addresses in (("1 address", ["127.0.0.1"]),
                            ("13 addresses", [f"127.0.0.{100 + n}" for n in range(13)])):
        for key, value in stalled_bodies(target, addresses).items():
            figures[f"stalled from {name}: {key}"] = value
    figures.update(head_bombs(target))
    figures.update(asyncio.run(documents_loop(target, seconds)))
    figures.update(asyncio.run(memory_bombs(target, 40)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of each timed attack")
    arguments = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="iacai-attacks-") as folder:
        for start in (start_iacai, start_oxigraph):
            target = start(Path(folder))
            try:
                results[target.server.name] = attack_all(target, arguments.seconds)
            finally:
                target.server.stop()
    names = list(results)
    print(f"| attack ({arguments.seconds:g} s each) | " + " | ".join(names) + " |")
    print("| --- |" + " --- |" * len(names))
    for key in results[names[0]]:
        print(f"| {key} | " + " | ".join(results[n].get(key, "") for n in names) + " |")


if __name__ == "__main__":
    main()
