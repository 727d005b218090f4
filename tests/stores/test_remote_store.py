"""The remote store for real: Virtuoso 7 loaded with `iacai load`, down, slow, and back again."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
from live_service import RunningService, free_port, serve_in_thread
from rdflib import Dataset

from iacai.service.settings import Settings
from iacai.snapshot import snapshot_of
from iacai.stores.loading import triples_by_graph
from iacai.stores.remote import RemoteStore, RemoteStoreError
from store_backends import VIRTUOSO_CREDENTIALS, Virtuoso

COUNT_CHALLENGES = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/iacai/ontology#Challenge> }"
)
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def counts_printed(loaded: subprocess.CompletedProcess[str]) -> dict[str, int]:
    assert loaded.returncode == 0, loaded.stderr
    return {line.split("\t")[1]: int(line.split("\t")[0]) for line in loaded.stdout.splitlines()}


@pytest.fixture(scope="module")
def expected_counts(shipped_dataset: Dataset) -> dict[str, int]:
    nquads = snapshot_of(shipped_dataset, "test").nquads
    return {name: len(set(triples)) for name, triples in triples_by_graph(nquads).items()}


def test_loading_twice_leaves_the_same_counts(
    virtuoso: Virtuoso, expected_counts: dict[str, int]
) -> None:
    first = counts_printed(virtuoso.load("--graph-store", virtuoso.graph_store_url))
    second = counts_printed(virtuoso.load("--graph-store", virtuoso.graph_store_url))
    assert first == second == expected_counts


def test_loading_through_sparql_update_gives_the_same_counts(
    virtuoso: Virtuoso, expected_counts: dict[str, int]
) -> None:
    through_update = counts_printed(virtuoso.load("--update", virtuoso.update_url))
    assert through_update == expected_counts
    again = counts_printed(virtuoso.load("--graph-store", virtuoso.graph_store_url))
    assert again == expected_counts


def test_loading_without_credentials_fails_clearly(virtuoso: Virtuoso) -> None:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("IACAI_REMOTE_")}
    loaded = subprocess.run(
        [sys.executable, "-m", "iacai.cli", "load", "--into", virtuoso.sparql_url,
         "--graph-store", virtuoso.graph_store_url],
        env=environment, capture_output=True, text=True, timeout=300,
    )
    assert loaded.returncode == 1
    assert "401" in loaded.stderr
    assert "Traceback" not in loaded.stderr


def test_serve_refuses_a_store_that_does_not_hold_the_graph(tmp_path_factory) -> None:
    empty = Virtuoso(tmp_path_factory.mktemp("empty-virtuoso"), free_port(), free_port())
    empty.start_fresh()
    try:
        served = subprocess.run(
            [sys.executable, "-m", "iacai.cli", "serve", "--store", empty.sparql_url,
             "--port", str(free_port())],
            capture_output=True, text=True, timeout=300,
        )
    finally:
        empty.stop()
    assert served.returncode == 1
    assert "0 triples, expected" in served.stderr
    assert f"iacai load --into {empty.sparql_url}" in served.stderr


@pytest.fixture(scope="module")
def remote_service(shipped_dataset: Dataset, virtuoso: Virtuoso) -> Iterator[RunningService]:
    settings = Settings(port=free_port(), query_workers=1, store=virtuoso.sparql_url,
                        cache_entries=0)  # the default timeout: a just-started store is slow
    yield from serve_in_thread(settings, shipped_dataset)


def test_a_stopped_store_gives_502_and_the_service_recovers_when_it_is_back(
    remote_service: RunningService, virtuoso: Virtuoso
) -> None:
    with remote_service.client() as http:
        assert http.get("/sparql", params={"query": COUNT_CHALLENGES}).status_code == 200
        virtuoso.stop()
        try:
            down = http.get("/sparql", params={"query": COUNT_CHALLENGES})
            assert down.status_code == 502, down.text
            assert "cannot be reached" in down.text
            page = http.get("/matrix")  # pages ask the store too, never a copy of the data
            assert page.status_code == 502, page.text
            assert http.get("/healthz").status_code == 200
        finally:
            virtuoso.restart()
        back = http.get("/sparql", params={"query": COUNT_CHALLENGES})
        assert back.status_code == 200, back.text
        assert back.json()["results"]["bindings"][0]["n"]["value"] == "15"


@pytest.fixture
def stalled_endpoint() -> Iterator[str]:
    """An endpoint that accepts connections and never answers: a store that is far too slow."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql"
    stop.set()
    thread.join(5)
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_store_too_slow_gives_504_within_the_timeout(
    shipped_dataset: Dataset, stalled_endpoint: str
) -> None:
    settings = Settings(port=free_port(), query_workers=1, store=stalled_endpoint,
                        query_timeout=1.0)
    app_services = serve_in_thread(settings, shipped_dataset)
    service = next(app_services)
    try:
        with service.client() as http:
            started = time.monotonic()
            slow = http.get("/sparql", params={"query": COUNT_CHALLENGES})
            took = time.monotonic() - started
        assert slow.status_code == 504, slow.text
        assert "did not answer within 1 s" in slow.text
        assert 1.0 <= took < 2.0
    finally:
        app_services.close()


def test_a_store_that_refuses_connections_gives_502(shipped_dataset: Dataset) -> None:
    settings = Settings(port=free_port(), query_workers=1,
                        store=f"http://127.0.0.1:{free_port()}/sparql")
    app_services = serve_in_thread(settings, shipped_dataset)
    service = next(app_services)
    try:
        with service.client() as http:
            refused = http.get("/sparql", params={"query": COUNT_CHALLENGES})
            health = http.get("/healthz")
        assert refused.status_code == 502, refused.text
        assert "cannot be reached" in refused.text
        assert health.status_code == 200
    finally:
        app_services.close()


def test_answers_are_normalised_as_documented(remote_service: RunningService) -> None:
    """Blank nodes get valid, stable labels; variables keep the embedded engine's order."""
    query = (
        "SELECT * WHERE { ?work <http://purl.org/ontology/bibo/authorList> ?list . "
        "?list <http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?first } LIMIT 3"
    )
    with remote_service.client() as http:
        first = http.get("/sparql", params={"query": query})
        second = http.get("/sparql", params={"query": query})
    assert first.status_code == 200, first.text
    assert first.content == second.content
    answer = first.json()
    assert answer["head"]["vars"] == ["first", "list", "work"]
    labels = [row["list"]["value"] for row in answer["results"]["bindings"]]
    assert labels and all(row["list"]["type"] == "bnode" for row in answer["results"]["bindings"])
    assert all(label.isalnum() and not label.startswith("nodeID") for label in labels)


BIAS = "https://w3id.org/iacai/id/challenge/bias"
RELABEL = """
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
DELETE {{ GRAPH <https://w3id.org/iacai/graph/table-1> {{ <{iri}> rdfs:label "{old}"@en }} }}
INSERT {{ GRAPH <https://w3id.org/iacai/graph/table-1> {{ <{iri}> rdfs:label "{new}"@en }} }}
WHERE {{ }}
"""


def relabel(virtuoso: Virtuoso, old: str, new: str) -> None:
    """Change the challenge's label in Virtuoso itself, by SPARQL Update, behind the service."""
    credentials = VIRTUOSO_CREDENTIALS.values()
    updated = httpx.post(
        virtuoso.update_url,
        data={"update": RELABEL.format(iri=BIAS, old=old, new=new)},
        auth=httpx.DigestAuth(*credentials),
        timeout=30,
    )
    assert updated.status_code == 200, updated.text


def test_pages_documents_and_sparql_show_what_the_store_holds_now(
    remote_service: RunningService, virtuoso: Virtuoso
) -> None:
    """A challenge relabelled in Virtuoso after `iacai load` reads the new label everywhere."""
    label_query = f"SELECT ?label WHERE {{ <{BIAS}> rdfs:label ?label }}"
    new = "Bias as relabelled in the store"
    with remote_service.client() as http:
        assert "<h1>Bias</h1>" in http.get("/id/challenge/bias.html").text
        relabel(virtuoso, "Bias", new)
        try:
            page = http.get("/id/challenge/bias.html")
            matrix = http.get("/matrix")
            turtle = http.get("/id/challenge/bias.ttl")
            answer = http.get("/sparql", params={"query": label_query})
        finally:
            relabel(virtuoso, new, "Bias")
    assert page.status_code == matrix.status_code == answer.status_code == 200
    assert f"<h1>{new}</h1>" in page.text
    assert f">{new}</a>" in matrix.text and ">Bias</a>" not in matrix.text
    assert f'"{new}"@en' in turtle.text
    assert [row["label"]["value"] for row in answer.json()["results"]["bindings"]] == [new]


@pytest.mark.parametrize(
    "path", ["/", "/matrix", "/citation-integrity", "/id/challenge/bias.html", "/id/table/3.html",
     "/id/benefit/resource-sharing.html", "/id/source/gupta-2023.html", "/search?q=gupta",
     "/sparql?format=nt"]
)
def test_pages_read_the_same_from_virtuoso_as_from_memory(
    remote_service: RunningService, shipped_service: RunningService, path: str
) -> None:
    """The internal queries (paths, subqueries, grouping by an unbound graph) mean the same."""
    pages = []
    for service in (remote_service, shipped_service):
        with service.client() as http:
            page = http.get(path)
        assert page.status_code == 200, page.text
        pages.append(page.text.replace(service.url, "SERVICE"))
    assert pages[0] == pages[1]


def test_the_store_is_told_to_stop_and_an_incomplete_answer_is_not_passed_on(
    virtuoso: Virtuoso, shipped_dataset: Dataset
) -> None:
    """Virtuoso stops a query at the `timeout` it is sent and marks the answer incomplete."""
    graphs = [str(graph.identifier) for graph in shipped_dataset.graphs() if len(graph)]
    store = RemoteStore(virtuoso.sparql_url, graphs, timeout=30.0, store_timeout=0.5)
    started = time.monotonic()
    with pytest.raises(RemoteStoreError) as refused:
        store.query(CROSS_PRODUCT, use_default_graph_as_union=True)
    store.close()
    assert refused.value.status == 504
    assert "incomplete answer" in refused.value.message
    assert time.monotonic() - started < 10  # stopped by the store, far before the 30 s wait
