"""The query pool's timeout covers waiting for a worker, not only running on one.

Through HTTP a query seldom times out while it waits (with one timeout for all, the query ahead
of it is stopped first), so the pool is driven here directly, with real worker processes: one
worker, held by a runaway query, and a second client's query with a shorter timeout behind it.
"""

from __future__ import annotations

import asyncio

import pytest

from iacai.namespaces import PREFIXES
from iacai.service.engine.pool import QueryPool, QueryTimeoutError
from iacai.service.engine.worker import QueryAnswer, QueryJob, WorkerSetup

NQUADS = b"".join(
    b"<https://example.org/s%d> <https://example.org/p> <https://example.org/o%d> .\n" % (n, n)
    for n in range(200)
)
RUNAWAY = QueryJob(
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "json",
    10,
)
CHEAP = QueryJob("ASK { ?s ?p ?o }", "json", 10)


async def wait_behind_a_runaway() -> tuple[float, bool, float, object]:
    loop = asyncio.get_running_loop()
    pool = QueryPool(WorkerSetup(NQUADS, dict(PREFIXES), {}), size=1, fast_lane_seconds=30)
    await pool.start()
    try:
        began = loop.time()
        runaway = asyncio.create_task(pool.run(RUNAWAY, 2.0, "127.0.0.1"))
        await asyncio.sleep(0.1)
        waiting_from = loop.time()
        with pytest.raises(QueryTimeoutError):
            await pool.run(CHEAP, 0.5, "127.0.0.2")
        waited = loop.time() - waiting_from
        runaway_went_on = not runaway.done()
        with pytest.raises(QueryTimeoutError):
            await runaway
        runaway_ran = loop.time() - began
        return waited, runaway_went_on, runaway_ran, await pool.run(CHEAP, 5.0, "127.0.0.2")
    finally:
        await pool.close()


def test_a_query_times_out_while_it_waits_and_the_pool_goes_on() -> None:
    waited, runaway_went_on, runaway_ran, answer = asyncio.run(wait_behind_a_runaway())
    assert 0.5 <= waited < 0.9, waited
    assert runaway_went_on, "the waiting query's timeout touched the query that held the worker"
    assert 2.0 <= runaway_ran < 2.5, runaway_ran
    assert isinstance(answer, QueryAnswer) and b"true" in answer.body  # the replaced worker
