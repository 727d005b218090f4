"""Dumps of the whole graph (`/dumps/iacai.ttl`, ...), made once, described as DCAT distributions.

The bytes come from `iacai.export`, so they are the same on every run and their checksum is
stable; the snapshot's N-Quads go to it as pyoxigraph quads, with no rdflib dataset between.
Making them takes seconds (the JSON-LD above all, tens of seconds on a busy machine), so they are
made once per data version, on first use, in a thread of their own: the event loop goes on
answering every other request meanwhile (it once made them itself and stalled them all).
Each is also gzipped once, for the clients that accept gzip.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from iacai.export import canonical_nquads, export_quads
from iacai.service.http.negotiation import FORMATS, Format, Kind, by_suffix

DUMP_SUFFIXES: Final = ("ttl", "nt", "trig", "nq", "jsonld")
"""The dump formats, by file suffix (each also a name `iacai.export` takes)."""

QUAD_FORMATS: Final = frozenset({"trig", "nq", "jsonld"})
"""Dumps that keep the named graphs; the others hold the union of the graphs."""


@dataclass(frozen=True)
class Dump:
    """One file of the whole graph, and what its DCAT distribution says about it."""

    file_name: str
    media_type: str
    body: bytes
    statements: int
    """Triples (union formats) or quads (formats that keep the named graphs)."""

    gzipped: bytes
    """The body gzipped once, served to every client that accepts gzip."""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()

    @property
    def etag(self) -> str:
        return f'"{self.sha256}"'


def dump_files() -> list[tuple[str, Format]]:
    """Each dump's file name and format, known without making the dumps."""
    graph_formats = [f for f in FORMATS if f.kind is Kind.GRAPH]
    files = []
    for suffix in DUMP_SUFFIXES:
        answer_format = by_suffix(suffix, graph_formats)
        assert answer_format is not None, suffix
        files.append((f"iacai.{suffix}", answer_format))
    return files


class Dumps:
    """The dumps of one snapshot, made once, off the event loop, when first asked for."""

    def __init__(self, nquads: bytes) -> None:
        self._nquads = nquads
        self._made: asyncio.Future[dict[str, Dump]] | None = None

    async def get(self, suffix: str) -> Dump | None:
        """The dump with this suffix, or None for a format not offered."""
        return (await self.made()).get(suffix)

    async def made(self) -> dict[str, Dump]:
        """Every dump by suffix; the first call starts making them, every call waits for them.

        A daemon thread makes them, so neither the loop nor the server's shutdown waits on it.
        """
        if self._made is None:
            loop = asyncio.get_running_loop()
            made: asyncio.Future[dict[str, Dump]] = loop.create_future()
            self._made = made

            def make() -> None:
                try:
                    result = self._make()
                except Exception as error:  # handed to the requests that wait for it
                    loop.call_soon_threadsafe(made.set_exception, error)
                else:
                    loop.call_soon_threadsafe(made.set_result, result)

            threading.Thread(target=make, name="iacai-dumps", daemon=True).start()
        return await asyncio.shield(self._made)

    def gzipped(self, etag: str) -> bytes | None:
        """The gzipped bytes of the dump with this ETag; None for any other answer."""
        made = self._made
        if made is None or not made.done() or made.cancelled() or made.exception() is not None:
            return None
        return next((d.gzipped for d in made.result().values() if d.etag == etag), None)

    def all(self) -> Sequence[Dump]:
        """Every dump, once `made()` has returned (the VoID description lists them)."""
        if self._made is None or not self._made.done():
            raise RuntimeError("the dumps are not made yet: await Dumps.made() first")
        return list(self._made.result().values())

    def _make(self) -> dict[str, Dump]:
        quads = canonical_nquads(self._nquads)
        triples = {quad.triple for quad in quads}
        made = {}
        for file_name, answer_format in dump_files():
            suffix = answer_format.suffix or ""
            body = export_quads(quads, suffix)
            made[suffix] = Dump(
                file_name=file_name,
                media_type=answer_format.media_type,
                body=body,
                statements=len(set(quads)) if suffix in QUAD_FORMATS else len(triples),
                gzipped=gzip.compress(body, 9, mtime=0),
            )
        return made
