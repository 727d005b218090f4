"""A small pool of query-worker processes, driven from the event loop: fair, with a hard timeout.

Each query goes to an idle worker over a socket (`engine.wire`). A worker that overruns the
timeout is killed (its CPU freed at once) and one that dies is noticed by the end of its socket;
either way a fresh worker takes its place while the others go on serving.

Fair scheduling, so that a cheap query is never queued behind expensive ones:
- each client (its address, `http.client_identity`) has its own queue, and the queues are served
  in turn; a client runs one fresh query at a time, a *light* one (below) more while two
  workers stay idle beside them (one busy client uses the idle capacity, and a new client and
  a light one still find a worker each);
- a query still running after `fast_lane_seconds` is *long*: its worker's CPU priority is lowered
  (the OS then runs fresh queries first) and it takes a place in the long lane, which holds at
  most `long_lane` queries and one per client, so that the other workers always stay free for
  short queries;
- a client with a long query (or one that ended within the timeout) is *heavy*: its next queries
  go straight to the long lane, and are refused with 429 and Retry-After while the lane is full
  or the client already holds a place in it (each refusal keeps it heavy a timeout longer). A
  fresh query that turns long while the lane is full, or while its client has a long one
  already, is stopped (503, Retry-After), and its client is heavy from then on;
- the last idle worker is kept for *light* clients, whose latest query ended within the fast
  lane: a crowd of new addresses, each with one runaway query, then takes the other workers in
  turn (each query stopped once it turns long), never the one an established client needs.
The rules stop queries at most once per client per timeout (a heavy client waits in 429s, not
in workers). A stopped worker's place is taken at once: workers are forked from the zygote
(`engine.zygote`), which holds the engine and the store loaded, in milliseconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import signal
import socket
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from iacai.service.engine import wire
from iacai.service.engine.worker import OutOfMemory, QueryJob, WorkerReady, WorkerReply, WorkerSetup
from iacai.service.engine.zygote import Zygote, ZygoteError
from iacai.service.http.errors import ProtocolError

log = logging.getLogger(__name__)


class QueryTimeoutError(Exception):
    """The query ran past the timeout; its worker was killed."""


class WorkerCrashedError(Exception):
    """The worker process ended while running the query (the engine crashed on it)."""


class QueryRefusedError(ProtocolError):
    """Not run, or stopped, for fairness: 429 (the client's share) or 503 (the long lane is
    full), with Retry-After; an answer as it stands, wherever the pool was asked."""

    def __init__(self, status: int, message: str, retry_after: float) -> None:
        super().__init__(status, message, {"Retry-After": str(max(1, math.ceil(retry_after)))})


SERVICE_ITSELF = "(this service)"
"""The client the service's own queries (building its indexes) run as: no address is so named."""
LIGHT_CLIENTS_KEPT = 4096
"""Light clients remembered, the least recent forgotten first: any address may be a client."""
LOW_PRIORITY = 10
"""The nice value of a worker running a long query: the OS gives fresh queries about nine
times its share of the CPU (19 starved long queries outright on a busy machine)."""


class _Worker:
    """One worker process and the server's end of its socket, read on the event loop."""

    def __init__(
        self, pid: int, channel: socket.socket, replied: Callable[[_Worker, WorkerReply], None]
    ) -> None:
        self.pid = pid
        self._replied = replied
        """Called with each reply as it arrives, before its query's coroutine resumes: the pool
        gives the worker its next job there, without waiting for a turn of the event loop."""
        self._channel = channel
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._pending: asyncio.Future[WorkerReply] | None = None
        self._ended = self._loop.create_future()
        self.lowered = False

    @staticmethod
    def launch(zygote: Zygote) -> tuple[int, socket.socket]:
        """Fork a worker and wait (blocking) until it is ready (its store open)."""
        pid, channel = zygote.fork()
        try:
            ready = wire.receive(channel)
        except (OSError, EOFError):
            ready = None
        if not isinstance(ready, WorkerReady):
            channel.close()
            raise RuntimeError("query worker did not start")
        for why in ready.unrestricted:
            log.warning("query worker %s runs unrestricted, %s", pid, why)
        return pid, channel

    async def connect(self) -> None:
        """Start reading replies on the event loop."""
        self._channel.setblocking(False)
        transport, _ = await self._loop.create_unix_connection(
            lambda: wire.MessageReader(self._settle, self._closed), sock=self._channel
        )
        self._transport = transport

    def send(self, job: QueryJob) -> asyncio.Future[WorkerReply]:
        """Send the job at once; its reply to come (the pool's timer stops it at the deadline).
        A worker that has ended gets none: the reply is then the crash."""
        pending: asyncio.Future[WorkerReply] = self._loop.create_future()
        self._pending = pending
        if self._ended.done() or self._transport is None:
            pending.set_exception(WorkerCrashedError(f"query worker {self.pid} ended"))
        else:
            self._transport.write(wire.frame(job))
        return pending

    def _settle(self, reply: object) -> None:
        pending, self._pending = self._pending, None
        if pending is None or pending.done():
            return
        if isinstance(reply, WorkerReply):
            pending.set_result(reply)
            self._replied(self, reply)
        else:
            pending.set_exception(
                WorkerCrashedError(f"query worker {self.pid} sent {type(reply).__name__}")
            )

    def _closed(self) -> None:
        if not self._ended.done():
            self._ended.set_result(None)
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_exception(WorkerCrashedError(f"query worker {self.pid} ended"))

    def stop_query(self, error: Exception) -> None:
        """Fail the query under way with `error` (the caller then replaces this worker)."""
        pending, self._pending = self._pending, None
        if pending is not None and not pending.done():
            pending.set_exception(error)

    def lower_priority(self) -> None:
        """Run this worker after fresh queries (raising a nice value needs no privilege)."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, LOW_PRIORITY)
        except OSError:  # it has just ended: the reply or the end of the socket tells
            return
        self.lowered = True

    def restore_priority(self) -> bool:
        """Back to normal priority once the long query ended; False where that needs a
        privilege the server lacks (the worker is then replaced)."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, 0)
        except OSError:
            return False
        self.lowered = False
        return True

    def ask_to_end(self) -> None:
        """Tell an idle worker to finish (it exits after its current job, if any)."""
        if not self._ended.done() and self._transport is not None:
            self._transport.write(wire.frame(None))

    def kill(self) -> None:
        """SIGKILL the process, unless its socket has ended (it is gone, its pid maybe reused)."""
        if not self._ended.done():
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    async def stop(self, kill: bool) -> None:
        """End the process: SIGKILL it when busy, or when still there five seconds after it was
        asked to end; then close the server's end of its socket."""
        if kill:
            self.kill()
        else:
            self.ask_to_end()
        try:
            await asyncio.wait_for(asyncio.shield(self._ended), 5)
        except TimeoutError:
            self.kill()
        self.close()

    def close(self) -> None:
        """Close the server's end of the socket (on the loop)."""
        if self._transport is not None:
            self._transport.close()
        else:
            self._channel.close()


def _time_out(waiter: asyncio.Future[_Worker]) -> None:
    if not waiter.done():
        waiter.set_exception(TimeoutError())


class _Timer:
    """The one timer of a running query: the end of the fast lane, then the deadline."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._handle: asyncio.TimerHandle | None = None

    def set(self, when: float, callback: Callable[..., object], *args: object) -> None:
        """Call `callback(*args)` at loop time `when` (instead of what was set before)."""
        self.cancel()
        self._handle = self._loop.call_at(when, callback, *args)

    def cancel(self) -> None:
        if self._handle is not None:
            self._handle.cancel()


@dataclass(slots=True)
class _Turn:
    """One query of a client, from waiting to its reply.

    Its job goes out the moment a worker is handed over, and the worker is taken back the
    moment its reply arrives (`QueryPool._replied`): the worker never idles while a coroutine
    waits for a turn of the event loop. The query's coroutine learns the worker from `handed`
    and its answer from `reply`.
    """

    job: QueryJob
    client: str
    state: _Client
    timeout: float
    deadline: float
    handed: asyncio.Future[_Worker]
    reply: asyncio.Future[WorkerReply] | None = None
    """The worker's reply, once the job is sent."""
    timer: _Timer | None = None
    """The end of the fast lane, then the deadline, from the moment the job is sent."""
    began: float = 0.0
    settled: bool = False
    """Whether the reply came and the worker was taken back (not to be stopped any more)."""

    def abandon(self) -> None:
        """Nobody will wait for the reply (the worker is replaced): no warning about it. A reply
        cancelled already (with the request's task, which cancels what it awaits) has none to
        take: asking for it would raise, and the worker would never be replaced."""
        reply = self.reply
        if reply is not None and not reply.cancel() and not reply.cancelled():
            reply.exception()  # done already (the worker's end): taken, not logged


@dataclass
class _Client:
    """One client's queue and share: queries waiting, running, long, and until when it is heavy."""

    waiting: deque[_Turn] = field(default_factory=deque)
    running: int = 0
    long: int = 0
    heavy_until: float = 0.0
    timeout: float = 0.0
    """The timeout of its latest query: how long a refusal keeps it heavy."""

    def is_heavy(self, now: float) -> bool:
        return self.long > 0 or now < self.heavy_until


class QueryPool:
    """Runs jobs on worker processes, fairly; the timeout covers waiting and running."""

    def __init__(self, setup: WorkerSetup, size: int, fast_lane_seconds: float) -> None:
        self._setup = setup
        self._size = size
        self._fast_lane_seconds = fast_lane_seconds
        self.long_lane = max(1, size - 2)
        """Long queries at once: two workers (one of two) always stay for short queries."""
        self._zygote: Zygote | None = None
        self._zygote_restart = asyncio.Lock()
        self._idle: list[_Worker] = []
        self._all: set[_Worker] = set()
        self._busy: dict[_Worker, _Turn] = {}
        """Workers running a query, and whose query."""
        self._long: set[_Worker] = set()
        self._clients: dict[str, _Client] = {}
        self._turns: deque[str] = deque()
        """Clients with queries waiting, in the order they are served."""
        self._light: OrderedDict[str, None] = OrderedDict()
        """Clients whose latest query ended within the fast lane."""
        self._reserved = 1 if size - self.long_lane >= 2 else 0
        """Idle workers kept for light clients (when two or more serve short queries only)."""
        self._replacements: set[asyncio.Task[None]] = set()
        self.workers_replaced = 0

    async def start(self) -> None:
        """Start the zygote, then fork every worker from it."""
        await self._start_zygote()
        await asyncio.gather(*(self._add_worker() for _ in range(self._size)))

    async def run(self, job: QueryJob, timeout: float, client: str) -> WorkerReply:
        """Answer a job for a client, or raise QueryTimeoutError, QueryRefusedError or
        WorkerCrashedError (worker replaced)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        state = self._clients.setdefault(client, _Client())
        state.timeout = timeout
        if self._refuses(state, loop.time()):
            raise self._refusal(state, loop.time())
        waiter: asyncio.Future[_Worker] = loop.create_future()
        turn = _Turn(job, client, state, timeout, deadline, waiter)
        state.waiting.append(turn)
        if client not in self._turns:
            self._turns.append(client)
        self._dispatch()
        try:
            # an idle worker was handed over at once: no timer, no turn of the event loop
            worker = waiter.result() if waiter.done() else await self._wait(waiter, deadline)
        except BaseException as error:
            if turn.reply is not None and not turn.settled:
                # handed over, its job sent, but the request ended first: stopped as it runs
                # (unless its reply came meanwhile: its worker may then run another query)
                self._stop(turn, waiter.result(), heavy_until=loop.time())
            self._forget_if_done(client)
            if isinstance(error, TimeoutError):
                raise QueryTimeoutError from None
            raise
        assert turn.reply is not None  # sent as the worker was handed over
        try:
            return await turn.reply
        except BaseException as error:  # died, stopped, or the request was cancelled while it ran
            if not turn.settled:  # else its worker has already gone on to another query
                self._stop(turn, worker, heavy_until=loop.time() + timeout)
            if isinstance(error, TimeoutError):
                raise QueryTimeoutError from None
            raise

    def _replied(self, worker: _Worker, reply: WorkerReply) -> None:
        """A reply has come (the query's coroutine resumes later): the worker takes its next
        query now, or is replaced after running out of memory."""
        turn = self._busy.get(worker)
        if turn is None or turn.settled:
            return
        turn.settled = True
        loop = asyncio.get_running_loop()
        if turn.timer is not None:
            turn.timer.cancel()
        self._finish(worker, turn.client, turn.state, loop.time() + turn.timeout)
        if isinstance(reply, OutOfMemory):  # the worker ends after saying so
            self._replace(worker)
            return
        fast = loop.time() - turn.began < self._fast_lane_seconds
        if fast and not turn.state.is_heavy(loop.time()):
            self._remember_light(turn.client)
        self._release(worker)

    def _stop(self, turn: _Turn, worker: _Worker, heavy_until: float) -> None:
        """A query that will get no reply (it timed out, its worker died, or its request ended):
        its share given back, its worker replaced."""
        turn.settled = True
        turn.abandon()
        if turn.timer is not None:
            turn.timer.cancel()
        self._finish(worker, turn.client, turn.state, heavy_until)
        self._replace(worker)

    @property
    def idle_workers(self) -> int:
        """Workers waiting for a query now."""
        return len(self._idle)

    async def close(self) -> None:
        """Stop every worker, including replacements still starting."""
        for task in list(self._replacements):
            task.cancel()
        await asyncio.gather(*(worker.stop(kill=worker in self._busy) for worker in self._all))
        self._all.clear()
        if self._zygote is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._zygote.close)

    def _release(self, worker: _Worker) -> None:
        """A worker whose query ended goes back to work (at normal priority) or is replaced."""
        if worker.lowered and not worker.restore_priority():
            self._replace(worker)
        else:
            self._busy.pop(worker, None)
            self._idle.append(worker)
        self._dispatch()

    def _dispatch(self) -> None:
        """Hand idle workers to waiting queries, one client after another, while any can start."""
        now = asyncio.get_running_loop().time()
        started = True
        while started and self._idle and self._turns:
            started = False
            for _ in range(len(self._turns)):
                if not self._idle:
                    return
                client = self._turns.popleft()
                state = self._clients.get(client)
                if state is None:
                    continue
                while state.waiting and state.waiting[0].handed.done():  # timed out waiting
                    state.waiting.popleft()
                if state.waiting and self._may_start(client, state.running - state.long):
                    started = True
                    if state.is_heavy(now):
                        self._start_long(state, now)
                    else:
                        self._start(state, long=False)
                if state.waiting:
                    self._turns.append(client)

    def _may_start(self, client: str, fresh: int) -> bool:
        """Whether a client's next query may start now, beside the `fresh` ones it runs.

        Its first takes any idle worker but the one kept for light clients (a light client may
        take that one too); a light client runs more at once while two workers stay idle
        beside them, the kept one and one for a new client, so that one busy client uses the
        pool's idle capacity while a light client and a new one each still find a worker.
        """
        idle = len(self._idle)
        light = client in self._light
        if fresh == 0:
            return idle > self._reserved or light
        return light and idle > self._reserved + 1

    def _start(self, state: _Client, long: bool) -> None:
        """The client's next query on an idle worker (in the long lane, at low priority, before
        it runs there), its timer from now on."""
        worker = self._idle.pop()
        turn = state.waiting.popleft()
        self._busy[worker] = turn
        state.running += 1
        if long:
            self._make_long(worker, state)
        loop = asyncio.get_running_loop()
        turn.began = loop.time()
        turn.timer = timer = _Timer(loop)
        demote_at = turn.began + self._fast_lane_seconds
        if demote_at < turn.deadline:
            timer.set(demote_at, self._turn_long, worker, turn)
        else:
            timer.set(turn.deadline, worker.stop_query, TimeoutError())
        turn.reply = worker.send(turn.job)
        turn.handed.set_result(worker)

    def _start_long(self, state: _Client, now: float) -> None:
        """A heavy client's query: straight into the long lane, or refused while it cannot."""
        if self._refuses(state, now):
            self._refuse_waiting(state, now)
            return
        self._start(state, long=True)

    def _refuses(self, state: _Client, now: float) -> bool:
        """A heavy client gets no new query while it has a long one or the long lane is full."""
        return state.is_heavy(now) and (state.long > 0 or len(self._long) >= self.long_lane)

    def _refusal(self, state: _Client, now: float) -> QueryRefusedError:
        """429 for a heavy client, which stays heavy while it keeps asking: else it would come
        back as a fresh client when its time ran out, and be stopped (a worker lost) again."""
        state.heavy_until = max(state.heavy_until, now + state.timeout)
        return QueryRefusedError(
            429,
            "Too many long queries: this client has a query running past "
            f"{self._fast_lane_seconds:g} s (or had one within the timeout), and long "
            "queries run one per client, in a lane shared by all clients. Retry later.",
            max(state.heavy_until - now, 1.0),
        )

    def _refuse_waiting(self, state: _Client, now: float) -> None:
        refusal = self._refusal(state, now)
        while state.waiting:
            waiter = state.waiting.popleft().handed
            if not waiter.done():
                waiter.set_exception(refusal)

    @staticmethod
    async def _wait(waiter: asyncio.Future[_Worker], deadline: float) -> _Worker:
        """The worker handed to a waiting query; TimeoutError at the deadline (one timer, not
        `asyncio.wait_for`'s extra future and callbacks)."""
        expiry = asyncio.get_running_loop().call_at(deadline, _time_out, waiter)
        try:
            return await waiter
        finally:
            expiry.cancel()

    def _turn_long(self, worker: _Worker, turn: _Turn) -> None:
        """The query's timer at the end of the fast lane: set again for its deadline, and the
        query demoted."""
        assert turn.timer is not None
        turn.timer.set(turn.deadline, worker.stop_query, TimeoutError())
        self._demote(worker, turn.client, turn.state, turn.timeout)

    def _demote(self, worker: _Worker, client: str, state: _Client, timeout: float) -> None:
        """The query has run past the fast lane: into the long lane, or stopped if it is full."""
        if worker not in self._busy or worker in self._long:
            return
        self._light.pop(client, None)
        now = asyncio.get_running_loop().time()
        state.heavy_until = now + timeout
        if state.long == 0 and len(self._long) < self.long_lane:
            self._make_long(worker, state)
            self._refuse_waiting(state, now)
            return
        if state.long:
            why = "this client already has a long query running (one per client)"
        else:
            why = f"the lane for long queries ({self.long_lane} at once) was full"
        log.warning("query of %s stopped: %s", client, why)
        worker.stop_query(
            QueryRefusedError(
                503,
                f"The query ran past {self._fast_lane_seconds:g} s while {why}, and was stopped "
                "so that short queries stay fast. Retry later, or narrow the query down.",
                timeout,
            )
        )

    def _make_long(self, worker: _Worker, state: _Client) -> None:
        self._long.add(worker)
        state.long += 1
        worker.lower_priority()

    def _finish(self, worker: _Worker, client: str, state: _Client, heavy_until: float) -> None:
        """The client's share back: one query fewer running (and long, heavy until then)."""
        state.running -= 1
        if worker in self._long:
            self._long.discard(worker)
            state.long -= 1
            state.heavy_until = heavy_until
        self._forget_if_done(client)

    def _remember_light(self, client: str) -> None:
        self._light[client] = None
        self._light.move_to_end(client)
        if len(self._light) > LIGHT_CLIENTS_KEPT:
            self._light.popitem(last=False)

    def _forget_if_done(self, client: str) -> None:
        """Drop a client's state once it has nothing waiting or running and is no longer heavy."""
        state = self._clients.get(client)
        if state is None or state.running or any(not t.handed.done() for t in state.waiting):
            return
        if not state.is_heavy(asyncio.get_running_loop().time()):
            del self._clients[client]

    async def _start_zygote(self) -> None:
        """Start the zygote, or start it again if it ended (killed from outside)."""
        async with self._zygote_restart:
            if self._zygote is not None and self._zygote.alive:
                return  # started again meanwhile, for another worker
            loop = asyncio.get_running_loop()
            if self._zygote is not None:
                log.warning("the query workers' zygote ended; starting it again")
                await loop.run_in_executor(None, self._zygote.close)
            self._zygote, unrestricted = await loop.run_in_executor(
                None, Zygote.start, self._setup
            )
            for why in unrestricted:
                log.warning(
                    "the query workers' zygote runs unrestricted (and every worker it forks), %s",
                    why,
                )

    async def _add_worker(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._zygote is not None
        try:
            pid, channel = await loop.run_in_executor(None, _Worker.launch, self._zygote)
        except ZygoteError:
            await self._start_zygote()
            pid, channel = await loop.run_in_executor(None, _Worker.launch, self._zygote)
        worker = _Worker(pid, channel, self._replied)
        await worker.connect()
        self._all.add(worker)
        self._idle.append(worker)
        self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        self._all.discard(worker)
        self._busy.pop(worker, None)
        self.workers_replaced += 1
        self._track(asyncio.get_running_loop().create_task(self._stop_and_add(worker)))

    def _track(self, task: asyncio.Task[None]) -> None:
        """Keep a worker's start (or replacement) until done, so that `close` can cancel it."""
        self._replacements.add(task)
        task.add_done_callback(self._replacements.discard)

    async def _stop_and_add(self, worker: _Worker) -> None:
        worker.kill()  # the zygote reaps it
        worker.close()
        log.warning("query worker %s replaced", worker.pid)
        await self._add_worker()
