"""The query mix: every named query of `queries/` with real parameter values, and typical lookups,
each sent over and over; and the distinct-text workloads, whose every request is a text not sent
before (as users vary a query's parameters), so no answer cache can hit.

Every server gets the same query text. A named query's parameters are bound by a `VALUES` block at
the top of its WHERE clause, which every SPARQL 1.1 engine understands (the service's own
`/queries/{name}` binding is not part of the SPARQL protocol, so the peers could not take it).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Literal

import pyoxigraph

from bench.load import LoadJob
from iacai.named_queries import NamedQuery, QueryParameter, catalogue
from iacai.namespaces import IACAI, PREFIXES

QueryForm = Literal["select", "ask", "construct"]

RESULT_MEDIA_TYPES: dict[QueryForm, str] = {
    "select": "application/sparql-results+json",
    "ask": "application/sparql-results+json",
    "construct": "text/turtle",
}
"""What the benchmark asks each server for: the formats every peer speaks."""


@dataclass(frozen=True)
class MixQuery:
    """One query of the mix: what to send, what kind of answer it gives, whether order matters."""

    name: str
    text: str
    form: QueryForm
    ordered: bool
    order_keys: tuple[str, ...] = ()
    """The variables of ORDER BY, when it sorts by plain variables only (else empty)."""
    variants: tuple[str, ...] = ()
    """For a distinct-text workload, every text to send, each once and in turn (`text` is the
    first, the one whose answers are compared); empty for a query sent over and over."""

    @property
    def accept(self) -> str:
        return RESULT_MEDIA_TYPES[self.form]

    def texts_of_cell(self, cell: int, cells: int) -> tuple[str, ...]:
        """The variants one of `cells` cells sends (each round and client count is a cell): a
        slice of its own, so that no server is sent a text twice (iacai-cached would answer it
        from its cache, Virtuoso from its compiled-query cache). Empty for a repeated query."""
        if not self.variants:
            return ()
        size = len(self.variants) // cells
        if size <= LoadJob.warmup_requests:  # none would be left to measure
            raise ValueError(f"{self.name}: {len(self.variants)} texts are too few for {cells} "
                             "cells")
        return self.variants[cell * size : (cell + 1) * size]


_PROLOGUE = "\n".join(f"PREFIX {prefix}: <{iri}>" for prefix, iri in PREFIXES.items()
                      if prefix in ("iacai", "rdfs"))

_LOOKUPS: dict[str, str] = {
    "lookup-neighbourhood": """
CONSTRUCT { <{iri}> ?property ?value . ?subject ?inverse <{iri}> }
WHERE { { <{iri}> ?property ?value } UNION { ?subject ?inverse <{iri}> } }
""",
    "lookup-label-search": """
SELECT ?resource ?label
WHERE { ?resource rdfs:label ?label . FILTER(CONTAINS(LCASE(STR(?label)), "data")) }
""",
    "lookup-count-by-category": """
SELECT ?category (COUNT(?challenge) AS ?challenges)
WHERE { ?challenge a iacai:Challenge ; iacai:hasCategory ?category }
GROUP BY ?category
""",
    "lookup-unaddressed-challenges": """
SELECT ?challenge ?label
WHERE {
  ?challenge a iacai:Challenge ; rdfs:label ?label .
  FILTER NOT EXISTS { ?benefit iacai:addresses ?challenge }
}
""",
}
"""Lookups a linked-data client sends all day; `{iri}` is a challenge of the data."""

_WHERE_BRACE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_ORDER_BY = re.compile(r"\bORDER\s+BY\b(?P<keys>[^{}]*?)(?:\bLIMIT\b|\bOFFSET\b|\bVALUES\b|$)",
                       re.IGNORECASE | re.DOTALL)
_ORDER_KEY = re.compile(r"(?:ASC|DESC)?\s*\(\s*\?(\w+)\s*\)|\?(\w+)", re.IGNORECASE)
_EXAMPLE = re.compile(r"\be\.g\.\s+(\S+)")


def query_mix(store: pyoxigraph.Store) -> list[MixQuery]:
    """The named queries and the lookups, each checked to run on the store holding the data."""
    texts = {name: bound_text(query, store) for name, query in catalogue().items()}
    challenge = _first_instance(store, str(IACAI.Challenge))
    for name, lookup in _LOOKUPS.items():
        texts[name] = _PROLOGUE + lookup.replace("{iri}", challenge)
    return [_mix_query(name, text, store) for name, text in texts.items()]


def distinct_workloads(store: pyoxigraph.Store, count: int) -> list[MixQuery]:
    """Each distinct-text workload with `count` different texts (one per request it may send),
    or as many as its family has when fewer: a paged list has only so many pages (2,760), and
    the run shares the texts out among its cells."""
    workloads = []
    for name, family in _DISTINCT_FAMILIES.items():
        texts = tuple(dict.fromkeys(_PROLOGUE + "\n" + text for text in family(store)))[:count]
        first = _mix_query(name, texts[0], store)
        workloads.append(MixQuery(first.name, first.text, first.form, first.ordered,
                                  first.order_keys, texts))
    return workloads


def _resource_pages(store: pyoxigraph.Store) -> Iterator[str]:
    """A challenge's or benefit's description, a page of it at a time (as a resource page asks)."""
    resources = _instances(store, str(IACAI.Challenge)) + _instances(store, str(IACAI.Benefit))
    for offset, limit in itertools.product(range(4), range(64, 4, -1)):
        for iri in resources:
            yield (f"SELECT ?property ?value WHERE {{ <{iri}> ?property ?value }}\n"
                   f"ORDER BY ?property ?value LIMIT {limit} OFFSET {offset}")


def _label_searches(store: pyoxigraph.Store) -> Iterator[str]:
    """A label search for each word the labels hold, with the page sizes a search box asks for."""
    words = sorted({word for label in _labels(store) for word in re.findall(r"[a-z]{4,}", label)})
    for limit in range(50, 4, -1):
        for word in words:
            yield (f"SELECT ?resource ?label WHERE {{ ?resource rdfs:label ?label .\n"
                   f'  FILTER(CONTAINS(LCASE(STR(?label)), "{word}")) }}\n'
                   f"ORDER BY ?label ?resource LIMIT {limit}")


def _paged_lists(store: pyoxigraph.Store) -> Iterator[str]:
    """Paging through the challenges, benefits and sources by label, as a listing page does."""
    classes = ("Challenge", "Benefit", "Source")
    for limit, offset, name in itertools.product(range(50, 4, -1), range(20), classes):
        yield (f"SELECT ?resource ?label WHERE {{ ?resource a iacai:{name} ; rdfs:label ?label }}"
               f"\nORDER BY ?label ?resource LIMIT {limit} OFFSET {offset}")


_DISTINCT_FAMILIES: dict[str, Callable[[pyoxigraph.Store], Iterator[str]]] = {
    "distinct-resource-page": _resource_pages,
    "distinct-label-search": _label_searches,
    "distinct-paged-list": _paged_lists,
}
"""The distinct-text workloads by name: each gives an endless-enough stream of new texts."""


def _instances(store: pyoxigraph.Store, class_iri: str) -> list[str]:
    solutions = store.query(f"SELECT ?instance WHERE {{ ?instance a <{class_iri}> }} "
                            "ORDER BY ?instance", use_default_graph_as_union=True)
    return [solution["instance"].value for solution in solutions]


def _labels(store: pyoxigraph.Store) -> list[str]:
    solutions = store.query("SELECT ?label WHERE { ?resource <http://www.w3.org/2000/01/rdf-schema"
                            "#label> ?label }", use_default_graph_as_union=True)
    return [solution["label"].value.lower() for solution in solutions]


def bound_text(query: NamedQuery, store: pyoxigraph.Store) -> str:
    """The query's text with each parameter bound to a value found in the data."""
    text = _without_comments(query.text)
    if not query.parameters:
        return text
    values = " ".join(
        f"VALUES ?{parameter.name} {{ {parameter.term(_value_for(parameter, store)).n3()} }}"
        for parameter in query.parameters
    )
    match = _WHERE_BRACE.search(text)
    if match is None:
        raise ValueError(f"query {query.name!r} has no 'WHERE {{' to bind its parameters in")
    return f"{text[: match.end()]}\n  {values}{text[match.end():]}"


def _value_for(parameter: QueryParameter, store: pyoxigraph.Store) -> str:
    """The parameter's own example when the data has it, else the first resource of its kind."""
    example = _EXAMPLE.search(parameter.description)
    if parameter.type != "iri":
        if example is None:
            raise ValueError(f"parameter {parameter.name!r} gives no example value to bench with")
        return example[1].rstrip(".,;")
    if example is not None:
        iri = str(parameter.term(example[1].rstrip(".,;")))
        if store.query(f"ASK {{ <{iri}> ?p ?o }}", use_default_graph_as_union=True):
            return iri
    return _first_instance(store, f"{IACAI}{parameter.name[:1].upper()}{parameter.name[1:]}")


def _first_instance(store: pyoxigraph.Store, class_iri: str) -> str:
    for instance in _instances(store, class_iri):
        return instance
    raise ValueError(f"the data has no instance of {class_iri} to bench with")


def _mix_query(name: str, text: str, store: pyoxigraph.Store) -> MixQuery:
    result = store.query(text, use_default_graph_as_union=True)
    form: QueryForm
    if isinstance(result, pyoxigraph.QueryBoolean):
        form = "ask"
    elif isinstance(result, pyoxigraph.QueryTriples):
        form = "construct"
    else:
        form = "select"
    order = _ORDER_BY.search(text)
    return MixQuery(name, text.strip() + "\n", form, ordered=order is not None,
                    order_keys=_order_keys(order["keys"]) if order else ())


def _order_keys(clause: str) -> tuple[str, ...]:
    """The ORDER BY variables, or nothing when it sorts by any other expression."""
    keys = [a or b for a, b in _ORDER_KEY.findall(clause)]
    leftover = _ORDER_KEY.sub("", clause).strip()
    return tuple(keys) if keys and not leftover else ()


def _without_comments(text: str) -> str:
    """The query without its comment lines (its header), so the text sent is the query alone."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
