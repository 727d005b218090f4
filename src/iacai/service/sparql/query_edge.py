"""The query operation answered in front of FastAPI: the steps of its layers, called in turn.

A query at /sparql is what an endpoint answers most, and the ASGI layers it crossed, each
wrapping the request and its `send` (FastAPI's error, telemetry and body-limit layers and its
router; this service's one-reading, CORS, representation and security layers), cost the server
process about 80 of its 560 µs of CPU per uncached query (16 clients, measured with and without
this edge in one run). Here GET and POST /sparql go straight to the protocol's handler, and
its answer takes the steps those layers give it, in their order: the headers read one way,
errors through the app's own handlers, the note for the answer cache, the representation
(validators, 304, gzip), CORS's `Vary`, the security headers. Every answer here is whole (a
`Response` with its body), so those steps are taken on its headers in one go and it is sent as
two messages, instead of passing each message through a `send` per layer.
A request that needs another layer goes on to FastAPI as it came: another path or method (HEAD
and OPTIONS too), a cross-origin request (CORS), a repeated single-value field (400 there), a
root path, and every request while FastAPI's own telemetry is on (a tracer or meter provider is
configured), so that the endpoint's traffic is traced and measured as before.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from iacai.service.http.answer_cache import note_tag
from iacai.service.http.representations import Representation, with_vary
from iacai.service.http.request_headers import one_reading
from iacai.service.http.security_headers import secured_headers
from iacai.service.sparql.protocol import QUERY_PATH, query_operation

ErrorHandler = Callable[[Request, Any], Response | Awaitable[Response]]
_ANSWERED_METHODS = ("GET", "POST")
TELEMETRY_RECHECK_SECONDS = 1.0


class QueryEdge:
    """Answers /sparql's GET and POST itself; passes every other request to `inner`."""

    def __init__(
        self,
        app: FastAPI,
        representation: Representation,
        varies_by_origin: bool,
        inner: ASGIApp,
    ) -> None:
        self._app = app
        self._representation = representation
        self._varies_by_origin = varies_by_origin
        """Whether the app has a CORS layer: then an answer to a request without Origin (the
        only ones answered here) varies by Origin, as that layer's `send` marks it."""
        self._inner = inner
        """The app behind its layers, for the requests this edge does not answer."""
        self._telemetry = _Telemetry(app)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers_if_answered(scope)
        if headers is None or self._telemetry.on():
            # with a tracer or meter provider configured, /sparql is traced as every request
            await self._inner(scope, receive, send)
            return
        # what the app and its router put in the scope, for `request.app` and `url_for`
        scope = {**scope, "headers": headers, "app": self._app, "router": self._app.router}
        request = Request(scope, receive)
        try:
            response = await query_operation(request)
        except Exception as error:
            handler = self._handler_for(error)
            if handler is None:  # as FastAPI's outermost layer: a bare 500, then the traceback
                await PlainTextResponse("Internal Server Error", 500)(scope, receive, send)
                raise
            handled = handler(request, error)
            response = await handled if inspect.isawaitable(handled) else handled
        await self._send_whole(scope, response, send)

    async def _send_whole(self, scope: Scope, response: Response, send: Send) -> None:
        """The answer with what the layers add, in their order (innermost first)."""
        note_tag(scope, response.status_code, response.raw_headers)
        status, headers, body = self._representation.finish_whole(
            scope, response.status_code, list(response.raw_headers), bytes(response.body)
        )
        if self._varies_by_origin:
            headers = with_vary(headers, b"Origin")
        headers = secured_headers(headers, status)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _handler_for(self, error: Exception) -> ErrorHandler | None:
        """The handler the app registered for the error, as Starlette looks it up: by status
        for an HTTPException, else by the error's class or its nearest base."""
        handlers = self._app.exception_handlers
        if isinstance(error, HTTPException) and error.status_code in handlers:
            return handlers[error.status_code]
        return next((handlers[kind] for kind in type(error).__mro__ if kind in handlers), None)


class _Telemetry:
    """Whether FastAPI's own tracing and metrics (0.165 on), which wrap its layers only, are on.

    Its check reads OpenTelemetry's global providers (about a tenth of this edge's own cost when
    made for every query). Those are set once and never unset, so once on it stays on; while
    off it is looked at again once a second, so a provider configured while the service runs
    takes /sparql over within a second.
    """

    def __init__(self, app: FastAPI) -> None:
        self._native = getattr(app, "_native_telemetry", None)
        self._on = False
        self._checked_at = -math.inf

    def on(self) -> bool:
        if self._native is None or self._on:
            return self._on
        now = time.monotonic()
        if now - self._checked_at >= TELEMETRY_RECHECK_SECONDS:
            self._on, self._checked_at = bool(self._native.enabled()), now
        return self._on


def _headers_if_answered(scope: Scope) -> list[tuple[bytes, bytes]] | None:
    """The request's headers, read one way, if this edge answers it; None to pass it on."""
    if (
        scope["type"] != "http"
        or scope["path"] != QUERY_PATH
        or scope["method"] not in _ANSWERED_METHODS
        or scope.get("root_path")
    ):
        return None
    headers, repeated = one_reading(scope["headers"])
    if repeated is not None or any(name == b"origin" for name, _ in headers):
        return None
    return headers
