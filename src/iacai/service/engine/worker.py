"""A query-worker process: its own store, one query at a time, answers as bytes.

Queries run here, never in the server process, so that a runaway query can be stopped by
killing its worker (the CPU is truly freed) and an input that crashes the engine takes down
only this process. The module imports nothing heavy, so a replacement worker starts quickly.
The store is whichever `--store` names (iacai.stores): each answers pyoxigraph's `query`.
"""

from __future__ import annotations

import itertools
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store, Variable

from iacai.service.engine import wire, writers
from iacai.stores.location import StoreLocation
from iacai.stores.opening import open_for_queries
from iacai.stores.remote import RemoteStore, RemoteStoreError


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker starts from: the same store and data, prefixes and JSON-LD context.

    The prefixes are also predeclared for queries, as in `iacai query`. `nquads` is what an
    in-memory store loads; the other stores were prepared before the workers start.
    """

    nquads: bytes
    prefixes: Mapping[str, str]
    jsonld_context: Mapping[str, Any]
    store: StoreLocation = field(default_factory=lambda: StoreLocation.parse("memory"))
    data_version: str = ""
    graph_names: tuple[str, ...] = ()
    query_timeout: float = 10.0


@dataclass(frozen=True)
class QueryJob:
    """One query as the protocol layer decided it: text, dataset, answer format, row cap.

    The default graph is the union of all graphs unless the protocol (`default_graphs`) or the
    query itself (FROM, which clears `union_default_graph`) says otherwise.

    Named-query parameters come as pyoxigraph terms in `substitutions`, bound by the engine
    (SEP-0007), never spliced into the text.
    """

    query: str
    format_name: str
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    union_default_graph: bool = True
    substitutions: tuple[tuple[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class QueryAnswer:
    """The serialized answer and whether the row cap cut it."""

    body: bytes
    truncated: bool


@dataclass(frozen=True)
class QueryRejected:
    """The engine refused the query; `syntax` tells a parse error from an evaluation error."""

    message: str
    syntax: bool


@dataclass(frozen=True)
class StoreFailed:
    """A remote store was down or answered badly (502), or too slowly (504)."""

    message: str
    status: int


WorkerReply = QueryAnswer | QueryRejected | StoreFailed
"""What a worker sends back for a job."""


def serve(channel: socket.socket, setup: WorkerSetup) -> None:
    """The worker's life: open the store, say ready, then answer jobs until told to stop."""
    store = open_for_queries(
        setup.store, setup.nquads, setup.data_version, setup.graph_names, setup.query_timeout
    )
    wire.send(channel, "ready")
    while True:
        try:
            job = wire.receive(channel)
        except EOFError:
            return
        if job is None:
            return
        wire.send(channel, execute(store, job, setup))  # type: ignore[arg-type]


def execute(store: Store | RemoteStore, job: QueryJob, setup: WorkerSetup) -> WorkerReply:
    """Run one job against the store and serialize its answer."""
    try:
        arguments = _dataset_arguments(job)
        result = store.query(job.query, prefixes=dict(setup.prefixes), **arguments)
        if isinstance(result, QuerySolutions):
            body = writers.write_solutions_within_cap(job.format_name, result, job.max_rows)
            if body is not None:
                return QueryAnswer(body, truncated=False)
            # maybe over the cap: evaluated again, its rows counted as they are written
            result = store.query(job.query, prefixes=dict(setup.prefixes), **arguments)
        return _serialized(result, job, setup)
    except RemoteStoreError as error:
        return StoreFailed(error.message, error.status)
    except SyntaxError as error:
        return QueryRejected(str(error), syntax=True)
    except Exception as error:
        return QueryRejected(str(error) or type(error).__name__, syntax=False)


def _dataset_arguments(job: QueryJob) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    if job.default_graphs:
        arguments["default_graph"] = [NamedNode(iri) for iri in job.default_graphs]
    elif job.union_default_graph:
        arguments["use_default_graph_as_union"] = True
    if job.named_graphs:
        arguments["named_graphs"] = [NamedNode(iri) for iri in job.named_graphs]
    if job.substitutions:
        arguments["substitutions"] = {Variable(name): term for name, term in job.substitutions}
    return arguments


def _serialized(result: Any, job: QueryJob, setup: WorkerSetup) -> QueryAnswer:
    if isinstance(result, QueryBoolean):
        return QueryAnswer(writers.write_boolean(job.format_name, result), truncated=False)
    rows = list(itertools.islice(result, job.max_rows + 1))
    truncated = len(rows) > job.max_rows
    rows = rows[: job.max_rows]
    if hasattr(result, "variables"):  # solutions, from pyoxigraph or a remote store
        body = writers.write_solutions(job.format_name, result.variables, rows, truncated)
    else:
        body = writers.write_graph(job.format_name, rows, setup.prefixes, setup.jsonld_context)
    return QueryAnswer(body, truncated)
