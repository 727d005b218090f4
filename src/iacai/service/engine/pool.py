"""A small pool of query-worker processes, driven from the event loop, with a hard timeout.

Each query goes to an idle worker over a socket (`engine.wire`). A worker that overruns the
timeout is killed (its CPU freed at once) and one that dies is noticed by the end of its socket;
either way a fresh worker takes its place while the others go on serving.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import socket
from multiprocessing.process import BaseProcess

from iacai.service.engine import wire
from iacai.service.engine.worker import (
    OutOfMemory,
    QueryJob,
    WorkerReady,
    WorkerReply,
    WorkerSetup,
    serve,
)

log = logging.getLogger(__name__)

# A fresh interpreter per worker: never a fork of a server process that runs threads.
_CONTEXT = multiprocessing.get_context("spawn")


class QueryTimeoutError(Exception):
    """The query ran past the timeout; its worker was killed."""


class WorkerCrashedError(Exception):
    """The worker process ended while running the query (the engine crashed on it)."""


class _Worker:
    """One worker process and the server's end of its socket, read on the event loop."""

    def __init__(self, process: BaseProcess, channel: socket.socket) -> None:
        self.process = process
        self._channel = channel
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._pending: asyncio.Future[WorkerReply] | None = None
        self._ended = False

    @staticmethod
    def launch(setup: WorkerSetup) -> tuple[BaseProcess, socket.socket]:
        """Start a process and wait (blocking) until its store is loaded."""
        server_end, worker_end = socket.socketpair()
        process = _CONTEXT.Process(target=serve, args=(worker_end, setup), daemon=True)
        process.start()
        worker_end.close()
        ready = wire.receive(server_end)
        if not isinstance(ready, WorkerReady):
            raise RuntimeError("query worker did not start")
        for why in ready.unrestricted:
            log.warning("query worker %s runs unrestricted, %s", process.pid, why)
        return process, server_end

    async def connect(self) -> None:
        """Start reading replies on the event loop."""
        self._channel.setblocking(False)
        transport, _ = await self._loop.create_unix_connection(
            lambda: wire.MessageReader(self._settle, self._closed), sock=self._channel
        )
        self._transport = transport  # type: ignore[assignment]

    async def ask(self, job: QueryJob, timeout: float) -> WorkerReply:
        """Send the job and wait for the reply, at most `timeout` seconds."""
        if self._ended or self._transport is None:
            raise WorkerCrashedError(f"query worker {self.process.pid} ended")
        self._pending = self._loop.create_future()
        self._transport.write(wire.frame(job))
        return await asyncio.wait_for(self._pending, timeout)

    def _settle(self, reply: object) -> None:
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_result(reply)  # type: ignore[arg-type]

    def _closed(self) -> None:
        self._ended = True
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_exception(WorkerCrashedError(f"query worker {self.process.pid} ended"))

    def ask_to_end(self) -> None:
        """Tell an idle worker to finish (it exits after its current job, if any)."""
        if not self._ended and self._transport is not None:
            self._transport.write(wire.frame(None))

    def stop(self, kill: bool) -> None:
        """Wait for the process to end (blocking: run it off the loop); SIGKILL it when busy,
        stuck, or still alive after five seconds."""
        if kill:
            self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join(timeout=5)

    def close(self) -> None:
        """Close the server's end of the socket (on the loop)."""
        if self._transport is not None:
            self._transport.close()
        else:
            self._channel.close()


class QueryPool:
    """Runs jobs on worker processes; the timeout covers waiting for a worker and running."""

    def __init__(self, setup: WorkerSetup, size: int) -> None:
        self._setup = setup
        self._size = size
        self._idle: asyncio.Queue[_Worker] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._busy: set[_Worker] = set()
        self._replacements: set[asyncio.Task[None]] = set()
        self.workers_replaced = 0

    async def start(self) -> None:
        """Start every worker, in parallel."""
        await asyncio.gather(*(self._add_worker() for _ in range(self._size)))

    async def run(self, job: QueryJob, timeout: float) -> WorkerReply:
        """Answer a job, or raise QueryTimeoutError or WorkerCrashedError (worker replaced)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        try:
            worker = await asyncio.wait_for(self._idle.get(), timeout)
        except TimeoutError:
            raise QueryTimeoutError from None
        self._busy.add(worker)
        try:
            reply = await worker.ask(job, max(deadline - loop.time(), 0.001))
        except TimeoutError:
            self._replace(worker)
            raise QueryTimeoutError from None
        except BaseException:  # died, or the request was cancelled while the worker was busy
            self._replace(worker)
            raise
        if isinstance(reply, OutOfMemory):  # the worker ends after saying so
            self._replace(worker)
            return reply
        self._busy.discard(worker)
        self._idle.put_nowait(worker)
        return reply

    @property
    def idle_workers(self) -> int:
        """Workers waiting for a query now."""
        return self._idle.qsize()

    async def close(self) -> None:
        """Stop every worker, including replacements still starting."""
        for task in list(self._replacements):
            task.cancel()
        loop = asyncio.get_running_loop()
        for worker in list(self._all):
            busy = worker in self._busy
            if not busy:
                worker.ask_to_end()
            await loop.run_in_executor(None, worker.stop, busy)
            worker.close()
        self._all.clear()

    async def _add_worker(self) -> None:
        loop = asyncio.get_running_loop()
        process, channel = await loop.run_in_executor(None, _Worker.launch, self._setup)
        worker = _Worker(process, channel)
        await worker.connect()
        self._all.add(worker)
        self._idle.put_nowait(worker)

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        self._busy.discard(worker)
        self.workers_replaced += 1
        task = asyncio.get_running_loop().create_task(self._stop_and_add(worker))
        self._replacements.add(task)
        task.add_done_callback(self._replacements.discard)

    async def _stop_and_add(self, worker: _Worker) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, worker.stop, True)
        worker.close()
        log.warning("query worker %s replaced", worker.process.pid)
        await self._add_worker()
