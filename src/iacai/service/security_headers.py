"""The Content-Security-Policy of the HTML pages: everything from this server, nothing inline.

Pages load their style and script from /static only, so a policy of 'self' costs nothing and
stops injected markup from running. Swagger UI (/docs) starts itself with an inline script and
keeps FastAPI's default headers. A plain ASGI middleware that looks at the response's first
message only: every answer passes through it, and it must cost next to nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from fastapi import FastAPI

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
_EXEMPT_PATHS: Final = frozenset({"/docs"})
_POLICED_MEDIA_TYPES: Final = (b"text/html", b"image/svg+xml")
_POLICY_HEADERS: Final = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
)

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Message]], Send], Awaitable[None]
]


def add_content_security_policy(app: FastAPI) -> None:
    """Every HTML (and SVG) answer carries the policy; Swagger UI's page excepted."""
    app.add_middleware(ContentSecurityPolicyMiddleware)


class ContentSecurityPolicyMiddleware:
    """Adds the policy headers to the start of every HTML or SVG response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Send,
    ) -> None:
        if scope["type"] != "http" or scope["path"] in _EXEMPT_PATHS:
            await self.app(scope, receive, send)
            return

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start" and _is_page(message["headers"]):
                message = {**message, "headers": _with_policy(message["headers"])}
            await send(message)

        await self.app(scope, receive, send_with_policy)


def _is_page(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(
        name.lower() == b"content-type" and value.lower().startswith(_POLICED_MEDIA_TYPES)
        for name, value in headers
    )


def _with_policy(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    policed = {name for name, _ in _POLICY_HEADERS}
    return [(n, v) for n, v in headers if n.lower() not in policed] + list(_POLICY_HEADERS)
