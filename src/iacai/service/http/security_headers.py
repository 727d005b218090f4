"""The security headers of every answer: Content-Security-Policy, nosniff, referrer, framing.

Pages load their style and script from /static only, so a policy of 'self' costs nothing and
stops injected markup from running. Every other answer (SPARQL results, RDF, errors as plain
text) gets a policy that allows nothing at all, so even one opened in a browser runs nothing. A
page whose vendored UI sets style attributes (YASGUI, Swagger UI) sets its own policy allowing
inline styles (never inline scripts), and the middleware leaves that policy alone. A 304 gets
no policy: a browser lays a 304's headers over the answer it keeps, so a policy there would
replace the page's own (the data policy's sandbox stopped a revisited page's scripts and styles).
A plain ASGI middleware that looks at the response's first message only: every answer passes
through it, and it must cost next to nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from fastapi import FastAPI

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'self'"
)
"""The policy of the HTML and SVG pages."""
POLICY_WITH_INLINE_STYLES: Final = f"{CONTENT_SECURITY_POLICY}; style-src 'self' 'unsafe-inline'"
"""The policy of the pages whose vendored UI sets style attributes (YASGUI, Swagger UI): styles
may be inline there, scripts still may not."""
DATA_POLICY: Final = "default-src 'none'; frame-ancestors 'none'; sandbox"
"""The policy of every answer that is not a page: nothing may load or run."""

_POLICED_MEDIA_TYPES: Final = (b"text/html", b"image/svg+xml")
_POLICY: Final = b"content-security-policy"
_ALWAYS: Final = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"SAMEORIGIN"),
)
_ADDED: Final = frozenset(name for name, _ in _ALWAYS)
_PAGE_POLICY: Final = CONTENT_SECURITY_POLICY.encode()
_DATA_POLICY: Final = DATA_POLICY.encode()

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Message]], Send], Awaitable[None]
]


def add_security_headers(app: FastAPI) -> None:
    """Every answer carries the headers; add this last, so that it wraps every other layer."""
    app.add_middleware(SecurityHeadersMiddleware)


class SecurityHeadersMiddleware:
    """Adds the headers to the start of every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Message]],
        send: Send,
    ) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.app(scope, receive, secured(send))


def secured(send: Send) -> Send:
    """The `send` that adds the headers to the start of the response it passes on."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = secured_headers(message.get("headers", []), message["status"])
            message = {**message, "headers": headers}
        await send(message)

    return send_with_headers


def secured_headers(headers: list[tuple[bytes, bytes]], status: int) -> list[tuple[bytes, bytes]]:
    """An answer's headers with the security headers (the query operation answered in front of
    the middlewares, `sparql.query_edge`, calls this with its answer's)."""
    own_policy = False
    is_page = False
    kept = []
    for name, value in headers:
        lowered = name.lower()
        if lowered == _POLICY:
            own_policy = True
        elif lowered == b"content-type":
            is_page = value.lower().startswith(_POLICED_MEDIA_TYPES)
        if lowered not in _ADDED:
            kept.append((name, value))
    if status != 304 and not own_policy:
        kept.append((_POLICY, _PAGE_POLICY if is_page else _DATA_POLICY))
    kept.extend(_ALWAYS)
    return kept

