"""The W3C SPARQL 1.1 Protocol test cases that apply to a read-only query endpoint.

Each test is named after its entry in the W3C manifest (sparql11/protocol/manifest.ttl). The
manifest's datasets are remote documents, which this endpoint never fetches; the tests use the
service's own named graphs in their place (Table 1 for data1, Table 2 for data2, Table 3 for
data3), keeping each case's request shape and expected outcome.
"""

from __future__ import annotations

import io

import httpx
from rdflib import Graph
from rdflib.query import Result

from iacai.namespaces import GRAPH

TABLE_1 = str(GRAPH["table-1"])
TABLE_2 = str(GRAPH["table-2"])
TABLE_3 = str(GRAPH["table-3"])
CHALLENGE = "<https://w3id.org/iacai/id/challenge/privacy-of-data>"
BENEFIT = "<https://w3id.org/iacai/id/benefit/advancements-and-innovations>"
BOTH_TYPED = f"ASK {{ {CHALLENGE} a ?type1 . {BENEFIT} a ?type2 . }}"
BOTH_IN_NAMED = f"ASK {{ GRAPH ?g1 {{ {CHALLENGE} a ?type1 }} GRAPH ?g2 {{ {BENEFIT} a ?type2 }} }}"


def boolean(response: httpx.Response) -> bool:
    assert response.status_code == 200, response.text
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type in ("application/sparql-results+json", "application/sparql-results+xml")
    return Result.parse(io.BytesIO(response.content), format=media_type.split("+")[1]).askAnswer


def test_query_post_form(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        params={"default-graph-uri": TABLE_1},
        content="query=ASK%20%7B%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert boolean(response) is True


def test_query_dataset_default_graphs_get(client: httpx.Client) -> None:
    response = client.get(
        "/sparql",
        params=[
            ("query", BOTH_TYPED),
            ("default-graph-uri", TABLE_1),
            ("default-graph-uri", TABLE_2),
        ],
    )
    assert boolean(response) is True


def test_query_dataset_default_graphs_get_only_those_graphs(client: httpx.Client) -> None:
    response = client.get("/sparql", params=[("query", BOTH_TYPED), ("default-graph-uri", TABLE_1)])
    assert boolean(response) is False


def test_query_dataset_default_graphs_post(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        params=[("default-graph-uri", TABLE_1), ("default-graph-uri", TABLE_2)],
        content=BOTH_TYPED,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert boolean(response) is True


def test_query_dataset_named_graphs_post(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        params=[("named-graph-uri", TABLE_1), ("named-graph-uri", TABLE_2)],
        content=BOTH_IN_NAMED,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert boolean(response) is True


def test_query_dataset_named_graphs_get(client: httpx.Client) -> None:
    response = client.get(
        "/sparql",
        params=[
            ("query", BOTH_IN_NAMED),
            ("named-graph-uri", TABLE_1),
            ("named-graph-uri", TABLE_2),
        ],
    )
    assert boolean(response) is True


def test_query_dataset_named_graphs_get_only_those_graphs(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params=[("query", BOTH_IN_NAMED), ("named-graph-uri", TABLE_1)]
    )
    assert boolean(response) is False


def test_query_dataset_full(client: httpx.Client) -> None:
    query = f"""ASK {{
  ?benefit <https://w3id.org/iacai/ontology#addresses> {CHALLENGE}
  GRAPH ?g1 {{ {CHALLENGE} a ?type1 }}
  GRAPH ?g2 {{ {BENEFIT} a ?type2 }}
}}"""
    response = client.post(
        "/sparql",
        params=[
            ("default-graph-uri", TABLE_3),
            ("named-graph-uri", TABLE_1),
            ("named-graph-uri", TABLE_2),
        ],
        content=query,
        headers={"Content-Type": "application/sparql-query"},
    )
    assert boolean(response) is True


def test_query_multiple_dataset(client: httpx.Client) -> None:
    """The protocol's dataset overrides the query's FROM (here a graph without challenges)."""
    query = f"ASK FROM <{TABLE_3}> {{ {CHALLENGE} a ?type }}"
    without_protocol = client.get("/sparql", params={"query": query})
    assert boolean(without_protocol) is False
    response = client.get("/sparql", params={"query": query, "default-graph-uri": TABLE_1})
    assert boolean(response) is True


def test_query_get(client: httpx.Client) -> None:
    assert boolean(client.get("/sparql", params={"query": "ASK {}"})) is True


def test_query_post_direct(client: httpx.Client) -> None:
    response = client.post(
        "/sparql", content="ASK {}", headers={"Content-Type": "application/sparql-query"}
    )
    assert boolean(response) is True


def test_query_content_type_select(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT (1 AS ?value) {}"})
    assert response.status_code == 200
    media_type = response.headers["content-type"].split(";")[0]
    assert media_type == "application/sparql-results+json"
    result = Result.parse(io.BytesIO(response.content), format="json")
    assert [int(row.value) for row in result] == [1]


def test_query_content_type_ask(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content="query=ASK%20%7B%7D",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert boolean(response) is True


def test_query_content_type_describe(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": f"DESCRIBE {CHALLENGE}"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    described = Graph().parse(data=response.text, format="turtle")
    assert len(described) > 0


def test_query_content_type_construct(client: httpx.Client) -> None:
    response = client.get(
        "/sparql",
        params={"query": f"CONSTRUCT {{ {CHALLENGE} ?p ?o }} WHERE {{ {CHALLENGE} ?p ?o }}"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    assert len(Graph().parse(data=response.text, format="turtle")) > 0


def test_bad_query_method(client: httpx.Client) -> None:
    response = client.put("/sparql", params={"query": "ASK {}"})
    assert 400 <= response.status_code < 500


def test_bad_multiple_queries(client: httpx.Client) -> None:
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "SELECT * {}")])
    assert response.status_code == 400
    assert "more than one" in response.text


def test_bad_query_wrong_media_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content="ASK {}", headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


def test_bad_query_missing_form_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content=b"query=ASK%20%7B%7D")
    assert response.status_code == 415


def test_bad_query_missing_direct_type(client: httpx.Client) -> None:
    response = client.post("/sparql", content=b"ASK {}")
    assert response.status_code == 415


def test_bad_query_non_utf8(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content="ASK {}".encode("utf-16"),
        headers={"Content-Type": "application/sparql-query; charset=UTF-16"},
    )
    assert response.status_code == 400
    assert "UTF-8" in response.text


def test_bad_query_syntax(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "ASK {\n  ?s ?p \n}"})
    assert response.status_code == 400
    assert "line 3, column " in response.text


def test_an_undeclared_prefix_is_named_where_it_stands(client: httpx.Client) -> None:
    # the engine's own words: every character it expected, or a keyword further on
    queries = {
        "SELECT * WHERE { ?s nope:p ?o }": "line 1, column 21: the prefix 'nope:'",
        'PREFIX a: <urn:a#>\nSELECT * WHERE {\n ?s a:p "b:x" . ?s b:q ?o }': (
            "line 3, column 20: the prefix 'b:'"
        ),
    }
    for query, said in queries.items():
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 400
        assert said + " is not declared" in response.text
        assert "iacai:, " in response.text  # the prefixes declared for every query, to use
    declared = client.get("/sparql", params={"query": "SELECT * WHERE { ?s iacai:p ?o }"})
    assert declared.status_code == 200


def test_bad_update_get(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"update": "CLEAR ALL"})
    assert response.status_code == 400
    assert "Update is not allowed" in response.text


def test_bad_update_on_query_endpoint_direct(client: httpx.Client) -> None:
    response = client.post(
        "/sparql",
        content="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        headers={"Content-Type": "application/sparql-update"},
    )
    assert response.status_code == 400
    assert "Update is not allowed on this read-only endpoint" in response.text


def test_bad_update_on_query_endpoint_as_query(client: httpx.Client) -> None:
    for update in (
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "LOAD <http://example.org/>",
        "PREFIX x: <urn:x> CLEAR ALL",
        "# comment\nDROP GRAPH <urn:g>",
    ):
        response = client.post("/sparql", data={"query": update})
        assert response.status_code == 400, update
        assert "Update is not allowed" in response.text
