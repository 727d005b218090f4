"""Oxigraph's persistent store in a directory: loaded once per data version, reopened read-only.

`disk:PATH` keeps each data version in `PATH/<version>/`: the store in `store/` and, once the
load is complete and flushed, a `loaded` marker naming the version. A service that finds the
marker opens the store read-only at once (no parsing); one that does not, loads it. Loading takes
Oxigraph's write lock (RocksDB's LOCK file), so a second process that tries to load the same
version at the same time waits for the first one's marker instead of writing too. A new data
version goes to a new directory: a store that running services read is never written again.
"""

from __future__ import annotations

import time
from pathlib import Path

from pyoxigraph import RdfFormat, Store, parse

MARKER = "loaded"
LOCK_WAIT_SECONDS = 120.0
"""How long a second loader waits for the first one's marker before giving up."""


class DiskStoreError(Exception):
    """The directory cannot be loaded or opened; the message says why."""


def prepare(root: Path, nquads: bytes, version: str) -> Path:
    """The directory of this data version under `root`, loaded (now or earlier) and complete."""
    directory = root / version
    if is_loaded(directory, version):
        return directory
    try:
        directory.mkdir(parents=True, exist_ok=True)
        store = Store(str(directory / "store"))
    except OSError as error:
        if "lock" not in str(error).lower():
            raise DiskStoreError(f"cannot open the store in {directory}: {error}") from error
        return _wait_for_other_loader(directory, version)
    try:
        if not is_loaded(directory, version):  # another loader may have finished meanwhile
            store.clear()
            store.bulk_extend(parse(nquads, format=RdfFormat.N_QUADS))  # labels kept
            store.flush()
            (directory / MARKER).write_text(version + "\n", encoding="utf-8")
    finally:
        del store  # releases the write lock
    return directory


def is_loaded(directory: Path, version: str) -> bool:
    """Whether a complete load of this version is in the directory."""
    marker = directory / MARKER
    return marker.is_file() and marker.read_text(encoding="utf-8").strip() == version


def open_read_only(directory: Path) -> Store:
    """The loaded store, read-only: any number of processes may hold it open at once."""
    return Store.read_only(str(directory / "store"))


def _wait_for_other_loader(directory: Path, version: str) -> Path:
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while not is_loaded(directory, version):
        if time.monotonic() > deadline:
            raise DiskStoreError(
                f"another process holds the write lock of {directory} and has not finished "
                f"loading it within {LOCK_WAIT_SECONDS:g} s"
            )
        time.sleep(0.2)
    return directory
