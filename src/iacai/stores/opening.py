"""Preparing the configured store once per server, and opening it in each query worker.

`prepare` runs in every server process (a disk store is loaded by the first and reopened by the
rest); `check_remote` runs once, in `iacai serve` before it listens, so a remote store that lacks
the graph is refused up front, while one that goes down later is answered with 502 until back.
"""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import RdfFormat, Store, parse

from iacai.stores import disk
from iacai.stores.loading import LoadError, triples_by_graph, verify
from iacai.stores.location import StoreKind, StoreLocation
from iacai.stores.remote import RemoteStore


class StoreNotReadyError(Exception):
    """The store cannot serve this data version; the message says what to do."""


def prepare(location: StoreLocation, nquads: bytes, version: str) -> None:
    """Load a disk store with this data version unless it holds it already."""
    if location.kind is StoreKind.DISK:
        assert location.path is not None
        try:
            disk.prepare(location.path, nquads, version)
        except (disk.DiskStoreError, OSError) as error:
            raise StoreNotReadyError(str(error)) from error


def check_remote(location: StoreLocation, nquads: bytes) -> None:
    """Refuse a remote store that does not hold every named graph with its triple count."""
    if location.kind is StoreKind.REMOTE:
        assert location.url is not None
        expected = {name: len(set(t)) for name, t in triples_by_graph(nquads).items()}
        try:
            verify(location.url, expected)
        except LoadError as error:
            raise StoreNotReadyError(
                f"{error}\nLoad the graph with: iacai load --into {location.url}"
            ) from None


def open_for_queries(
    location: StoreLocation,
    nquads: bytes,
    version: str,
    graph_names: Sequence[str],
    timeout: float,
) -> Store | RemoteStore:
    """The store a query worker answers from (prepared beforehand by `prepare`)."""
    if location.kind is StoreKind.DISK:
        assert location.path is not None
        return disk.open_read_only(location.path / version)
    if location.kind is StoreKind.REMOTE:
        assert location.url is not None
        return RemoteStore(location.url, graph_names, timeout)
    return memory_store(nquads)


def memory_store(nquads: bytes) -> Store:
    """An in-memory store holding the data, each graph under its own name.

    Blank-node labels are kept as the snapshot has them (`bulk_load` would draw new random ones
    in each process), so every worker and every process gives the same bytes for one query.
    """
    store = Store()
    store.bulk_extend(parse(nquads, format=RdfFormat.N_QUADS))
    return store
