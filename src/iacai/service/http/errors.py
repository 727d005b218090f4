"""Errors as answers a person can read: a status and a plain-text message, never a traceback.

Each kind of error is named for what went wrong, so a reader of a `raise` knows the status
without looking it up: the request broke the protocol or a limit, named nothing we have, asked
for a format we cannot give, set a condition that does not hold, or was sound but could not be
answered.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request, Response
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("uvicorn.error")
"""The server's own log (uvicorn's), where a line about a connection belongs."""


class ServiceError(Exception):
    """A request the service answers with an error status and a plain message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class ProtocolError(ServiceError):
    """The request breaks the SPARQL protocol or a limit of this endpoint (400, 413, 415)."""


class NotFoundError(ServiceError):
    """The request names nothing this service has (404)."""

    def __init__(self, message: str) -> None:
        super().__init__(404, message)


class NotAcceptableError(ServiceError):
    """Neither the `format` parameter nor `Accept` names a format the answer is offered in (406).

    Whether a request is acceptable depends on its Accept, so the answer varies on it.
    """

    def __init__(self, message: str) -> None:
        super().__init__(406, message, {"Vary": "Accept"})


class PreconditionFailedError(ServiceError):
    """A condition the request set does not hold (412): If-None-Match names the answer of a
    method that is not revalidated (a query by POST), which is therefore not performed."""

    def __init__(self, message: str) -> None:
        super().__init__(412, message)


class NotReadyError(ServiceError):
    """What was asked for is still being made at start-up (503, with a Retry-After)."""

    def __init__(self, message: str, retry_after: int = 2) -> None:
        super().__init__(503, message, {"Retry-After": str(retry_after)})


class QueryFailedError(ServiceError):
    """A sound query that could not be answered: the engine failed, gave up or ran out of
    memory (503), or the remote store did (502, 504)."""


async def plain_error(_request: Request, error: Exception) -> PlainTextResponse:
    """The handler the app registers for every ServiceError."""
    assert isinstance(error, ServiceError)
    return PlainTextResponse(error.message + "\n", status_code=error.status, headers=error.headers)


async def plain_http_error(_request: Request, error: Exception) -> PlainTextResponse:
    """Starlette's own errors (no route, wrong method) as plain text too, like every other error."""
    assert isinstance(error, StarletteHTTPException)
    message = {404: "Nothing here; / lists the entry points.", 405: "Method not allowed here."}
    return PlainTextResponse(
        message.get(error.status_code, str(error.detail)) + "\n",
        status_code=error.status_code,
        headers=error.headers,
    )


async def client_gone(request: Request, _error: Exception) -> Response:
    """A client that left while sending its body: one log line, not a traceback (no one reads
    the answer; a 400 keeps the access log truthful)."""
    log_client_gone(request.method, request.url.path, request.client.host if request.client else "")
    return Response(status_code=400)


def log_client_gone(method: str, path: str, peer: str) -> None:
    """The one line for a client that left while sending its body (here or before the app)."""
    log.warning(
        "%s %s: the client (%s) left before its request body ended", method, path, peer or "unknown"
    )


def log_client_hung_up(method: str, path: str, peer: str) -> None:
    """The one line for a request cancelled because its client left before its answer."""
    log.info(
        "%s %s: the client (%s) left before its answer; its work was stopped",
        method,
        path,
        peer or "unknown",
    )


async def send_plain_text(
    send: Callable[[MutableMapping[str, Any]], Awaitable[None]],
    status: int,
    message: str,
    *headers: tuple[bytes, bytes],
) -> None:
    """A whole plain-text answer from ASGI middleware, before any route: one line, with its end."""
    body = (message + "\n").encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body, "more_body": False})
