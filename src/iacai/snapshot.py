"""The data the service serves: the validated knowledge graph, frozen as N-Quads with a version.

Start-up validates first and refuses to serve a graph with SHACL violations. The N-Quads bytes
are what every query worker loads; their hash is the data version that keys HTTP caching.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Dataset

from iacai import resources
from iacai.dataset import DataFileError, data_files, data_sources, dataset_from, ontology_files
from iacai.namespaces import PREFIXES
from iacai.validation import validate

SNAPSHOT_FILE_VARIABLE = "IACAI_SNAPSHOT_FILE"
"""Set by `iacai serve --workers N` for its server processes: the snapshot they all serve."""


class GraphRefusedError(Exception):
    """The knowledge graph has SHACL violations; the message names each one."""


@dataclass(frozen=True)
class Snapshot:
    """The graph to serve, as the bytes every worker loads, and what identifies them."""

    nquads: bytes
    version: str
    graph_names: tuple[str, ...]
    modified: float = field(default_factory=time.time)
    """When the data last changed (POSIX time): HTTP's Last-Modified, the same in every worker."""


def validated_snapshot(
    data: Sequence[str | Path] = (), data_dir: Path | None = None
) -> Snapshot:
    """The data named (`--data`; default the essay) with the ontology, validated.

    Raises GraphRefusedError on a violation. With `data_dir` (the older setting), its files take
    the place of the essay's data files (same names, same graphs); a missing or unreadable one
    raises DataFileError naming it.
    """
    sources = data_sources(data)
    if data_dir is not None:
        if not data_dir.is_dir():
            raise DataFileError(data_dir, "the data directory does not exist or is not a folder")
        sources = {data_dir / p.name: g for p, g in data_files().items()}
    files = {**ontology_files(), **sources}
    dataset = dataset_from(files)
    check_conforms(dataset)
    newest = max(path.stat().st_mtime for path in files)
    return snapshot_of(dataset, _files_version(files), newest)


def write_snapshot(snapshot: Snapshot, path: Path) -> None:
    """The snapshot as one file: a JSON header line (version, graph names), then the N-Quads."""
    header = json.dumps(
        {
            "version": snapshot.version,
            "graph_names": snapshot.graph_names,
            "modified": snapshot.modified,
        }
    )
    path.write_bytes(header.encode() + b"\n" + snapshot.nquads)


def read_snapshot(path: str | Path) -> Snapshot:
    """The snapshot `write_snapshot` wrote, byte for byte."""
    header, _, nquads = Path(path).read_bytes().partition(b"\n")
    fields = json.loads(header)
    return Snapshot(nquads, fields["version"], tuple(fields["graph_names"]), fields["modified"])


def check_conforms(dataset: Dataset) -> None:
    """Raise GraphRefusedError, naming every violation, unless the dataset conforms."""
    report = validate(dataset)
    if report.conforms:
        return
    lines = [
        f"- {v.focus_node} {v.result_path or ''}: {v.message} ({v.source_shape})"
        for v in report.violations
    ]
    raise GraphRefusedError(
        f"the knowledge graph has {len(lines)} SHACL violation(s); not serving it:\n"
        + "\n".join(lines)
    )


def snapshot_of(dataset: Dataset, version: str, modified: float | None = None) -> Snapshot:
    """Any rdflib Dataset as a snapshot, under the given data version (changed now, if unsaid)."""
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    graph_names = tuple(sorted({str(g.identifier) for g in dataset.graphs() if len(g)}))
    return Snapshot(nquads, version, graph_names, time.time() if modified is None else modified)


def _files_version(files: Iterable[Path]) -> str:
    """A hash of the files served: the same in every server process, unlike blank-node labels."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def jsonld_context() -> dict[str, Any]:
    """The project's JSON-LD `@context` that JSON-LD answers are compacted with."""
    path = resources.context_path()
    if path.is_file():
        context: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return context
    return {"@context": dict(PREFIXES)}
