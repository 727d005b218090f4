"""The query mix: every named query of `queries/` with real parameter values, and typical lookups.

Every server gets the same query text. A named query's parameters are bound by a `VALUES` block at
the top of its WHERE clause, which every SPARQL 1.1 engine understands (the service's own
`/queries/{name}` binding is not part of the SPARQL protocol, so the peers could not take it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import pyoxigraph

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

    @property
    def accept(self) -> str:
        return RESULT_MEDIA_TYPES[self.form]


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
    solutions = store.query(
        f"SELECT ?instance WHERE {{ ?instance a <{class_iri}> }} ORDER BY ?instance LIMIT 1",
        use_default_graph_as_union=True,
    )
    for solution in solutions:
        return solution["instance"].value
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
