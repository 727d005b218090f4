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
  go straight to the long lane (their priority lowered, as any query's, once past the fast lane),
  and are refused with 429 and Retry-After while the lane is full or the client already holds a
  place in it (each refusal keeps it heavy a timeout longer). A fresh query that turns long
  while the lane is full, or while its client has a long one already, is stopped (503,
  Retry-After), and its client is heavy from then on;
- the last idle worker is kept for *light* clients, whose latest query ended within the fast
  lane: a crowd of new addresses, each with one runaway query, then takes the other workers in
  turn (each query stopped once it turns long), never the one an established client needs.
- a query that must wait is sent ahead to a busy worker whose query began just now, behind it,
  so that the worker goes on to it without sleeping between queries; it is taken back if it
  waits there long while another worker is idle, or the query ahead of it turns long.
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
from pathlib import Path

from iacai.service.engine import allocator, wire
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
AHEAD_WAIT_SECONDS = 0.02
"""How long a query sent ahead may wait behind the query its worker runs once another worker
is idle (`QueryPool._pipeline`): far below the fast lane, above a short query on a busy machine."""
LONG_QUERY_NICE_STEP = 10
"""How much nicer a worker running a long query is than one running a fresh query: the OS gives
fresh queries about nine times its share of the CPU (19 starved long queries outright on a busy
machine)."""


@dataclass(frozen=True)
class _Launched:
    """A worker forked and ready: its pid, the server's end of its socket, its nice value."""

    pid: int
    channel: socket.socket
    nice: int


class _Worker:
    """One worker process and the server's end of its socket, read on the event loop.

    `sent` holds the turns whose jobs it was sent, in order, until their replies come: the one
    it runs, and maybe the next (`QueryPool._pipeline`); None stands for one withdrawn.
    """

    def __init__(
        self,
        launched: _Launched,
        replied: Callable[[_Worker, object], None],
        ended: Callable[[_Worker], None],
    ) -> None:
        self.pid = launched.pid
        self._nice = launched.nice
        """Its nice value for fresh queries (as forked), restored after a long query."""
        self._replied = replied
        """Called with each message as it arrives, before any coroutine resumes: the pool
        gives the worker its next job there, without waiting for a turn of the event loop."""
        self._on_end = ended
        self._channel = launched.channel
        self._loop = asyncio.get_running_loop()
        self._transport: asyncio.Transport | None = None
        self._ended = self._loop.create_future()
        self.sent: deque[_Turn | None] = deque()
        self.lowered = False
        self.drain = _Timer(self._loop)
        """How long it may take to answer a job withdrawn after it began (then replaced)."""

    @staticmethod
    def launch(zygote: Zygote) -> _Launched:
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
        return _Launched(pid, channel, ready.nice)

    async def connect(self) -> None:
        """Start reading replies on the event loop."""
        self._channel.setblocking(False)
        transport, _ = await self._loop.create_unix_connection(
            lambda: wire.MessageReader(lambda reply: self._replied(self, reply), self._closed),
            sock=self._channel,
        )
        self._transport = transport

    @property
    def ended(self) -> bool:
        return self._ended.done()

    def send(self, turn: _Turn) -> None:
        """Send the turn's job at once (its reply comes through `replied`)."""
        self.sent.append(turn)
        self._write(turn.job)

    def withdraw(self, turn: _Turn) -> None:
        """Take back a job sent behind the one running: the worker skips it if not begun."""
        self.sent[self.sent.index(turn)] = None
        self._write(wire.WITHDRAW)

    def _write(self, message: object) -> None:
        if not self.ended and self._transport is not None:
            self._transport.write(wire.frame(message))

    def _closed(self) -> None:
        if not self._ended.done():
            self._ended.set_result(None)
            self._on_end(self)

    def lower_priority(self) -> None:
        """Run this worker after fresh queries (raising a nice value needs no privilege)."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, self._nice + LONG_QUERY_NICE_STEP)
        except OSError:  # it has just ended: the end of the socket tells
            return
        self.lowered = True

    def restore_priority(self) -> bool:
        """Back to normal priority once the long query ended; False where that needs a
        privilege the server lacks (the worker is then replaced)."""
        try:
            os.setpriority(os.PRIO_PROCESS, self.pid, self._nice)
        except OSError:
            return False
        self.lowered = False
        return True

    def ask_to_end(self) -> None:
        """Tell an idle worker to finish (it exits after its current job, if any)."""
        self._write(None)

    def kill(self) -> None:
        """SIGKILL the process, unless its socket has ended (it is gone, its pid maybe reused)."""
        if not self.ended:
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
        self.drain.cancel()
        if self._transport is not None:
            self._transport.close()
        else:
            self._channel.close()


class _Timer:
    """The one timer of a query: its deadline while it waits; from the moment it runs, the end
    of the fast lane, then the deadline."""

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


@dataclass(slots=True, eq=False)
class _Turn:
    """One query of a client, from waiting to its reply.

    Its job goes out the moment a worker is given it, and the worker goes on to its next job
    the moment a reply arrives (`QueryPool._replied`): no worker idles while a coroutine waits
    for a turn of the event loop. The query's coroutine only awaits `answer`, which the pool
    settles with the reply or the error that ended the query.
    """

    job: QueryJob
    client: str
    state: _Client
    timeout: float
    deadline: float
    answer: asyncio.Future[WorkerReply]
    timer: _Timer
    worker: _Worker | None = None
    """The worker it was sent to: queued there behind the query that worker runs, or running."""
    began: float | None = None
    """When it began to run."""
    settled: bool = False
    """Whether its end was counted (its client's share given back); the answer may still be
    set after (a timeout, a refusal, a crash)."""

    def fail(self, error: BaseException) -> None:
        if not self.answer.done():
            self.answer.set_exception(error)


@dataclass
class _Client:
    """One client's queue and share: queries waiting, running, long, and until when it is heavy."""

    waiting: deque[_Turn] = field(default_factory=deque)
    running: int = 0
    """Its queries sent to a worker (queued there or running)."""
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
        self.jobs_sent_ahead = 0
        """Jobs sent to a worker behind the one it ran (`_pipeline`)."""
        self.worker_malloc = allocator.SYSTEM
        """The malloc the workers run on, as the zygote found it (`allocator.in_use`)."""

    async def start(self) -> None:
        """Start the zygote, then fork every worker from it."""
        await self._start_zygote()
        await asyncio.gather(*(self._add_worker() for _ in range(self._size)))

    async def run(self, job: QueryJob, timeout: float, client: str) -> WorkerReply:
        """Answer a job for a client, or raise QueryTimeoutError, QueryRefusedError or
        WorkerCrashedError (worker replaced)."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        state = self._clients.setdefault(client, _Client())
        state.timeout = timeout
        if self._refuses(state, now):
            raise self._refusal(state, now)
        turn = _Turn(job, client, state, timeout, now + timeout, loop.create_future(), _Timer(loop))
        state.waiting.append(turn)
        if client not in self._turns:
            self._turns.append(client)
        self._dispatch()
        if turn.worker is None and not turn.answer.done():  # waiting (one sent ahead has a timer)
            turn.timer.set(turn.deadline, self._expire, turn)
        try:
            return await turn.answer
        except asyncio.CancelledError:  # the request ended first
            self._abandon(turn)
            raise

    def _replied(self, worker: _Worker, message: object) -> None:
        """A worker's message (its query's coroutine resumes later): the answer to the query
        it ran, which it follows with the next one sent; or it is replaced, after running out
        of memory or saying something unexpected."""
        if worker not in self._all:
            return  # replaced already
        entry = worker.sent.popleft() if worker.sent else None
        if entry is None:  # a withdrawn job's reply: skipped, or run before it was withdrawn
            if message is not wire.SKIPPED and not isinstance(message, WorkerReply):
                self._worker_ended(worker)
                return
            worker.drain.cancel()
        elif not isinstance(message, WorkerReply):
            worker.sent.appendleft(entry)
            self._worker_ended(worker)
            return
        else:
            self._answered(worker, entry, message)
            if isinstance(message, OutOfMemory):  # the worker ends after saying so
                self._replace(worker)
                return
        if not worker.sent:
            self._release(worker)
            return
        following = worker.sent[0]
        if following is None:  # withdrawn too late, maybe running: replaced if it takes long
            loop = asyncio.get_running_loop()
            worker.drain.set(loop.time() + self._fast_lane_seconds, self._replace, worker)
        else:
            self._begin(worker, following)
        self._dispatch()

    def _answered(self, worker: _Worker, turn: _Turn, reply: WorkerReply) -> None:
        loop = asyncio.get_running_loop()
        turn.settled = True
        turn.timer.cancel()
        self._finish(worker, turn, loop.time() + turn.timeout)
        if not turn.answer.done():
            turn.answer.set_result(reply)
        assert turn.began is not None
        fast = loop.time() - turn.began < self._fast_lane_seconds
        if fast and not turn.state.is_heavy(loop.time()):
            self._remember_light(turn.client)

    def _worker_ended(self, worker: _Worker) -> None:
        """A worker died (or broke the protocol): the query it ran fails, one queued on it
        runs elsewhere, and a fresh worker takes its place."""
        if worker not in self._all:
            return  # it was stopped (and replaced) on purpose
        turn = self._busy.get(worker)
        if turn is None:
            self._replace(worker)
            return
        turn.fail(WorkerCrashedError(f"query worker {worker.pid} ended"))
        self._stop(turn, asyncio.get_running_loop().time() + turn.timeout)

    def _expire(self, turn: _Turn) -> None:
        """The deadline: a query still waiting gives up; one running is stopped."""
        if turn.settled:
            return
        turn.fail(QueryTimeoutError())
        if turn.worker is None:
            turn.settled = True
            self._forget_if_done(turn.client)
        elif turn.began is None:
            self._withdraw(turn)
            turn.settled = True
            self._forget_if_done(turn.client)
        else:
            self._stop(turn, asyncio.get_running_loop().time() + turn.timeout)

    def _abandon(self, turn: _Turn) -> None:
        """Nobody waits for the answer any more: a query queued on a worker is taken back, and
        one running is stopped."""
        if turn.settled:
            return
        turn.timer.cancel()
        if turn.worker is not None and turn.began is None:
            self._withdraw(turn)
        elif turn.worker is not None:
            self._stop(turn, asyncio.get_running_loop().time() + turn.timeout)
            return
        turn.settled = True
        self._forget_if_done(turn.client)

    def _stop(self, turn: _Turn, heavy_until: float) -> None:
        """A running query that will get no reply (it timed out, its worker died, or nobody
        waits for it): its share given back, its worker replaced."""
        worker = turn.worker
        assert worker is not None
        turn.settled = True
        turn.timer.cancel()
        self._finish(worker, turn, heavy_until)
        self._replace(worker)

    @property
    def idle_workers(self) -> int:
        """Workers waiting for a query now."""
        return len(self._idle)

    async def close(self) -> None:
        """Stop every worker, including replacements still starting."""
        for task in list(self._replacements):
            task.cancel()
        workers, self._all = self._all, set()  # their ends are not failures to make good
        await asyncio.gather(*(worker.stop(kill=bool(worker.sent)) for worker in workers))
        if self._zygote is not None:
            await asyncio.get_running_loop().run_in_executor(None, self._zygote.close)

    def _release(self, worker: _Worker) -> None:
        """A worker whose queries ended goes back to work (at normal priority) or is replaced."""
        if worker.lowered and not worker.restore_priority():
            self._replace(worker)
        else:
            self._idle.append(worker)
        self._dispatch()

    def _dispatch(self) -> None:
        """Hand idle workers to waiting queries, one client after another, while any can start
        (after taking back the queries sent ahead that wait too long); then send the next
        queries ahead to busy workers (`_pipeline`)."""
        now = asyncio.get_running_loop().time()
        if self._idle:
            self._take_back_waiting_ahead(now)
        started = True
        while started and self._idle and self._turns:
            started = False
            for _ in range(len(self._turns)):
                if not self._idle:
                    break
                client = self._turns.popleft()
                state = self._clients.get(client)
                if state is None:
                    continue
                self._drop_settled(state)
                if state.waiting and self._may_start(client, state.running - state.long):
                    started = True
                    if state.is_heavy(now):
                        self._start_long(state, now)
                    else:
                        self._start(state, long=False)
                if state.waiting:
                    self._turns.append(client)
        if self._turns:
            self._pipeline(now)

    @staticmethod
    def _drop_settled(state: _Client) -> None:
        """Pass over the queries that gave up waiting (timed out, or nobody waits for them)."""
        while state.waiting and state.waiting[0].answer.done():
            state.waiting.popleft()

    def _pipeline(self, now: float) -> None:
        """Queries that cannot start now are sent ahead, in the clients' turns, each to a busy
        worker whose query began within `AHEAD_WAIT_SECONDS`, behind it.

        The worker then goes on to the next query without sleeping: on a small machine, being
        woken costs a worker about as much CPU as a short query. A query sent ahead waits behind
        one other query, as it would have waited in the pool for any, but for
        `AHEAD_WAIT_SECONDS` at most once a worker is idle: it is then taken back
        (`_take_back_waiting_ahead`, `_reconsider`) and starts there. It is taken back too if
        the query before it turns long (`_demote`). Heavy clients' queries are never sent ahead
        (they wait for the long lane), and a client already running a fresh query has its next
        sent ahead only behind its own: sending ahead never lets a client run more at once.
        """
        for worker, running in self._busy.items():
            if len(worker.sent) > 1 or worker in self._long:
                continue
            assert running.began is not None
            if now - running.began >= AHEAD_WAIT_SECONDS:
                continue
            turn = self._next_turn_behind(running, now)
            if turn is None:
                continue
            turn.worker = worker
            turn.state.running += 1
            worker.send(turn)
            self.jobs_sent_ahead += 1
            reconsider_at = min(running.began + AHEAD_WAIT_SECONDS, turn.deadline)
            turn.timer.set(reconsider_at, self._reconsider, turn)

    def _next_turn_behind(self, running: _Turn, now: float) -> _Turn | None:
        """The next waiting query, clients taking turns, that may wait behind `running`: of a
        client that is not heavy, and that runs no fresh query unless `running` is its own (then
        it runs after it, never beside it: a client runs no more at once than it did)."""
        for _ in range(len(self._turns)):
            client = self._turns.popleft()
            state = self._clients.get(client)
            if state is None:
                continue
            self._drop_settled(state)
            if not state.waiting:
                continue
            fresh = state.running - state.long
            if state.is_heavy(now) or (fresh and client != running.client):
                self._turns.append(client)
                continue
            turn = state.waiting.popleft()
            if state.waiting:
                self._turns.append(client)
            return turn
        return None

    def _reconsider(self, turn: _Turn) -> None:
        """A query sent ahead has waited `AHEAD_WAIT_SECONDS` behind its worker's query (or its
        deadline came): taken back if a worker is idle, else it waits for its deadline (or an
        idle worker: `_take_back_waiting_ahead`)."""
        if turn.began is not None or turn.worker is None or turn.settled:
            return
        loop = asyncio.get_running_loop()
        if loop.time() >= turn.deadline:
            self._expire(turn)
            return
        if self._idle:
            self._requeue(turn.worker)
            self._dispatch()
        else:
            turn.timer.set(turn.deadline, self._expire, turn)

    def _take_back_waiting_ahead(self, now: float) -> None:
        """Workers are idle: the queries sent ahead behind a query that began
        `AHEAD_WAIT_SECONDS` ago or more go back to their clients' queues."""
        for worker, running in list(self._busy.items()):
            assert running.began is not None
            if len(worker.sent) > 1 and now - running.began >= AHEAD_WAIT_SECONDS:
                self._requeue(worker)

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
        """The client's next query on an idle worker (in the long lane: its priority is lowered
        only once it runs past the fast lane, `_demote`)."""
        worker = self._idle.pop()
        turn = state.waiting.popleft()
        turn.worker = worker
        state.running += 1
        if long:
            self._join_long_lane(worker, state)
        worker.send(turn)
        self._begin(worker, turn)

    def _begin(self, worker: _Worker, turn: _Turn) -> None:
        """The query runs from now: its timer set for the end of the fast lane, or its deadline
        if that comes first."""
        turn.began = asyncio.get_running_loop().time()
        self._busy[worker] = turn
        demote_at = turn.began + self._fast_lane_seconds
        if demote_at < turn.deadline:
            turn.timer.set(demote_at, self._turn_long, turn)
        else:
            turn.timer.set(turn.deadline, self._expire, turn)

    def _withdraw(self, turn: _Turn) -> None:
        """A query queued on a worker, taken back before it runs there."""
        worker = turn.worker
        assert worker is not None
        worker.withdraw(turn)
        turn.worker = None
        turn.state.running -= 1

    def _requeue(self, worker: _Worker) -> None:
        """The queries queued on a worker go back to the front of their clients' queues."""
        for turn in reversed([t for t in worker.sent if t is not None and t.began is None]):
            self._withdraw(turn)
            turn.timer.set(turn.deadline, self._expire, turn)
            turn.state.waiting.appendleft(turn)
            if turn.client not in self._turns:
                self._turns.appendleft(turn.client)

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
            turn = state.waiting.popleft()
            if not turn.settled:
                turn.settled = True
                turn.timer.cancel()
                turn.fail(refusal)

    def _turn_long(self, turn: _Turn) -> None:
        """The query's timer at the end of the fast lane: set again for its deadline, and the
        query demoted."""
        turn.timer.set(turn.deadline, self._expire, turn)
        self._demote(turn)

    def _demote(self, turn: _Turn) -> None:
        """The query has run past the fast lane: into the long lane, or stopped if it is full.
        A query queued behind it goes back to its client's queue."""
        worker = turn.worker
        assert worker is not None
        if worker in self._long:  # a heavy client's, begun in the long lane: long in fact now
            worker.lower_priority()
            return
        self._requeue(worker)
        client, state = turn.client, turn.state
        self._light.pop(client, None)
        now = asyncio.get_running_loop().time()
        state.heavy_until = now + turn.timeout
        if state.long == 0 and len(self._long) < self.long_lane:
            self._join_long_lane(worker, state)
            worker.lower_priority()
            self._refuse_waiting(state, now)
            self._dispatch()
            return
        if state.long:
            why = "this client already has a long query running (one per client)"
        else:
            why = f"the lane for long queries ({self.long_lane} at once) was full"
        log.warning("query of %s stopped: %s", client, why)
        turn.fail(
            QueryRefusedError(
                503,
                f"The query ran past {self._fast_lane_seconds:g} s while {why}, and was stopped "
                "so that short queries stay fast. Retry later, or narrow the query down.",
                turn.timeout,
            )
        )
        self._stop(turn, now + turn.timeout)

    def _join_long_lane(self, worker: _Worker, state: _Client) -> None:
        """The worker's place in the long lane, the client's long query. Its priority is lowered
        apart, once the query has run past the fast lane: a heavy client's short query then ends
        at the priority it began with. Restoring a priority needs a privilege an unprivileged
        service lacks, and each such query would have cost a worker (killed, forked again)."""
        self._long.add(worker)
        state.long += 1

    def _finish(self, worker: _Worker, turn: _Turn, heavy_until: float) -> None:
        """The client's share back: one query fewer running (and long, heavy until then)."""
        state = turn.state
        state.running -= 1
        self._busy.pop(worker, None)
        if worker in self._long:
            self._long.discard(worker)
            state.long -= 1
            state.heavy_until = heavy_until
        self._forget_if_done(turn.client)

    def _remember_light(self, client: str) -> None:
        self._light[client] = None
        self._light.move_to_end(client)
        if len(self._light) > LIGHT_CLIENTS_KEPT:
            self._light.popitem(last=False)

    def _forget_if_done(self, client: str) -> None:
        """Drop a client's state once it has nothing waiting or running and is no longer heavy."""
        state = self._clients.get(client)
        if state is None or state.running or any(not t.answer.done() for t in state.waiting):
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
            self._zygote, ready = await loop.run_in_executor(None, Zygote.start, self._setup)
            for why in ready.unrestricted:
                log.warning(
                    "the query workers' zygote runs unrestricted (and every worker it forks), %s",
                    why,
                )
            self.worker_malloc = ready.malloc
            wanted = self._setup.malloc_library
            if wanted and ready.malloc != Path(wanted).name:
                log.warning(
                    "the query workers were to allocate with %s but use %s: it could not be "
                    "loaded, or a library preloaded before it (LD_PRELOAD) provides malloc",
                    wanted,
                    "the system's malloc" if ready.malloc == allocator.SYSTEM else ready.malloc,
                )

    async def _add_worker(self) -> None:
        loop = asyncio.get_running_loop()
        assert self._zygote is not None
        try:
            launched = await loop.run_in_executor(None, _Worker.launch, self._zygote)
        except ZygoteError:
            await self._start_zygote()
            launched = await loop.run_in_executor(None, _Worker.launch, self._zygote)
        worker = _Worker(launched, self._replied, self._worker_ended)
        await worker.connect()
        self._all.add(worker)
        self._idle.append(worker)
        self._dispatch()

    def _replace(self, worker: _Worker) -> None:
        """A fresh worker in this one's place; the queries queued on it run elsewhere."""
        if worker not in self._all:
            return  # replaced already (its end, or its drain, came after)
        self._all.discard(worker)
        self._busy.pop(worker, None)
        if worker in self._idle:
            self._idle.remove(worker)
        self._requeue(worker)
        worker.sent.clear()
        self.workers_replaced += 1
        self._track(asyncio.get_running_loop().create_task(self._stop_and_add(worker)))
        self._dispatch()

    def _track(self, task: asyncio.Task[None]) -> None:
        """Keep a worker's start (or replacement) until done, so that `close` can cancel it."""
        self._replacements.add(task)
        task.add_done_callback(self._replacements.discard)

    async def _stop_and_add(self, worker: _Worker) -> None:
        worker.kill()  # the zygote reaps it
        worker.close()
        log.warning("query worker %s replaced", worker.pid)
        await self._add_worker()
