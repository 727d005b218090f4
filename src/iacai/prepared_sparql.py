"""rdflib's SPARQL processor, parsing each query text once per process, for pySHACL.

pySHACL evaluates a SPARQL-based constraint by handing its text to rdflib for every focus node,
and rdflib parses the text each time: pyparsing spends about 70 ms on one of the shapes' queries,
which was 70% of a small review's validation and most of the minutes the essay took. A parsed and
translated query is what rdflib's own `prepareQuery` gives for reuse; the same text, base and
prefixes always translate to the same algebra, so it is kept and evaluated again.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from rdflib import plugin
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.sparql.processor import SPARQLProcessor
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Processor

PREPARED_QUERIES = 1024
"""Distinct query texts kept: the shapes have about fifty."""


@lru_cache(maxsize=PREPARED_QUERIES)
def _prepared(text: str, base: str | None, namespaces: frozenset[tuple[str, Any]]) -> Query:
    return translateQuery(parseQuery(text), base, dict(namespaces))


class PreparingProcessor(SPARQLProcessor):
    """rdflib's SPARQL processor, evaluating a text parsed once before where it can."""

    def query(  # type: ignore[override]
        self,
        strOrQuery: str | Query,  # noqa: N803 (rdflib's names: callers pass them by keyword)
        initBindings: Mapping[str, Any] | None = None,  # noqa: N803
        initNs: Mapping[str, Any] | None = None,  # noqa: N803
        base: str | None = None,
        DEBUG: bool = False,  # noqa: N803
    ) -> Mapping[str, Any]:
        prepared = (
            _prepared(strOrQuery, base, frozenset((initNs or {}).items()))
            if isinstance(strOrQuery, str)
            else strOrQuery
        )
        return super().query(prepared, initBindings, initNs, base, DEBUG)


def install() -> None:
    """Make `Graph.query` (processor "sparql", rdflib's default) prepare each text once."""
    plugin.register("sparql", Processor, __name__, PreparingProcessor.__name__)
