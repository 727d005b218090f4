"""uvicorn, bounded by the settings: request heads, slow and idle clients, connections and work.

uvicorn bounds a request head only with its h11 parser, which costs about three times what
httptools does per request; httptools accepts heads of any size and waits for ever on a client
that connects and says nothing, sends its head a byte at a time, or sends a head and never its
body. `BoundedHttpToolsProtocol` keeps the fast parser and adds the bounds:

- a head longer than `max_header_bytes` (counted as it arrives) is refused with 431, or 414 while
  the request line alone is that long; more than `max_header_fields` fields, or one field longer
  than `max_header_field_bytes`, is refused with 431 as soon as that field is parsed, so that
  nothing downstream ever scans thousands of fields;
- a connection that is idle, or still sending its head, `timeout_keep_alive` seconds after it
  connected or began a request is closed; a body not received in full `body_timeout` seconds
  after its head (in total, however it trickles) is answered 408 and its connection closed;
- a request takes one of the `limit_concurrency` work slots only once its body has arrived
  (uvicorn counts every open connection, so a crowd of stalled bodies left no slot for anyone):
  until then it is read in full here (it is at most `max_query_bytes`; a larger one goes on to
  the application, which refuses it with 413), and beyond the slots it is answered 503;
- connections are bounded per client address (`max_client_connections`, trusted proxies
  exempt) and in total (`max_connections`). Past the client's bound, its connection idle the
  longest (between requests) is closed, else the new one is refused with 429: a client cannot
  take others' places with stalled requests. Past the server's bound, the connection idle the
  longest is closed, else the one that has waited longest for its head or body (408), else the
  new one is refused with 503; one being answered is never closed.

uvicorn has no write timeout either: an answer a client does not read stays in the server's
memory for as long as the connection lasts. Here, once more than the transport's high-water
mark (64 KiB) waits for a client, it must fall back within `write_timeout` seconds or the
connection is dropped; and when the bytes waiting on all connections together pass
`max_buffered_bytes`, the connection with the most waiting is dropped at once.

uvicorn never cancels a request whose client has gone either: its query would keep a worker
busy until the timeout for an answer nobody reads. Here a request whose connection is lost
before its answer is complete is cancelled (the pool then stops its query's worker): at once
once it has run `long_after` seconds (the pool's fast lane: it is a long query), else at that
moment if it still runs. A short request is let finish: a worker killed and forked again for
each client that hangs up on a cheap query would cost more than the query.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import logging
import resource
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from uvicorn._types import (
    ASGI3Application,
    ASGIReceiveCallable,
    ASGISendCallable,
    HTTPScope,
    Scope,
)
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol, RequestResponseCycle

from iacai.service.http.client_identity import Network, is_within, parse_networks
from iacai.service.http.errors import log_client_gone, log_client_hung_up, send_plain_text
from iacai.service.settings import Settings

log = logging.getLogger("uvicorn.error")
"""The server's own log (uvicorn's), as in `http.errors`."""

_EVENTS = itertools.count()
"""Orders the moments connections begin to wait (the loop's clock can give two the same)."""
FILE_DESCRIPTORS_BESIDE_CONNECTIONS = 256
"""Descriptors the service needs besides its connections: workers' sockets, files, the listener."""


@dataclass(frozen=True)
class WriteLimits:
    """How long a client may leave an answer unread, and how much all clients together may."""

    timeout: float
    buffered_bytes: int


@dataclass(frozen=True)
class HeadLimits:
    """How large a request head may be: in all, in fields, and in bytes per field."""

    total_bytes: int
    fields: int
    field_bytes: int


@dataclass(frozen=True)
class Shares:
    """What a request or a connection may hold of the server: work slots, connections."""

    work_slots: int
    connections: int
    client_connections: int
    trusted_proxies: tuple[Network, ...] = ()


@dataclass
class Occupancy:
    """What the connections of one server process hold now (shared by all of them)."""

    working: int = 0
    """Requests being answered: their bodies arrived, the application runs."""
    by_client: dict[str, set[BoundedHttpToolsProtocol]] = field(default_factory=dict)


@dataclass
class _Answering:
    """The request of a connection in the application now: its task, cancelled if its client
    hangs up before the answer is complete."""

    cycle: RequestResponseCycle
    task: asyncio.Task[None]
    began: float
    cancel_at: asyncio.TimerHandle | None = None
    cancelled: bool = False
    """Whether this protocol cancelled the task (its CancelledError is then caught here)."""

    def cancel(self) -> None:
        """Cancel the request, unless its answer was completed meanwhile."""
        self.cancel_at = None
        if not self.cycle.response_complete and not self.task.done():
            self.cancelled = self.task.cancel()


MAX_URL_BYTES = 65_535
"""The longest request target httptools can parse (its URL offsets are 16-bit): a longer GET query
gets a 414 that says to POST it, not uvicorn's bare "Invalid HTTP request received"."""


class _RefusalAwareLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """uvicorn's log for one connection, without its "Invalid HTTP request received." for a head
    this protocol refused and answered itself (it logs its own line, naming the bound)."""

    def __init__(self, logger: logging.Logger, protocol: asyncio.Protocol) -> None:
        super().__init__(logger, {})
        self._transport_of = protocol

    @property
    def level(self) -> int:  # uvicorn reads its logger's level before tracing
        return int(self.logger.level)

    def log(self, level: int, msg: object, *args: object, **kwargs: Any) -> None:
        transport = getattr(self._transport_of, "transport", None)
        if msg == _UVICORN_PARSE_ERROR and transport is not None and transport.is_closing():
            return
        super().log(level, msg, *args, **kwargs)


_UVICORN_PARSE_ERROR = "Invalid HTTP request received."


class _HeadRefusedError(Exception):
    """Stops httptools mid-head once the head was answered 414 or 431 (it wraps this in its
    error)."""


def plain_answer(status: str, message: str, *headers: str) -> bytes:
    """A whole HTTP answer, plain text, closing the connection: for refusals before any app."""
    body = (message + "\n").encode()
    lines = [
        f"HTTP/1.1 {status}",
        "content-type: text/plain; charset=utf-8",
        f"content-length: {len(body)}",
        "connection: close",
        *headers,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools with bounded heads, deadlines for idle, slow and non-reading clients, work slots
    for requests whose bodies arrived, and bounded connections per client and in total."""

    _reading_head = True
    _request_line_bytes: int | None = None
    """The request line's length once its end arrived."""
    _head_bytes = 0
    _header_fields = 0
    _head_deadline: asyncio.TimerHandle | None = None
    _write_deadline: asyncio.TimerHandle | None = None
    _body_deadline: asyncio.TimerHandle | None = None
    _gated: RequestResponseCycle | None = None
    """The request whose body is awaited before it may take a work slot."""
    _answering = 0
    """Requests of this connection in the application: while any, it is never closed early."""
    _waiting_since = 0
    """When this connection last began to wait for its client (connected, head read, answered),
    as a place in the order of such events: the smallest has waited longest."""
    _peer = ""
    _in_app: _Answering | None = None
    """The request being answered in the application, if any (one at a time: uvicorn starts a
    pipelined request once the one before it is answered)."""

    def __init__(
        self,
        *args: Any,
        write_limits: WriteLimits,
        head_limits: HeadLimits,
        body_timeout: float,
        largest_body: int,
        long_after: float,
        shares: Shares,
        occupancy: Occupancy,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        # uvicorn only calls its logger's methods and reads its level, which the adapter has
        self.logger = cast(logging.Logger, _RefusalAwareLog(self.logger, self))
        self._write_limits = write_limits
        self._head_limits = head_limits
        self.body_timeout = body_timeout
        self._largest_body = largest_body
        self._long_after = long_after
        self._shares = shares
        self._occupancy = occupancy

    # uvicorn's own signature, narrower than asyncio's (BaseTransport): hence the ignore
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )
        self._waiting_since = next(_EVENTS)
        self._peer = self.client[0] if self.client else ""
        self._occupancy.by_client.setdefault(self._peer, set()).add(self)
        self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        self._cancel_write_deadline()
        self._cancel_body_deadline()
        self._abandon_answer()
        same_client = self._occupancy.by_client.get(self._peer)
        if same_client is not None:
            same_client.discard(self)
            if not same_client:
                del self._occupancy.by_client[self._peer]
        super().connection_lost(exc)

    # Connections: each client's share and the server's, the longest-waiting closed first

    def _make_room(self) -> None:
        """Past the client's bound or the server's, close the connection that has waited
        longest for its client; refuse this new one if no other can go."""
        shares = self._shares
        same_client = self._occupancy.by_client[self._peer]
        if len(same_client) > shares.client_connections and not is_within(
            self._peer, shares.trusted_proxies
        ):
            self._close_longest_waiting(
                same_client,
                "429 Too Many Requests",
                f"Too many connections from this address ({shares.client_connections} at once).",
                stalled_too=False,
            )
        if not self.transport.is_closing() and len(self.connections) > shares.connections:
            self._close_longest_waiting(
                self.connections,
                "503 Service Unavailable",
                f"The server holds as many connections as it may ({shares.connections}).",
                stalled_too=True,
            )

    def _close_longest_waiting(
        self, among: Iterable[Any], status: str, refusal: str, *, stalled_too: bool
    ) -> None:
        """Close the connection idle the longest (or, `stalled_too`, the one waiting longest
        for its request to arrive); refuse this one if there is no other."""
        waiting = [
            connection
            for connection in among
            if isinstance(connection, BoundedHttpToolsProtocol)
            and connection is not self
            and not connection._answering
            and not connection.transport.is_closing()
            and (stalled_too or connection.idle)
        ]
        longest = min(
            waiting,
            key=lambda connection: (not connection.idle, connection._waiting_since),
            default=self,
        )
        if longest is self:  # not logged: a flood of connections would flood the log
            self.transport.write(plain_answer(status, refusal, "retry-after: 1"))
            self.transport.close()
        else:
            longest.cut_off("Request body not received in time: the server needed its place.")

    @property
    def idle(self) -> bool:
        """Between requests: nothing of a request arrived yet, nothing is being answered."""
        return (
            self._reading_head
            and self._head_bytes == 0
            and not self._answering
            and (self.cycle is None or self.cycle.response_complete)
        )

    def cut_off(self, message: str) -> None:
        """Close this connection; a request still waiting for its body is answered 408 first."""
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_started:
            self.cycle.response_started = True
            self.transport.write(plain_answer("408 Request Timeout", message))
        self.transport.close()

    # Work slots: taken once the body has arrived

    def _start_asgi_task(self, cycle: RequestResponseCycle, app: ASGI3Application) -> None:
        super()._start_asgi_task(
            cycle, functools.partial(self._answer_once_received, cycle, app)
        )

    async def _answer_once_received(
        self,
        cycle: RequestResponseCycle,
        app: ASGI3Application,
        scope: Scope,
        receive: ASGIReceiveCallable,
        send: ASGISendCallable,
    ) -> None:
        """Wait for the body (bounded by its deadline), then answer in a work slot, or 503."""
        if self._body_within_bounds(cycle.scope):
            await self._receive_body(cycle)
        if cycle.disconnected:
            if cycle.more_body and not cycle.response_started:  # it left; it was not cut off
                log_client_gone(cycle.scope["method"], cycle.scope["path"], self._peer)
            return
        occupancy = self._occupancy
        if occupancy.working >= self._shares.work_slots:
            log.warning("request refused: %s requests are being answered", occupancy.working)
            await _server_busy(send, self._shares.work_slots)
            return
        occupancy.working += 1
        self._answering += 1
        task = asyncio.current_task()
        assert task is not None  # uvicorn runs each request in its own task
        answering = self._in_app = _Answering(cycle, task, self.loop.time())
        try:
            await app(scope, receive, send)
        except asyncio.CancelledError:
            if not answering.cancelled or task.uncancel() > 0:
                raise  # not (only) this protocol's: the server's shutdown, say
            log_client_hung_up(cycle.scope["method"], cycle.scope["path"], self._peer)
        finally:
            occupancy.working -= 1
            self._answering -= 1
            if answering.cancel_at is not None:
                answering.cancel_at.cancel()
            if self._in_app is answering:
                self._in_app = None

    def _abandon_answer(self) -> None:
        """The client has gone: cancel its request if it has run long, else once it has."""
        answering = self._in_app
        if answering is None or answering.cycle.response_complete:
            return
        long_at = answering.began + self._long_after
        if self.loop.time() >= long_at:
            answering.cancel()
        elif answering.cancel_at is None:
            answering.cancel_at = self.loop.call_at(long_at, answering.cancel)

    def _body_within_bounds(self, scope: HTTPScope) -> bool:
        """Whether the body is worth reading here: a declared length over the largest body
        accepted goes to the application at once (its 413 says why)."""
        for name, value in scope["headers"]:
            if name == b"content-length":
                return not value.isdigit() or int(value) <= self._largest_body
        return True

    async def _receive_body(self, cycle: RequestResponseCycle) -> None:
        """Read the whole body into the cycle (uvicorn pauses at 64 KiB until the app reads)."""
        if cycle.waiting_for_100_continue and not self.transport.is_closing():
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            cycle.waiting_for_100_continue = False
        self._gated = cycle
        self.flow.resume_reading()
        try:
            while cycle.more_body and not cycle.disconnected:
                if len(cycle.body) > self._largest_body:
                    break
                await cycle.message_event.wait()
                cycle.message_event.clear()
        finally:
            self._gated = None
            cycle.message_event.set()  # the application's first receive() takes what came

    def on_body(self, body: bytes) -> None:
        super().on_body(body)
        if self._gated is self.cycle and len(self.cycle.body) <= self._largest_body:
            self.flow.resume_reading()

    def on_response_complete(self) -> None:
        self._waiting_since = next(_EVENTS)
        super().on_response_complete()

    # Answers waiting for a client that does not read

    def pause_writing(self) -> None:
        """More than the high-water mark waits for the client: start its clock, check the sum."""
        super().pause_writing()
        if self._write_deadline is None:
            self._write_deadline = self.loop.call_later(self._write_limits.timeout, self._drop)
        self._drop_beyond_budget()

    def resume_writing(self) -> None:
        super().resume_writing()
        self._cancel_write_deadline()

    def _drop_beyond_budget(self) -> None:
        waiting = [
            connection
            for connection in self.server_state.connections
            if isinstance(connection, BoundedHttpToolsProtocol) and connection.waits_for_client
        ]
        total = sum(connection.transport.get_write_buffer_size() for connection in waiting)
        waiting.sort(key=lambda connection: connection.transport.get_write_buffer_size())
        while total > self._write_limits.buffered_bytes and waiting:
            largest = waiting.pop()
            total -= largest.transport.get_write_buffer_size()
            largest._drop()

    @property
    def waits_for_client(self) -> bool:
        """Whether bytes beyond the high-water mark wait for this client to read them."""
        return self._write_deadline is not None

    def _drop(self) -> None:
        self._cancel_write_deadline()
        self.transport.abort()  # close() would wait for the client to read the rest

    def _cancel_write_deadline(self) -> None:
        if self._write_deadline is not None:
            self._write_deadline.cancel()
            self._write_deadline = None

    # The head: its size, its fields, its deadline

    def data_received(self, data: bytes) -> None:
        """Count the bytes of a head as they arrive: httptools buffers an unfinished header."""
        if self._reading_head:
            if self._request_line_bytes is None and (end := data.find(b"\n")) >= 0:
                self._request_line_bytes = self._head_bytes + end
            self._head_bytes += len(data)
            limit = self._head_limits.total_bytes
            if self._head_bytes > limit:
                if (self._request_line_bytes or self._head_bytes) > limit:
                    self._refuse_head("414 URI Too Long", f"Request line over {limit} bytes.")
                else:
                    self._refuse_head("431", f"Request head larger than {limit} bytes.")
                return
        super().data_received(data)

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > MAX_URL_BYTES:
            self._refuse_head(
                "414 URI Too Long",
                f"Request target over {MAX_URL_BYTES} bytes: send a query this long with POST "
                "(application/sparql-query, or a form).",
            )
            raise _HeadRefusedError
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_fields += 1
        limits = self._head_limits
        if self._header_fields > limits.fields:
            self._refuse_head("431", f"More than {limits.fields} header fields.")
            raise _HeadRefusedError
        if len(name) + len(value) > limits.field_bytes:
            shown = name[:64].decode("latin-1")
            self._refuse_head("431", f"Header field {shown} over {limits.field_bytes} bytes.")
            raise _HeadRefusedError
        super().on_header(name, value)

    def _refuse_head(self, status: str, message: str) -> None:
        self._cancel_head_deadline()
        if status == "431":
            status = "431 Request Header Fields Too Large"
        self.logger.warning("Request head from %s refused, %s: %s", self._peer, status, message)
        self.transport.write(plain_answer(status, message))
        self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's 400 for a head httptools refused, unless the head was answered already."""
        if not self.transport.is_closing():
            super().send_400_response(msg)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._cancel_head_deadline()
        self._head_deadline = self.loop.call_later(self.timeout_keep_alive, self._too_slow)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_head_deadline()
        self._waiting_since = next(_EVENTS)
        self._body_deadline = self.loop.call_later(self.body_timeout, self._body_too_slow)
        super().on_headers_complete()
        if self.cycle is not None:
            self.cycle.transport = OneWrite(self.transport, self.loop)

    def on_message_complete(self) -> None:
        self._cancel_body_deadline()
        super().on_message_complete()
        self._reading_head = True
        self._request_line_bytes = None
        self._head_bytes = 0
        self._header_fields = 0

    def _too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _body_too_slow(self) -> None:
        """408 if nothing was answered yet, then close: the app sees the client disconnect."""
        self._body_deadline = None
        self.cut_off(f"Request body not received within {self.body_timeout:g} s.")

    def _cancel_body_deadline(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None


async def _server_busy(send: ASGISendCallable, work_slots: int) -> None:
    await send_plain_text(
        send,  # type: ignore[arg-type]  # uvicorn's event union is a mapping at run time
        503,
        f"The server is answering {work_slots} requests at once, its most. Retry shortly.",
        (b"retry-after", b"1"),
        (b"connection", b"close"),
    )


def enough_file_descriptors(config: Settings) -> str | None:
    """Raise the soft limit on open files to what `max_connections` needs, up to the hard
    limit; None if enough, else what to lower (a full table stops every accept, not one)."""
    needed = config.max_connections + FILE_DESCRIPTORS_BESIDE_CONNECTIONS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
        soft = raised
    if soft < needed:
        return (
            f"max-connections {config.max_connections} needs {needed} open files, the limit is "
            f"{soft}: lower max-connections to {soft - FILE_DESCRIPTORS_BESIDE_CONNECTIONS}"
        )
    return None


class OneWrite(asyncio.Transport):
    """A response's way out that sends its head with its body: one write and one segment where
    uvicorn writes each apart. The head is held until the body's first write, which follows in
    the same turn of the event loop (else it goes out at the next turn on its own)."""

    _SEPARATE_FROM = 1 << 16
    """A body at least this large is written after the head, not copied behind it."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__()
        self._transport = transport
        self._loop = loop
        self._held: bytes | None = None
        self._first = True

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._first:  # the head
            self._first = False
            self._held = bytes(data)
            self._loop.call_soon(self._flush)
            return
        held, self._held = self._held, None
        if held is not None and len(data) < self._SEPARATE_FROM:
            self._transport.write(held + data)
            return
        if held is not None:
            self._transport.write(held)
        self._transport.write(data)

    def _flush(self) -> None:
        held, self._held = self._held, None
        if held is not None and not self._transport.is_closing():
            self._transport.write(held)

    def is_closing(self) -> bool:
        return self._transport.is_closing()

    def close(self) -> None:
        self._flush()
        self._transport.close()


def uvicorn_options(config: Settings) -> dict[str, Any]:
    """The keyword arguments of `uvicorn.run` or `uvicorn.Config` that the settings decide."""
    return {
        "host": config.host,
        "port": config.port,
        "log_level": config.log_level,
        "http": functools.partial(
            BoundedHttpToolsProtocol,
            write_limits=WriteLimits(config.write_timeout, config.max_buffered_bytes),
            head_limits=HeadLimits(
                config.max_header_bytes, config.max_header_fields, config.max_header_field_bytes
            ),
            body_timeout=config.body_timeout,
            largest_body=config.max_query_bytes,
            long_after=config.fast_lane_seconds,
            shares=Shares(
                config.limit_concurrency,
                config.max_connections,
                config.max_client_connections,
                parse_networks(config.trusted_proxies),
            ),
            occupancy=Occupancy(),
        ),
        "h11_max_incomplete_event_size": config.max_header_bytes,
        "timeout_keep_alive": config.timeout_keep_alive,
        # forwarded headers believed from the trusted proxies only (uvicorn's default trusts
        # 127.0.0.1: any local process could then name itself another client, or https)
        "proxy_headers": bool(config.trusted_proxies),
        "forwarded_allow_ips": ",".join(config.trusted_proxies) or None,
        "server_header": False,
        # uvicorn builds each access line before its logger drops it; no line, no cost
        "access_log": config.log_level in ("trace", "debug", "info"),
    }
