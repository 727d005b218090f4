"""The wire between the server and a query worker: length-prefixed messages on a socket.

An answer, the one large message, travels as its bytes behind a header (no pickle: the server
takes the body as the worker wrote it, with one copy on the way in); anything else (a job, a
refusal, a worker's greeting) is pickled. The worker reads and writes with blocking calls (it
does one thing at a time); the server reads with an asyncio protocol on its event loop, so a
reply wakes the loop directly: no reader thread per worker, no hand-over between threads, and a
large answer arrives in pieces without ever blocking the loop. The end of the socket (the worker
died) is seen at once as a closed connection. Pickle is safe here: both ends are this service's
own processes, joined by a socketpair that nothing else can reach (as multiprocessing's own
pipes).

The server may send a worker its next job while the worker still runs one (so that it goes on
without sleeping between them), and take it back with WITHDRAW. The worker answers every job
it reads once, in order, with SKIPPED for one it was told of in time not to run: so the
server's replies always line up with the jobs it sent.
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass

_HEADER = struct.Struct("!QB")
"""Each message is its length (8 bytes, big-endian), its kind (1 byte), then its bytes."""
_PICKLED, _ANSWER, _CUT_ANSWER, _WITHDRAW, _SKIPPED = 0, 1, 2, 3, 4
_SENT_APART = 1 << 16
"""An answer at least this large is sent after its header, not copied behind it."""


class _Signal:
    """A message with no content, a byte on the wire."""

    def __init__(self, name: str, kind: int) -> None:
        self.name = name
        self.kind = kind

    def __repr__(self) -> str:
        return self.name


WITHDRAW = _Signal("WITHDRAW", _WITHDRAW)
"""Server to worker: do not run the job sent last, if not begun (it is to run elsewhere)."""
SKIPPED = _Signal("SKIPPED", _SKIPPED)
"""Worker to server: the reply to a job withdrawn before it began."""
_SIGNALS = {signal.kind: signal for signal in (WITHDRAW, SKIPPED)}


@dataclass(frozen=True)
class QueryAnswer:
    """The serialized answer and whether the row cap cut it."""

    body: bytes
    truncated: bool


def frame(message: object) -> bytes:
    """The message as it goes on the wire, in one piece."""
    return b"".join(_parts(message))


def send(sock: socket.socket, message: object) -> None:
    """Send one message, blocking until the socket took all of it."""
    head, payload = _parts(message)
    if len(payload) < _SENT_APART:
        sock.sendall(head + payload)
    else:
        sock.sendall(head)
        sock.sendall(payload)


def receive(sock: socket.socket) -> object:
    """The next message, blocking; EOFError when the other end has closed."""
    length, kind = _HEADER.unpack(_exactly(sock, _HEADER.size))
    return _decoded(kind, _exactly(sock, length))


def _parts(message: object) -> tuple[bytes, bytes]:
    if isinstance(message, _Signal):
        return _HEADER.pack(0, message.kind), b""
    if isinstance(message, QueryAnswer):
        kind, payload = (_CUT_ANSWER if message.truncated else _ANSWER), message.body
    else:
        kind, payload = _PICKLED, pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(payload), kind), payload


def _decoded(kind: int, payload: bytes) -> object:
    if kind == _PICKLED:
        return pickle.loads(payload)  # noqa: S301 (only our own processes)
    if kind in _SIGNALS:
        return _SIGNALS[kind]
    return QueryAnswer(payload, truncated=kind == _CUT_ANSWER)


def _exactly(sock: socket.socket, size: int) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    received = 0
    while received < size:
        count = sock.recv_into(view[received:])
        if count == 0:
            raise EOFError("the other end closed the channel")
        received += count
    return bytes(buffer)


class Receiver:
    """Blocking reads of messages, as many as have arrived in one call (the worker's end).

    What came with a message is kept for the next: a WITHDRAW sent right behind a job is then
    seen before the job runs, with no call of its own.
    """

    _CHUNK = 1 << 16

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = bytearray()

    def receive(self) -> object:
        """The next message, blocking; EOFError when the other end has closed."""
        while (message := self._take()) is _NOTHING:
            data = self._sock.recv(self._CHUNK)
            if not data:
                raise EOFError("the other end closed the channel")
            self._buffer += data
        return message

    def withdrawn(self) -> bool:
        """Whether a WITHDRAW has arrived already behind the message last received (it is
        then taken)."""
        if self._buffer[_HEADER.size - 1 : _HEADER.size] == bytes((_WITHDRAW,)):
            del self._buffer[: _HEADER.size]
            return True
        return False

    def _take(self) -> object:
        if len(self._buffer) < _HEADER.size:
            return _NOTHING
        length, kind = _HEADER.unpack_from(self._buffer)
        end = _HEADER.size + length
        if len(self._buffer) < end:
            return _NOTHING
        payload = bytes(self._buffer[_HEADER.size : end])
        del self._buffer[:end]
        return _decoded(kind, payload)


_NOTHING = object()
"""No whole message has arrived yet."""


class MessageReader(asyncio.Protocol):
    """Reads messages off the server's end of the socket on the event loop."""

    def __init__(self, on_message: Callable[[object], None], on_closed: Callable[[], None]) -> None:
        self._on_message = on_message
        self._on_closed = on_closed
        self._head = b""
        """The header of the next message, while it arrives."""
        self._kind = _PICKLED
        self._missing: int | None = None
        """Bytes of the current message still to come; None between messages."""
        self._parts: list[memoryview] = []

    def data_received(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._missing is None:
                needed = _HEADER.size - len(self._head)
                self._head += view[:needed]
                view = view[needed:]
                if len(self._head) < _HEADER.size:
                    return
                self._missing, self._kind = _HEADER.unpack(self._head)
                self._head = b""
            part = view[: self._missing]
            view = view[len(part) :]
            self._parts.append(part)
            self._missing -= len(part)
            if self._missing == 0:
                payload = b"".join(self._parts)  # the one copy
                self._parts, self._missing = [], None
                self._on_message(_decoded(self._kind, payload))

    def connection_lost(self, exc: Exception | None) -> None:
        self._on_closed()
