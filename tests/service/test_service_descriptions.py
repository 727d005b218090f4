"""The service description at /sparql, VoID at /.well-known/void, named queries, pages, health."""

from __future__ import annotations

import re

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, VOID, XSD

from iacai.namespaces import SD

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_service_description(client: httpx.Client, service: object) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    endpoint = URIRef(service.sparql)  # type: ignore[attr-defined]
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    assert (endpoint, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (endpoint, SD.feature, SD.UnionDefaultGraph) in graph
    formats = set(graph.objects(endpoint, SD.resultFormat))
    assert URIRef("http://www.w3.org/ns/formats/SPARQL_Results_JSON") in formats
    assert URIRef("http://www.w3.org/ns/formats/Turtle") in formats
    dataset = graph.value(endpoint, SD.defaultDataset)
    default_graph = graph.value(dataset, SD.defaultGraph)
    triples = graph.value(default_graph, VOID.triples)
    assert int(triples) == count(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    names = {graph.value(named, SD.name) for named in graph.objects(dataset, SD.namedGraph)}
    assert URIRef("https://w3id.org/iacai/graph/table-3") in names


def count(client: httpx.Client, query: str) -> int:
    return int(
        client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["n"][
            "value"
        ]
    )


def test_void_statistics_per_graph(client: httpx.Client) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    assert response.headers["content-type"] == "application/n-triples; charset=utf-8"
    graph = Graph().parse(data=response.text, format="nt")
    table_3 = URIRef("https://w3id.org/iacai/graph/table-3")
    named = next(graph.subjects(SD.name, table_3))
    statistics = graph.value(named, SD.graph)
    marks = count(
        client,
        f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{table_3}> {{ ?s ?p ?o }} }}",
    )
    assert graph.value(statistics, VOID.triples) == Literal(marks, datatype=XSD.integer)
    assert (None, VOID.classes, None) in graph
    assert (None, VOID.distinctSubjects, None) in graph


def test_void_as_jsonld(client: httpx.Client) -> None:
    response = client.get("/.well-known/void", params={"format": "jsonld"})
    assert response.status_code == 200
    assert "@context" in response.json()


@pytest.mark.parametrize(
    ("editor", "labelled"),
    [("plain", '<label for="query">'), ("yasgui", 'aria-label="SPARQL editor and results"')],
)
def test_query_page_is_accessible_and_offline(
    client: httpx.Client, editor: str, labelled: str
) -> None:
    response = client.get("/sparql", params={"editor": editor}, headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    page = response.text
    assert labelled in page
    assert "<main" in page and "<nav" in page and "<header" in page
    assert "table-3-matrix" in page  # the named queries are offered as examples
    assert_no_remote_assets(page)
    assert client.get("/static/query.js").status_code == 200
    assert client.get("/static/query.css").status_code == 200


def assert_no_remote_assets(page: str) -> None:
    sources = re.findall(r'<(?:script|link|img)[^>]*(?:src|href)="([^"]+)"', page)
    assert sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))], sources


def test_api_docs_work_offline(client: httpx.Client) -> None:
    page = client.get("/docs").text
    assert_no_remote_assets(page)
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    openapi = client.get("/openapi.json").json()
    assert {"/sparql", "/queries", "/queries/{name}", "/healthz"} <= set(openapi["paths"])


def test_named_query_list(client: httpx.Client) -> None:
    listing = client.get("/queries").json()
    by_name = {entry["name"]: entry for entry in listing}
    benefits_for = by_name["benefits-for-challenge"]
    assert benefits_for["title"]
    assert benefits_for["parameters"] == [
        {
            "name": "challenge",
            "type": "iri",
            "description": benefits_for["parameters"][0]["description"],
        }
    ]
    page = client.get("/queries", headers={"Accept": BROWSER_ACCEPT})
    assert page.headers["content-type"].startswith("text/html")
    assert '<label for="benefits-for-challenge-challenge">' in page.text


def test_named_query_runs_with_a_bound_parameter(client: httpx.Client) -> None:
    response = client.get(
        "/queries/challenges-for-benefit",
        params={"benefit": "id:benefit/shared-problem-solving", "format": "csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert len(response.text.strip().splitlines()) > 1


def test_named_query_parameter_cannot_change_the_query(client: httpx.Client) -> None:
    injection = "x> } UNION { ?s ?p ?o } #"
    response = client.get("/queries/challenges-for-benefit", params={"benefit": injection})
    assert response.status_code == 400


def test_unknown_named_query_is_404(client: httpx.Client) -> None:
    assert client.get("/queries/no-such-query").status_code == 404


def test_bad_or_missing_parameter_is_400(client: httpx.Client) -> None:
    assert client.get("/queries/challenges-for-benefit").status_code == 400
    response = client.get("/queries/challenges-for-benefit", params={"nope": "1"})
    assert response.status_code == 400


def test_healthz(client: httpx.Client) -> None:
    health = client.get("/healthz").json()
    assert health["status"] == "ok"
    assert health["data_version"]
