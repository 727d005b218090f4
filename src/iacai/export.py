"""Dumps of the knowledge graph that are the same bytes on every run, so they diff and cache well.

Blank nodes get canonical labels (RDFC-1.0, by pyoxigraph) and every format is written from the
canonical quads in sorted order: N-Triples and N-Quads as sorted lines, RDF/XML by pyoxigraph
(one description per subject), Turtle and TriG by rdflib (which sorts subjects; TriG's graphs
sorted here), JSON-LD by pyld from the sorted N-Quads, compacted with the project's `@context`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from io import BytesIO
from typing import Final

import pyoxigraph
from rdflib import Dataset, Graph
from rdflib.plugins.serializers.trig import TrigSerializer

from iacai.jsonld_context import compact, expand_rdf, load_context
from iacai.namespaces import PREFIXES
from iacai.query_engine import rdflib_term, rdflib_triple
from iacai.rdf_bytes import rdf_bytes

EXPORT_FORMATS: Final[dict[str, str]] = {
    "ttl": "Turtle (the union of the named graphs)",
    "nt": "N-Triples (the union of the named graphs), sorted",
    "trig": "TriG (every named graph)",
    "nq": "N-Quads (every named graph), sorted",
    "jsonld": "JSON-LD (every named graph), compacted with the iacai @context",
    "xml": "RDF/XML (the union of the named graphs)",
}
"""The dump formats, by the name `iacai export --format` takes."""

def export(dataset: Dataset, format: str) -> bytes:
    """The dataset serialized in one of EXPORT_FORMATS, byte for byte the same on every run."""
    return export_quads(canonical_quads(dataset), format)


def export_quads(quads: list[pyoxigraph.Quad], format: str) -> bytes:
    """Canonical quads (`canonical_quads`, `canonical_nquads`) in one of EXPORT_FORMATS."""
    if format == "nq":
        return _sorted_lines(rdf_bytes(quads, pyoxigraph.RdfFormat.N_QUADS))
    if format == "nt":
        triples = [quad.triple for quad in quads]
        return _sorted_lines(rdf_bytes(triples, pyoxigraph.RdfFormat.N_TRIPLES))
    if format == "jsonld":
        return _jsonld(quads)
    if format == "trig":
        output = BytesIO()
        _GraphsInOrderTrigSerializer(_rdflib_dataset(quads)).serialize(output, encoding="utf-8")
        return output.getvalue()
    if format == "ttl":
        return _rdflib_graph(quads).serialize(format="turtle", encoding="utf-8")
    if format == "xml":
        triples = sorted({quad.triple for quad in quads}, key=str)
        return rdf_bytes(triples, pyoxigraph.RdfFormat.RDF_XML, PREFIXES)
    raise ValueError(f"unknown export format {format!r}; one of {', '.join(EXPORT_FORMATS)}")


def canonical_quads(dataset: Dataset) -> list[pyoxigraph.Quad]:
    """Every quad of the dataset, blank nodes relabelled canonically, in N-Quads order."""
    return canonical_nquads(dataset.serialize(format="nquads", encoding="utf-8"))


def canonical_nquads(nquads: bytes) -> list[pyoxigraph.Quad]:
    """The quads of an N-Quads document, blank nodes relabelled canonically, in N-Quads order."""
    canonical = pyoxigraph.Dataset(pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS))
    canonical.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(canonical, key=str)


class _GraphsInOrderTrigSerializer(TrigSerializer):
    """rdflib's TriG writer, with the named graphs in IRI order instead of the store's order."""

    def __init__(self, store: Dataset) -> None:
        super().__init__(store)
        self.contexts.sort(key=lambda graph: str(graph.identifier))


def _sorted_lines(serialized: bytes) -> bytes:
    lines = sorted(set(serialized.decode("utf-8").splitlines()))
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def _jsonld(quads: list[pyoxigraph.Quad]) -> bytes:
    nquads = rdf_bytes(quads, pyoxigraph.RdfFormat.N_QUADS).decode("utf-8")
    compacted = compact(expand_rdf(nquads), load_context())
    return (json.dumps(compacted, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _rdflib_graph(quads: Iterable[pyoxigraph.Quad]) -> Graph:
    graph = Graph()
    _bind_prefixes(graph)
    for quad in quads:
        graph.add(rdflib_triple(quad.triple))
    return graph


def _rdflib_dataset(quads: Iterable[pyoxigraph.Quad]) -> Dataset:
    dataset = Dataset()
    _bind_prefixes(dataset)
    for quad in quads:
        name = quad.graph_name
        graph = (
            dataset.default_context
            if isinstance(name, pyoxigraph.DefaultGraph)
            else dataset.graph(rdflib_term(name))
        )
        graph.add(rdflib_triple(quad.triple))
    return dataset


def _bind_prefixes(graph: Graph) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
