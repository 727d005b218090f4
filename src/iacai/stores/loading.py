"""Loading the knowledge graph into a remote SPARQL store: each named graph replaced, then counted.

Through the Graph Store Protocol (one PUT of N-Triples per named graph: the graph is replaced as
a whole) when the store offers it, else through SPARQL Update (DROP SILENT GRAPH, then INSERT
in batches; `INSERT {...} WHERE {}` rather than INSERT DATA, which Virtuoso refuses to take blank
nodes in). Either way a second load leaves the same triples as the first: loading is
idempotent. Afterwards every graph is counted in the store and compared with what was sent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import httpx
from pyoxigraph import BlankNode, RdfFormat, Triple, parse

from iacai.rdf_bytes import rdf_bytes
from iacai.stores.remote import RemoteStore, RemoteStoreError, credentials

BATCH_TRIPLES = 500
"""Triples per INSERT request (Virtuoso refuses an update that compiles to over 10,000 lines)."""
LOAD_TIMEOUT = 120.0


class LoadError(Exception):
    """The store refused the data, or holds other counts than were sent; the message says which."""


@dataclass(frozen=True)
class LoadTarget:
    """Where the graph goes: the query endpoint (for counting) and a way to write."""

    query_url: str
    graph_store_url: str | None = None
    update_url: str | None = None


def triples_by_graph(nquads: bytes) -> dict[str, list[Triple]]:
    """The N-Quads' triples, grouped by the named graph each is in."""
    graphs: dict[str, list[Triple]] = defaultdict(list)
    for quad in parse(nquads, format=RdfFormat.N_QUADS):
        graphs[quad.graph_name.value].append(quad.triple)
    return dict(graphs)


def load(
    target: LoadTarget, nquads: bytes, report: Callable[[str], None] = lambda _: None
) -> dict[str, int]:
    """Replace each named graph in the store, then check its count; the counts, by graph."""
    graphs = triples_by_graph(nquads)
    with httpx.Client(auth=credentials(), timeout=LOAD_TIMEOUT) as http:
        for name, triples in graphs.items():
            if target.graph_store_url:
                _put_graph(http, target.graph_store_url, name, triples)
            else:
                _update_graph(http, target.update_url or target.query_url, name, triples)
            report(f"{name}: {len(set(triples))} triples sent")
    expected = {name: len(set(triples)) for name, triples in graphs.items()}
    return verify(target.query_url, expected)


def verify(query_url: str, expected: dict[str, int]) -> dict[str, int]:
    """The store's count of each graph; LoadError unless every count is the expected one."""
    store = RemoteStore(query_url, tuple(expected), LOAD_TIMEOUT)
    try:
        found = store.graph_sizes(tuple(expected))
    except RemoteStoreError as error:
        raise LoadError(error.message) from None
    finally:
        store.close()
    wrong = [f"{name}: {found[name]} triples, expected {n}" for name, n in expected.items()
             if found[name] != n]
    if wrong:
        raise LoadError(f"the store at {query_url} holds other counts:\n" + "\n".join(wrong))
    return found


def _put_graph(http: httpx.Client, url: str, name: str, triples: Sequence[Triple]) -> None:
    body = rdf_bytes(triples, RdfFormat.N_TRIPLES)
    put = http.build_request(
        "PUT", url, params={"graph": name}, content=body,
        headers={"Content-Type": "application/n-triples"},
    )
    response = _sent(http, put)
    if response.status_code not in (200, 201, 204):
        raise LoadError(f"PUT {name} to {url}: {response.status_code} {response.text[:500]}")


def _update_graph(http: httpx.Client, url: str, name: str, triples: Sequence[Triple]) -> None:
    operations = [f"DROP SILENT GRAPH <{name}>"]
    for batch in _batches(triples):
        data = rdf_bytes(batch, RdfFormat.N_TRIPLES).decode()
        operations.append(f"INSERT {{ GRAPH <{name}> {{\n{data}}} }} WHERE {{}}")
    for operation in operations:
        response = _sent(http, http.build_request("POST", url, data={"update": operation}))
        if response.status_code not in (200, 204):
            raise LoadError(f"update of {name} at {url}: {response.status_code} "
                            f"{response.text[:500]}")


def _batches(triples: Sequence[Triple]) -> Iterator[list[Triple]]:
    """Batches of about BATCH_TRIPLES, never splitting the triples linked by a blank node.

    Blank-node labels only hold within one request, so an author list must arrive in one piece.
    """
    batch: list[Triple] = []
    for component in _blank_node_components(triples):
        if batch and len(batch) + len(component) > BATCH_TRIPLES:
            yield batch
            batch = []
        batch.extend(component)
    if batch:
        yield batch


def _blank_node_components(triples: Sequence[Triple]) -> list[list[Triple]]:
    """The triples grouped so that triples sharing a blank node are in one group."""
    parent: dict[BlankNode, BlankNode] = {}

    def root(node: BlankNode) -> BlankNode:
        while parent.setdefault(node, node) != node:
            node = parent[node]
        return node

    for triple in triples:
        nodes = [t for t in (triple.subject, triple.object) if isinstance(t, BlankNode)]
        if len(nodes) == 2:
            parent[root(nodes[0])] = root(nodes[1])
    groups: dict[object, list[Triple]] = defaultdict(list)
    for index, triple in enumerate(triples):
        nodes = [t for t in (triple.subject, triple.object) if isinstance(t, BlankNode)]
        groups[root(nodes[0]) if nodes else index].append(triple)
    return list(groups.values())


def _sent(http: httpx.Client, request: httpx.Request) -> httpx.Response:
    try:
        return http.send(request)
    except httpx.HTTPError as error:
        where = request.url.copy_with(query=None)
        raise LoadError(f"{request.method} {where}: {error or type(error).__name__}") from None
