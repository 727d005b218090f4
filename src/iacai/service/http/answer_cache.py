"""Repeated requests answered before any other layer: whole responses as they left the service.

A hit costs what HTTP alone costs: no FastAPI, no security headers, CORS, compression or
validators, no routing, no lexical check, no negotiation, no hash. The entry holds the response
exactly as every layer finished it (gzipped, with its CORS and security headers), so the key
holds everything those layers read: method, scheme, path, raw query string, and every line of
`Host`, `Accept`, `Accept-Encoding`, `Origin` and `Content-Type` as sent (two requests share an
entry only if each of these reads the same), a POST's body, and the data version. The service
serves one data version for its whole life, so an entry never goes stale.

What is kept: a 200 the application itself tagged with an ETag (query answers, documents,
dumps: answers the key fully determines; `KeepTaggedAnswers` tells this layer), whose `Vary`
names no header outside the key. Requests with `Range` or other conditions than `If-None-Match`
pass through. `If-None-Match` is answered here too: the first time an entry is revalidated (with
a given tag) the service answers the 304 itself, and its headers are kept beside the 200's. A
POST that names its answer so gets the service's 412 each time, never kept (`http.conditions`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, replace
from typing import Final

from iacai.service.http.caches import LARGEST_CACHED_ANSWER, AnswerCache, HasBody
from iacai.service.http.conditions import etag_matches
from iacai.service.http.request_headers import ASGIApp, Message, Scope

Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]

KEYED_FIELDS: Final = frozenset(
    {b"host", b"accept", b"accept-encoding", b"origin", b"content-type"}
)
"""The request fields the key holds, every line of each: what the layers behind it read."""
_PASSING_FIELDS: Final = frozenset(
    {b"range", b"if-range", b"if-modified-since", b"if-match", b"if-unmodified-since"}
)
"""Requests with these go to the service each time (ranges and conditions it decides)."""
_VARYING_FIELDS: Final = frozenset({b"accept", b"accept-encoding", b"origin"})
"""The fields an answer may vary on and still be kept (all in the key)."""
_TAGGED: Final = "iacai.tagged_by_application"
"""The scope key under which `KeepTaggedAnswers` says the application tagged its answer."""

RequestKey = tuple[str, str, str, str, bytes, tuple[tuple[bytes, bytes], ...], bytes]
"""Data version, method, scheme, path, raw query string, the keyed header lines, body."""


@dataclass(frozen=True)
class KeptResponse:
    """A whole answer as it left the service: the 200 and, once revalidated, the 304."""

    etag: str
    headers: Headers | None
    body: bytes
    not_modified_headers: Headers | None = None
    revalidated_by: str | None = None
    """The `If-None-Match` the 304 answered: it is given again to that one only (the 304 names
    the tag the client holds, which may be another form of the same)."""

    @property
    def size(self) -> int:
        """Bytes held: the body, the headers, the tag."""
        held = [self.headers or [], self.not_modified_headers or []]
        fields = sum(len(name) + len(value) for headers in held for name, value in headers)
        return len(self.body) + fields + len(self.etag) + len(self.revalidated_by or "")


class _Tagged:
    """Set by `KeepTaggedAnswers` when the application's own answer carried an ETag."""

    value = False


class AnswerCacheMiddleware:
    """Serves and revalidates repeated GET and POST requests from memory, in front of every
    other layer (ASGI middleware around the whole service)."""

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
        keyed: list[tuple[bytes, bytes]] = []
        if_none_match: list[bytes] = []
        content_length = None
        for name, value in scope["headers"]:
            if name in KEYED_FIELDS:
                keyed.append((name, value))
            elif name == b"if-none-match":
                if_none_match.append(value)
            elif name == b"content-length":
                content_length = value
            elif name in _PASSING_FIELDS:
                await self.app(scope, receive, send)
                return
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
            scope["scheme"],
            scope["path"],
            scope["query_string"],
            tuple(keyed),
            body,
        )
        kept = self._cache.get(key)
        if not isinstance(kept, KeptResponse):
            kept = None
        revalidated = b", ".join(if_none_match).decode("latin-1") if if_none_match else None
        if kept is not None and etag_matches(kept.etag, revalidated):
            if kept.not_modified_headers is not None and kept.revalidated_by == revalidated:
                await _send_whole(send, 304, kept.not_modified_headers, b"")
                return
        elif kept is not None and kept.headers is not None:
            await _send_whole(send, 200, kept.headers, kept.body)
            return
        await self._answer_and_keep(key, kept, revalidated, scope, receive, send)

    async def _answer_and_keep(
        self,
        key: RequestKey,
        kept: KeptResponse | None,
        revalidated: str | None,
        scope: Scope,
        receive: Receive,
        send: Send,
    ) -> None:
        """Let the service answer, passing its answer on as it comes; keep it if it may be."""
        tagged = _Tagged()
        capture = _Capture(send)
        await self.app({**scope, _TAGGED: tagged}, receive, capture)
        if not (tagged.value and capture.complete and capture.etag is not None):
            return
        if kept is not None and kept.etag != capture.etag:
            kept = None
        if capture.status == 200:
            body = b"".join(capture.parts)
            if kept is None:
                kept = KeptResponse(capture.etag, capture.headers, body)
            else:
                kept = replace(kept, headers=capture.headers, body=body)
        elif capture.status == 304:
            if kept is None:
                kept = KeptResponse(capture.etag, None, b"")
            kept = replace(kept, not_modified_headers=capture.headers, revalidated_by=revalidated)
        else:
            return
        self._cache.put(key, kept, _bytes_of(key) + kept.size)


class KeepTaggedAnswers:
    """Tells the answer cache in front that the application tagged its answer with an ETag
    itself (this layer sits next to the application: later layers tag every answer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, noting_the_tag(scope, send))


def noting_the_tag(scope: Scope, send: Send) -> Send:
    """The `send` that tells the answer cache whether the application's answer carried an
    ETag (`note_tag`); `send` itself when no cache is in front."""
    if not isinstance(scope.get(_TAGGED), _Tagged):
        return send

    async def noting(message: Message) -> None:
        if message["type"] == "http.response.start":
            note_tag(scope, message["status"], message["headers"])
        await send(message)

    return noting


def note_tag(scope: Scope, status: int, headers: Headers) -> None:
    """Tell the answer cache in front, if any, whether the application's 200 or 304 carried
    an ETag (the query operation answered in front of the middlewares, `sparql.query_edge`,
    calls this with its answer's headers)."""
    tagged = scope.get(_TAGGED)
    if isinstance(tagged, _Tagged) and status in (200, 304):
        tagged.value = any(name.lower() == b"etag" for name, _ in headers)


class _Capture:
    """The `send` the service gets on a miss: passes every message on and notes a whole answer
    small enough to keep, with its ETag and whether its `Vary` stays within the key."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self.status = 0
        self.headers: Headers = []
        self.etag: str | None = None
        self.parts: list[bytes] = []
        self._size = 0
        self._keepable = False
        self.complete = False

    async def __call__(self, message: Message) -> None:
        await self._send(message)
        if message["type"] == "http.response.start":
            self.status = message["status"]
            self.headers = list(message.get("headers", []))
            self.etag = _etag_of(self.headers)
            self._keepable = self.status in (200, 304) and _varies_within_key(self.headers)
        elif message["type"] == "http.response.body" and self._keepable:
            self.parts.append(message.get("body", b""))
            self._size += len(self.parts[-1])
            if self._size > LARGEST_CACHED_ANSWER:
                self._keepable, self.parts = False, []
            elif not message.get("more_body", False):
                self.complete = True


def _bytes_of(key: RequestKey) -> int:
    """The bytes a key holds: its texts, its header lines, its body."""
    _, method, scheme, path, query_string, keyed, body = key
    fields = sum(len(name) + len(value) for name, value in keyed)
    return len(method) + len(scheme) + len(path) + len(query_string) + fields + len(body)


def _varies_within_key(headers: Headers) -> bool:
    for name, value in headers:
        if name.lower() == b"vary":
            fields = {field.strip().lower() for field in value.split(b",")}
            if not fields <= _VARYING_FIELDS:
                return False
    return True


def _etag_of(headers: Headers) -> str | None:
    for name, value in headers:
        if name.lower() == b"etag":
            return value.decode("latin-1")
    return None


async def _send_whole(send: Send, status: int, headers: Headers, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
