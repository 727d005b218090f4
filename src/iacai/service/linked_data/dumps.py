"""Dumps of the whole graph (`/dumps/iacai.ttl`, ...), made once, described as DCAT distributions.

The bytes come from `iacai.export`, so they are the same on every run and their checksum is
stable. Making them takes seconds (the JSON-LD above all), so they are made on first use, not at
start-up, and kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from rdflib import Dataset

from iacai.export import export
from iacai.service.http.negotiation import FORMATS, Kind, by_suffix

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

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


class Dumps:
    """The dumps of one snapshot, made on first use by whichever request needs them."""

    def __init__(self, nquads: bytes) -> None:
        self._nquads = nquads
        self._lock = threading.Lock()
        self._made: dict[str, Dump] | None = None

    def get(self, suffix: str) -> Dump | None:
        """The dump with this suffix, or None for a format not offered."""
        return self.all_by_suffix().get(suffix)

    def all(self) -> Sequence[Dump]:
        return list(self.all_by_suffix().values())

    def all_by_suffix(self) -> dict[str, Dump]:
        with self._lock:
            if self._made is None:
                self._made = self._make()
            return self._made

    def _make(self) -> dict[str, Dump]:
        dataset = Dataset()
        dataset.parse(data=self._nquads, format="nquads")
        quads = {(s, p, o, g) for s, p, o, g in dataset.quads()}
        triples = {(s, p, o) for s, p, o, _ in quads}
        graph_formats = [f for f in FORMATS if f.kind is Kind.GRAPH]
        made = {}
        for suffix in DUMP_SUFFIXES:
            answer_format = by_suffix(suffix, graph_formats)
            assert answer_format is not None, suffix
            made[suffix] = Dump(
                file_name=f"iacai.{suffix}",
                media_type=answer_format.media_type,
                body=export(dataset, suffix),
                statements=len(quads) if suffix in QUAD_FORMATS else len(triples),
            )
        return made
