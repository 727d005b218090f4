"""What the service says about one resource: the triples of its description and its framed JSON-LD.

A description holds the resource's own triples (with the blank nodes they lead to, such as an
author list), the triples that point at it, the full entry of every source it rests on or that
rests on it, and the labels of everything it names: a client can show it without a second request.
The JSON-LD view is the same triples as one tree rooted at the resource (linked nodes nested where
first reached, the nodes that point at it under `@reverse`), compacted with the project's context,
so the Turtle and the JSON-LD of a resource always say the same thing. Every triple comes from the
configured store, through the query workers (`queries/internal/`), as /sparql's answers do.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from pyoxigraph import NamedNode, RdfFormat, Triple

from iacai.jsonld_context import compact, expand_rdf
from iacai.namespaces import CONTEXT_IRI, IACAI
from iacai.rdf_bytes import rdf_bytes
from iacai.service.sparql.internal_queries import InternalQueries
from iacai.terms import compact as compact_iri

_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

LABEL_PREDICATES: Final = tuple(
    NamedNode(iri)
    for iri in (
        f"{_RDFS}label",
        "http://www.w3.org/2004/02/skos/core#prefLabel",
        "http://xmlns.com/foaf/0.1/name",
        "http://purl.org/dc/terms/title",
    )
)
"""What names a linked resource; each is copied into the description of whatever links to it."""

RDF_TYPE: Final = NamedNode(f"{_RDF}type")

_SOURCE_LINKS: Final = frozenset(
    NamedNode(str(IACAI[name]))
    for name in ("supportedBy", "citedSource", "resolvesTo", "possibleMatch", "possibleDuplicateOf")
)
"""Links to a work: the work's whole entry joins the description (a claim shows its reference)."""

_CITATION_LINKS: Final = frozenset(
    NamedNode(str(IACAI[name])) for name in ("citedSource", "resolvesTo", "citedAs", "hasIssue")
)
"""Links from or to a citation or issue: its text, place and status join the description."""


@dataclass(frozen=True)
class Description:
    """A resource's description, and the first label of every IRI it mentions (for its page)."""

    iri: str
    triples: tuple[Triple, ...]
    labels: Mapping[str, str]

    @property
    def title(self) -> str | None:
        return self.labels.get(self.iri)

    @property
    def name(self) -> str:
        """What a page calls the resource: its label, or its compact IRI when it has none."""
        return self.title or compact_iri(self.iri)


async def has_subject(queries: InternalQueries, iri: str) -> bool:
    """Whether the store says anything about this IRI (else the service answers 404).

    A path that makes no valid IRI (control characters, spaces) names nothing in the graph.
    """
    try:
        subject = NamedNode(iri)
    except ValueError:
        return False
    return bool(await queries.select("resource-exists", resource=subject))


async def is_mentioned(queries: InternalQueries, term: NamedNode) -> bool:
    """Whether the store has the term as a subject or an object (`/describe` answers 404 else)."""
    return bool(await queries.select("resource-mentioned", resource=term))


async def describe(queries: InternalQueries, iri: str) -> Description:
    """The resource's description, asked of the store in three queries.

    What points at the resource and its links to works and citations come first; the entries
    they reach (and its own) next; then the names of everything the description mentions.
    """
    root = NamedNode(iri)
    links = await queries.construct("resource-links", resource=root)
    entries = {root}
    for triple in links:
        if triple.predicate in _CITATION_LINKS | _SOURCE_LINKS:
            linked = triple.subject if triple.object == root else triple.object
            if isinstance(linked, NamedNode):
                entries.add(linked)
    described = {t for t in links if t.object == root}
    described.update(await queries.construct("entry-triples", entry=entries))
    named = {t.subject for t in described} | {
        t.object for t in described if t.predicate != RDF_TYPE
    }
    mentioned = named | {t.predicate for t in described} | {t.object for t in described} | {root}
    label_rows = await queries.select(
        "labels", term=[term for term in mentioned if isinstance(term, NamedNode)]
    )
    described.update(
        Triple(row["term"], row["predicate"], row["label"])
        for row in label_rows
        if row["term"] in named
    )
    return Description(iri, tuple(sorted(described, key=str)), first_labels(label_rows))


async def labels_of(queries: InternalQueries, terms: Iterable[NamedNode]) -> dict[str, str]:
    """The first label of each term that has one (in the order of LABEL_PREDICATES)."""
    return first_labels(await queries.select("labels", term=terms))


def first_labels(rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """From rows of `labels.rq`: each term's label by the first predicate that names it."""
    rank = {predicate: position for position, predicate in enumerate(LABEL_PREDICATES)}
    best: dict[str, tuple[int, str]] = {}
    for row in rows:
        candidate = (rank[row["predicate"]], row["label"].value)
        term = row["term"].value
        if term not in best or candidate < best[term]:
            best[term] = candidate
    return {term: label for term, (_, label) in best.items()}


async def graph_triples(queries: InternalQueries, graph: str) -> list[Triple]:
    """The contents of one named graph, as the store holds them."""
    return await queries.construct("graph-triples", graph=NamedNode(graph))


def framed_jsonld(iri: str, triples: Iterable[Triple]) -> dict[str, Any]:
    """The description as one JSON-LD tree rooted at `iri`, compacted with the project's context.

    The document refers to the context by its published IRI; the shipped copy is used here.
    """
    expanded = expand_rdf(rdf_bytes(list(triples), RdfFormat.N_TRIPLES).decode("utf-8"))
    tree = _nested(iri, {node["@id"]: node for node in expanded})
    return compact(tree, CONTEXT_IRI)


def compacted_jsonld(triples: Iterable[Triple]) -> dict[str, Any]:
    """Any set of triples (an ontology, a graph) as flat JSON-LD under the project's context."""
    ntriples = rdf_bytes(list(triples), RdfFormat.N_TRIPLES).decode("utf-8")
    return compact(expand_rdf(ntriples), CONTEXT_IRI)


def jsonld_bytes(document: Mapping[str, Any]) -> bytes:
    """A JSON-LD document as the service writes it: UTF-8, indented."""
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _nested(root_id: str, nodes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Expanded node objects as one tree: each node nested once, where breadth-first finds it.

    Nodes that only point at the root go under its `@reverse`; anything still unplaced (nothing,
    for the descriptions above, but a tree must never lose a triple) under `@included`.
    """
    root = nodes.get(root_id, {"@id": root_id})  # a resource only pointed at has no node
    placed = {root_id}
    queue: deque[dict[str, Any]] = deque([root])
    _embed_from(queue, nodes, placed)
    reverse: dict[str, list[dict[str, Any]]] = {}
    for node_id, node in nodes.items():
        if node_id in placed:
            continue
        link = _property_pointing_at(node, root_id)
        if link is None:
            continue
        node[link] = [v for v in node[link] if v != {"@id": root_id}]
        if not node[link]:
            del node[link]
        reverse.setdefault(link, []).append(node)
        placed.add(node_id)
        queue.append(node)
    _embed_from(queue, nodes, placed)
    if reverse:
        root["@reverse"] = reverse
    leftovers = [node for node_id, node in nodes.items() if node_id not in placed]
    if leftovers:
        root["@included"] = leftovers
    return root


def _embed_from(
    queue: deque[dict[str, Any]], nodes: dict[str, dict[str, Any]], placed: set[str]
) -> None:
    while queue:
        node = queue.popleft()
        for key in sorted(node):
            if key.startswith("@"):
                continue
            node[key] = [_embedded(value, queue, nodes, placed) for value in node[key]]


def _embedded(
    value: Any, queue: deque[dict[str, Any]], nodes: dict[str, dict[str, Any]], placed: set[str]
) -> Any:
    if isinstance(value, dict) and "@list" in value:
        return {"@list": [_embedded(item, queue, nodes, placed) for item in value["@list"]]}
    if isinstance(value, dict) and set(value) == {"@id"}:
        target = value["@id"]
        if target in nodes and target not in placed:
            placed.add(target)
            queue.append(nodes[target])
            return nodes[target]
    return value


def _property_pointing_at(node: Mapping[str, Any], target: str) -> str | None:
    for key in sorted(node):
        if not key.startswith("@") and {"@id": target} in node[key]:
            return key
    return None

