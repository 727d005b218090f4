"""Errors as answers a person can read: a status and a plain-text message, never a traceback."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import PlainTextResponse
from starlette.exceptions import HTTPException as StarletteHTTPException


class ProtocolError(Exception):
    """A request the service answers with an error status and a plain message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


async def plain_error(_request: Request, error: Exception) -> PlainTextResponse:
    """The handler the app registers for ProtocolError."""
    assert isinstance(error, ProtocolError)
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
