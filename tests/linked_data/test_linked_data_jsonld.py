"""JSON-LD views: pyld reads every resource's JSON-LD as its Turtle; the frames nest as promised."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import httpx
import pytest
from pyld import jsonld
from rdflib import BNode, Dataset, Graph, URIRef
from rdflib.compare import isomorphic

from iacai.jsonld_context import local_context_loader
from iacai.namespaces import BASE, CONTEXT_IRI

MOST_RETRIES = 4


def _resources(dataset: Dataset) -> list[str]:
    return sorted(
        {str(s) for s, _, _, _ in dataset.quads() if str(s).startswith(f"{BASE}id/")}
    )


def _jsonld_as_graph(document: dict) -> Graph:
    """pyld, an independent processor, expands the document and writes it as N-Quads."""
    options = {"documentLoader": local_context_loader, "format": "application/n-quads"}
    return Graph().parse(data=jsonld.to_rdf(document, options), format="nt")


def _isomorphic(one: Graph, other: Graph) -> bool:
    """Without blank nodes, isomorphic graphs are equal sets of triples: compared as such, at a
    fraction of the cost of rdflib's canonical labelling, which is kept for graphs with them."""
    graphs = (one, other)
    if any(isinstance(term, BNode) for graph in graphs for triple in graph for term in triple):
        return isomorphic(one, other)
    return set(one) == set(other)


def _get(client: httpx.Client, path: str) -> httpx.Response:
    """The document, as a client that honours 429 asks for it: this test's client asks for
    hundreds, four at a time, and is refused as a heavy client (429, Retry-After) for a while
    once one of its queries passes the fast lane, which a loaded machine can make it do."""
    for _ in range(MOST_RETRIES):
        response = client.get(path)
        if response.status_code != 429:
            break
        time.sleep(float(response.headers["retry-after"]))
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response


def _differs(client: httpx.Client, iri: str) -> bool:
    """Whether the resource's JSON-LD, read by pyld, is not its (non-empty) Turtle."""
    path = iri[len(BASE) - 1 :]
    document = _get(client, f"{path}.jsonld").json()
    assert document["@context"] == CONTEXT_IRI, iri
    turtle = Graph().parse(data=_get(client, f"{path}.ttl").text, format="turtle")
    return len(turtle) == 0 or not _isomorphic(_jsonld_as_graph(document), turtle)


def test_every_resources_jsonld_is_isomorphic_to_its_turtle(
    client: httpx.Client, shipped_dataset: Dataset
) -> None:
    resources = _resources(shipped_dataset)
    assert len(resources) > 500
    with ThreadPoolExecutor(4) as pool:  # the store answers for some while others are served
        differs = list(pool.map(partial(_differs, client), resources))
    assert [iri for iri, differ in zip(resources, differs, strict=True) if differ] == []


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
