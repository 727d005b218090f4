"""What the service says about one resource: the triples of its description and its framed JSON-LD.

A description holds the resource's own triples (with the blank nodes they lead to, such as an
author list), the triples that point at it, the full entry of every source it rests on or that
rests on it, and the labels of everything it names: a client can show it without a second request.
The JSON-LD view is the same triples as one tree rooted at the resource (linked nodes nested where
first reached, the nodes that point at it under `@reverse`), compacted with the project's context,
so the Turtle and the JSON-LD of a resource always say the same thing.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any, Final

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store, Triple, serialize

from iacai.jsonld_context import compact, expand_rdf
from iacai.namespaces import CONTEXT_IRI, IACAI
from iacai.stores.opening import memory_store

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


class ResourceIndex:
    """The served graph (the union of its named graphs), asked one resource at a time."""

    def __init__(self, nquads: bytes) -> None:
        self.store: Store = memory_store(nquads)
        self.description = lru_cache(maxsize=2048)(self._description)

    def has_subject(self, iri: str) -> bool:
        """Whether the graph says anything about this IRI (else the service answers 404).

        A path that makes no valid IRI (control characters, spaces) names nothing in the graph.
        """
        try:
            subject = NamedNode(iri)
        except ValueError:
            return False
        return next(iter(self.store.quads_for_pattern(subject, None, None)), None) is not None

    def triples_about(self, subject: NamedNode | BlankNode) -> list[Triple]:
        """The subject's own triples, once each although several graphs may hold them."""
        return sorted(
            {q.triple for q in self.store.quads_for_pattern(subject, None, None)}, key=str
        )

    def triples_to(self, target: NamedNode) -> list[Triple]:
        """The triples whose object is the target."""
        return sorted({q.triple for q in self.store.quads_for_pattern(None, None, target)}, key=str)

    def label(self, term: NamedNode) -> str | None:
        """The first label the graph gives the term, in the order of LABEL_PREDICATES."""
        for predicate in LABEL_PREDICATES:
            for quad in self.store.quads_for_pattern(term, predicate, None):
                return quad.object.value
        return None

    def _description(self, iri: str) -> tuple[Triple, ...]:
        root = NamedNode(iri)
        described: set[Triple] = set()
        self._add_closure(root, described)
        incoming = self.triples_to(root)
        described.update(incoming)
        for triple in incoming:
            if triple.predicate in _CITATION_LINKS | _SOURCE_LINKS:
                self._add_closure(triple.subject, described)
        for triple in [t for t in described if t.subject == root]:
            if triple.predicate in _SOURCE_LINKS | _CITATION_LINKS:
                self._add_closure(triple.object, described)
        named = {t.subject for t in described} | {
            t.object for t in described if t.predicate != RDF_TYPE
        }
        for node in named:
            if isinstance(node, NamedNode):
                for predicate in LABEL_PREDICATES:
                    described.update(
                        q.triple for q in self.store.quads_for_pattern(node, predicate, None)
                    )
        return tuple(sorted(described, key=str))

    def _add_closure(self, subject: Any, described: set[Triple]) -> None:
        """The subject's triples and, through blank nodes (an author list), theirs."""
        if not isinstance(subject, NamedNode | BlankNode):
            return
        for triple in self.triples_about(subject):
            if triple not in described:
                described.add(triple)
                if isinstance(triple.object, BlankNode):
                    self._add_closure(triple.object, described)


def framed_jsonld(iri: str, triples: Iterable[Triple]) -> dict[str, Any]:
    """The description as one JSON-LD tree rooted at `iri`, compacted with the project's context.

    The document refers to the context by its published IRI; the shipped copy is used here.
    """
    expanded = expand_rdf(serialize(list(triples), format=RdfFormat.N_TRIPLES).decode("utf-8"))
    tree = _nested(iri, {node["@id"]: node for node in expanded})
    return compact(tree, CONTEXT_IRI)


def compacted_jsonld(triples: Iterable[Triple]) -> dict[str, Any]:
    """Any set of triples (an ontology, a graph) as flat JSON-LD under the project's context."""
    ntriples = serialize(list(triples), format=RdfFormat.N_TRIPLES).decode("utf-8")
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
