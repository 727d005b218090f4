"""One reading of each request's headers, for every layer of the service alike.

A field sent on several lines could be read one way by one layer and another by the next (the
first line, the last, or all joined): the answer negotiated for one reading, validated or
compressed for another. So before any of them reads them: the lines of a list field (`Accept`,
`If-None-Match`) are joined into one with commas, as RFC 9110 (5.3) defines their meaning, and
a request that repeats a field holding a single value (`Content-Type`) is refused with 400.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from iacai.service.http.errors import send_plain_text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]

LIST_FIELDS = frozenset({b"accept", b"if-none-match"})
"""Fields whose lines mean the same joined with commas."""
SINGLE_FIELDS = frozenset({b"content-type"})
"""Fields that hold one value: sent twice, the request is ambiguous."""


class OneReadingMiddleware:
    """Joins repeated list fields into one line; refuses repeated single-value fields (400)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(
        self,
        scope: Scope,
        receive: Callable[[], Awaitable[Message]],
        send: Callable[[Message], Awaitable[None]],
    ) -> None:
        if scope["type"] == "http":
            headers, repeated = one_reading(scope["headers"])
            if repeated is not None:
                message = f"The request has more than one {repeated} header."
                await send_plain_text(send, 400, message)
                return
            scope = {**scope, "headers": headers}
        await self.app(scope, receive, send)


def one_reading(
    headers: list[tuple[bytes, bytes]],
) -> tuple[list[tuple[bytes, bytes]], str | None]:
    """The headers with each list field on one line, or the name of a repeated single field
    (the query operation in front of the middlewares, `sparql.query_edge`, reads them so too)."""
    seen: dict[bytes, int] = {}
    kept: list[tuple[bytes, bytes]] = []
    for name, value in headers:
        if name in seen and name in SINGLE_FIELDS:
            return headers, name.decode("latin-1").title()
        if name in seen and name in LIST_FIELDS:
            index = seen[name]
            kept[index] = (name, kept[index][1] + b", " + value)
            continue
        seen[name] = len(kept)
        kept.append((name, value))
    return kept, None


