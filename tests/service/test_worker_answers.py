"""What a query worker sends back, run in process on the shipped graph: answers cut at the byte
cap, and a failed federated call reported without the endpoint's own words.

The federated test starts a real HTTP endpoint on 127.0.0.1 that answers 500 with a secret in
its body, as an allowed SERVICE endpoint could.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator

import pytest
from pyoxigraph import Store

from iacai.namespaces import PREFIXES
from iacai.service.engine.worker import QueryAnswer, QueryJob, QueryRejected, WorkerSetup, execute

SECRET = b"internal-token-5f3a"
CAP = 1 << 20


@pytest.fixture(scope="module")
def store_and_setup(shipped_store: Store) -> tuple[Store, WorkerSetup]:
    """The shipped graph's store; the setup's data is not read by `execute`."""
    return shipped_store, WorkerSetup(b"", dict(PREFIXES), {}, max_answer_bytes=CAP)


@pytest.fixture(scope="module")
def failing_endpoint() -> Iterator[str]:
    """An HTTP endpoint that answers every request 500, its body holding a secret."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]

    def answer() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            with connection:
                connection.recv(65536)
                body = b"stack trace of the endpoint, " + SECRET
                connection.sendall(
                    b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n"
                    b"Content-Length: " + str(len(body)).encode() + b"\r\n"
                    b"Connection: close\r\n\r\n" + body
                )

    threading.Thread(target=answer, daemon=True).start()
    yield f"http://127.0.0.1:{port}/sparql"
    listener.close()


def test_a_failed_federated_call_does_not_repeat_the_endpoints_body(
    store_and_setup: tuple[Store, WorkerSetup], failing_endpoint: str
) -> None:
    store, setup = store_and_setup
    query = f"SELECT * WHERE {{ SERVICE <{failing_endpoint}> {{ ?s ?p ?o }} }}"
    reply = execute(store, QueryJob(query, "json", 100, federated=True), setup)
    assert isinstance(reply, QueryRejected)
    assert SECRET.decode() not in reply.message
    assert "(it answered 500)" in reply.message
    engine_said = execute(store, QueryJob(query, "json", 100), setup)
    assert isinstance(engine_said, QueryRejected)
    assert SECRET.decode() in engine_said.message, "the endpoint was not reached: test broken"


LARGE_ROWS = (  # the red team's answer: a 90 KB literal on each of 5000 rows
    'SELECT ?s ?big WHERE { ?s ?p ?o BIND("' + "x" * 90_000 + '" AS ?big) } LIMIT 5000'
)


@pytest.mark.parametrize("format_name", ["json", "xml", "csv", "tsv"])
def test_an_answer_is_cut_at_the_byte_cap(
    store_and_setup: tuple[Store, WorkerSetup], format_name: str
) -> None:
    store, setup = store_and_setup
    reply = execute(store, QueryJob(LARGE_ROWS, format_name, 10_000), setup)
    assert isinstance(reply, QueryAnswer)
    assert reply.truncated
    assert CAP // 2 < len(reply.body) <= CAP + 100_000, len(reply.body)


def test_graph_answers_are_cut_at_the_byte_cap_too(
    store_and_setup: tuple[Store, WorkerSetup],
) -> None:
    store, setup = store_and_setup
    query = (
        'CONSTRUCT { ?s <http://x/big> ?big } WHERE { ?s ?p ?o BIND(CONCAT(STR(?s), "'
        + "y" * 90_000
        + '") AS ?big) }'
    )
    reply = execute(store, QueryJob(query, "ntriples", 10_000), setup)
    assert isinstance(reply, QueryAnswer) and reply.truncated
    assert CAP // 2 < len(reply.body) <= CAP + 200_000, len(reply.body)


def test_an_answer_under_the_caps_is_whole(store_and_setup: tuple[Store, WorkerSetup]) -> None:
    store, setup = store_and_setup
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 2000"
    reply = execute(store, QueryJob(query, "json", 10_000), setup)
    assert isinstance(reply, QueryAnswer) and not reply.truncated
    assert len(json.loads(reply.body)["results"]["bindings"]) == 2000


def test_predeclared_prefixes_serve_where_the_query_declares_none(
    store_and_setup: tuple[Store, WorkerSetup],
) -> None:
    """The worker parses without the predeclared prefixes first: the outcome must not change."""
    store, setup = store_and_setup
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s a iacai:Challenge }"
    undeclared = execute(store, QueryJob(count, "csv", 10), setup)
    declaration = f"PREFIX iacai: <{PREFIXES['iacai']}>\n"
    declared = execute(store, QueryJob(declaration + count, "csv", 10), setup)
    assert isinstance(undeclared, QueryAnswer) and isinstance(declared, QueryAnswer)
    assert undeclared.body == declared.body and int(undeclared.body.split()[-1]) > 0
    elsewhere = "PREFIX iacai: <https://example.org/x#>\n"
    own = execute(store, QueryJob(elsewhere + count, "csv", 10), setup)
    assert isinstance(own, QueryAnswer) and own.body.split()[-1] == b"0"  # its own PREFIX wins
    unknown = execute(store, QueryJob(count.replace("iacai:", "nowhere:"), "csv", 10), setup)
    assert isinstance(unknown, QueryRejected) and unknown.syntax
