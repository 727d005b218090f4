"""From a query to an HTTP answer: checks, format, ETag and cache, the worker pool, error statuses.

Shared by the SPARQL endpoint and the named queries, so both answer, cache and fail alike.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response

from iacai import query_lexer
from iacai.service.engine.pool import QueryPool, QueryTimeoutError, WorkerCrashedError
from iacai.service.engine.worker import (
    TERMS,
    OutOfMemory,
    QueryJob,
    QueryRejected,
    StoreFailed,
    TermRows,
    Unrepresentable,
    read_terms,
)
from iacai.service.http.caches import AnswerCache, CachedAnswer, HasBody
from iacai.service.http.client_identity import ClientIdentity
from iacai.service.http.conditions import not_modified
from iacai.service.http.errors import NotAcceptableError, ProtocolError, QueryFailedError
from iacai.service.http.negotiation import HTML, Format, Kind, formats_of, negotiate
from iacai.service.settings import Settings
from iacai.service.sparql.syntax import syntax_message

TRUNCATED_HEADER = "X-Iacai-Result-Truncated"
_JSON = next(f for f in formats_of(Kind.RESULTS) if f.name == "json")
_TERMS = Format(TERMS, "application/octet-stream", Kind.RESULTS, ())
"""Not offered over HTTP: the service's own queries, answered as pyoxigraph terms."""
_WITH_PAGE = {kind: (*formats_of(kind), HTML) for kind in (Kind.RESULTS, Kind.GRAPH)}
"""What a query's answer is offered in, for browsers too."""


@dataclass(frozen=True)
class QueryRequest:
    """A query and its dataset, as the protocol read them; parameters as engine terms."""

    text: str
    outline: query_lexer.QueryOutline
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    substitutions: tuple[tuple[str, Any], ...] = ()


class Answerer:
    """Turns checked queries into responses, through the cache and the worker pool."""

    def __init__(
        self,
        settings: Settings,
        data_version: str,
        pool: QueryPool,
        cache: AnswerCache[Hashable, HasBody],
        clients: ClientIdentity,
    ) -> None:
        self._settings = settings
        self._data_version = data_version
        self._pool = pool
        self._cache = cache
        self._clients = clients
        self._max_rows = str(settings.max_rows)
        self._etag_base = hashlib.sha256(data_version.encode() + b"\0")

    def checked_outline(self, text: str) -> query_lexer.QueryOutline:
        """The query's outline, or a 400 for an update, too deep a nesting or a refused SERVICE."""
        outline = _outline(text)
        if outline.is_update:
            raise ProtocolError(400, "SPARQL Update is not allowed on this read-only endpoint.")
        if outline.nesting > self._settings.max_nesting:
            raise ProtocolError(
                400,
                f"The query nests brackets {outline.nesting} deep; this endpoint accepts at most "
                f"{self._settings.max_nesting} (setting max-nesting).",
            )
        for endpoint in outline.services:
            self._check_service(endpoint)
        return outline

    def negotiate(
        self,
        request: Request,
        outline: query_lexer.QueryOutline,
        format_values: Sequence[str],
        with_page: bool = True,
    ) -> Format:
        """The answer format: results or RDF by the query's form (and the page, for browsers)."""
        kind = Kind.GRAPH if outline.returns_graph else Kind.RESULTS
        offered = _WITH_PAGE[kind] if with_page else formats_of(kind)
        return negotiate(format_values, request.headers.get("accept"), offered, "this query")

    async def answer(
        self, request: Request, query: QueryRequest, answer_format: Format
    ) -> Response:
        """Run the query (or reuse an answer) and respond in the chosen format.

        An answer that changes at each evaluation (NOW(), RAND(), ...) gets no ETag and is
        neither kept nor revalidated: a 304 or a cached copy would be a false answer.
        """
        etag = self._etag(query, answer_format)
        headers = {"Vary": "Accept", "Cache-Control": "no-store"}
        if not query.outline.nondeterministic:
            headers = {
                "ETag": etag,
                "Vary": "Accept",
                "Cache-Control": f"public, max-age={self._settings.cache_max_age}",
            }
            held = not_modified(request, etag, headers, answer_format.content_type)
            if held is not None:
                return held
        cached = await self._kept_or_run(query, answer_format, etag, self._clients.of(request))
        if cached.truncated:
            headers[TRUNCATED_HEADER] = "true"
        return Response(cached.body, headers=headers, media_type=answer_format.content_type)

    async def solutions(
        self, request: Request, query: QueryRequest
    ) -> tuple[dict[str, Any], bool]:
        """The query's SPARQL JSON results, parsed, and whether the row cap cut them: for pages
        that show an answer as a table. Cached and failing as `answer` does."""
        client = self._clients.of(request)
        answer = await self._kept_or_run(query, _JSON, self._etag(query, _JSON), client)
        return json.loads(answer.body), answer.truncated

    async def terms(self, text: str, client: str) -> TermRows:
        """The service's own query (a page's, a document's) answered as terms, through the same
        workers, timeout, row cap and cache as /sparql; an answer over the cap is an error, never
        shown cut."""
        query = QueryRequest(text, _outline(text))
        answer = await self._kept_or_run(query, _TERMS, self._etag(query, _TERMS), client)
        if answer.truncated:
            raise QueryFailedError(
                500,
                f"The data needed here exceeds the row cap of {self._settings.max_rows} rows "
                "(setting max-rows).",
            )
        return read_terms(answer.body)

    async def _kept_or_run(
        self, query: QueryRequest, answer_format: Format, etag: str, client: str
    ) -> CachedAnswer:
        """The kept answer, else a fresh one (kept unless it changes at each evaluation)."""
        if query.outline.nondeterministic:
            return await self._run(query, answer_format, client)
        cached = self._cache.get(etag)
        if not isinstance(cached, CachedAnswer):
            cached = await self._run(query, answer_format, client)
            self._cache.put(etag, cached)
        return cached

    async def _run(self, query: QueryRequest, answer_format: Format, client: str) -> CachedAnswer:
        job = QueryJob(
            query=query.text,
            format_name=answer_format.name,
            max_rows=self._settings.max_rows,
            federated=bool(query.outline.services),
            default_graphs=query.default_graphs,
            named_graphs=query.named_graphs,
            union_default_graph=not query.outline.declares_dataset,
            substitutions=query.substitutions,
        )
        timeout = self._settings.query_timeout
        try:
            reply = await self._pool.run(job, timeout, client)
        except QueryTimeoutError:
            if self._settings.store_location.is_remote:
                raise QueryFailedError(
                    504,
                    f"Query timeout reached: the SPARQL store at {self._settings.store} did not "
                    f"answer within {timeout:g} s; the request to it was dropped.",
                ) from None
            raise QueryFailedError(
                503,
                f"Query timeout reached: the query ran longer than {timeout:g} s and was stopped. "
                "Narrow it down (a LIMIT, more specific patterns) and try again.",
            ) from None
        except WorkerCrashedError:
            raise QueryFailedError(
                503,
                "The query engine failed on this query and was restarted; other queries are "
                f"unaffected. It needed more memory than a query worker may use "
                f"({self._settings.worker_memory} MiB, setting worker-memory), or nested too "
                "deep: narrow it down (a LIMIT, fewer cross products, no ORDER BY over them).",
            ) from None
        if isinstance(reply, OutOfMemory):
            raise QueryFailedError(
                503,
                f"The query needed more memory than a query worker may use "
                f"({self._settings.worker_memory} MiB, setting worker-memory); its worker was "
                "replaced. Narrow it down (a LIMIT, more specific patterns) and try again.",
            )
        if isinstance(reply, StoreFailed):
            raise QueryFailedError(reply.status, reply.message)
        if isinstance(reply, Unrepresentable):
            raise NotAcceptableError(reply.message)
        if isinstance(reply, QueryRejected):
            if reply.syntax:
                raise ProtocolError(400, syntax_message(query.text, reply.message))
            raise ProtocolError(400, f"The query could not be evaluated: {reply.message}")
        return CachedAnswer(reply.body, reply.truncated)

    def _check_service(self, endpoint: str) -> None:
        """Allow a SERVICE only to an absolute IRI, written without escapes, on the allowlist."""
        allowlist = self._settings.service_allowlist
        if not allowlist:
            raise ProtocolError(400, "Federated queries (SERVICE) are turned off on this endpoint.")
        iri = endpoint[1:-1] if endpoint.startswith("<") and "\\" not in endpoint else None
        if iri is None or not any(iri.startswith(prefix) for prefix in allowlist):
            raise ProtocolError(
                400,
                f"SERVICE {endpoint} is not allowed: federated queries may only call endpoints "
                f"written as full IRIs starting with {', '.join(allowlist)}.",
            )

    def _etag(self, query: QueryRequest, answer_format: Format) -> str:
        """A hash of what decides the answer: data version, query, dataset, parameters,
        format and row cap (each part ended by a NUL)."""
        digest = self._etag_base.copy()
        digest.update(
            "\0".join((
                query.text,
                "\x1f".join(query.default_graphs),
                "\x1f".join(query.named_graphs),
                "\x1f".join(f"{name}={term}" for name, term in query.substitutions),
                answer_format.name,
                self._max_rows,
            )).encode()
            + b"\0"
        )
        return f'W/"{digest.hexdigest()[:32]}"'


OUTLINES_KEPT = 256
LONGEST_OUTLINED_TEXT = 8 << 10
"""Outlines of texts up to this many characters are kept (at most 2 MiB of texts in all)."""


@functools.lru_cache(maxsize=OUTLINES_KEPT)
def _kept_outline(text: str) -> query_lexer.QueryOutline:
    return query_lexer.outline(text)


def _outline(text: str) -> query_lexer.QueryOutline:
    """The query's outline, kept for the texts asked most recently: the lexical pass is the
    dearest step of the server's own work on a query, and a pure function of the text (a
    compiled-query cache, as Virtuoso keeps one; answers are never reused by it)."""
    return _kept_outline(text) if len(text) <= LONGEST_OUTLINED_TEXT else query_lexer.outline(text)

