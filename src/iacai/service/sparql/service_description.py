"""The SPARQL 1.1 Service Description of /sparql, the VoID/DCAT description of the dataset, and
the same facts as a schema.org Dataset for dataset search engines.

Statistics and facts are read once at start-up (the graph never changes while serving); each
description is built per base URL, so the endpoint and dump URLs are the ones the client reached,
while the dataset keeps its IRI under https://w3id.org/iacai/ whatever the host.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, Final

import pyoxigraph
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD

from iacai.namespaces import (
    BASE,
    CREATOR_IRI,
    DATASET_IRI,
    ESSAY_IRI,
    ID,
    ONTOLOGY_IRI,
    PREFIXES,
    SD,
    SPDX,
)
from iacai.service.engine.writers import write_graph
from iacai.service.http.negotiation import FORMATS, Format
from iacai.service.linked_data.dumps import Dumps, dump_files
from iacai.stores.opening import memory_store

_STATISTICS_QUERY = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects)
       (COUNT(DISTINCT ?p) AS ?properties) (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
_CLASSES_QUERY = "SELECT (COUNT(DISTINCT ?class) AS ?classes) WHERE { ?s a ?class }"
_FACTS_QUERY = f"""
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
SELECT ?essay ?creator ?issued WHERE {{
  OPTIONAL {{ <{ESSAY_IRI}> dcterms:title ?essay }}
  <{CREATOR_IRI}> foaf:name ?creator .
  <{ONTOLOGY_IRI}> dcterms:created ?issued .
}}
"""
_VOCABULARIES_QUERY = "SELECT DISTINCT ?term WHERE { { ?s ?term ?o } UNION { ?s a ?term } }"
LICENSE: Final = "https://creativecommons.org/licenses/by/4.0/"
TITLE: Final = "iacai-kg: interagency collaboration and AI implementation in the public sector"
DESCRIPTION: Final = (
    "A linked-data knowledge graph of the essay \"{essay}\": the challenges to AI "
    "implementation in the public sector (Table 1), the benefits of interagency collaboration "
    "(Table 2), which benefit addresses which challenge (Table 3), the essay's references and "
    "every in-text citation with how it resolves, and the problems found in them. Published "
    "with an OWL ontology, SHACL shapes and a SPARQL 1.1 endpoint."
)
OTHER_DATA_DESCRIPTION: Final = (
    "A linked-data knowledge graph of a review of challenges and benefits, described with the "
    "iacai ontology and checked with its SHACL shapes, served with a SPARQL 1.1 endpoint."
)
"""The description when the data served is not the essay's (iacai serve --data)."""
KEYWORDS: Final = (
    "interagency collaboration",
    "artificial intelligence",
    "AI implementation",
    "public sector",
    "knowledge graph",
    "linked data",
    "SPARQL",
)


@dataclass(frozen=True)
class DatasetFacts:
    """What every description of the dataset says about it, read from the graph once."""

    essay_title: str | None
    """The essay's title; None when other data is served."""
    creator_name: str
    issued: date
    """The day the knowledge graph was first published: its ontology's creation date."""
    modified: date
    """The day its data last changed."""
    vocabularies: tuple[str, ...]
    """The vocabularies (namespaces of PREFIXES) whose terms the data uses."""

    @property
    def description(self) -> str:
        if self.essay_title is None:
            return OTHER_DATA_DESCRIPTION
        return DESCRIPTION.format(essay=self.essay_title)


def read_facts(store: pyoxigraph.Store, modified: float) -> DatasetFacts:
    """The dataset's facts from its graph; `modified` is when its data last changed."""
    row = next(iter(store.query(_FACTS_QUERY, use_default_graph_as_union=True)))
    used = {
        row["term"].value
        for row in store.query(_VOCABULARIES_QUERY, use_default_graph_as_union=True)
    }
    own_data = (str(ID), PREFIXES["graph"])
    vocabularies = sorted(
        namespace.rstrip("#") if namespace.startswith(BASE) else namespace
        for namespace in set(PREFIXES.values())
        if namespace not in own_data and any(term.startswith(namespace) for term in used)
    )
    return DatasetFacts(
        essay_title=row["essay"].value if row["essay"] is not None else None,
        creator_name=row["creator"].value,
        issued=date.fromisoformat(row["issued"].value),
        modified=datetime.fromtimestamp(modified, UTC).date(),
        vocabularies=tuple(vocabularies),
    )


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
        modified: float = 0.0,
    ) -> None:
        store = memory_store(nquads)
        self.facts = read_facts(store, modified)
        self._union = count_statistics(store, None)
        self._graphs = {name: count_statistics(store, name) for name in graph_names}
        self._federation_on = federation_on
        self._jsonld_context = jsonld_context
        self._dumps = dumps
        self.render = lru_cache(maxsize=64)(self._render)

    @property
    def statistics(self) -> tuple[GraphStatistics, dict[str, GraphStatistics]]:
        """The figures of the union of the graphs, and of each named graph."""
        return self._union, self._graphs

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
        graph.add((endpoint, SD.defaultDataset, URIRef(DATASET_IRI)))
        return graph

    def void_description(self, base_url: str) -> Graph:
        """The VoID description of the dataset, as served at /.well-known/void, with its dumps."""
        graph = self._void(base_url)
        if self._dumps is not None:
            _add_distributions(graph, URIRef(DATASET_IRI), base_url, self._dumps)
        return graph

    def _void(self, base_url: str) -> Graph:
        graph = Graph()
        for prefix in ("sd", "void", "dcterms", "iacai", "xsd", "foaf"):
            graph.bind(prefix, PREFIXES[prefix])
        graph.bind("dcat", DCAT)
        dataset = URIRef(DATASET_IRI)
        facts = self.facts
        creator = URIRef(CREATOR_IRI)
        for kind in (SD.Dataset, VOID.Dataset, DCAT.Dataset):
            graph.add((dataset, RDF.type, kind))
        graph.add((dataset, DCTERMS.title, Literal(TITLE, lang="en")))
        graph.add((dataset, DCTERMS.description, Literal(facts.description, lang="en")))
        graph.add((dataset, DCTERMS.license, URIRef(LICENSE)))
        graph.add((dataset, DCTERMS.creator, creator))
        graph.add((dataset, DCTERMS.publisher, creator))
        graph.add((creator, RDF.type, FOAF.Organization))
        graph.add((creator, FOAF.name, Literal(facts.creator_name)))
        if facts.essay_title is not None:
            graph.add((dataset, DCTERMS.source, URIRef(ESSAY_IRI)))
        graph.add((dataset, DCTERMS.issued, Literal(facts.issued, datatype=XSD.date)))
        graph.add((dataset, DCTERMS.modified, Literal(facts.modified, datatype=XSD.date)))
        for keyword in KEYWORDS:
            graph.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
        graph.add((dataset, DCAT.landingPage, URIRef(f"{base_url}/")))
        graph.add((dataset, FOAF.homepage, URIRef(f"{base_url}/")))
        graph.add((dataset, VOID.sparqlEndpoint, URIRef(f"{base_url}/sparql")))
        graph.add((dataset, VOID.uriSpace, Literal(str(ID))))
        graph.add((dataset, VOID.exampleResource, URIRef(f"{ID}challenge/bias")))
        for vocabulary in facts.vocabularies:
            graph.add((dataset, VOID.vocabulary, URIRef(vocabulary)))
        catalog = URIRef(f"{base_url}/")
        graph.add((catalog, RDF.type, DCAT.Catalog))
        graph.add((catalog, DCTERMS.title, Literal("iacai-kg SPARQL service", lang="en")))
        graph.add((catalog, DCAT.dataset, dataset))
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


def schema_org_dataset(base_url: str, facts: DatasetFacts) -> dict[str, Any]:
    """The dataset as schema.org JSON-LD, what dataset search engines read from the home page.

    The same facts as the VoID; each dump a DataDownload (named without making the dumps).
    """
    creator = {"@type": "Organization", "@id": CREATOR_IRI, "name": facts.creator_name}
    return {
        "@context": "https://schema.org/",
        "@type": "Dataset",
        "@id": DATASET_IRI,
        "identifier": DATASET_IRI,
        "name": TITLE,
        "description": facts.description,
        "url": f"{base_url}/",
        "license": LICENSE,
        "isAccessibleForFree": True,
        "creator": creator,
        "publisher": creator,
        "keywords": list(KEYWORDS),
        "datePublished": facts.issued.isoformat(),
        "dateModified": facts.modified.isoformat(),
        "includedInDataCatalog": {
            "@type": "DataCatalog",
            "name": "iacai-kg SPARQL service",
            "url": f"{base_url}/",
        },
        **(
            {"isBasedOn": {"@type": "CreativeWork", "@id": ESSAY_IRI, "name": facts.essay_title}}
            if facts.essay_title
            else {}
        ),
        "distribution": [
            {
                "@type": "DataDownload",
                "name": f"The whole graph as {answer_format.media_type}",
                "encodingFormat": answer_format.media_type,
                "contentUrl": f"{base_url}/dumps/{file_name}",
            }
            for file_name, answer_format in dump_files()
        ],
    }


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
