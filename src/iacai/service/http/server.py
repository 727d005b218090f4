"""uvicorn, bounded by the settings: request-head size, slow and idle clients, connection count.

uvicorn bounds a request head only with its h11 parser, which costs about three times what
httptools does per request; httptools accepts heads of any size and waits for ever on a client
that connects and says nothing, sends its head a byte at a time, or sends a head and never its
body. `BoundedHttpToolsProtocol` keeps the fast parser and adds the bounds: a head (request line
and headers) longer than `max_header_bytes` is refused with 400 like h11 refuses it; a connection
that is idle, or still sending its head, `timeout_keep_alive` seconds after it connected or began
a request is closed; a body not received in full `body_timeout` seconds after its head (in total,
however it trickles) is answered 408 and its connection closed, so that stalled bodies give their
place among `limit_concurrency` back.

uvicorn has no write timeout either: an answer a client does not read stays in the server's
memory for as long as the connection lasts. Here, once more than the transport's high-water
mark (64 KiB) waits for a client, it must fall back within `write_timeout` seconds or the
connection is dropped; and when the bytes waiting on all connections together pass
`max_buffered_bytes`, the connection with the most waiting is dropped at once.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from iacai.service.settings import Settings


@dataclass(frozen=True)
class WriteLimits:
    """How long a client may leave an answer unread, and how much all clients together may."""

    timeout: float
    buffered_bytes: int


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools with a limit on the head's size and deadlines for idle, slow and non-reading
    clients."""

    _reading_head = True
    _head_bytes = 0
    _head_deadline: asyncio.TimerHandle | None = None
    _write_deadline: asyncio.TimerHandle | None = None
    _body_deadline: asyncio.TimerHandle | None = None

    def __init__(
        self, *args: Any, write_limits: WriteLimits, body_timeout: float, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._write_limits = write_limits
        self.body_timeout = body_timeout

    # uvicorn's own signature, narrower than asyncio's (BaseTransport): hence the ignore
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        self._cancel_write_deadline()
        self._cancel_body_deadline()
        super().connection_lost(exc)

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

    def data_received(self, data: bytes) -> None:
        """Count the bytes of a head as they arrive: httptools buffers an unfinished header."""
        if self._reading_head:
            self._head_bytes += len(data)
            limit = self.config.h11_max_incomplete_event_size
            if limit is not None and self._head_bytes > limit:
                self._cancel_head_deadline()
                self.send_400_response(f"Request head larger than {limit} bytes.")
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._cancel_head_deadline()
        self._head_deadline = self.loop.call_later(self.timeout_keep_alive, self._too_slow)

    def on_headers_complete(self) -> None:
        self._reading_head = False
        self._cancel_head_deadline()
        self._body_deadline = self.loop.call_later(self.body_timeout, self._body_too_slow)
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._cancel_body_deadline()
        super().on_message_complete()
        self._reading_head = True
        self._head_bytes = 0

    def _too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _body_too_slow(self) -> None:
        """408 if nothing was answered yet, then close: the app sees the client disconnect."""
        self._body_deadline = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_started:
            message = f"Request body not received within {self.body_timeout:g} s.\n".encode()
            self.cycle.response_started = True
            self.transport.write(
                b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(message), message)
            )
        self.transport.close()

    def _cancel_body_deadline(self) -> None:
        if self._body_deadline is not None:
            self._body_deadline.cancel()
            self._body_deadline = None

    def _cancel_head_deadline(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None


def uvicorn_options(config: Settings) -> dict[str, Any]:
    """The keyword arguments of `uvicorn.run` or `uvicorn.Config` that the settings decide."""
    return {
        "host": config.host,
        "port": config.port,
        "log_level": config.log_level,
        "http": functools.partial(
            BoundedHttpToolsProtocol,
            write_limits=WriteLimits(config.write_timeout, config.max_buffered_bytes),
            body_timeout=config.body_timeout,
        ),
        "h11_max_incomplete_event_size": config.max_header_bytes,
        "timeout_keep_alive": config.timeout_keep_alive,
        "limit_concurrency": config.limit_concurrency,
        "server_header": False,
    }
