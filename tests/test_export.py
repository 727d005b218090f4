"""Dumps: every format parses back to the same graph, and is the same bytes in two processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import to_isomorphic

from iacai.export import EXPORT_FORMATS, export

RDFLIB_FORMAT = {"ttl": "turtle", "nt": "nt", "xml": "xml", "trig": "trig", "nq": "nquads",
                 "jsonld": "json-ld"}
TRIPLE_FORMATS = ("ttl", "nt", "xml")


def exports_in_new_processes(format: str, folder: Path, hash_seeds: tuple[str, ...]) -> list[bytes]:
    """`iacai export` run as processes of their own, at once, each with its own hash seed."""
    targets = [folder / f"{seed}.{format}" for seed in hash_seeds]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "iacai.cli", "export", "--format", format, "-o", str(target)],
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        for seed, target in zip(hash_seeds, targets, strict=True)
    ]
    assert [process.wait(timeout=300) for process in processes] == [0] * len(processes)
    return [target.read_bytes() for target in targets]


def union_of(dataset: Dataset) -> Graph:
    union = Graph()
    for subject, predicate, obj, _ in dataset.quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    return union


def digest(graph: Graph) -> int:
    """rdflib's isomorphism digest (what `isomorphic` compares): equal for isomorphic graphs."""
    return to_isomorphic(graph).graph_digest()


@pytest.fixture(scope="module")
def union_digest(shipped_dataset: Dataset) -> int:
    """The digest of the shipped graph's union, computed once for every dump compared with it."""
    return digest(union_of(shipped_dataset))


@pytest.mark.parametrize("format", list(EXPORT_FORMATS))
def test_dump_is_the_same_bytes_in_two_processes(format: str, tmp_path: Path) -> None:
    first, second = exports_in_new_processes(format, tmp_path, hash_seeds=("1", "2"))
    assert first == second and len(first) > 10_000


@pytest.mark.parametrize("format", TRIPLE_FORMATS)
def test_triple_dump_holds_the_union_of_the_graphs(
    format: str, shipped_dataset: Dataset, union_digest: int
) -> None:
    parsed = Graph().parse(data=export(shipped_dataset, format), format=RDFLIB_FORMAT[format])
    assert digest(parsed) == union_digest


@pytest.mark.parametrize("format", ["trig", "nq"])
def test_quad_dump_keeps_every_named_graph(format: str, shipped_dataset: Dataset) -> None:
    parsed = Dataset()
    parsed.parse(data=export(shipped_dataset, format), format=RDFLIB_FORMAT[format])
    expected = {str(g.identifier): len(g) for g in shipped_dataset.graphs() if len(g)}
    assert {str(g.identifier): len(g) for g in parsed.graphs() if len(g)} == expected


def test_jsonld_is_compacted_with_the_context(
    shipped_dataset: Dataset, union_digest: int
) -> None:
    document = json.loads(export(shipped_dataset, "jsonld"))
    assert "@context" in document and "@graph" in document
    parsed = Dataset()
    parsed.parse(data=json.dumps(document), format="json-ld")
    assert digest(union_of(parsed)) == union_digest


def test_n_triples_lines_are_sorted_and_unique(shipped_dataset: Dataset) -> None:
    lines = export(shipped_dataset, "nt").decode("utf-8").splitlines()
    assert lines == sorted(set(lines))
    assert not any(line.startswith("_:") and "_:c14n" not in line for line in lines)


def test_unknown_format_is_refused(shipped_dataset: Dataset) -> None:
    with pytest.raises(ValueError, match="unknown export format 'n3'"):
        export(shipped_dataset, "n3")
