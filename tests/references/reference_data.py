"""What each source's references must say, read from data/references.ttl with rdflib.

Not through the service's SPARQL: the service's mapping is checked against an independent reading.
"""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS

from iacai import resources
from iacai.namespaces import BIBO, IACAI


@dataclass(frozen=True)
class Expected:
    """What the data says of one source, as a reference manager should receive it."""

    key: str
    title: str | None
    label: str
    year: str | None
    authors: list[tuple[str, str]]
    """(family name, initials) per author in order; an organization as (its name, "")."""
    doi: str | None
    container: str | None
    unlisted: bool


def _expected(graph: Graph, source: URIRef) -> Expected:
    authors = []
    author_list = graph.value(source, BIBO.authorList)
    for author in Collection(graph, author_list) if author_list is not None else []:
        family = graph.value(author, FOAF.familyName) or graph.value(author, FOAF.name)
        authors.append((str(family), str(graph.value(author, FOAF.givenName) or "")))
    title, issued = graph.value(source, DCTERMS.title), graph.value(source, DCTERMS.issued)
    doi, part = graph.value(source, BIBO.doi), graph.value(source, DCTERMS.isPartOf)
    return Expected(
        key=str(source).rsplit("/", 1)[1],
        title=str(title) if title is not None else None,
        label=str(graph.value(source, RDFS.label)),
        year=str(issued)[:4] if issued is not None else None,
        authors=authors,
        doi=str(doi) if doi is not None else None,
        container=str(graph.value(part, DCTERMS.title)) if part is not None else None,
        unlisted=(source, RDF.type, IACAI.UnlistedSource) in graph,
    )


def _sources() -> list[Expected]:
    graph = Graph().parse(resources.data_dir() / "references.ttl")
    return [_expected(graph, s) for s in sorted(graph.subjects(RDF.type, IACAI.Source))]


SOURCES = _sources()
"""Every source of the data (listed and unlisted), read independently of the service."""
