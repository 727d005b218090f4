"""Repeated requests answered before routing: whole responses kept by the request that asked.

A cache hit costs what HTTP alone costs: no FastAPI routing, no lexical check, no negotiation,
no ETag hash. The key is everything an answer depends on (method, path, raw query string,
Accept, and for a POST its Content-Type and body) plus the data version; the service serves one
data version for its whole life, so an entry never goes stale. Repeated header lines were
joined or refused before this runs (`request_headers`), so the key reads what the app reads.
Only 200 responses that carry an `ETag` are kept: the service gives an ETag exactly to answers
that the key fully determines (query answers and dumps). The ETag is kept with the entry, so
`If-None-Match` is answered with a 304 here too. The middleware sits inside CORS and the
security headers, so those still apply.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass

from iacai.service.http.caches import LARGEST_CACHED_ANSWER, AnswerCache, HasBody
from iacai.service.http.request_headers import ASGIApp, Message, Scope

Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

RequestKey = tuple[str, str, str, bytes, bytes | None, bytes | None, bytes]
"""Data version, method, path, raw query string, Accept, Content-Type, body."""

_REVALIDATION_HEADERS = frozenset({b"etag", b"vary", b"cache-control"})
"""What a 304 repeats of the full answer's headers (RFC 9110, 15.4.5)."""


@dataclass(frozen=True)
class CachedResponse:
    """A whole 200 answer as it left the application, with its ETag."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: str

    @property
    def not_modified_headers(self) -> list[tuple[bytes, bytes]]:
        return _revalidation_headers(self.headers)


def etag_matches(etag: str, if_none_match: str | None) -> bool:
    """Weak comparison (RFC 9110): equal opaque tags, W/ or not; `*` matches any answer."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag.removeprefix("W/") in tags


class AnswerCacheMiddleware:
    """Serves and revalidates repeated GET and POST requests from memory (ASGI middleware)."""

    def __init__(
        self,
        app: ASGIApp,
        cache: AnswerCache[Hashable, HasBody],
        data_version: str,
        largest_body: int,
    ) -> None:
        self.app = app
        self._cache = cache
        self._data_version = data_version
        self._largest_body = largest_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        accept = content_type = if_none_match = content_length = None
        for name, value in scope["headers"]:  # one line each (request_headers.py)
            if name == b"accept":
                accept = value
            elif name == b"if-none-match":
                if_none_match = value
            elif name == b"content-type":
                content_type = value
            elif name == b"content-length":
                content_length = value
        body = b""
        if method == "POST":
            if not content_length or not content_length.isdigit():
                await self.app(scope, receive, send)  # chunked or unsized: not worth keying
                return
            if int(content_length) > self._largest_body:
                await self.app(scope, receive, send)  # the application answers 413
                return
            read = await _read_body(receive)
            if read is None:
                return  # the client went away while sending
            body, receive = read
        key: RequestKey = (
            self._data_version,
            method,
            scope["path"],
            scope["query_string"],
            accept,
            content_type,
            body,
        )
        cached = self._cache.get(key)
        if not isinstance(cached, CachedResponse):
            cached = await self._answer_and_keep(key, scope, receive, send, if_none_match)
            if cached is None:
                return
        if if_none_match is not None and etag_matches(cached.etag, if_none_match.decode("latin-1")):
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": cached.not_modified_headers,
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": cached.headers})
        await send({"type": "http.response.body", "body": cached.body})

    async def _answer_and_keep(
        self,
        key: RequestKey,
        scope: Scope,
        receive: Receive,
        send: Send,
        if_none_match: bytes | None,
    ) -> CachedResponse | None:
        """Let the application answer; keep a cacheable answer and return it for sending.

        An `If-None-Match` is held back from the application, so that a revalidating client's
        first request fills the cache too; the 304 is decided here. What is not kept (another
        status, no ETag, too large) goes to the client as it comes, and None is returned.
        """
        if if_none_match is not None:
            scope = {**scope, "headers": [h for h in scope["headers"] if h[0] != b"if-none-match"]}
        capture = _Capture(send, if_none_match)
        await self.app(scope, receive, capture)
        if capture.start is None or not capture.complete:
            return None
        cached = CachedResponse(capture.start["headers"], b"".join(capture.parts), capture.etag)
        self._cache.put(key, cached)
        return cached


class _Capture:
    """The `send` the application gets on a miss: holds back a cacheable 200 until it is whole.

    A 200 with an ETag is held until its last part (then `complete`); one that grows past the
    largest cached answer is released as it comes (or as a 304 when the client's tag matches).
    """

    def __init__(self, send: Send, if_none_match: bytes | None) -> None:
        self._send = send
        self._if_none_match = if_none_match
        self.start: Message | None = None
        self.etag = ""
        self.parts: list[bytes] = []
        self._size = 0
        self._released = False
        self._not_modified = False
        self.complete = False

    async def __call__(self, message: Message) -> None:
        if self._released:
            if not self._not_modified:
                await self._send(message)
        elif message["type"] == "http.response.start":
            self.start = message
            etag = _etag_of(message["headers"])
            if message["status"] != 200 or etag is None:
                self._released = True
                await self._send(message)
            else:
                self.etag = etag
        elif message["type"] == "http.response.body":
            self.parts.append(message.get("body", b""))
            self._size += len(self.parts[-1])
            more = message.get("more_body", False)
            if self._size > LARGEST_CACHED_ANSWER:
                await self._release(more)
            elif not more:
                self.complete = True

    async def _release(self, more: bool) -> None:
        assert self.start is not None
        self._released = True
        tag = self._if_none_match
        if tag is not None and etag_matches(self.etag, tag.decode("latin-1")):
            self._not_modified = True
            headers = _revalidation_headers(self.start["headers"])
            await self._send({"type": "http.response.start", "status": 304, "headers": headers})
            await self._send({"type": "http.response.body", "body": b""})
            return
        await self._send(self.start)
        await self._send(
            {"type": "http.response.body", "body": b"".join(self.parts), "more_body": more}
        )
        self.parts = []


def _revalidation_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [(name, value) for name, value in headers if name in _REVALIDATION_HEADERS]


def _etag_of(headers: list[tuple[bytes, bytes]]) -> str | None:
    for name, value in headers:
        if name == b"etag":
            return value.decode("latin-1")
    return None


async def _read_body(receive: Receive) -> tuple[bytes, Receive] | None:
    """The whole request body, and a `receive` that hands it to the application again."""
    parts = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        parts.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(parts)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay
