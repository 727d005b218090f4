"""uvicorn, bounded by the settings: request-head size, slow and idle clients, connection count.

uvicorn bounds a request head only with its h11 parser, which costs about three times what
httptools does per request; httptools accepts heads of any size and waits for ever on a client
that connects and says nothing, or sends its head a byte at a time. `BoundedHttpToolsProtocol`
keeps the fast parser and adds both bounds: a head (request line and headers) longer than
`max_header_bytes` is refused with 400 like h11 refuses it, and a connection that is idle, or
still sending its head, `timeout_keep_alive` seconds after it connected or began a request is
closed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from iacai.service.settings import Settings


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """httptools with a limit on the head's size and a deadline for idle and slow clients."""

    _reading_head = True
    _head_bytes = 0
    _head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.timeout_keep_alive_task = self.loop.call_later(
            self.timeout_keep_alive, self.timeout_keep_alive_handler
        )

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_head_deadline()
        super().connection_lost(exc)

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
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading_head = True
        self._head_bytes = 0

    def _too_slow(self) -> None:
        self._head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

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
        "http": BoundedHttpToolsProtocol,
        "h11_max_incomplete_event_size": config.max_header_bytes,
        "timeout_keep_alive": config.timeout_keep_alive,
        "limit_concurrency": config.limit_concurrency,
        "server_header": False,
    }
