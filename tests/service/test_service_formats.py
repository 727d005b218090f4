"""Every answer format, parsed back by an independent parser and compared with the essay's facts.

SELECT: 15 challenges (Table 1) with their labels; CONSTRUCT: the 60 marks of Table 3.
The expected answers come from the rdflib Dataset itself, not from the service's engine.
"""

from __future__ import annotations

import csv
import io
import json

import httpx
import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.query import Result

from iacai.namespaces import IACAI

CHALLENGES = """PREFIX iacai: <https://w3id.org/iacai/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?challenge ?label WHERE { ?challenge a iacai:Challenge ; rdfs:label ?label }"""
ADDRESSES = """PREFIX iacai: <https://w3id.org/iacai/ontology#>
CONSTRUCT { ?benefit iacai:addresses ?challenge } WHERE { ?benefit iacai:addresses ?challenge }"""


@pytest.fixture(scope="module")
def expected_challenges(shipped_dataset: Dataset) -> set[tuple[str, str]]:
    challenges = {
        s for s, _, _, _ in shipped_dataset.quads((None, RDF.type, IACAI.Challenge, None))
    }
    return {
        (str(s), str(label))
        for s in challenges
        for _, _, label, _ in shipped_dataset.quads((s, RDFS.label, None, None))
    }


@pytest.fixture(scope="module")
def expected_marks(shipped_dataset: Dataset) -> set[tuple[URIRef, URIRef, URIRef]]:
    return {(s, p, o) for s, p, o, _ in shipped_dataset.quads((None, IACAI.addresses, None, None))}


def test_the_essay_has_15_challenges_and_60_marks(
    expected_challenges: set[tuple[str, str]], expected_marks: set[tuple[URIRef, URIRef, URIRef]]
) -> None:
    assert len({iri for iri, _ in expected_challenges}) == 15
    assert len(expected_marks) == 60


@pytest.mark.parametrize(
    ("accept", "parser"),
    [
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
    ],
)
def test_select_in_every_results_format(
    client: httpx.Client, expected_challenges: set[tuple[str, str]], accept: str, parser: str
) -> None:
    response = client.get("/sparql", params={"query": CHALLENGES}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert response.headers["vary"].startswith("Accept")
    result = Result.parse(io.BytesIO(response.content), format=parser)
    rows = {(str(row.challenge), str(row.label)) for row in result}
    assert rows == expected_challenges


def test_select_csv_read_by_the_csv_module(
    client: httpx.Client, expected_challenges: set[tuple[str, str]]
) -> None:
    response = client.get("/sparql", params={"query": CHALLENGES, "format": "csv"})
    reader = csv.reader(io.StringIO(response.text))
    assert next(reader) == ["challenge", "label"]
    assert {tuple(row) for row in reader} == expected_challenges


def test_select_json_keeps_language_tags(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": CHALLENGES})
    binding = response.json()["results"]["bindings"][0]
    assert binding["challenge"]["type"] == "uri"
    assert binding["label"] == {
        "type": "literal",
        "value": binding["label"]["value"],
        "xml:lang": "en",
    }


@pytest.mark.parametrize(
    ("format_name", "media_type", "rdflib_format"),
    [
        ("ttl", "text/turtle", "turtle"),
        ("nt", "application/n-triples", "nt"),
        ("rdf/xml", "application/rdf+xml", "xml"),
        ("trig", "application/trig", "trig"),
        ("nq", "application/n-quads", "nquads"),
    ],
)
def test_construct_in_every_rdf_format(
    client: httpx.Client,
    expected_marks: set[tuple[URIRef, URIRef, URIRef]],
    format_name: str,
    media_type: str,
    rdflib_format: str,
) -> None:
    response = client.get("/sparql", params={"query": ADDRESSES, "format": format_name})
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{media_type}; charset=utf-8"
    parsed = Dataset()
    parsed.parse(data=response.text, format=rdflib_format)
    assert {(s, p, o) for s, p, o, _ in parsed.quads()} == expected_marks


def test_construct_as_jsonld_compacted_with_the_project_context(
    client: httpx.Client, expected_marks: set[tuple[URIRef, URIRef, URIRef]]
) -> None:
    response = client.get(
        "/sparql", params={"query": ADDRESSES}, headers={"Accept": "application/ld+json"}
    )
    assert response.headers["content-type"] == "application/ld+json; charset=utf-8"
    document = response.json()
    assert "@context" in document
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads"})
    parsed = Graph().parse(data=nquads, format="nt")
    assert set(parsed) == expected_marks


def test_describe_gives_the_resource_with_its_label(client: httpx.Client) -> None:
    challenge = URIRef("https://w3id.org/iacai/id/challenge/privacy-of-data")
    response = client.get("/sparql", params={"query": f"DESCRIBE <{challenge}>", "format": "nt"})
    described = Graph().parse(data=response.text, format="nt")
    assert (challenge, RDF.type, IACAI.Challenge) in described
    assert (challenge, RDFS.label, Literal("Privacy of data", lang="en")) in described


def test_ask_in_json_and_xml(client: httpx.Client) -> None:
    query = "ASK { ?b <https://w3id.org/iacai/ontology#addresses> ?c }"
    for accept, parser in (
        ("application/sparql-results+json", "json"),
        ("application/sparql-results+xml", "xml"),
    ):
        response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
        assert Result.parse(io.BytesIO(response.content), format=parser).askAnswer is True


def test_result_row_cap_is_signalled(client: httpx.Client, service: object) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["x-iacai-result-truncated"] == "true"
    answer = json.loads(response.content)
    assert answer["truncated"] is True
    assert "cap" in answer["note"]
    assert len(answer["results"]["bindings"]) == service.settings.max_rows  # type: ignore[attr-defined]


def test_small_results_are_not_marked_truncated(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": CHALLENGES})
    assert "x-iacai-result-truncated" not in response.headers
    assert "truncated" not in response.json()
