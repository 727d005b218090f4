"""A query-worker process: one query at a time, answers as bytes.

Queries run here, never in the server process, so that a runaway query can be stopped by
killing its worker (the CPU is truly freed) and an input that crashes the engine takes down
only this process. Workers are forked from the zygote (`engine.zygote`), which loaded this
module and the in-memory store once. The store is whichever `--store` names (iacai.stores):
each answers pyoxigraph's `query`.
"""

from __future__ import annotations

import os
import pickle
import re
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import NamedNode, QueryBoolean, QuerySolutions, Store, Triple, Variable

from iacai.service.engine import sandbox, wire, writers
from iacai.service.engine.wire import QueryAnswer as QueryAnswer  # re-exported: a reply
from iacai.stores.location import StoreKind, StoreLocation
from iacai.stores.opening import memory_store, open_for_queries
from iacai.stores.remote import RemoteStore, RemoteStoreError

_HTTP_STATUS = re.compile(r"\bError (\d{3})\b")
"""How the engine names the status of a SERVICE endpoint's error answer."""


@dataclass(frozen=True)
class WorkerSetup:
    """What every worker starts from: the same store and data, prefixes and JSON-LD context.

    The prefixes are also predeclared for queries, as in `iacai query`. `nquads` is what an
    in-memory store loads; the other stores were prepared before the workers start. A worker
    may connect out only when `network` says so (a SERVICE allowlist, a remote store).
    """

    nquads: bytes
    prefixes: Mapping[str, str]
    jsonld_context: Mapping[str, Any]
    store: StoreLocation = field(default_factory=lambda: StoreLocation.parse("memory"))
    data_version: str = ""
    graph_names: tuple[str, ...] = ()
    query_timeout: float = 10.0
    network: bool = False
    memory_limit: int = 0
    """Bytes of private writable memory (RLIMIT_DATA) a worker may use; 0 = unbounded."""
    max_answer_bytes: int = 1 << 23
    """Bytes of terms an answer may carry before it is cut (as at the row cap)."""
    malloc_library: str = ""
    """A malloc library the zygote is started with (LD_PRELOAD), and so every worker it forks
    (`engine.allocator`); empty: the system's."""


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
    federated: bool = False
    """Whether the query calls SERVICE: an error then does not repeat what the endpoint said."""
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    union_default_graph: bool = True
    substitutions: tuple[tuple[str, Any], ...] = field(default=())


@dataclass(frozen=True)
class QueryRejected:
    """The engine refused the query; `syntax` tells a parse error from an evaluation error."""

    message: str
    syntax: bool


@dataclass(frozen=True)
class Unrepresentable:
    """The answer cannot be written in the format asked for (406)."""

    message: str


@dataclass(frozen=True)
class OutOfMemory:
    """The query needed more memory than a worker may use; the worker ends after replying."""


@dataclass(frozen=True)
class WorkerReady:
    """Sent once the store is open: what the worker could not restrict, for the server's log,
    and the nice value it runs at (its zygote's), to which the pool restores it after a long
    query."""

    unrestricted: tuple[str, ...]
    nice: int


@dataclass(frozen=True)
class StoreFailed:
    """A remote store was down or answered badly (502), or too slowly (504)."""

    message: str
    status: int


WorkerReply = QueryAnswer | QueryRejected | StoreFailed | Unrepresentable | OutOfMemory
"""What a worker sends back for a job."""

TERMS = "terms"
"""The answer format of the service's own queries (pages, resource documents, descriptions).

The answer is the rows (or triples) as pyoxigraph terms, pickled: the cheapest form, with no
text written here nor parsed in the server, and bytes that the answer cache keeps as it keeps
any answer. `read_terms` gives them back.
"""

TermRows = tuple[tuple[str, ...], list[tuple[Any, ...]]] | tuple[None, list[Triple]]
"""A TERMS answer: the SELECT variables and one tuple of terms (None if unbound) per row, or
None and the triples of a CONSTRUCT."""


def read_terms(body: bytes) -> TermRows:
    """A TERMS answer as the worker wrote it."""
    answer: TermRows = pickle.loads(body)  # noqa: S301 (our own workers)
    return answer


def restrict(setup: WorkerSetup) -> tuple[str, ...]:
    """Forbid the network unless the setup needs it (in the zygote: every worker inherits it);
    what could not be restricted, for the server's log."""
    why = None if setup.network else sandbox.forbid_network()
    return () if why is None else (f"network: {why}",)


def preload(setup: WorkerSetup) -> Store | None:
    """The in-memory store, loaded once in the zygote and shared by the workers it forks; None
    for a disk or remote store, which each worker opens itself (RocksDB and HTTP clients hold
    threads and connections that a fork would not carry over)."""
    return memory_store(setup.nquads) if setup.store.kind is StoreKind.MEMORY else None


def serve(channel: socket.socket, setup: WorkerSetup, store: Store | None) -> None:
    """A worker's life: limit its memory, open the store unless shared, say ready, answer jobs
    in order until told to stop (a job withdrawn before it began is answered SKIPPED); after
    running out of memory it says so and ends (the server starts a fresh one)."""
    unrestricted: tuple[str, ...] = ()
    if setup.memory_limit:
        why = sandbox.limit_memory(setup.memory_limit)
        unrestricted = (f"memory: {why}",) if why is not None else ()
    opened = store or open_for_queries(
        setup.store, setup.nquads, setup.data_version, setup.graph_names, setup.query_timeout
    )
    wire.send(channel, WorkerReady(unrestricted, os.getpriority(os.PRIO_PROCESS, 0)))
    jobs = wire.Receiver(channel)
    while True:
        try:
            job = jobs.receive()
        except EOFError:
            return
        if job is wire.WITHDRAW:  # came after its job had begun: that job was answered
            continue
        if not isinstance(job, QueryJob):  # None: the server says stop
            return
        reply = wire.SKIPPED if jobs.withdrawn() else execute(opened, job, setup)
        wire.send(channel, reply)
        if isinstance(reply, OutOfMemory):
            return


def execute(store: Store | RemoteStore, job: QueryJob, setup: WorkerSetup) -> WorkerReply:
    """Run one job against the store and serialize its answer."""
    try:
        arguments = _dataset_arguments(job)
        result = _query(store, job.query, setup.prefixes, arguments)
        if job.format_name == TERMS:
            return _terms(result, job, setup)
        if isinstance(result, QuerySolutions):
            body = writers.write_solutions_within_cap(
                job.format_name, result, job.max_rows, setup.max_answer_bytes
            )
            if body is not None:
                return _sendable(QueryAnswer(body, truncated=False), job)
            # maybe over a cap: evaluated again, its rows counted as they are written
            result = _query(store, job.query, setup.prefixes, arguments)
        return _sendable(_serialized(result, job, setup), job)
    except RemoteStoreError as error:
        return StoreFailed(error.message, error.status)
    except SyntaxError as error:
        return QueryRejected(str(error), syntax=True)
    except MemoryError:
        return OutOfMemory()
    except Exception as error:
        if job.federated:
            return QueryRejected(_federation_failure(str(error)), syntax=False)
        return QueryRejected(str(error) or type(error).__name__, syntax=False)


def _query(
    store: Store | RemoteStore, text: str, prefixes: Mapping[str, str], arguments: dict[str, Any]
) -> Any:
    """The query's result, its prefixed names read with the predeclared prefixes where it
    declares none itself.

    Parsed without them first: the engine checks every predeclared IRI on each query (about
    10 µs for the 21 here), and a query that parses without them means the same with them (its
    own PREFIX lines win). One that fails is parsed again with them, which gives its result or
    the error to report.
    """
    try:
        return store.query(text, **arguments)
    except SyntaxError:
        return store.query(text, prefixes=dict(prefixes), **arguments)


def _federation_failure(message: str) -> str:
    """What to say when a query with SERVICE fails: the status, never the endpoint's body."""
    status = _HTTP_STATUS.search(message)
    said = f" (it answered {status[1]})" if status else ""
    return f"a federated call (SERVICE) failed{said}; its answer is not repeated here."


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


def _sendable(answer: QueryAnswer, job: QueryJob) -> QueryAnswer | Unrepresentable:
    """The answer, unless it is XML holding a character that XML cannot carry."""
    if job.format_name in _XML_FORMATS:
        refusal = writers.xml_refusal(answer.body)
        if refusal is not None:
            return Unrepresentable(refusal)
    return answer


_XML_FORMATS = frozenset({"xml", "rdfxml"})


def _terms(result: Any, job: QueryJob, setup: WorkerSetup) -> QueryAnswer:
    rows, truncated = writers.rows_within_caps(result, job.max_rows, setup.max_answer_bytes)
    answer: TermRows = (
        (tuple(v.value for v in result.variables), [tuple(row) for row in rows])
        if hasattr(result, "variables")
        else (None, list(rows))
    )
    return QueryAnswer(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL), truncated)


def _serialized(result: Any, job: QueryJob, setup: WorkerSetup) -> QueryAnswer:
    if isinstance(result, QueryBoolean):
        return QueryAnswer(writers.write_boolean(job.format_name, result), truncated=False)
    rows, truncated = writers.rows_within_caps(result, job.max_rows, setup.max_answer_bytes)
    if hasattr(result, "variables"):  # solutions, from pyoxigraph or a remote store
        body = writers.write_solutions(job.format_name, result.variables, rows, truncated)
    else:
        body = writers.write_graph(job.format_name, rows, setup.prefixes, setup.jsonld_context)
    return QueryAnswer(body, truncated)
