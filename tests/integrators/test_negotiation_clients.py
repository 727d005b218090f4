"""Negotiation as real clients use it (issue 12): SPARQLWrapper in every return format, rdflib's
SPARQLStore in every return format, `format` values the service does not know, the other kind's
media types, text/plain and text/n3, and 406s that say what is available."""

from __future__ import annotations

import csv
import io
import json
import urllib.error
from typing import Any
from xml.dom.minidom import Document

import httpx
import pytest
from live_service import RunningService
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

CHALLENGE = "https://w3id.org/iacai/ontology#Challenge"
BIAS = URIRef("https://w3id.org/iacai/id/challenge/bias")
SELECT = f"SELECT ?c WHERE {{ ?c a <{CHALLENGE}> }} ORDER BY ?c"
ASK = f"ASK {{ ?c a <{CHALLENGE}> }}"
CONSTRUCT = f"CONSTRUCT {{ ?c a <{CHALLENGE}> }} WHERE {{ ?c a <{CHALLENGE}> }}"
DESCRIBE = f"DESCRIBE <{BIAS}>"
CHALLENGES = 15

GRAPH_FORMATS = {
    TURTLE: "text/turtle",
    N3: "text/turtle",
    RDF: "application/rdf+xml",
    RDFXML: "application/rdf+xml",
    XML: "application/rdf+xml",
    JSONLD: "application/ld+json",
    JSON: "application/ld+json",
}
"""What a CONSTRUCT or DESCRIBE answers to each SPARQLWrapper return format."""


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("return_format", [JSON, XML, CSV, TSV])
def test_sparqlwrapper_select_in_every_result_format(
    integrated_service: RunningService, return_format: str, method: str
) -> None:
    answer = _sparqlwrapper(integrated_service, SELECT, return_format, method)
    converted = answer.convert()
    if return_format == JSON:
        rows = [b["c"]["value"] for b in converted["results"]["bindings"]]
    elif return_format == XML:
        assert isinstance(converted, Document)
        rows = [node.firstChild.data for node in converted.getElementsByTagName("uri")]
    else:
        dialect = "excel-tab" if return_format == TSV else "excel"
        table = list(csv.reader(io.StringIO(converted.decode()), dialect=dialect))
        rows = [row[0].strip("<>") for row in table[1:]]
    assert len(rows) == CHALLENGES and str(BIAS) in rows


@pytest.mark.parametrize("return_format", [JSON, XML])
def test_sparqlwrapper_ask(integrated_service: RunningService, return_format: str) -> None:
    converted = _sparqlwrapper(integrated_service, ASK, return_format, "GET").convert()
    if return_format == JSON:
        assert converted["boolean"] is True
    else:
        assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE], ids=["construct", "describe"])
@pytest.mark.parametrize("return_format", list(GRAPH_FORMATS))
def test_sparqlwrapper_graphs_in_every_rdf_format(
    integrated_service: RunningService, return_format: str, query: str, method: str
) -> None:
    answer = _sparqlwrapper(integrated_service, query, return_format, method)
    media_type = answer.response.headers["content-type"].split(";")[0]
    assert media_type == GRAPH_FORMATS[return_format]
    converted = answer.convert()
    graph = (
        Graph().parse(data=converted, format="turtle")
        if isinstance(converted, bytes)
        else converted
    )
    assert (BIAS, None, None) in graph
    if query == CONSTRUCT:
        assert len(graph) == CHALLENGES


@pytest.mark.parametrize(
    ("query", "return_format"),
    [(SELECT, TURTLE), (SELECT, RDFXML), (ASK, JSONLD), (CONSTRUCT, CSV), (DESCRIBE, TSV)],
)
def test_sparqlwrapper_format_of_the_wrong_kind_is_a_clear_406(
    integrated_service: RunningService, query: str, return_format: str
) -> None:
    """An explicit `format` the answer cannot take is refused, naming what it can take."""
    with pytest.raises(urllib.error.HTTPError) as refused:
        _sparqlwrapper(integrated_service, query, return_format, "GET")
    assert refused.value.code == 406
    assert "Available:" in refused.value.read().decode()


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("return_format", ["xml", "json", "csv", "tsv"])
def test_rdflib_sparqlstore_in_every_return_format(
    integrated_service: RunningService, return_format: str, method: str
) -> None:
    store = SPARQLStore(integrated_service.sparql, returnFormat=return_format, method=method)
    graph = Graph(store=store)
    challenges = {row[0] for row in graph.query(SELECT)}
    assert len(challenges) == CHALLENGES and BIAS in challenges
    if return_format in ("xml", "json"):
        assert graph.query(ASK).askAnswer is True
    # a CONSTRUCT asked with Accept for result sets only is answered in Turtle, not 406
    constructed = graph.query(CONSTRUCT)
    assert constructed.type == "CONSTRUCT" and len(constructed.graph) == CHALLENGES
    described = graph.query(DESCRIBE)
    assert (BIAS, None, None) in described.graph
    assert len(list(graph.triples((BIAS, None, None)))) > 3


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/sparql-results+json", "text/turtle"),
        ("application/sparql-results+xml, text/csv;q=0.5", "text/turtle"),
        ("text/plain", "application/n-triples"),
        ("text/n3", "text/turtle"),
        ("application/x-turtle", "text/turtle"),
    ],
)
def test_construct_accept_headers_real_clients_send(
    client: httpx.Client, accept: str, media_type: str
) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    assert len(Graph().parse(data=response.text, format=media_type)) == CHALLENGES


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "text/plain"])
def test_select_asked_with_graph_types_only_gets_sparql_json(
    client: httpx.Client, accept: str
) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert len(response.json()["results"]["bindings"]) == CHALLENGES


@pytest.mark.parametrize(
    ("formats", "accept", "media_type"),
    [
        (["unknown"], "text/csv", "text/csv"),
        (["unknown", "tsv"], "text/csv", "text/tab-separated-values"),
        (["json"], "text/csv", "application/sparql-results+json"),
        (["application/sparql-results+xml"], None, "application/sparql-results+xml"),
        (["nonsense"], None, "application/sparql-results+json"),
    ],
)
def test_format_values_the_service_does_not_know_fall_back_to_accept(
    client: httpx.Client, formats: list[str], accept: str | None, media_type: str
) -> None:
    params: list[tuple[str, str]] = [("query", SELECT), *(("format", f) for f in formats)]
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params=params, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("rdf+xml", "application/rdf+xml"),
        ("n3", "text/turtle"),
        ("turtle", "text/turtle"),
        ("json-ld", "application/ld+json"),
        ("xml", "application/rdf+xml"),
        ("rdf", "application/rdf+xml"),
        ("application/n-triples", "application/n-triples"),
    ],
)
def test_sparqlwrapper_format_names_for_graphs(
    client: httpx.Client, name: str, media_type: str
) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT, "format": name})
    assert response.headers["content-type"].split(";")[0] == media_type


@pytest.mark.parametrize(
    ("accept", "suffix"),
    [("text/plain", "nt"), ("text/n3", "ttl"), ("application/sparql-results+json", "ttl")],
)
def test_resources_negotiate_what_rdflib_and_n3_readers_ask(
    client: httpx.Client, accept: str, suffix: str
) -> None:
    response = client.get("/id/challenge/bias", headers={"Accept": accept})
    assert response.status_code == 303
    assert response.headers["location"] == f"/id/challenge/bias.{suffix}"
    graph = Graph().parse(f"{client.base_url}/id/challenge/bias", format=None)
    assert (BIAS, None, None) in graph


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/sparql", {"query": SELECT}),
        ("/sparql", {"query": CONSTRUCT}),
        ("/sparql", {}),
        ("/id/challenge/bias", {}),
        ("/ontology", {}),
        ("/.well-known/void", {}),
        ("/context", {}),
    ],
)
def test_every_406_lists_what_is_available_and_varies_on_accept(
    client: httpx.Client, path: str, params: dict[str, Any]
) -> None:
    response = client.get(path, params=params, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "accept" in response.headers["vary"].lower()
    assert response.headers["content-type"].startswith("text/plain")
    assert "Available:" in response.text and "format=" in response.text


@pytest.mark.parametrize("query", [SELECT, CONSTRUCT])
def test_a_406_lists_media_types_and_format_values_apart_each_value_selecting_its_type(
    client: httpx.Client, query: str
) -> None:
    """Tester's report: `format=ttl, nt, rdf/xml, ...` read as a media type among names."""
    refused = client.get("/sparql", params={"query": query}, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    listed = refused.text.split("Available: the media types ", 1)[1]
    types, parameters = listed.split(" (in Accept), or ", 1)
    values = parameters.split(" (as a parameter).")[0].split(", ")
    assert all(value.startswith("format=") for value in values)
    names = [value.removeprefix("format=") for value in values]
    assert not [name for name in names if "/" in name or "+" in name]
    for name, media_type in zip(names, types.split(", "), strict=True):
        answer = client.get("/sparql", params={"query": query, "format": name})
        assert answer.status_code == 200, name
        assert answer.headers["content-type"].split(";")[0] == media_type


def test_a_format_of_the_wrong_kind_is_406_with_the_list(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": SELECT, "format": "ttl"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    assert json.dumps("ttl")[1:-1] in response.text


def _sparqlwrapper(
    service: RunningService, query: str, return_format: str, method: str
) -> Any:
    client = SPARQLWrapper(service.sparql)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    client.setMethod(method)
    return client.query()
