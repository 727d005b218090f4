"""The zygote: one process that loads the engine and the store once and forks the query workers.

A worker forked from it shares its memory copy-on-write (the interpreter, pyoxigraph, the
in-memory store): a worker costs a fork (milliseconds) and the few pages it writes, where a
fresh interpreter cost a second of CPU and a store of its own. The zygote is a fresh interpreter
itself (never a fork of the server, which runs threads), runs no thread and no query, and
installs the network filter before it reads anything, so every worker inherits the filter.
Workers are reaped by the kernel (SIGCHLD ignored here); the server knows that one ended by
the end of its socket, which the zygote hands over (SCM_RIGHTS) and keeps no copy of.

    server --setup, then "fork"s--> zygote --fork()--> worker (its socket goes to the server)
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import traceback
from dataclasses import dataclass

from pyoxigraph import Store

from iacai.service.engine import allocator, wire
from iacai.service.engine.worker import WorkerSetup, preload, restrict, serve

WORKER_NAME = "iacai-worker"
"""The name a query worker shows to `ps` and /proc/PID/comm (the zygote's: ZYGOTE_NAME)."""
ZYGOTE_NAME = "iacai-zygote"
NICE_ABOVE_SERVER = 5
"""How much nicer than the server the zygote runs, and so every worker it forks. The server
process routes every request and every answer; a worker that took the core it needs made both
wait behind queries. At 5, the server gets three times a worker's share of a core they both
want: +10% throughput at 16 clients on 2 cores, caches off (19 queries, 3 rounds; 2 and 10 gave
less). Alone on a core, a worker runs as fast at any nice value."""
_PID = struct.Struct("!q")
_PR_SET_NAME = 15
_FORK = "fork"


@dataclass(frozen=True)
class ZygoteReady:
    """Sent once the store is loaded: what could not be restricted, for the server's log, and
    the malloc the zygote and its workers run on (`allocator.in_use`)."""

    unrestricted: tuple[str, ...]
    malloc: str


class ZygoteError(RuntimeError):
    """The zygote ended or did not start; a new worker cannot be made until it is restarted."""


class Zygote:
    """The server's handle on its zygote: start it, ask it for workers, stop it (blocking calls:
    run them off the event loop; one at a time)."""

    def __init__(self, process: subprocess.Popen[bytes], channel: socket.socket) -> None:
        self._process = process
        self._channel = channel
        self._lock = threading.Lock()

    @classmethod
    def start(cls, setup: WorkerSetup) -> tuple[Zygote, ZygoteReady]:
        """Start the zygote (on the setup's malloc) and wait until it has loaded the store."""
        server_end, zygote_end = socket.socketpair()
        process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(zygote_end.fileno())],
            pass_fds=(zygote_end.fileno(),),
            stdin=subprocess.DEVNULL,
            env=allocator.environment(setup.malloc_library, os.environ),
        )
        zygote_end.close()
        zygote = cls(process, server_end)
        try:
            wire.send(server_end, setup)
            ready = wire.receive(server_end)
        except (OSError, EOFError):
            ready = None
        if not isinstance(ready, ZygoteReady):
            zygote.close()
            raise ZygoteError("the query workers' zygote did not start")
        return zygote, ready

    def fork(self) -> tuple[int, socket.socket]:
        """A new worker: its pid and the server's end of its socket (ZygoteError if ended)."""
        with self._lock:
            try:
                wire.send(self._channel, _FORK)
                data, fds, _, _ = socket.recv_fds(self._channel, _PID.size, 1)
            except OSError as error:
                raise ZygoteError(f"the query workers' zygote ended: {error}") from None
            if len(data) < _PID.size or len(fds) != 1:
                raise ZygoteError("the query workers' zygote ended")
            (pid,) = _PID.unpack(data)
            return pid, socket.socket(fileno=fds[0])

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def close(self) -> None:
        """Tell the zygote to end (its workers are the pool's to end), and wait for it."""
        with contextlib.suppress(OSError):
            wire.send(self._channel, None)
        self._channel.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)


def main(channel: socket.socket) -> None:
    """The zygote's life: restrict itself, load the store, then fork a worker per request."""
    _name_process(ZYGOTE_NAME)
    os.nice(NICE_ABOVE_SERVER)  # raising it needs no privilege
    # Ctrl-C, or a stop signal to the whole group (systemd's default), is the server's: it ends
    # the workers and us in turn (and were it killed, our sockets would end, and so would we).
    # Workers inherit this; the pool stops them with SIGKILL.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.SIG_IGN)
    setup = wire.receive(channel)
    assert isinstance(setup, WorkerSetup)
    unrestricted = restrict(setup)
    store = preload(setup)
    setup = dataclasses.replace(setup, nquads=b"")  # loaded: the workers need it no more
    gc.collect()
    gc.freeze()  # the workers' collections then leave the shared objects' pages untouched
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the kernel reaps ended workers
    wire.send(channel, ZygoteReady(unrestricted, allocator.in_use()))
    while True:
        try:
            request = wire.receive(channel)
        except EOFError:
            return
        if request != _FORK:  # None: the server says stop
            return
        server_end, worker_end = socket.socketpair()
        pid = os.fork()
        if pid == 0:
            _worker(channel, server_end, worker_end, setup, store)
        worker_end.close()
        socket.send_fds(channel, [_PID.pack(pid)], [server_end.fileno()])
        server_end.close()


def _worker(
    zygote_channel: socket.socket,
    server_end: socket.socket,
    worker_end: socket.socket,
    setup: WorkerSetup,
    store: Store | None,
) -> None:
    """The forked child: a query worker until its server is gone; never returns to the zygote."""
    status = 0
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        zygote_channel.close()
        server_end.close()
        _name_process(WORKER_NAME)
        serve(worker_end, setup, store)
    except BaseException:
        traceback.print_exc()
        status = 1
    finally:
        sys.stderr.flush()
        os._exit(status)


def _name_process(name: str) -> None:
    """Name this process for `ps`, top and /proc/PID/comm (Linux; elsewhere a no-op)."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(_PR_SET_NAME, name.encode(), 0, 0, 0)


if __name__ == "__main__":
    from iacai.service.engine import zygote  # by its name, so that its pickles name it so

    zygote.main(socket.socket(fileno=int(sys.argv[1])))
