"""The engine alone: the mix run in this process on a pyoxigraph Store, without HTTP.

The engine and dataset view the service's query workers use (pyoxigraph, the union of the named
graphs as default graph, the project's prefixes predeclared), through `iacai.query_engine.run`,
the call `iacai query` makes; answers serialized by pyoxigraph to the format a client asks for,
timed per query. A worker (`iacai.service.engine.worker.execute`) adds the row and size caps and
the service's own writers; what is left of a server's latency after this figure is those, the
protocol, transport and process hops.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph

from bench.agreement import Answer, parse
from bench.mix import MixQuery
from iacai.query_engine import run


@dataclass(frozen=True)
class EngineTiming:
    """Latencies of one query on the engine alone, in seconds."""

    query: str
    latencies: tuple[float, ...]


def load_store(dump: Path) -> pyoxigraph.Store:
    """An in-memory Store holding the dump, each quad in its named graph."""
    store = pyoxigraph.Store()
    store.bulk_load(path=dump, format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def answer_bytes(store: pyoxigraph.Store, query: MixQuery) -> bytes:
    """The query's answer as a server would send it: SPARQL JSON, or Turtle for CONSTRUCT."""
    result = run(store, query.text)
    if isinstance(result, pyoxigraph.QueryTriples):
        return result.serialize(format=pyoxigraph.RdfFormat.TURTLE)
    return result.serialize(format=pyoxigraph.QueryResultsFormat.JSON)


def reference_answer(store: pyoxigraph.Store, query: MixQuery) -> Answer:
    """The engine's answer in normal form: what every server's answer is compared with."""
    media_type = "text/turtle" if query.form == "construct" else "application/sparql-results+json"
    return parse(answer_bytes(store, query), media_type, query)


def time_query(
    store: pyoxigraph.Store, query: MixQuery, max_runs: int, max_seconds: float
) -> EngineTiming:
    """Run the query until `max_runs` or `max_seconds`, whichever comes first (at least once)."""
    answer_bytes(store, query)
    latencies: list[float] = []
    deadline = time.perf_counter() + max_seconds
    while len(latencies) < max_runs and (not latencies or time.perf_counter() < deadline):
        started = time.perf_counter()
        answer_bytes(store, query)
        latencies.append(time.perf_counter() - started)
    return EngineTiming(query.name, tuple(latencies))
