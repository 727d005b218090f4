"""Hostile requests and hostile data: no outbound request, no traversal, no markup run, limits hold.

The outbound test listens on another loopback address (127.0.0.2, else another port of
127.0.0.1) and serves data that names that listener (owl:imports, rdfs:seeAlso), then sends every
request that could make the service fetch something: federated SERVICE, LOAD, FROM, dataset
parameters, DESCRIBE, JSON-LD answers and dumps. The listener must never see a connection.
"""

# ruff: noqa: S608 (SPARQL built from strings on purpose: these queries are the attack)
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from clean_answers import assert_clean
from service_process import (
    CHALLENGES,
    CONCURRENCY,
    KEEP_ALIVE,
    STOPPED_CLEANLY,
    ServiceProcess,
    start,
)

from federated_forms import written_forms
from iacai import resources
from iacai.service.settings import Settings

SCRIPT_LABEL = "<script>alert('label')</script></script><script>alert(2)</script>"


class Listener:
    """A TCP listener that records every connection made to it."""

    def __init__(self) -> None:
        self.socket = socket.socket()
        try:
            self.socket.bind(("127.0.0.2", 0))
        except OSError:  # no second loopback address here: another port of 127.0.0.1
            self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        host, port = self.socket.getsockname()
        self.base = f"http://{host}:{port}"
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, peer = self.socket.accept()
            except TimeoutError:
                continue
            self.connections.append(peer)
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self.socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    watching = Listener()
    yield watching
    watching.close()


@pytest.fixture(scope="module")
def hostile(
    listener: Listener, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServiceProcess]:
    """The service over data that carries markup and names the listener."""
    data = tmp_path_factory.mktemp("hostile-data")
    for path in resources.data_dir().glob("*.ttl"):
        shutil.copy(path, data / path.name)
    with (data / "table-3.ttl").open("a", encoding="utf-8") as table:
        label = SCRIPT_LABEL.replace("'", "\\'")
        table.write(
            f"\n<https://w3id.org/iacai/id/challenge/transparency>\n"
            f"    <http://www.w3.org/2000/01/rdf-schema#comment> '{label}'@en ;\n"
            f"    <http://www.w3.org/2000/01/rdf-schema#seeAlso> <{listener.base}/see-also> .\n"
            f"<https://w3id.org/iacai/ontology> <http://www.w3.org/2002/07/owl#imports>\n"
            f"    <{listener.base}/imported-ontology> .\n"
        )
    service = start(environment={"IACAI_DATA_DIR": str(data), "IACAI_QUERY_TIMEOUT": "2"})
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()


def outbound_requests(base: str) -> list[tuple[str, str, dict[str, str]]]:
    """(path, query, more parameters) for every way a request could name the listener."""
    iri = f"<{base}/sparql>"
    return [
        ("/sparql", f"SELECT * WHERE {{ SERVICE {iri} {{ ?s ?p ?o }} }}", {}),
        ("/sparql", f"SELECT * WHERE {{ SERVICE SILENT {iri} {{ ?s ?p ?o }} }}", {}),
        ("/sparql", f"PREFIX x: <{base}/> SELECT * {{ SERVICE x:sparql {{ ?s ?p ?o }} }}", {}),
        ("/sparql", f"SELECT * WHERE {{ BIND({iri} AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}", {}),
        ("/sparql", f"LOAD {iri}", {}),
        ("/sparql", f"LOAD SILENT {iri} INTO GRAPH <urn:g>", {}),
        ("/sparql", f"SELECT * FROM {iri} WHERE {{ ?s ?p ?o }} LIMIT 1", {}),
        ("/sparql", f"SELECT * FROM NAMED {iri} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
        ("/sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1", {"default-graph-uri": f"{base}/g"}),
        ("/sparql", "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", {"named-graph-uri": f"{base}/g"}),
        ("/sparql", f"DESCRIBE {iri}", {"format": "jsonld"}),
        ("/sparql", f"CONSTRUCT {{ {iri} <{base}/p> <{base}/context.jsonld> }} WHERE {{}}",
         {"format": "jsonld"}),
        ("/sparql", "DESCRIBE <https://w3id.org/iacai/id/challenge/transparency>",
         {"format": "jsonld"}),
        ("/sparql", "CONSTRUCT WHERE { ?s <http://www.w3.org/2002/07/owl#imports> ?o }",
         {"format": "rdfxml"}),
        ("/sparql", f'SELECT (IRI("{base}/x") AS ?i) WHERE {{}}', {}),
        *(("/sparql", query, {}) for query in written_forms(base).values()),
    ]  # fmt: skip


DEREFERENCED = [
    "/id/challenge/transparency.jsonld",
    "/id/challenge/transparency.html",
    "/id/challenge/transparency.ttl",
    "/ontology.jsonld",
    "/ontology.html",
    "/graph/table-3.jsonld",
    "/dumps/iacai.jsonld",
    "/.well-known/void",
    "/sparql?format=jsonld",
    "/",
]


def test_no_request_makes_the_service_connect_anywhere(
    hostile: ServiceProcess, listener: Listener
) -> None:
    with hostile.client() as http:
        for path, query, more in outbound_requests(listener.base):
            response = http.get(path, params={"query": query, **more})
            assert_clean(response)
            response = http.post(path, data={"query": query, **more})
            assert_clean(response)
        for path in DEREFERENCED:
            assert_clean(http.get(path))
    time.sleep(0.5)  # a connection attempt, if one were made, has long reached the listener
    assert listener.connections == [], "the service connected to the listener"
    with socket.create_connection(socket.getaddrinfo(*_host_port(listener.base), 0, 0, 6)[0][4]):
        pass
    deadline = time.monotonic() + 5
    while not listener.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(listener.connections) == 1, "the listener does not see connections: test broken"


def test_service_in_every_written_form_is_refused(
    hostile: ServiceProcess, listener: Listener
) -> None:
    before = len(listener.connections)
    with hostile.client() as http:
        for form, query in written_forms(listener.base).items():
            response = http.get("/sparql", params={"query": query})
            assert response.status_code == 400, (form, response.text)
            assert "SERVICE" in response.text, (form, response.text)
    time.sleep(0.5)
    assert len(listener.connections) == before


def test_query_workers_run_under_the_network_filter(hostile: ServiceProcess) -> None:
    """Each worker's kernel status shows the seccomp filter (mode 2) that forbids sockets."""
    deadline = time.monotonic() + 60  # replacements are forked in the background
    while True:
        workers = hostile.query_workers()
        statuses = [Path(f"/proc/{worker.pid}/status").read_text() for worker in workers]
        unfiltered = [s for s in statuses if "\nSeccomp:\t2\n" not in s]
        if not unfiltered or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert len(workers) >= Settings().query_workers
    assert unfiltered == []
    assert "runs unrestricted" not in hostile.messages()


CONNECT_FROM_SANDBOX = """
import socket, sys
from iacai.service.engine.sandbox import forbid_network
assert forbid_network() is None
ours, theirs = socket.socketpair()
ours.sendall(b"x")
assert theirs.recv(1) == b"x", "AF_UNIX must keep working"
for family, address in ((socket.AF_INET, (sys.argv[1], int(sys.argv[2]))),
                        (socket.AF_INET6, ("::1", int(sys.argv[2])))):
    try:
        socket.create_connection(address, timeout=2)
    except PermissionError:
        continue
    print("connected", family)
    sys.exit(1)
print("refused")
"""


def test_a_sandboxed_process_cannot_connect_out(listener: Listener) -> None:
    """The worker's filter, installed in a fresh process: even a query that got through the
    check could not reach the listener (nor anything else over IP)."""
    host, port = _host_port(listener.base)
    before = len(listener.connections)
    result = subprocess.run(
        [sys.executable, "-c", CONNECT_FROM_SANDBOX, host, str(port)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "refused"
    time.sleep(0.2)
    assert len(listener.connections) == before


def _host_port(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def test_markup_from_the_data_is_shown_not_run(hostile: ServiceProcess) -> None:
    with hostile.client() as http:
        page = http.get("/id/challenge/transparency.html")
    assert page.status_code == 200
    assert "<script>alert" not in page.text
    assert "</script><script>" not in page.text
    assert "alert(" in page.text, "the hostile comment should be shown (escaped)"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")


def test_markup_in_a_query_is_echoed_escaped(served: ServiceProcess) -> None:
    query = "SELECT * WHERE { ?s ?p '</textarea><script>alert(3)</script>' }"
    with served.client() as http:
        page = http.get("/sparql", params={"query": query}, headers={"Accept": "text/html"})
        plain = http.get(
            "/sparql", params={"query": query, "editor": "plain"}, headers={"Accept": "text/html"}
        )
        error = http.get("/id/<script>alert(4)</script>", headers={"Accept": "text/html"})
        named = http.get("/queries/<script>alert(5)</script>", headers={"Accept": "text/html"})
    assert page.status_code == plain.status_code == 200
    for echoed in (page.text, plain.text):
        assert "<script>alert(3)" not in echoed and "</textarea><script>" not in echoed
    assert "&lt;script&gt;alert(3)" in plain.text  # in the textarea, as HTML text
    assert "\\u003cscript\\u003ealert(3)" in page.text  # in YASGUI's JSON configuration
    for answer in (error, named):  # a browser's 404 is a page, the path in it escaped
        assert answer.status_code == 404
        assert answer.headers["content-type"].startswith("text/html")
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "<script>alert(" not in answer.text and "&lt;script&gt;alert(" in answer.text


SAMPLE_PATHS = [
    "/", "/sparql", "/sparql?query=ASK%7B%7D", "/sparql?query=SELEC", "/queries",
    "/queries/nothing", "/id/challenge/transparency", "/id/challenge/transparency.ttl",
    "/ontology.html", "/matrix", "/matrix.svg", "/dumps/iacai.nt", "/.well-known/void",
    "/healthz", "/openapi.json", "/docs", "/static/swagger/swagger-ui.css", "/no/such/path",
    "/context.jsonld",
]  # fmt: skip


@pytest.mark.parametrize("path", SAMPLE_PATHS)
def test_every_answer_carries_the_security_headers(served: ServiceProcess, path: str) -> None:
    with served.client() as http:
        response = http.get(path)
        posted = http.post(path, content=b"ASK {}", headers={"Content-Type": "text/plain"})
    for answer in (response, posted):
        assert "default-src" in answer.headers["content-security-policy"]
        assert "frame-ancestors" in answer.headers["content-security-policy"]
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert answer.headers["x-frame-options"] == "SAMEORIGIN"
        assert_clean(answer)


@pytest.mark.parametrize("path", ["/matrix", "/docs", "/sparql", "/matrix.svg"])
def test_a_304_leaves_the_page_its_own_policy(served: ServiceProcess, path: str) -> None:
    """A browser lays a 304's headers over the page it keeps: a policy there would replace the
    page's. With the data policy's sandbox, a revisited /docs, /matrix or YASGUI ran no script
    and loaded no style (Swagger UI never rendered in the second browser test that opened it)."""
    with served.client() as http:
        first = http.get(path, headers={"Accept": "text/html"})
        held = {"Accept": "text/html", "If-None-Match": first.headers["etag"]}
        again = http.get(path, headers=held)
    assert first.status_code == 200 and "sandbox" not in first.headers["content-security-policy"]
    assert again.status_code == 304
    assert "content-security-policy" not in again.headers
    assert again.headers["x-content-type-options"] == "nosniff"


TRAVERSALS = [
    "/queries/../../pyproject.toml", "/queries/..%2f..%2fpyproject.toml",
    "/queries/%2e%2e%2f%2e%2e%2fpyproject.toml", "/queries/%2fetc%2fpasswd",
    "/queries//etc/passwd", "/dumps/../../pyproject.toml", "/dumps/..%2f..%2fpyproject.toml",
    "/dumps/%2e%2e%2fiacai.ttl", "/dumps/%2fetc%2fpasswd", "/dumps//etc/passwd",
    "/id/../../../etc/passwd", "/id/..%2f..%2f..%2fetc%2fpasswd", "/id/%2e%2e/%2e%2e/etc/passwd",
    "/id//etc/passwd.ttl", "/graph/..%2f..%2fpyproject.toml", "/ontology/../../etc/passwd",
    "/ontology%2f..%2f..%2fpyproject.toml", "/shapes/..%2f..%2fpyproject.toml",
    "/static/../../../pyproject.toml", "/static/..%2f..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/%2e%2e/pyproject.toml", "/static//etc/passwd",
    "/static/swagger/..%2f..%2f..%2f..%2fpyproject.toml", "//etc/passwd", "/..%2f..%2fetc/passwd",
]  # fmt: skip
SECRETS = ("root:x:0:0", "[build-system]", "[project]")


def raw_get(port: int, target: str) -> tuple[int, bytes]:
    """A GET sent byte for byte as written: no client normalises the `..` away."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(
            f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
        )
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer


@pytest.mark.parametrize("target", TRAVERSALS)
def test_no_path_traversal(served: ServiceProcess, target: str) -> None:
    status, answer = raw_get(served.port, target)
    assert status in (303, 400, 404), answer[:300]
    assert not any(secret.encode() in answer for secret in SECRETS)
    if status == 303:  # only ever to a document of the graph, never outside it
        location = next(
            line for line in answer.split(b"\r\n") if line.lower().startswith(b"location:")
        )
        assert b".." not in location and b"%2e" not in location.lower()


def test_request_head_over_the_limit_is_refused(served: ServiceProcess) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 500_000)
        answer = connection.recv(200)
    assert answer.startswith(b"HTTP/1.1 431"), answer
    assert served.count_challenges() == CHALLENGES


def test_body_over_the_limit_is_413(served: ServiceProcess) -> None:
    with served.client() as http:
        response = http.post(
            "/sparql",
            content=b"ASK {} #" + b"x" * 200_000,
            headers={"Content-Type": "application/sparql-query"},
        )
    assert response.status_code == 413 and "larger than" in response.text


@pytest.mark.parametrize("sends", [b"", b"GET /healthz HTTP/1.1\r\nHo"])
def test_idle_and_slow_clients_are_disconnected(served: ServiceProcess, sends: bytes) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=KEEP_ALIVE + 5) as slow:
        slow.sendall(sends)
        started = time.monotonic()
        assert slow.recv(100) == b"", "the server answered an incomplete request"
        assert time.monotonic() - started < KEEP_ALIVE + 3


def test_idle_connections_take_no_work_slot(served: ServiceProcess) -> None:
    """As many idle connections as there are work slots: a request is still answered (requests
    beyond the slots are refused with 503: test_connection_bounds.py)."""
    idle = [socket.create_connection(("127.0.0.1", served.port)) for _ in range(CONCURRENCY)]
    try:
        status, answer = raw_get(served.port, "/healthz")
    finally:
        for connection in idle:
            connection.close()
    assert status == 200, answer[:200]
    assert served.count_challenges() == CHALLENGES
