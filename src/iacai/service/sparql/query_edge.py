"""The query operation answered in front of FastAPI: the steps of its layers, called in turn.

A query at /sparql is what an endpoint answers most, and the ASGI layers it crossed, each
wrapping the request and its `send` (FastAPI's error, telemetry and body-limit layers and its
router; this service's one-reading, CORS, representation and security layers), cost the server
process about 80 of its 560 µs of CPU per uncached query (16 clients, measured with and without
this edge in one run). Here GET and POST /sparql go straight to the protocol's handler, and
its answer takes the steps those layers give it, in their order: the headers read one way,
errors through the app's own handlers, the note for the answer cache, the representation
(validators, 304, gzip), CORS's `Vary`, the security headers.
A request that needs another layer goes on to FastAPI as it came: another path or method (HEAD
and OPTIONS too), a cross-origin request (CORS), a repeated single-value field (400 there), a
root path, and every request while FastAPI's own telemetry is on (a tracer or meter provider is
configured), so that the endpoint's traffic is traced and measured as before.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from iacai.service.http.answer_cache import noting_the_tag
from iacai.service.http.representations import Representation
from iacai.service.http.request_headers import one_reading
from iacai.service.http.security_headers import secured
from iacai.service.sparql.protocol import QUERY_PATH, query_operation

ErrorHandler = Callable[[Request, Any], Response | Awaitable[Response]]
_ANSWERED_METHODS = ("GET", "POST")


class QueryEdge:
    """Answers /sparql's GET and POST itself; passes every other request to `inner`."""

    def __init__(
        self,
        app: FastAPI,
        representation: Representation,
        cors: CORSMiddleware | None,
        inner: ASGIApp,
    ) -> None:
        self._app = app
        self._representation = representation
        self._cors = cors
        """The app's CORS layer, whose `send` marks an answer as varying by Origin."""
        self._inner = inner
        """The app behind its layers, for the requests this edge does not answer."""
        self._telemetry = getattr(app, "_native_telemetry", None)
        """FastAPI's own tracing and metrics (0.165 on), which wrap its layers only."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = _headers_if_answered(scope)
        if headers is None or (self._telemetry is not None and self._telemetry.enabled()):
            # with a tracer or meter provider configured, /sparql is traced as every request
            await self._inner(scope, receive, send)
            return
        # what the app and its router put in the scope, for `request.app` and `url_for`
        scope = {**scope, "headers": headers, "app": self._app, "router": self._app.router}
        respond = secured(send)
        if self._cors is not None:
            respond = functools.partial(
                self._cors.send, send=respond, request_headers=Headers(scope=scope)
            )
        deliver = noting_the_tag(
            scope, self._representation.answering(scope, scope["method"], respond)
        )
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
        await response(scope, receive, deliver)

    def _handler_for(self, error: Exception) -> ErrorHandler | None:
        """The handler the app registered for the error, as Starlette looks it up: by status
        for an HTTPException, else by the error's class or its nearest base."""
        handlers = self._app.exception_handlers
        if isinstance(error, HTTPException) and error.status_code in handlers:
            return handlers[error.status_code]
        return next((handlers[kind] for kind in type(error).__mro__ if kind in handlers), None)


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
