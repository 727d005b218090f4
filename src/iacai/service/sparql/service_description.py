"""The SPARQL 1.1 Service Description of /sparql, the VoID/DCAT description of the dataset, and
the same facts as a schema.org Dataset for dataset search engines.

The statistics and facts are read from the store that answers /sparql (`statistics.rq`,
`classes.rq`, `dataset-facts.rq`, `vocabulary-terms.rq`), through the same engine, so they are
the figures a client's own COUNT would give. Each description is written per base URL, so the
endpoint and dump URLs are the ones the client reached, while the dataset keeps its IRI under
https://w3id.org/iacai/ whatever the host; its triples are pyoxigraph's, written by the same
writers as CONSTRUCT answers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Final

from pyoxigraph import BlankNode, Literal, NamedNode, Triple
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
from iacai.service.linked_data.dumps import Dump, Dumps, dump_files
from iacai.service.sparql.internal_queries import InternalQueries

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
_PREFIXES: Mapping[str, str] = {
    **{name: PREFIXES[name] for name in ("sd", "void", "dcterms", "iacai", "xsd", "foaf")},
    "dcat": str(DCAT),
    "spdx": str(SPDX),
}
_TYPE = NamedNode(str(RDF.type))
_SIMPLE_ENTAILMENT = NamedNode("http://www.w3.org/ns/entailment/Simple")


def _iri(namespace: Any, name: str) -> NamedNode:
    return NamedNode(f"{namespace}{name}")


def _integer(value: int, datatype: str = "integer") -> Literal:
    return Literal(str(value), datatype=_iri(XSD, datatype))


@dataclass(frozen=True)
class DatasetFacts:
    """What every description of the dataset says about it, as the store has it."""

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


async def read_facts(queries: InternalQueries, modified: date) -> DatasetFacts:
    """The dataset's facts as the store has them; `modified` is when its data last changed."""
    # one after another: the pool runs one long query per client at a time (fair scheduling)
    rows = await queries.select(
        "dataset-facts",
        essay=NamedNode(ESSAY_IRI),
        creator=NamedNode(CREATOR_IRI),
        ontology=NamedNode(ONTOLOGY_IRI),
    )
    terms = await queries.select("vocabulary-terms")
    if not rows:
        raise LookupError("The data names no creator or no ontology creation date.")
    row = rows[0]
    used = {term["term"].value for term in terms}
    own_data = (str(ID), PREFIXES["graph"])
    vocabularies = sorted(
        namespace.rstrip("#") if namespace.startswith(BASE) else namespace
        for namespace in set(PREFIXES.values())
        if namespace not in own_data and any(term.startswith(namespace) for term in used)
    )
    return DatasetFacts(
        essay_title=row["title"].value if row["title"] is not None else None,
        creator_name=row["name"].value,
        issued=date.fromisoformat(row["issued"].value),
        modified=modified,
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


async def count_statistics(queries: InternalQueries) -> dict[str | None, GraphStatistics]:
    """The figures of each named graph, and of their union under None, as the store counts."""
    # one after another: the pool runs one long query per client at a time (fair scheduling)
    figures = await queries.select("statistics")
    classes = await queries.select("classes")
    class_counts = {
        row["graph"].value if row["graph"] else None: int(row["classes"].value) for row in classes
    }
    return {
        (key := row["graph"].value if row["graph"] else None): GraphStatistics(
            triples=int(row["triples"].value),
            classes=class_counts.get(key, 0),
            properties=int(row["properties"].value),
            distinct_subjects=int(row["subjects"].value),
            distinct_objects=int(row["objects"].value),
        )
        for row in figures
    }


class Describer:
    """Builds and writes the service and dataset descriptions."""

    def __init__(
        self,
        queries: InternalQueries,
        graph_names: tuple[str, ...],
        federation_on: bool,
        jsonld_context: Mapping[str, Any],
        dumps: Dumps | None = None,
        modified: float = 0.0,
    ) -> None:
        self.modified = datetime.fromtimestamp(modified, UTC).date()
        """The day the data last changed (what the sitemap and every description say)."""
        self._queries = queries
        self._graph_names = graph_names
        self._federation_on = federation_on
        self._jsonld_context = jsonld_context
        self._dumps = dumps

    async def facts(self) -> DatasetFacts:
        """The dataset's facts, read from the store (through the answer cache)."""
        return await read_facts(self._queries, self.modified)

    async def statistics(self) -> tuple[GraphStatistics, dict[str, GraphStatistics]]:
        """The figures of the union of the graphs, and of each named graph, as the store counts."""
        counted = await count_statistics(self._queries)
        empty = GraphStatistics(0, 0, 0, 0, 0)
        return counted.get(None, empty), {
            name: counted.get(name, empty) for name in self._graph_names
        }

    async def render(self, base_url: str, which: str, answer_format: Format) -> bytes:
        """The service description (`which` = "service") or the VoID, in an RDF format."""
        statistics = await count_statistics(self._queries)
        facts = await self.facts()
        if which == "service":
            triples = self.service_description(base_url, statistics, facts)
        else:
            dumps = list((await self._dumps.made()).values()) if self._dumps else []
            triples = self.void_description(base_url, statistics, facts, dumps)
        return write_graph(answer_format.name, triples, _PREFIXES, self._jsonld_context)

    def service_description(
        self,
        base_url: str,
        statistics: Mapping[str | None, GraphStatistics],
        facts: DatasetFacts,
    ) -> list[Triple]:
        """sd:Service for the endpoint at `base_url`/sparql, with the dataset it serves."""
        endpoint = NamedNode(f"{base_url}/sparql")
        triples = self._void(base_url, statistics, facts)
        triples += [
            Triple(endpoint, _TYPE, _iri(SD, "Service")),
            Triple(endpoint, _iri(SD, "endpoint"), endpoint),
            Triple(endpoint, _iri(SD, "supportedLanguage"), _iri(SD, "SPARQL11Query")),
            Triple(endpoint, _iri(SD, "feature"), _iri(SD, "UnionDefaultGraph")),
            Triple(endpoint, _iri(SD, "defaultEntailmentRegime"), _SIMPLE_ENTAILMENT),
            Triple(endpoint, _iri(SD, "defaultDataset"), NamedNode(DATASET_IRI)),
        ]
        if self._federation_on:
            triples.append(Triple(endpoint, _iri(SD, "feature"), _iri(SD, "BasicFederatedQuery")))
        triples.extend(
            Triple(endpoint, _iri(SD, "resultFormat"), NamedNode(answer_format.w3c_iri))
            for answer_format in FORMATS
            if answer_format.w3c_iri
        )
        return triples

    def void_description(
        self,
        base_url: str,
        statistics: Mapping[str | None, GraphStatistics],
        facts: DatasetFacts,
        dumps: list[Dump],
    ) -> list[Triple]:
        """The VoID description of the dataset, as served at /.well-known/void, with its dumps."""
        triples = self._void(base_url, statistics, facts)
        triples.extend(_distributions(NamedNode(DATASET_IRI), base_url, dumps))
        return triples

    def _void(
        self,
        base_url: str,
        statistics: Mapping[str | None, GraphStatistics],
        facts: DatasetFacts,
    ) -> list[Triple]:
        dataset = NamedNode(DATASET_IRI)
        creator = NamedNode(CREATOR_IRI)
        catalog = NamedNode(f"{base_url}/")
        empty = GraphStatistics(0, 0, 0, 0, 0)
        default_graph = BlankNode("defaultGraph")
        triples = [
            Triple(dataset, _TYPE, _iri(SD, "Dataset")),
            Triple(dataset, _TYPE, _iri(VOID, "Dataset")),
            Triple(dataset, _TYPE, _iri(DCAT, "Dataset")),
            Triple(dataset, _iri(DCTERMS, "title"), Literal(TITLE, language="en")),
            Triple(
                dataset, _iri(DCTERMS, "description"), Literal(facts.description, language="en")
            ),
            Triple(dataset, _iri(DCTERMS, "license"), NamedNode(LICENSE)),
            Triple(dataset, _iri(DCTERMS, "creator"), creator),
            Triple(dataset, _iri(DCTERMS, "publisher"), creator),
            Triple(creator, _TYPE, _iri(FOAF, "Organization")),
            Triple(creator, _iri(FOAF, "name"), Literal(facts.creator_name)),
            *(
                [Triple(dataset, _iri(DCTERMS, "source"), NamedNode(ESSAY_IRI))]
                if facts.essay_title is not None
                else []
            ),
            Triple(dataset, _iri(DCTERMS, "issued"), _date(facts.issued)),
            Triple(dataset, _iri(DCTERMS, "modified"), _date(facts.modified)),
            *(
                Triple(dataset, _iri(DCAT, "keyword"), Literal(keyword, language="en"))
                for keyword in KEYWORDS
            ),
            Triple(dataset, _iri(DCAT, "landingPage"), catalog),
            Triple(dataset, _iri(FOAF, "homepage"), catalog),
            Triple(dataset, _iri(VOID, "sparqlEndpoint"), NamedNode(f"{base_url}/sparql")),
            Triple(dataset, _iri(VOID, "uriSpace"), Literal(str(ID))),
            Triple(dataset, _iri(VOID, "exampleResource"), NamedNode(f"{ID}challenge/bias")),
            *(
                Triple(dataset, _iri(VOID, "vocabulary"), NamedNode(vocabulary))
                for vocabulary in facts.vocabularies
            ),
            Triple(catalog, _TYPE, _iri(DCAT, "Catalog")),
            Triple(
                catalog, _iri(DCTERMS, "title"), Literal("iacai-kg SPARQL service", language="en")
            ),
            Triple(catalog, _iri(DCAT, "dataset"), dataset),
            *_statistics(dataset, statistics.get(None, empty)),
            Triple(dataset, _iri(SD, "defaultGraph"), default_graph),
            Triple(default_graph, _TYPE, _iri(SD, "Graph")),
            *_statistics(default_graph, statistics.get(None, empty)),
        ]
        for number, name in enumerate(self._graph_names):
            named = BlankNode(f"namedGraph{number}")
            described = BlankNode(f"graph{number}")
            triples += [
                Triple(dataset, _iri(SD, "namedGraph"), named),
                Triple(named, _TYPE, _iri(SD, "NamedGraph")),
                Triple(named, _iri(SD, "name"), NamedNode(name)),
                Triple(named, _iri(SD, "graph"), described),
                Triple(described, _TYPE, _iri(SD, "Graph")),
                Triple(dataset, _iri(VOID, "subset"), described),
                *_statistics(described, statistics.get(name, empty)),
            ]
        return triples


def _date(day: date) -> Literal:
    return Literal(day.isoformat(), datatype=_iri(XSD, "date"))


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


def _statistics(subject: NamedNode | BlankNode, statistics: GraphStatistics) -> list[Triple]:
    return [
        Triple(subject, _iri(VOID, name), _integer(value))
        for name, value in (
            ("triples", statistics.triples),
            ("classes", statistics.classes),
            ("properties", statistics.properties),
            ("distinctSubjects", statistics.distinct_subjects),
            ("distinctObjects", statistics.distinct_objects),
        )
    ]


def _distributions(dataset: NamedNode, base_url: str, dumps: list[Dump]) -> list[Triple]:
    """Each dump as a dcat:Distribution (and void:dataDump): size, statements, type, checksum."""
    triples = []
    for number, dump in enumerate(dumps):
        url = NamedNode(f"{base_url}/dumps/{dump.file_name}")
        checksum = BlankNode(f"checksum{number}")
        media_type = f"https://www.iana.org/assignments/media-types/{dump.media_type}"
        title = Literal(f"The whole graph as {dump.media_type}", language="en")
        hex = _iri(XSD, "hexBinary")
        triples += [
            Triple(dataset, _iri(VOID, "dataDump"), url),
            Triple(dataset, _iri(DCAT, "distribution"), url),
            Triple(url, _TYPE, _iri(DCAT, "Distribution")),
            Triple(url, _iri(DCAT, "downloadURL"), url),
            Triple(url, _iri(DCAT, "mediaType"), NamedNode(media_type)),
            Triple(url, _iri(DCAT, "byteSize"), _integer(len(dump.body), "nonNegativeInteger")),
            Triple(url, _iri(VOID, "triples"), _integer(dump.statements)),
            Triple(url, _iri(DCTERMS, "title"), title),
            Triple(url, _iri(SPDX, "checksum"), checksum),
            Triple(checksum, _TYPE, _iri(SPDX, "Checksum")),
            Triple(checksum, _iri(SPDX, "algorithm"), _iri(SPDX, "checksumAlgorithm_sha256")),
            Triple(checksum, _iri(SPDX, "checksumValue"), Literal(dump.sha256, datatype=hex)),
        ]
    return triples
