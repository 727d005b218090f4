"""The benchmark's data: the knowledge graph dumped as N-Quads, and the same shape scaled up.

Scaling copies every challenge, benefit, source and in-text citation under a new IRI
(`…/challenge/privacy-of-data` becomes `…/challenge/privacy-of-data-copy-2`), with every quad that
mentions it: its label (numbered), its category membership, its Table 3 marks, its support and
citations. Categories, schemes, the essay's sections, tables, people and the ontology stay
single, so a 10x graph has ten times the rows of each table and the same vocabulary, as a bigger
essay would.

    .venv/bin/python -m bench.scale --factor 10 --output bench/work/data-10x.nq
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib.namespace import RDFS

from iacai.dataset import load_dataset
from iacai.namespaces import DATA_GRAPHS, ID

COPIED_KINDS = ("challenge", "benefit", "source", "citation")
"""The kinds of resource (`id:{kind}/…`) that a scaled graph holds many copies of."""

_COPIED_PREFIXES = tuple(f"{ID}{kind}/" for kind in COPIED_KINDS)
_DATA_GRAPHS = frozenset(DATA_GRAPHS.values())
_LABEL = str(RDFS.label)

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal


@dataclass(frozen=True)
class Dump:
    """An N-Quads file of the knowledge graph, scaled `factor` times (1: as shipped)."""

    path: Path
    factor: int


def knowledge_graph_quads() -> list[pyoxigraph.Quad]:
    """Every quad the service serves: the data and ontology files, each in its named graph."""
    nquads = load_dataset().serialize(format="nquads", encoding="utf-8")
    return list(pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS))


def scaled(quads: Iterable[pyoxigraph.Quad], factor: int) -> Iterator[pyoxigraph.Quad]:
    """The quads with `factor` copies of each copied resource (copy 1 is the original)."""
    quads = list(quads)
    yield from quads
    copied = [quad for quad in quads if _is_copied(quad)]
    for number in range(2, factor + 1):
        for quad in copied:
            yield _copy(quad, number)


def write_dump(factor: int, path: Path) -> Dump:
    """Write the knowledge graph scaled `factor` times as N-Quads."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pyoxigraph.serialize(
        scaled(knowledge_graph_quads(), factor), path, format=pyoxigraph.RdfFormat.N_QUADS
    )
    return Dump(path, factor)


def _is_copied(quad: pyoxigraph.Quad) -> bool:
    if not isinstance(quad.graph_name, pyoxigraph.NamedNode):
        return False
    if quad.graph_name.value not in _DATA_GRAPHS:
        return False
    return any(
        isinstance(term, pyoxigraph.BlankNode) or _is_copied_iri(term)
        for term in (quad.subject, quad.object)
    )


def _is_copied_iri(term: Term) -> bool:
    return isinstance(term, pyoxigraph.NamedNode) and term.value.startswith(_COPIED_PREFIXES)


def _copy(quad: pyoxigraph.Quad, number: int) -> pyoxigraph.Quad:
    subject = _renamed(quad.subject, number)
    obj = _renamed(quad.object, number)
    if quad.predicate.value == _LABEL and subject != quad.subject:
        obj = _numbered_label(obj, number)
    return pyoxigraph.Quad(subject, quad.predicate, obj, quad.graph_name)


def _renamed(term: Term, number: int) -> Term:
    if isinstance(term, pyoxigraph.BlankNode):
        return pyoxigraph.BlankNode(f"{term.value}c{number}")
    if _is_copied_iri(term):
        return pyoxigraph.NamedNode(f"{term.value}-copy-{number}")
    return term


def _numbered_label(label: Term, number: int) -> Term:
    if not isinstance(label, pyoxigraph.Literal):
        return label
    text = f"{label.value} ({number})"
    if label.language:
        return pyoxigraph.Literal(text, language=label.language)
    return pyoxigraph.Literal(text, datatype=label.datatype)


def main() -> None:
    """Write one scaled dump from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=10, help="how many copies (1 = as shipped)")
    parser.add_argument("--output", type=Path, required=True, help="the N-Quads file to write")
    arguments = parser.parse_args()
    dump = write_dump(arguments.factor, arguments.output)
    quads = sum(1 for _ in pyoxigraph.parse(path=dump.path, format=pyoxigraph.RdfFormat.N_QUADS))
    print(f"{dump.path}: {quads} quads")


if __name__ == "__main__":
    main()
