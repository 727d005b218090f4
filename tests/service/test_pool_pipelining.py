"""A client's next query sent to its worker ahead, behind the one it runs, and taken back.

The pool is driven directly, with real worker processes, as in `test_pool_waiting`. Two workers:
a light client then runs one fresh query at a time (the other worker stays for other clients),
so its next queries are the ones sent ahead. A query is sent ahead only behind one that began
within `AHEAD_WAIT_SECONDS`, and taken back once it waited that long while a worker is idle: so
the tests send it at once, and keep the other worker busy with another client's slow query.
Every answer must be its own query's, whatever was sent ahead, withdrawn, skipped or timed out
before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest

from iacai.namespaces import PREFIXES
from iacai.service.engine.pool import QueryPool, QueryRefusedError, QueryTimeoutError
from iacai.service.engine.worker import QueryAnswer, QueryJob, WorkerSetup

NQUADS = b"".join(
    b"<https://example.org/s%d> <https://example.org/p> <https://example.org/o%d> .\n" % (n, n)
    for n in range(200)
)
SLOW = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", "json", 10)
"""About a second: 8 million rows counted."""
QUICK = QueryJob("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }", "json", 10)
"""A few milliseconds: 40,000 rows counted."""
RUNAWAY = QueryJob(
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }", "json", 10
)
CLIENT = "127.0.0.1"
OTHER = "127.0.0.2"


def object_of(n: int) -> QueryJob:
    """A cheap query whose answer names its own `n`."""
    return QueryJob(f"SELECT ?o WHERE {{ <https://example.org/s{n}> ?p ?o }}", "json", 10)


def named(answer: object) -> str:
    assert isinstance(answer, QueryAnswer), answer
    bindings = json.loads(answer.body)["results"]["bindings"]
    return str(bindings[0]["o"]["value"])


async def with_pool(fast_lane_seconds: float = 30.0) -> QueryPool:
    pool = QueryPool(WorkerSetup(NQUADS, dict(PREFIXES), {}), 2, fast_lane_seconds)
    await pool.start()
    await pool.run(object_of(0), 5.0, CLIENT)  # the client is light from now on
    return pool


async def many_at_once() -> tuple[list[str], int, int]:
    pool = await with_pool()
    try:
        answers = await asyncio.gather(*(pool.run(object_of(n), 10.0, CLIENT) for n in range(60)))
        return [named(answer) for answer in answers], pool.jobs_sent_ahead, pool.workers_replaced
    finally:
        await pool.close()


def test_queries_sent_ahead_get_their_own_answers() -> None:
    answers, sent_ahead, replaced = asyncio.run(many_at_once())
    assert answers == [f"https://example.org/o{n}" for n in range(60)]
    assert sent_ahead > 10, sent_ahead
    assert replaced == 0


async def withdraw_by_leaving(how: str) -> tuple[int, int, str]:
    """A slow query runs on each worker; a query sent ahead behind one of them is given up on
    (its request ends, or its timeout comes) before its turn."""
    pool = await with_pool()
    try:
        slow = asyncio.create_task(pool.run(SLOW, 10.0, CLIENT))
        timeout = 0.3 if how == "timeout" else 10.0
        ahead = asyncio.create_task(pool.run(object_of(7), timeout, CLIENT))
        other = asyncio.create_task(pool.run(SLOW, 10.0, OTHER))
        await asyncio.sleep(0.1)
        sent_ahead = pool.jobs_sent_ahead
        if how == "timeout":
            with pytest.raises(QueryTimeoutError):
                await ahead
        else:
            ahead.cancel()
            with pytest.raises(asyncio.CancelledError):
                await ahead
        assert not slow.done(), "the query ahead was given up on after the slow one ended"
        assert isinstance(await slow, QueryAnswer)
        assert isinstance(await other, QueryAnswer)
        after = named(await pool.run(object_of(9), 5.0, CLIENT))
        return sent_ahead, pool.workers_replaced, after
    finally:
        await pool.close()


@pytest.mark.parametrize("how", ["cancelled", "timeout"])
def test_a_query_sent_ahead_and_given_up_on_costs_no_worker(how: str) -> None:
    sent_ahead, replaced, after = asyncio.run(withdraw_by_leaving(how))
    assert sent_ahead == 1
    assert replaced == 0  # taken back, skipped by the worker: not stopped by killing it
    assert after == "https://example.org/o9"  # the replies still line up with the queries


async def withdraw_behind_a_long_query() -> tuple[float, int, str]:
    """A runaway query turns long after 0.3 s; the query sent ahead behind it must not wait for
    it: the client is heavy from then on, so it is refused at once (429), as it would have been
    in the pool's queue. Another client's slow query holds the other worker meanwhile (it turns
    long too, and one of the two is stopped: the lane holds one)."""
    pool = await with_pool(fast_lane_seconds=0.3)
    loop = asyncio.get_running_loop()
    try:
        began = loop.time()
        runaway = asyncio.create_task(pool.run(RUNAWAY, 1.5, CLIENT))
        ahead = asyncio.create_task(pool.run(object_of(3), 10.0, CLIENT))
        other = asyncio.create_task(pool.run(SLOW, 10.0, OTHER))
        with pytest.raises(QueryRefusedError) as refused:
            await ahead
        waited = loop.time() - began
        assert refused.value.status == 429
        for stopped in (runaway, other):
            with contextlib.suppress(QueryTimeoutError, QueryRefusedError):
                await stopped
        sent_ahead = pool.jobs_sent_ahead
        await asyncio.sleep(1.6)  # heavy for a timeout after the runaway ended
        return waited, sent_ahead, named(await pool.run(object_of(4), 5.0, CLIENT))
    finally:
        await pool.close()


def test_a_query_sent_ahead_is_withdrawn_when_the_one_before_turns_long() -> None:
    waited, sent_ahead, after = asyncio.run(withdraw_behind_a_long_query())
    assert sent_ahead == 1
    assert waited < 1.0, waited  # not behind the runaway until its timeout (1.5 s)
    assert after == "https://example.org/o4"


async def move_to_an_idle_worker() -> tuple[float, int, int]:
    """A new client's query is sent ahead behind a slow query (both workers busy); the other
    worker's query ends within milliseconds: the one sent ahead must run there, not wait for
    the slow query (about a second)."""
    pool = await with_pool()
    loop = asyncio.get_running_loop()
    try:
        slow = asyncio.create_task(pool.run(SLOW, 10.0, CLIENT))
        quick = asyncio.create_task(pool.run(QUICK, 10.0, OTHER))
        await asyncio.sleep(0)  # both started
        began = loop.time()
        assert named(await pool.run(object_of(5), 10.0, "127.0.0.3")).endswith("/o5")
        waited = loop.time() - began
        assert not slow.done()
        assert isinstance(await quick, QueryAnswer) and isinstance(await slow, QueryAnswer)
        return waited, pool.jobs_sent_ahead, pool.workers_replaced
    finally:
        await pool.close()


def test_a_query_sent_ahead_moves_to_a_worker_that_becomes_idle() -> None:
    waited, sent_ahead, replaced = asyncio.run(move_to_an_idle_worker())
    assert sent_ahead == 1
    assert waited < 0.5, waited
    assert replaced == 0


async def second_query_of_a_busy_client() -> tuple[bool, int]:
    """A new client runs a slow query; its second query may wait behind that one (on the same
    worker, after it), never behind another client's quick query, which would run it beside
    its first: a client that is not light runs one query at a time."""
    pool = await with_pool()
    try:
        quick = asyncio.create_task(pool.run(QUICK, 10.0, CLIENT))
        slow = asyncio.create_task(pool.run(SLOW, 10.0, "127.0.0.3"))
        second = asyncio.create_task(pool.run(object_of(6), 10.0, "127.0.0.3"))
        assert named(await second).endswith("/o6")
        after_the_first = slow.done()
        assert isinstance(await quick, QueryAnswer) and isinstance(await slow, QueryAnswer)
        return after_the_first, pool.jobs_sent_ahead
    finally:
        await pool.close()


def test_a_client_runs_no_more_at_once_for_queries_sent_ahead() -> None:
    after_the_first, sent_ahead = asyncio.run(second_query_of_a_busy_client())
    assert sent_ahead == 1  # behind its own slow query
    assert after_the_first
