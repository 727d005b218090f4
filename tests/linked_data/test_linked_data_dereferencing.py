"""Dereferencing: 303 from a thing to its document, negotiation, 404/406, vocabularies, dumps."""

from __future__ import annotations

import hashlib
import json

import httpx
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import DCAT, OWL, RDF, RDFS, VOID

from iacai import __version__, resources
from iacai.namespaces import BASE, SPDX

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "document"),
    [
        (BROWSER_ACCEPT, "/id/challenge/bias.html"),
        ("text/turtle", "/id/challenge/bias.ttl"),
        ("application/ld+json", "/id/challenge/bias.jsonld"),
        ("application/n-triples", "/id/challenge/bias.nt"),
        ("application/rdf+xml", "/id/challenge/bias.rdf"),
        ("text/turtle;q=0.5, application/ld+json;q=0.9", "/id/challenge/bias.jsonld"),
        ("*/*", "/id/challenge/bias.ttl"),
    ],
)
def test_a_thing_answers_303_to_the_document_in_the_negotiated_format(
    client: httpx.Client, accept: str, document: str
) -> None:
    response = client.get("/id/challenge/bias", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == document
    assert "Accept" in response.headers["vary"]


def test_the_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = client.get("/id/benefit/resource-sharing?format=nt", headers={"Accept": "text/html"})
    assert response.headers["location"] == "/id/benefit/resource-sharing.nt"


@pytest.mark.parametrize(
    ("suffix", "media_type", "parse_as"),
    [("ttl", "text/turtle", "turtle"), ("nt", "application/n-triples", "nt"),
     ("rdf", "application/rdf+xml", "xml"), ("jsonld", "application/ld+json", None)],
)
def test_each_document_holds_the_resource_and_the_labels_of_what_it_links_to(
    client: httpx.Client, suffix: str, media_type: str, parse_as: str | None
) -> None:
    response = client.get(f"/id/challenge/privacy-of-data.{suffix}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    if parse_as is None:
        return  # the JSON-LD is checked triple for triple by the round-trip test
    graph = Graph().parse(data=response.text, format=parse_as)
    challenge = URIRef(f"{BASE}id/challenge/privacy-of-data")
    category = URIRef(f"{BASE}id/category/ethical-challenges")
    assert (challenge, URIRef("https://w3id.org/iacai/ontology#hasCategory"), category) in graph
    assert graph.value(category, URIRef("http://www.w3.org/2000/01/rdf-schema#label")) is not None


@pytest.mark.parametrize(
    "path", ["/id/challenge/no-such-thing", "/id/challenge/no-such-thing.ttl", "/graph/nothing",
             "/ontology/9.9.9", "/shapes/x.ttl", "/dumps/iacai.exe"],
)
def test_an_iri_the_graph_does_not_have_is_404(client: httpx.Client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_nothing_acceptable_is_406(client: httpx.Client) -> None:
    response = client.get("/id/challenge/bias", headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    "path",
    ["/ontology", "/ontology/0.1.0", "/ontology/0.2.0", "/ontology/essay", "/ontology/essay/0.2.0",
     "/ontology/alignments", "/ontology/alignments/0.1.0", "/shapes", "/shapes/0.1.0",
     "/shapes/essay", "/shapes/essay/0.2.0"],
)
def test_vocabularies_negotiate_documentation_and_rdf(client: httpx.Client, path: str) -> None:
    html = client.get(path, headers={"Accept": BROWSER_ACCEPT}, follow_redirects=True)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    for suffix, parse_as in (("ttl", "turtle"), ("nt", "nt"), ("rdf", "xml"), ("jsonld", None)):
        response = client.get(f"{path}.{suffix}")
        assert response.status_code == 200, (path, suffix)
        if parse_as:
            assert len(Graph().parse(data=response.text, format=parse_as)) > 20


def test_the_version_iri_resolves_to_that_versions_ontology(client: httpx.Client) -> None:
    ontology = Graph().parse(data=client.get("/ontology.ttl").text, format="turtle")
    version = ontology.value(URIRef(f"{BASE}ontology"), OWL.versionIRI)
    path = str(version)[len(BASE) - 1 :]
    versioned = Graph().parse(data=client.get(f"{path}.ttl").text, format="turtle")
    assert (None, OWL.versionIRI, version) in versioned


def test_every_ontology_term_lands_on_its_entry_in_the_documentation(client: httpx.Client) -> None:
    """Core and essay-profile terms share a namespace; each lands on its own module's page."""
    namespace = f"{BASE}ontology#"
    every_term = set()
    for module in ("/ontology", "/ontology/essay"):
        ontology = Graph().parse(data=client.get(f"{module}.ttl").text, format="turtle")
        html = client.get(f"{module}.html").text
        defined = f"{BASE}{module[1:]}"
        terms = {
            str(t)[len(namespace) :]
            for t in ontology.subjects(RDFS.isDefinedBy, URIRef(defined))
            if str(t).startswith(namespace)
        }
        assert terms
        assert [term for term in terms if f'id="{term}"' not in html] == []
        assert not terms & every_term
        every_term |= terms
    assert len(every_term) > 30


@pytest.mark.parametrize(
    ("path", "released"),
    [("/ontology/0.1.0.ttl", "ontology/0.1.0/iacai.ttl"),
     ("/ontology/alignments/0.1.0.ttl", "ontology/0.1.0/iacai-alignments.ttl"),
     ("/shapes/0.1.0.ttl", "shapes/0.1.0/iacai-shapes.ttl"),
     ("/context/0.1.0.jsonld", "ontology/0.1.0/context.jsonld")],
)
def test_the_0_1_0_release_still_resolves_as_released(
    client: httpx.Client, path: str, released: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content == (resources.resource_root() / released).read_bytes()


def test_the_current_version_names_its_prior_version(client: httpx.Client) -> None:
    ontology = Graph().parse(data=client.get("/ontology/0.2.0.ttl").text, format="turtle")
    assert ontology.value(URIRef(f"{BASE}ontology"), OWL.priorVersion) == URIRef(
        f"{BASE}ontology/0.1.0")


def test_the_context_is_published(client: httpx.Client) -> None:
    response = client.get("/context.jsonld")
    assert response.headers["content-type"].startswith("application/ld+json")
    assert json.loads(response.text)["@context"]["Challenge"] == "iacai:Challenge"


def test_a_named_graph_dereferences_to_its_contents(client: httpx.Client) -> None:
    response = client.get("/graph/table-3", headers={"Accept": "application/n-triples"})
    assert response.headers["location"] == "/graph/table-3.nt"
    marks = Graph().parse(data=client.get("/graph/table-3.nt").text, format="nt")
    assert len(set(marks.subject_objects(URIRef(f"{BASE}ontology#addresses")))) == 60


def test_dumps_are_described_with_size_statements_and_checksum(
    client: httpx.Client, shipped_dataset: Dataset
) -> None:
    void = Graph().parse(data=client.get("/.well-known/void?format=ttl").text, format="turtle")
    distributions = set(void.subjects(RDF.type, DCAT.Distribution))
    names = sorted(str(d).rsplit("/", 1)[1] for d in distributions)
    assert names == ["iacai.jsonld", "iacai.nq", "iacai.nt", "iacai.trig", "iacai.ttl"]
    for distribution in distributions:
        body = client.get(str(distribution)[len(str(client.base_url)) :]).content
        assert int(void.value(distribution, DCAT.byteSize)) == len(body)
        checksum = void.value(distribution, SPDX.checksum)
        assert str(void.value(checksum, SPDX.checksumValue)) == hashlib.sha256(body).hexdigest()
        if str(distribution).endswith((".nt", ".nq")):
            assert int(void.value(distribution, VOID.triples)) == len(body.splitlines())


def test_a_dump_is_the_whole_graph(client: httpx.Client, shipped_dataset: Dataset) -> None:
    dumped = Dataset().parse(data=client.get("/dumps/iacai.nq").text, format="nquads")
    assert len(dumped) == len(shipped_dataset)
    assert len(list(dumped.quads())) == len(list(shipped_dataset.quads()))


@pytest.mark.parametrize("path", ["/context", f"/context/{__version__}"])
def test_the_context_and_its_version_negotiate_json_ld_and_documentation(
    client: httpx.Client, path: str
) -> None:
    shipped = json.loads(resources.context_path().read_bytes())
    document = client.get(path, headers={"Accept": "application/ld+json"}, follow_redirects=True)
    assert document.headers["content-type"].startswith("application/ld+json")
    assert document.json() == shipped
    page = client.get(path, headers={"Accept": BROWSER_ACCEPT}, follow_redirects=True)
    assert page.headers["content-type"].startswith("text/html")
    terms = [t for t, d in shipped["@context"].items() if isinstance(d, dict) and "@id" in d]
    assert terms and all(f'id="{term}"' in page.text for term in terms)


def test_an_older_context_version_is_404(client: httpx.Client) -> None:
    assert client.get("/context/0.0.1.jsonld").status_code == 404
