"""Running SPARQL over the knowledge graph with pyoxigraph, the named graphs' union as default.

The same engine and dataset view as the service: an in-memory pyoxigraph Store filled from the
rdflib Dataset, queried with `use_default_graph_as_union=True` unless the query names its own
dataset (FROM, FROM NAMED), which pyoxigraph would otherwise ignore.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import overload

import pyoxigraph
from rdflib import BNode, Dataset, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import IdentifiedNode, Node

from iacai import query_lexer
from iacai.namespaces import PREFIXES

QueryResult = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
Substitutions = Mapping[pyoxigraph.Variable, pyoxigraph.NamedNode | pyoxigraph.Literal]


def store_from(dataset: Dataset) -> pyoxigraph.Store:
    """An in-memory Store holding every quad of the Dataset, each in its named graph."""
    store = pyoxigraph.Store()
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    store.bulk_load(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def run(
    store: pyoxigraph.Store, text: str, substitutions: Substitutions | None = None
) -> QueryResult:
    """Evaluate a query over the union of the named graphs (or its FROM), parameters bound as terms.

    Raises SyntaxError (with pyoxigraph's message, which names line and column) for a bad query.
    """
    return store.query(
        text,
        use_default_graph_as_union=not query_lexer.outline(text).declares_dataset,
        prefixes=dict(PREFIXES),
        substitutions=dict(substitutions or {}),
    )


@overload
def rdflib_term(term: pyoxigraph.NamedNode | pyoxigraph.BlankNode) -> IdentifiedNode: ...
@overload
def rdflib_term(term: object) -> Node: ...
def rdflib_term(term: object) -> Node:
    """The rdflib term for a pyoxigraph one, keeping blank-node labels."""
    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = URIRef(term.datatype.value)
        return Literal(term.value, datatype=None if datatype == XSD.string else datatype)
    raise TypeError(f"cannot convert the term {term!r} to rdflib")


def rdflib_triple(triple: pyoxigraph.Triple) -> tuple[Node, Node, Node]:
    """The rdflib triple for a pyoxigraph one."""
    subject, predicate, obj = (rdflib_term(term) for term in triple)
    return subject, predicate, obj
