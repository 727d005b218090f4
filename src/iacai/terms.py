"""Showing RDF terms to people: IRIs shortened with the project's prefixes."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.term import Node

from iacai.namespaces import PREFIXES

_BY_LENGTH = sorted(PREFIXES.items(), key=lambda item: len(item[1]), reverse=True)


def compact(term: Node | str | None) -> str:
    """`id:challenge/bias` for an IRI under a known prefix; other terms as their plain text."""
    if term is None:
        return ""
    text = str(term)
    if isinstance(term, URIRef) or not isinstance(term, Node):
        for prefix, namespace in _BY_LENGTH:
            if text.startswith(namespace) and len(text) > len(namespace):
                return f"{prefix}:{text[len(namespace):]}"
    return text
