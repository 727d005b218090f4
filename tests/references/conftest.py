"""A real uvicorn on 127.0.0.1 (memory store) for the reference-manager tests, and their data.

What a source's references must say is read here from data/references.ttl with rdflib, not
through the service's SPARQL, so the service's mapping is checked against an independent reading.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "service"))
from live_service import RunningService, free_port, serve_in_thread

from iacai import resources
from iacai.namespaces import BIBO, IACAI
from iacai.service.settings import Settings


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


@pytest.fixture(scope="session")
def reference_service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    """The service on the memory store: references are read from the served snapshot alone."""
    yield from serve_in_thread(Settings(port=free_port(), query_workers=1), shipped_dataset)


@pytest.fixture
def client(reference_service: RunningService) -> Iterator[httpx.Client]:
    with reference_service.client() as http:
        yield http
