"""The service's own queries (`queries/internal/*.rq`), asked through the engine of /sparql.

Pages, resource and graph documents and the service and VoID descriptions all read the data
here, so they show what the configured store holds (a remote store too), under the same timeout,
row cap and answer cache as the endpoint, and nothing heavy runs on the event loop.

A parameter is bound by a VALUES block opening the query's WHERE group: one form that every
store answers alike, and that takes several terms at once (the labels of all a page names). The
terms are pyoxigraph's, written in N-Triples (an IRI is checked when the term is made), so a
value cannot change the query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Request
from pyoxigraph import NamedNode, Triple

from iacai import query_lexer, resources
from iacai.named_queries import NamedQuery, catalogue
from iacai.service.engine.pool import SERVICE_ITSELF
from iacai.service.sparql.answerer import Answerer

Solution = dict[str, Any]
"""One SELECT row: each variable's term, or None where it is unbound."""

Binding = NamedNode | Iterable[NamedNode]
"""A parameter's value: one IRI, or several (the query then answers for each)."""


def asked_for(request: Request) -> InternalQueries:
    """The internal queries, asked on behalf of the client that made this request."""
    queries: InternalQueries = request.app.state.queries
    return queries.asked_by(request.app.state.clients.of(request))


class InternalQueries:
    """The named internal queries, each answered as pyoxigraph terms, on behalf of a client (so
    the pool's fair scheduling counts a page's queries against whoever asked for the page)."""

    def __init__(self, answerer: Answerer, client: str = SERVICE_ITSELF) -> None:
        self._answerer = answerer
        self._client = client
        self._queries: Mapping[str, NamedQuery] = catalogue(resources.internal_queries_dir())

    def asked_by(self, client: str) -> InternalQueries:
        """The same queries, asked on behalf of this client."""
        return InternalQueries(self._answerer, client)

    async def select(self, name: str, **bindings: Binding) -> list[Solution]:
        """The solutions of a SELECT query, each as {variable: term or None}."""
        text = self._bound(name, bindings)
        if text is None:
            return []
        answer = await self._answerer.terms(text, self._client)
        assert answer[0] is not None, f"{name} is not a SELECT query"
        variables, rows = answer
        return [dict(zip(variables, row, strict=True)) for row in rows]

    async def construct(self, name: str, **bindings: Binding) -> list[Triple]:
        """The triples of a CONSTRUCT query, each once, in a stable order."""
        text = self._bound(name, bindings)
        if text is None:
            return []
        answer = await self._answerer.terms(text, self._client)
        assert answer[0] is None, f"{name} is not a CONSTRUCT query"
        return sorted(set(answer[1]), key=str)

    def _bound(self, name: str, bindings: Mapping[str, Binding]) -> str | None:
        """The query text with a VALUES block per parameter; None when a parameter has no value."""
        query = self._queries[name]
        declared = {parameter.name for parameter in query.parameters}
        assert declared == set(bindings), f"{name} takes {sorted(declared)}, not {sorted(bindings)}"
        blocks = []
        for variable, value in bindings.items():
            terms = sorted({str(value)} if isinstance(value, NamedNode) else set(map(str, value)))
            if not terms:
                return None
            blocks.append(f"VALUES ?{variable} {{ {' '.join(terms)} }}")
        if not blocks:
            return query.text
        start = query_lexer.where_group_start(query.text)
        assert start is not None, f"{name} has no WHERE group"
        return f"{query.text[:start]} {' '.join(blocks)} {query.text[start:]}"
