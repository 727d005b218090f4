"""Do the servers agree? Every answer parsed and normalised, then compared with the engine's own.

SPARQL JSON from different servers differs in ways that do not change the answer: Virtuoso
writes `typed-literal` and spells `xsd:string` out, engines write the same number or boolean
differently (`1.0E0` or `1`, `0` or `false`), blank-node labels are each server's own, and rows
come in any order unless the query says ORDER BY. Numbers compare by value, whatever their
numeric datatype (the scaled graphs' generator and other engines may type a number differently).
Those differences are normalised away; anything else is a mismatch.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import httpx
from rdflib import Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from bench.mix import MixQuery

NormalTerm = tuple[str, ...]
Row = frozenset[tuple[str, NormalTerm]]
Answer = bool | list[Row] | Graph

_NUMERIC = {str(XSD.integer), str(XSD.decimal), str(XSD.double), str(XSD.float),
            str(XSD.positiveInteger), str(XSD.nonNegativeInteger), str(XSD.int), str(XSD.long)}
_RDF_FORMATS = {"text/turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt"}


@dataclass(frozen=True)
class Mismatch:
    """One server's answer to one query that differs from the engine's, and how."""

    server: str
    query: str
    detail: str


def fetch(url: str, query: MixQuery) -> Answer:
    """The server's answer to the query, parsed and normalised."""
    response = httpx.get(url, params={"query": query.text}, headers={"Accept": query.accept},
                         timeout=120)
    response.raise_for_status()
    media_type = response.headers.get("content-type", "").split(";")[0].strip()
    return parse(response.content, media_type, query)


def parse(body: bytes, media_type: str, query: MixQuery) -> Answer:
    """An answer body (SPARQL JSON, or RDF for CONSTRUCT) in normal form."""
    if query.form == "construct":
        graph = Graph().parse(data=body, format=_RDF_FORMATS.get(media_type, "turtle"))
        return _normal_graph(graph)
    document = json.loads(body)
    if "boolean" in document:
        return bool(document["boolean"])
    return [
        frozenset((name, _normal_term(term)) for name, term in binding.items())
        for binding in document["results"]["bindings"]
    ]


def compare(expected: Answer, actual: Answer, query: MixQuery) -> str | None:
    """None when the answers agree, else what differs, in a line."""
    if isinstance(expected, Graph) and isinstance(actual, Graph):
        if isomorphic(expected, actual):
            return None
        return f"graphs differ: {len(expected)} triples expected, {len(actual)} given"
    if isinstance(expected, bool) or isinstance(actual, bool):
        return None if expected == actual else f"expected {expected}, got {actual}"
    assert isinstance(expected, list) and isinstance(actual, list)
    if Counter(expected) != Counter(actual):
        missing = Counter(expected) - Counter(actual)
        extra = Counter(actual) - Counter(expected)
        counts = (f"{len(expected)} rows expected, {len(actual)} given; "
                  f"{sum(missing.values())} missing, {sum(extra.values())} extra")
        if missing and extra:
            return f"{counts}; e.g. {_changed(next(iter(missing)), next(iter(extra)))}"
        example = next(iter(missing or extra))
        return f"{counts}; e.g. {'missing' if missing else 'extra'} {_show(example)}"
    if query.ordered and expected != actual:
        return _order_difference(expected, actual, query)
    return None


def _order_difference(expected: list[Row], actual: list[Row], query: MixQuery) -> str | None:
    """Rows out of ORDER BY order, told apart from ties sorted another way where possible."""
    keys = query.order_keys
    if keys and all(any(key in dict(row) for row in expected) for key in keys):
        def sort_keys(rows: list[Row]) -> list[tuple[NormalTerm | None, ...]]:
            return [tuple(dict(row).get(key) for key in keys) for row in rows]

        if sort_keys(expected) == sort_keys(actual):
            return None
        return f"same rows, not in the order of ORDER BY {' '.join('?' + k for k in keys)}"
    return ("same rows in another order; ORDER BY sorts by terms not in the answer, so this "
            "may be ties sorted another way")


def _normal_term(term: dict[str, str]) -> NormalTerm:
    kind = term["type"]
    if kind == "uri":
        return ("uri", term["value"])
    if kind == "bnode":
        return ("bnode",)
    if "xml:lang" in term:
        return ("literal", term["value"], "@" + term["xml:lang"].lower())
    return _normal_literal(term["value"], term.get("datatype", str(XSD.string)))


def _normal_literal(value: str, datatype: str) -> NormalTerm:
    if datatype in _NUMERIC:
        return ("literal", _canonical_number(value), "number")
    if datatype == str(XSD.boolean):
        return ("literal", str(value.strip() in ("true", "1")).lower(), datatype)
    return ("literal", value, datatype)


def _canonical_number(text: str) -> str:
    try:
        return str(Decimal(text).normalize())
    except InvalidOperation:
        return text


def _normal_graph(graph: Graph) -> Graph:
    """The graph with its literals normalised as in SPARQL JSON answers."""
    normal = Graph()
    for triple in graph:
        normal.add(tuple(_normal_node(term) for term in triple))  # type: ignore[arg-type]
    return normal


def _normal_node(term: object) -> object:
    if not isinstance(term, Literal) or term.language:
        return term
    _, value, datatype = _normal_literal(str(term), str(term.datatype or XSD.string))
    return Literal(value, datatype=None if datatype == str(XSD.string) else datatype)


def _changed(expected: Row, given: Row) -> str:
    """What differs between a missing row and an extra one, variable by variable."""
    wanted, got = dict(expected), dict(given)
    return "; ".join(
        f"?{name} expected {_term(wanted.get(name))}, given {_term(got.get(name))}"
        for name in sorted(set(wanted) | set(got))
        if wanted.get(name) != got.get(name)
    )


def _term(term: NormalTerm | None) -> str:
    if term is None:
        return "unbound"
    if term[0] == "uri":
        return f"<{term[1]}>"
    if len(term) == 1:
        return "a blank node"
    kind = term[2].replace(str(XSD), "xsd:")
    return f"{term[1]!r} ({kind})"


def _show(row: Row) -> str:
    return ", ".join(f"?{name}={term[1] if len(term) > 1 else '_:b'}" for name, term in sorted(row))

