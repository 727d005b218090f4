"""The wire between the server and a query worker: length-prefixed pickled messages on a socket.

The worker reads and writes with blocking calls (it does one thing at a time); the server reads
with an asyncio protocol on its event loop, so a reply wakes the loop directly: no reader thread
per worker, no hand-over between threads, and a large answer arrives in pieces without ever
blocking the loop. The end of the socket (the worker died) is seen at once as a closed
connection. Pickle is safe here: both ends are this service's own processes, joined by a
socketpair that nothing else can reach (as multiprocessing's own pipes).
"""

from __future__ import annotations

import asyncio
import pickle
import socket
import struct
from collections.abc import Callable

_HEADER = struct.Struct("!Q")
"""Each message is its length (8 bytes, big-endian) and then its pickle."""


def frame(message: object) -> bytes:
    """The message as it goes on the wire."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return _HEADER.pack(len(payload)) + payload


def send(sock: socket.socket, message: object) -> None:
    """Send one message, blocking until the socket took all of it."""
    sock.sendall(frame(message))


def receive(sock: socket.socket) -> object:
    """The next message, blocking; EOFError when the other end has closed."""
    (length,) = _HEADER.unpack(_exactly(sock, _HEADER.size))
    return pickle.loads(_exactly(sock, length))  # noqa: S301 (only our own processes)


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


class MessageReader(asyncio.Protocol):
    """Reads messages off the server's end of the socket on the event loop."""

    def __init__(self, on_message: Callable[[object], None], on_closed: Callable[[], None]) -> None:
        self._on_message = on_message
        self._on_closed = on_closed
        self._buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(self._buffer)
            end = _HEADER.size + length
            if len(self._buffer) < end:
                return
            message = pickle.loads(self._buffer[_HEADER.size : end])  # noqa: S301 (as above)
            del self._buffer[:end]
            self._on_message(message)

    def connection_lost(self, exc: Exception | None) -> None:
        self._on_closed()
