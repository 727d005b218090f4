"""A small pool of query-worker processes, driven from the event loop, with a hard timeout.

Each query goes to an idle worker over a pipe. A worker that overruns the timeout is killed
(its CPU freed at once) and one that dies is noticed by the end of its pipe; either way a fresh
worker takes its place while the others go on serving.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from iacai.service.worker import QueryJob, WorkerReply, WorkerSetup, serve

log = logging.getLogger(__name__)

# A fresh interpreter per worker: never a fork of a server process that runs threads.
_CONTEXT = multiprocessing.get_context("spawn")


class QueryTimeoutError(Exception):
    """The query ran past the timeout; its worker was killed."""


class WorkerCrashedError(Exception):
    """The worker process ended while running the query (the engine crashed on it)."""


class _Worker:
    """One worker process, the server's end of its pipe, and a thread reading its replies.

    The thread blocks on the pipe so the event loop never does: a large answer is read off the
    loop, and the end of the pipe (the process died) is seen at once.
    """

    def __init__(self, process: BaseProcess, connection: Connection) -> None:
        self.process = process
        self.connection = connection
        self._loop = asyncio.get_running_loop()
        self._pending: asyncio.Future[WorkerReply] | None = None
        self._reader = threading.Thread(target=self._read_replies, daemon=True)
        self._reader.start()

    @staticmethod
    def launch(setup: WorkerSetup) -> tuple[BaseProcess, Connection]:
        """Start a process and wait (blocking) until its store is loaded."""
        server_end, worker_end = _CONTEXT.Pipe()
        process = _CONTEXT.Process(target=serve, args=(worker_end, setup), daemon=True)
        process.start()
        worker_end.close()
        if server_end.recv() != "ready":
            raise RuntimeError("query worker did not start")
        return process, server_end

    async def ask(self, job: QueryJob, timeout: float) -> WorkerReply:
        """Send the job and wait for the reply, at most `timeout` seconds."""
        self._pending = self._loop.create_future()
        self.connection.send(job)
        return await asyncio.wait_for(self._pending, timeout)

    def _read_replies(self) -> None:
        while True:
            try:
                reply = self.connection.recv()
            except (EOFError, OSError):
                died = WorkerCrashedError(f"query worker {self.process.pid} ended")
                self._loop.call_soon_threadsafe(self._settle, None, died)
                return
            self._loop.call_soon_threadsafe(self._settle, reply, None)

    def _settle(self, reply: WorkerReply | None, error: Exception | None) -> None:
        pending, self._pending = self._pending, None
        if pending is None or pending.done():
            return
        if error is not None:
            pending.set_exception(error)
        else:
            pending.set_result(reply)  # type: ignore[arg-type]

    def stop(self, kill: bool) -> None:
        """End the process: politely when idle, with SIGKILL when it is busy or stuck."""
        if kill or not self.process.is_alive():
            self.process.kill()
        else:
            try:
                self.connection.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=5)
        self._reader.join(timeout=5)
        self.connection.close()


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
            await loop.run_in_executor(None, worker.stop, worker in self._busy)
        self._all.clear()

    async def _add_worker(self) -> None:
        loop = asyncio.get_running_loop()
        process, connection = await loop.run_in_executor(None, _Worker.launch, self._setup)
        worker = _Worker(process, connection)
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
        log.warning("query worker %s replaced", worker.process.pid)
        await self._add_worker()
