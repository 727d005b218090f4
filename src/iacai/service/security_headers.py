"""The Content-Security-Policy of the HTML pages: everything from this server, nothing inline.

Pages load their style and script from /static only, so a policy of 'self' costs nothing and
stops injected markup from running. Swagger UI (/docs) starts itself with an inline script and
keeps FastAPI's default headers.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from fastapi import FastAPI, Request, Response

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
_EXEMPT_PATHS: Final = frozenset({"/docs"})


def add_content_security_policy(app: FastAPI) -> None:
    """Every HTML (and SVG) answer carries the policy; Swagger UI's page excepted."""

    @app.middleware("http")
    async def policy(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        media_type = response.headers.get("content-type", "")
        if request.url.path not in _EXEMPT_PATHS and media_type.startswith(
            ("text/html", "image/svg+xml")
        ):
            response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
            response.headers["X-Content-Type-Options"] = "nosniff"
        return response
