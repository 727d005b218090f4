"""How every answer travels: HEAD, a true Allow, validators and 304, gzip, byte ranges.

Done once, for every route, in one ASGI middleware rather than in each handler (and by the query
operation answered in front of the middlewares, `sparql.query_edge`, through the same object):

- HEAD is answered wherever GET is (the application answers a GET; the body is dropped), and
  OPTIONS (other than a CORS preflight) and every 405 carry the methods the path really takes.
- A 200 to a GET gets a strong `ETag` (a hash of its bytes) unless it has one, `Last-Modified`
  (when the data was last changed: every answer derives from the data and the code serving it)
  and `Cache-Control`; `If-None-Match` (read by `http.conditions`: one that is not `*` or a
  list of entity tags is ignored), else `If-Modified-Since`, turn it into a 304. An answer
  that says `Cache-Control: no-store` (/healthz) gets none of them. A 304 carries what its 200
  would (RFC 9110, 15.4.5): `ETag`, `Last-Modified`, `Cache-Control` and the same `Vary`, also
  when a handler made it (naming its media type, `conditions.not_modified`) and for static files
  (`WholeStaticFiles`).
- A text answer over COMPRESS_FROM bytes is gzipped when `Accept-Encoding` allows it (q-values
  honoured), with `Vary: Accept-Encoding`; its ETag turns weak, as nginx does, since the gzipped
  bytes differ but mean the same. A route may hand over bytes it compressed once (the dumps);
  other gzipped answers are kept by ETag (every ETag here names exactly one body), so a repeated
  answer is not compressed again.
- An answer with `Accept-Ranges: bytes` (the dumps) serves one `Range` (206, or 416), honouring
  `If-Range`; a range is always of the uncompressed bytes.

Whole answers are held in memory to do this; one larger than LARGEST_HELD passes untouched.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Awaitable, Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from email.utils import formatdate, parsedate_to_datetime
from typing import Any, Final

from starlette.datastructures import Headers as StarletteHeaders
from starlette.routing import BaseRoute, Match, Mount
from starlette.staticfiles import StaticFiles

from iacai.service.http.caches import AnswerCache
from iacai.service.http.conditions import REVALIDATED_METHODS, IfNoneMatch, read_if_none_match

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Headers = list[tuple[bytes, bytes]]
Precompressed = Callable[[str], bytes | None]
"""The gzip bytes a route made once for the answer with this (strong) ETag, if any."""

COMPRESS_FROM: Final = 1024
"""Answers smaller than this (bytes) go uncompressed: gzip would save too little."""
GZIPPED_KEPT: Final = 256
GZIPPED_BYTES: Final = 8 << 20
"""How many gzipped answers (and bytes of them) are kept, by ETag, for the next client."""
LARGEST_HELD: Final = 32 << 20
"""Larger answers are passed on as they come, without validators, compression or ranges."""
EXPOSED_HEADERS: Final = (
    "ETag",
    "Last-Modified",
    "Link",
    "Content-Location",
    "Content-Disposition",
    "Content-Range",
    "Accept-Ranges",
    "Allow",
    "X-Iacai-Result-Truncated",
)
"""The answer headers a cross-origin script may read (Access-Control-Expose-Headers)."""

_COMPRESSIBLE_SUFFIXES: Final = (b"json", b"xml", b"n-triples", b"n-quads", b"trig", b"javascript")
_NOT_MODIFIED_HEADERS: Final = frozenset(
    {b"etag", b"last-modified", b"cache-control", b"vary", b"content-location", b"expires"}
)


class Representation:
    """The HTTP semantics every answer shares (see the module's docstring), for the middleware
    and for the query operation answered in front of it (`sparql.query_edge`), which share one
    instance: one store of gzipped answers."""

    def __init__(self, last_modified: float, max_age: int, precompressed: Precompressed) -> None:
        self._last_modified = formatdate(last_modified, usegmt=True).encode()
        self._cache_control = f"public, max-age={max_age}".encode()
        self._precompressed = precompressed
        self._gzipped: AnswerCache[bytes, _Gzipped] = AnswerCache(GZIPPED_KEPT, GZIPPED_BYTES)

    def answering(self, scope: Scope, method: str, send: Send) -> Send:
        """The `send` to give the application: it holds a 200 whole, then sends it finished."""
        return _Answer(self, dict(scope), _RequestHeaders(scope["headers"]), method, send)

    def finish_whole(
        self, scope: Scope, status: int, headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        """`finish` for an answer the application gave whole, outside the middleware (the
        query operation answered in front of the middlewares, `sparql.query_edge`)."""
        request = _RequestHeaders(scope["headers"])
        return self.finish(request, scope["method"], status, headers, body)

    def finish(
        self, request: _RequestHeaders, method: str, status: int, headers: Headers, body: bytes
    ) -> tuple[int, Headers, bytes]:
        """The status, headers and body to send for a whole answer the application gave."""
        fields = _Fields(headers)
        if status == 304:  # a handler's (`conditions.not_modified`), naming its media type
            self._describe(fields, True)
            fields.weaken_etag_like(request.if_none_match)
            return status, fields.only(_NOT_MODIFIED_HEADERS), b""
        if status != 200 or fields.get(b"content-encoding") is not None:
            return status, headers, body
        stored = b"no-store" not in (fields.get(b"cache-control") or b"")
        cacheable = stored and method in REVALIDATED_METHODS
        if cacheable and fields.get(b"etag") is None:
            fields.set(b"etag", b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"')
        ranges = cacheable and bool(request.range) and fields.get(b"accept-ranges") == b"bytes"
        compressible = self._describe(fields, stored)
        identity_etag = fields.get(b"etag")
        gzipped = compressible and not ranges and request.accepts_gzip
        gzipped = gzipped and len(body) >= COMPRESS_FROM
        if gzipped:
            fields.set(b"content-encoding", b"gzip")
            if identity_etag is not None and not identity_etag.startswith(b"W/"):
                fields.set(b"etag", b"W/" + identity_etag)
        if cacheable and self._not_modified(request, fields):
            return 304, fields.only(_NOT_MODIFIED_HEADERS), b""
        if ranges:
            ranged = _ranged(request, fields, body)
            if ranged is not None:
                return ranged
        if gzipped:
            body = self._gzip(body, identity_etag)
        fields.set(b"content-length", str(len(body)).encode())
        return status, fields.headers, body

    def _describe(self, fields: _Fields, stored: bool) -> bool:
        """What a 200 and its 304 both carry: `Vary: Accept-Encoding` when the media type is
        compressible (returned), and when the answer may be stored (a POSTed query's answer
        too; only GET and HEAD are revalidated) `Last-Modified` and `Cache-Control`."""
        compressible = _compressible(fields.get(b"content-type"))
        if compressible:
            fields.add_vary(b"Accept-Encoding")
        if stored:
            fields.set_default(b"last-modified", self._last_modified)
            fields.set_default(b"cache-control", self._cache_control)
        return compressible

    def _gzip(self, body: bytes, etag: bytes | None) -> bytes:
        """The body gzipped: as a route made it, as kept from an earlier answer, or now."""
        if etag is None:
            return gzip.compress(body, 6, mtime=0)
        made = self._precompressed(etag.decode("latin-1"))
        if made is not None:
            return made
        kept = self._gzipped.get(etag)
        if kept is None:
            kept = _Gzipped(gzip.compress(body, 6, mtime=0))
            self._gzipped.put(etag, kept)
        return kept.body

    def _not_modified(self, request: _RequestHeaders, fields: _Fields) -> bool:
        """If-None-Match decides when present (weak comparison); else If-Modified-Since."""
        if request.if_none_match is not None:
            etag = fields.get(b"etag") or b""
            return request.if_none_match.matches(etag.decode("latin-1"))
        since = _http_date(request.if_modified_since)
        if since is None:
            return False
        modified = _http_date(fields.get(b"last-modified"))
        return modified is not None and modified <= since


class RepresentationMiddleware:
    """Every answer through the `Representation`; HEAD as GET, and OPTIONS with a true Allow."""

    def __init__(self, app: ASGIApp, representation: Representation) -> None:
        self.app = app
        self._representation = representation

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method == "OPTIONS":
            allowed = allowed_methods(scope)
            if allowed:
                await _send_empty(send, 204, [(b"allow", allowed.encode())])
                return
        if method == "HEAD":
            scope = {**scope, "method": "GET"}
        answer = self._representation.answering(scope, method, send)  # routing edits `scope`
        await self.app(scope, receive, answer)


@dataclass(frozen=True)
class _Gzipped:
    body: bytes


class _Answer:
    """The `send` the application gets: holds a 200 whole until it can be finished."""

    def __init__(
        self,
        representation: Representation,
        scope: Scope,
        request: _RequestHeaders,
        method: str,
        send: Send,
    ) -> None:
        self._representation = representation
        self._scope = scope
        self._request = request
        self._method = method
        self._send = send
        self._start: Message | None = None
        self._parts: list[bytes] = []
        self._size = 0
        self._passing = False

    async def __call__(self, message: Message) -> None:
        if self._passing:
            await self._send_body(message.get("body", b""), message.get("more_body", False))
        elif message["type"] == "http.response.start":
            self._start = message
            if message["status"] == 405:
                allowed = allowed_methods(self._scope) or "OPTIONS"
                headers = [h for h in message["headers"] if h[0].lower() != b"allow"]
                self._start = {**message, "headers": [*headers, (b"allow", allowed.encode())]}
        elif message["type"] == "http.response.body":
            self._parts.append(message.get("body", b""))
            self._size += len(self._parts[-1])
            more = message.get("more_body", False)
            if more and self._size > LARGEST_HELD:
                await self._pass_on(more)
            elif not more:
                await self._finish()
        else:
            await self._send(message)

    async def _finish(self) -> None:
        assert self._start is not None
        status, headers, body = self._representation.finish(
            self._request,
            self._method,
            self._start["status"],
            list(self._start["headers"]),
            b"".join(self._parts),
        )
        await self._send({**self._start, "status": status, "headers": headers})
        await self._send_body(body, False)

    async def _pass_on(self, more: bool) -> None:
        """Too large to hold: send what came so far and everything after it unchanged."""
        assert self._start is not None
        self._passing = True
        await self._send(self._start)
        await self._send_body(b"".join(self._parts), more)
        self._parts = []

    async def _send_body(self, body: bytes, more: bool) -> None:
        if self._method == "HEAD":
            body = b""
        await self._send({"type": "http.response.body", "body": body, "more_body": more})


class _RequestHeaders:
    """The request headers this middleware reads."""

    def __init__(self, headers: Headers) -> None:
        self.if_none_match: IfNoneMatch | None = None
        """None when not sent or unreadable (then If-Modified-Since decides)."""
        self.if_modified_since: bytes | None = None
        self.if_range: bytes | None = None
        self.range: bytes | None = None
        accept_encoding: list[bytes] = []
        for name, value in headers:
            if name == b"if-none-match":
                self.if_none_match = read_if_none_match(value.decode("latin-1"))
            elif name == b"if-modified-since":
                self.if_modified_since = value
            elif name == b"range":
                self.range = value
            elif name == b"if-range":
                self.if_range = value
            elif name == b"accept-encoding":
                accept_encoding.append(value)
        self.accepts_gzip = bool(accept_encoding) and gzip_accepted(
            b",".join(accept_encoding).decode("latin-1")
        )


def with_vary(headers: Headers, field: bytes) -> Headers:
    """The headers with `field` named in their `Vary` (added, or appended to it once)."""
    fields = _Fields(headers)
    fields.add_vary(field)
    return fields.headers


class _Fields:
    """An answer's headers, edited by name (case-insensitively): each lowercased name's first
    line is indexed once, since an answer's way out reads about ten of them."""

    def __init__(self, headers: Headers) -> None:
        self.headers = headers
        self._first: dict[bytes, int] = {}
        self._repeated: set[bytes] = set()
        """The lowercased names with more than one line."""
        self._index()

    def _index(self) -> None:
        self._first.clear()
        self._repeated.clear()
        for position, (name, _) in enumerate(self.headers):
            lowered = name.lower()
            if lowered in self._first:
                self._repeated.add(lowered)
            else:
                self._first[lowered] = position

    def get(self, name: bytes) -> bytes | None:
        position = self._first.get(name)
        return None if position is None else self.headers[position][1]

    def set(self, name: bytes, value: bytes) -> None:
        """The field's one line (in place of its first line, the others dropped)."""
        position = self._first.get(name)
        if position is None:
            self._first[name] = len(self.headers)
            self.headers.append((name, value))
        elif name in self._repeated:
            self.headers = [
                (n, value) if i == position else (n, v)
                for i, (n, v) in enumerate(self.headers)
                if i == position or n.lower() != name
            ]
            self._index()
        else:
            self.headers[position] = (self.headers[position][0], value)

    def set_default(self, name: bytes, value: bytes) -> None:
        if name not in self._first:
            self._first[name] = len(self.headers)
            self.headers.append((name, value))

    def add_vary(self, field: bytes) -> None:
        vary = self.get(b"vary")
        if vary is None:
            self.set(b"vary", field)
        elif field.lower() not in (v.strip().lower() for v in vary.split(b",")):
            self.set(b"vary", vary + b", " + field)

    def only(self, names: frozenset[bytes]) -> Headers:
        return [(n, v) for n, v in self.headers if n.lower() in names]

    def weaken_etag_like(self, if_none_match: IfNoneMatch | None) -> None:
        """A 304 names the tag the client holds: the weak one it got with a gzipped answer."""
        etag = self.get(b"etag")
        if etag is None or etag.startswith(b"W/") or if_none_match is None:
            return
        if if_none_match.names_only_weak(etag.decode("latin-1")):
            self.set(b"etag", b"W/" + etag)


class WholeStaticFiles(StaticFiles):
    """Static files that answer every GET in full: the representation evaluates its conditions,
    so their 304 carries the 200's headers (Starlette's own 304 drops the `Vary` added here and
    reads If-None-Match its own way)."""

    def is_not_modified(
        self, response_headers: StarletteHeaders, request_headers: StarletteHeaders
    ) -> bool:
        return False


def gzip_accepted(header: str) -> bool:
    """Whether an Accept-Encoding header takes gzip: named (or `*`) with a q-value above 0."""
    qualities: dict[str, float] = {}
    for item in header.split(","):
        coding, *parameters = (part.strip() for part in item.split(";"))
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if coding:
            qualities[coding.lower()] = quality
    gzip_quality = qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0)))
    return gzip_quality > 0


def allowed_methods(scope: Scope) -> str:
    """The methods some route of the application answers at this path ('' when none does)."""
    methods: set[str] = set()
    for route in _leaf_routes(getattr(scope.get("app"), "routes", ())):
        match, _ = route.matches({**scope, "method": "GET"})
        if match is Match.NONE:
            continue
        methods |= {"GET"} if isinstance(route, Mount) else set(getattr(route, "methods", ()))
    if not methods:
        return ""
    if "GET" in methods:
        methods.add("HEAD")
    methods.add("OPTIONS")
    order = ("GET", "HEAD", "POST", "OPTIONS")
    return ", ".join(sorted(methods, key=lambda m: (order.index(m) if m in order else 9, m)))


def _leaf_routes(routes: Iterable[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, the ones of included routers too (FastAPI keeps those behind a wrapper)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is None:
            yield route
        else:
            yield from _leaf_routes(included.routes)


def _ranged(
    request: _RequestHeaders, fields: _Fields, body: bytes
) -> tuple[int, Headers, bytes] | None:
    """One byte range of the body (206), 416 when none of it exists; None to send it all."""
    if request.if_range is not None and request.if_range not in (
        fields.get(b"etag"),
        fields.get(b"last-modified"),
    ):
        return None  # the client's copy is another version
    wanted = _byte_range(request.range or b"", len(body))
    if wanted is None:
        return None  # several ranges or a form we do not read: Range may be ignored
    if not wanted:
        fields.set(b"content-range", f"bytes */{len(body)}".encode())
        fields.set(b"content-type", b"text/plain; charset=utf-8")
        message = b"The range asked for lies outside the file.\n"
        fields.set(b"content-length", str(len(message)).encode())
        return 416, fields.headers, message
    first, last = wanted
    fields.set(b"content-range", f"bytes {first}-{last}/{len(body)}".encode())
    fields.set(b"content-length", str(last - first + 1).encode())
    return 206, fields.headers, body[first : last + 1]


def _byte_range(header: bytes, size: int) -> tuple[int, int] | tuple[()] | None:
    """(first, last) of a single `bytes=` range; () when unsatisfiable; None to ignore it."""
    unit, _, spec = header.decode("latin-1").partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    start, dash, end = spec.strip().partition("-")
    if not dash or not (start.isdigit() or end.isdigit()):
        return None
    if not start:  # the last `end` bytes
        length = int(end)
        return (max(size - length, 0), size - 1) if length and size else ()
    first = int(start)
    last = min(int(end), size - 1) if end else size - 1
    if end and int(end) < first:
        return None
    return (first, last) if first < size else ()


def _compressible(content_type: bytes | None) -> bool:
    media_type = (content_type or b"").split(b";")[0].strip().lower()
    return media_type.startswith(b"text/") or media_type.endswith(_COMPRESSIBLE_SUFFIXES)


def _http_date(value: bytes | None) -> int | None:
    if not value:
        return None
    try:
        return int(parsedate_to_datetime(value.decode("latin-1")).timestamp())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


async def _send_empty(send: Send, status: int, headers: Headers) -> None:
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
