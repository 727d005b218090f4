"""The SPARQL 1.1 Service Description of /sparql and the VoID description of the dataset.

Statistics are counted once at start-up (the graph never changes while serving); each
description is built per base URL, so the endpoint IRI is the one the client reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD

from iacai.namespaces import IACAI, ID, PREFIXES, SD, SPDX
from iacai.service.engine.writers import write_graph
from iacai.service.http.negotiation import FORMATS, Format
from iacai.service.linked_data.dumps import Dumps
from iacai.stores.opening import memory_store

_STATISTICS_QUERY = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
_CLASSES_QUERY = "SELECT (COUNT(DISTINCT ?class) AS ?classes) WHERE { ?s a ?class }"
_LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")


@dataclass(frozen=True)
class GraphStatistics:
    """The VoID figures of one graph (or of the union of all)."""

    triples: int
    classes: int
    properties: int
    distinct_subjects: int
    distinct_objects: int


def count_statistics(store: pyoxigraph.Store, graph: str | None) -> GraphStatistics:
    """Count one named graph, or the union of all when `graph` is None."""
    dataset: dict[str, Any] = (
        {"default_graph": pyoxigraph.NamedNode(graph)}
        if graph
        else {"use_default_graph_as_union": True}
    )
    row = next(iter(store.query(_STATISTICS_QUERY, **dataset)))
    classes = next(iter(store.query(_CLASSES_QUERY, **dataset)))
    return GraphStatistics(
        triples=int(row["triples"].value),
        classes=int(classes["classes"].value),
        properties=int(row["properties"].value),
        distinct_subjects=int(row["subjects"].value),
        distinct_objects=int(row["objects"].value),
    )


class Describer:
    """Builds and renders the service and dataset descriptions."""

    def __init__(
        self,
        nquads: bytes,
        graph_names: tuple[str, ...],
        federation_on: bool,
        jsonld_context: Mapping[str, Any],
        dumps: Dumps | None = None,
    ) -> None:
        store = memory_store(nquads)
        self._union = count_statistics(store, None)
        self._graphs = {name: count_statistics(store, name) for name in graph_names}
        self._federation_on = federation_on
        self._jsonld_context = jsonld_context
        self._dumps = dumps
        self.render = lru_cache(maxsize=64)(self._render)

    def service_description(self, base_url: str) -> Graph:
        """sd:Service for the endpoint at `base_url`/sparql, with the dataset it serves."""
        graph = self._void(base_url)
        endpoint = URIRef(f"{base_url}/sparql")
        graph.add((endpoint, RDF.type, SD.Service))
        graph.add((endpoint, SD.endpoint, endpoint))
        graph.add((endpoint, SD.supportedLanguage, SD.SPARQL11Query))
        graph.add((endpoint, SD.feature, SD.UnionDefaultGraph))
        if self._federation_on:
            graph.add((endpoint, SD.feature, SD.BasicFederatedQuery))
        entailment = URIRef("http://www.w3.org/ns/entailment/Simple")
        graph.add((endpoint, SD.defaultEntailmentRegime, entailment))
        for answer_format in FORMATS:
            if answer_format.w3c_iri:
                graph.add((endpoint, SD.resultFormat, URIRef(answer_format.w3c_iri)))
        graph.add((endpoint, SD.defaultDataset, _dataset_iri(base_url)))
        return graph

    def void_description(self, base_url: str) -> Graph:
        """The VoID description of the dataset, as served at /.well-known/void, with its dumps."""
        graph = self._void(base_url)
        if self._dumps is not None:
            _add_distributions(graph, _dataset_iri(base_url), base_url, self._dumps)
        return graph

    def _void(self, base_url: str) -> Graph:
        graph = Graph()
        for prefix in ("sd", "void", "dcterms", "iacai", "xsd"):
            graph.bind(prefix, PREFIXES[prefix])
        dataset = _dataset_iri(base_url)
        graph.add((dataset, RDF.type, SD.Dataset))
        graph.add((dataset, RDF.type, VOID.Dataset))
        graph.add(
            (
                dataset,
                DCTERMS.title,
                Literal(
                    "iacai-kg: interagency collaboration and AI "
                    "implementation in the public sector",
                    lang="en",
                ),
            )
        )
        graph.add((dataset, DCTERMS.license, _LICENSE))
        graph.add((dataset, VOID.sparqlEndpoint, URIRef(f"{base_url}/sparql")))
        graph.add((dataset, VOID.uriSpace, Literal(str(ID))))
        graph.add((dataset, VOID.vocabulary, URIRef(str(IACAI))))
        _add_statistics(graph, dataset, self._union)
        default_graph = BNode()
        graph.add((dataset, SD.defaultGraph, default_graph))
        graph.add((default_graph, RDF.type, SD.Graph))
        _add_statistics(graph, default_graph, self._union)
        for name, statistics in self._graphs.items():
            named = BNode()
            described = BNode()
            graph.add((dataset, SD.namedGraph, named))
            graph.add((named, RDF.type, SD.NamedGraph))
            graph.add((named, SD.name, URIRef(name)))
            graph.add((named, SD.graph, described))
            graph.add((described, RDF.type, SD.Graph))
            graph.add((dataset, VOID.subset, described))
            _add_statistics(graph, described, statistics)
        return graph

    def _render(self, base_url: str, which: str, answer_format: Format) -> bytes:
        described = (
            self.service_description(base_url)
            if which == "service"
            else self.void_description(base_url)
        )
        quads = pyoxigraph.parse(
            described.serialize(format="nt", encoding="utf-8"),
            format=pyoxigraph.RdfFormat.N_TRIPLES,
        )
        triples = [pyoxigraph.Triple(q.subject, q.predicate, q.object) for q in quads]
        prefixes = {prefix: str(namespace) for prefix, namespace in described.namespaces()}
        return write_graph(answer_format.name, triples, prefixes, self._jsonld_context)


def _dataset_iri(base_url: str) -> URIRef:
    return URIRef(f"{base_url}/.well-known/void#dataset")


def _add_statistics(graph: Graph, subject: URIRef | BNode, statistics: GraphStatistics) -> None:
    for predicate, value in (
        (VOID.triples, statistics.triples),
        (VOID.classes, statistics.classes),
        (VOID.properties, statistics.properties),
        (VOID.distinctSubjects, statistics.distinct_subjects),
        (VOID.distinctObjects, statistics.distinct_objects),
    ):
        graph.add((subject, predicate, Literal(value, datatype=XSD.integer)))


def _add_distributions(graph: Graph, dataset: URIRef, base_url: str, dumps: Dumps) -> None:
    """Each dump as a dcat:Distribution (and void:dataDump): size, statements, type, checksum."""
    graph.bind("dcat", DCAT)
    graph.bind("spdx", SPDX)
    for dump in dumps.all():
        url = URIRef(f"{base_url}/dumps/{dump.file_name}")
        checksum = BNode()
        graph.add((dataset, VOID.dataDump, url))
        graph.add((dataset, DCAT.distribution, url))
        graph.add((url, RDF.type, DCAT.Distribution))
        graph.add((url, DCAT.downloadURL, url))
        graph.add(
            (
                url,
                DCAT.mediaType,
                URIRef(f"https://www.iana.org/assignments/media-types/{dump.media_type}"),
            )
        )
        graph.add((url, DCAT.byteSize, Literal(len(dump.body), datatype=XSD.nonNegativeInteger)))
        graph.add((url, VOID.triples, Literal(dump.statements, datatype=XSD.integer)))
        graph.add((url, DCTERMS.title, Literal(f"The whole graph as {dump.media_type}", lang="en")))
        graph.add((url, SPDX.checksum, checksum))
        graph.add((checksum, RDF.type, SPDX.Checksum))
        graph.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        graph.add((checksum, SPDX.checksumValue, Literal(dump.sha256, datatype=XSD.hexBinary)))
