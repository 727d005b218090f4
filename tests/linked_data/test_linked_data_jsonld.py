"""JSON-LD views: pyld reads every resource's JSON-LD as its Turtle; the frames nest as promised."""

from __future__ import annotations

import httpx
import pytest
from pyld import jsonld
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from iacai.jsonld_context import local_context_loader
from iacai.namespaces import BASE, CONTEXT_IRI


def _resources(dataset: Dataset) -> list[str]:
    return sorted(
        {str(s) for s, _, _, _ in dataset.quads() if str(s).startswith(f"{BASE}id/")}
    )


def _jsonld_as_graph(document: dict) -> Graph:
    """pyld, an independent processor, expands the document and writes it as N-Quads."""
    options = {"documentLoader": local_context_loader}
    expanded = jsonld.expand(document, options)
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads", **options})
    return Graph().parse(data=nquads, format="nt")


def test_every_resources_jsonld_is_isomorphic_to_its_turtle(
    client: httpx.Client, shipped_dataset: Dataset
) -> None:
    resources = _resources(shipped_dataset)
    assert len(resources) > 500
    different = []
    for iri in resources:
        path = iri[len(BASE) - 1 :]
        document = client.get(f"{path}.jsonld").json()
        assert document["@context"] == CONTEXT_IRI
        turtle = Graph().parse(data=client.get(f"{path}.ttl").text, format="turtle")
        if len(turtle) == 0 or not isomorphic(_jsonld_as_graph(document), turtle):
            different.append(iri)
    assert different == []


def test_no_remote_context_is_fetched_when_reading() -> None:
    with pytest.raises(Exception, match="remote"):
        jsonld.expand({"@context": "https://example.org/ctx.jsonld", "a": 1},
                      {"documentLoader": local_context_loader})


def test_a_challenge_nests_category_sources_and_benefits(client: httpx.Client) -> None:
    document = client.get("/id/challenge/bias.jsonld").json()
    assert document["@type"] == "Challenge"
    assert document["label"] == "Bias"
    assert document["category"]["label"] == "Ethical challenges"
    assert len(document["addressedBy"]) == 6
    assert all("label" in benefit for benefit in document["addressedBy"])
    assert all(isinstance(source, dict) for source in document["supportedBy"])


def test_a_benefit_nests_the_challenges_it_addresses(client: httpx.Client) -> None:
    document = client.get("/id/benefit/resource-sharing.jsonld").json()
    assert document["@type"] == "Benefit"
    assert all("label" in challenge for challenge in document["addresses"])


def test_a_category_nests_its_members(client: httpx.Client) -> None:
    document = client.get("/id/category/ethical-challenges.jsonld").json()
    assert {member["label"] for member in document["member"]} >= {"Bias", "Privacy of data"}


def test_a_source_lists_where_it_is_cited(client: httpx.Client) -> None:
    document = client.get("/id/source/misra-2023-a.jsonld").json()
    citations = document["@reverse"]["citedSource"] + document["@reverse"].get("resolvesTo", [])
    assert citations and all("citationText" in c for c in citations)


def test_the_turtle_of_a_resource_names_it(client: httpx.Client) -> None:
    turtle = Graph().parse(data=client.get("/id/challenge/bias.ttl").text, format="turtle")
    assert (URIRef(f"{BASE}id/challenge/bias"), None, None) in turtle
