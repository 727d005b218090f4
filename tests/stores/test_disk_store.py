"""The on-disk store: loaded once per data version, reopened without loading, one writer."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest
from pyoxigraph import RdfFormat, Store

from iacai.stores import disk

NQUADS = (
    b"<https://example.org/a> <https://example.org/p> \"one\" <https://example.org/g1> .\n"
    b"<https://example.org/a> <https://example.org/p> _:list <https://example.org/g2> .\n"
)


def test_loads_once_then_reopens_what_is_there(tmp_path: Path) -> None:
    directory = disk.prepare(tmp_path, NQUADS, "v1")
    assert disk.is_loaded(directory, "v1")
    marker_written = (directory / disk.MARKER).stat().st_mtime_ns
    assert disk.prepare(tmp_path, b"this is not N-Quads and is never parsed", "v1") == directory
    assert (directory / disk.MARKER).stat().st_mtime_ns == marker_written
    store = disk.open_read_only(directory)
    assert len(store) == 2
    assert {quad.graph_name.value for quad in store} == {
        "https://example.org/g1",
        "https://example.org/g2",
    }


def test_a_new_data_version_goes_to_its_own_directory(tmp_path: Path) -> None:
    first = disk.prepare(tmp_path, NQUADS, "v1")
    second = disk.prepare(tmp_path, NQUADS.splitlines(keepends=True)[0], "v2")
    assert first != second
    assert len(disk.open_read_only(first)) == 2
    assert len(disk.open_read_only(second)) == 1


def test_an_interrupted_load_is_done_again(tmp_path: Path) -> None:
    directory = tmp_path / "v1"
    directory.mkdir()
    partial = b"<https://example.org/x> <https://example.org/p> <https://example.org/y> .\n"
    Store(str(directory / "store")).bulk_load(partial, format=RdfFormat.N_TRIPLES)
    assert not disk.is_loaded(directory, "v1")  # no marker: the load never finished
    disk.prepare(tmp_path, NQUADS, "v1")
    assert len(disk.open_read_only(directory)) == 2


def _hold_write_lock(path: str, locked: multiprocessing.Event, release: multiprocessing.Event,
                     nquads: bytes) -> None:
    store = Store(str(Path(path) / "store"))
    locked.set()
    release.wait(30)
    store.bulk_load(nquads, format=RdfFormat.N_QUADS)
    store.flush()
    (Path(path) / disk.MARKER).write_text("v1\n", encoding="utf-8")


def test_a_second_loader_waits_for_the_first_instead_of_writing(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    locked, release = context.Event(), context.Event()
    (tmp_path / "v1").mkdir()
    holder = context.Process(
        target=_hold_write_lock, args=(str(tmp_path / "v1"), locked, release, NQUADS)
    )
    holder.start()
    try:
        assert locked.wait(30)
        with pytest.raises(OSError, match=r"(?i)lock"):
            Store(str(tmp_path / "v1" / "store"))  # Oxigraph refuses a second writer
        release.set()
        directory = disk.prepare(tmp_path, b"never loaded by this process", "v1")
    finally:
        release.set()
        holder.join(30)
    assert len(disk.open_read_only(directory)) == 2


def test_many_readers_open_it_at_once(tmp_path: Path) -> None:
    directory = disk.prepare(tmp_path, NQUADS, "v1")
    readers = [disk.open_read_only(directory) for _ in range(3)]
    assert [len(reader) for reader in readers] == [2, 2, 2]
