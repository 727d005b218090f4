"""Real SPARQL clients against the service: SPARQLWrapper and rdflib's SPARQLStore."""

from __future__ import annotations

from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from iacai.namespaces import IACAI

COUNT_BENEFITS = """PREFIX iacai: <https://w3id.org/iacai/ontology#>
SELECT (COUNT(?b) AS ?n) WHERE { ?b a iacai:Benefit }"""


def test_sparqlwrapper_select_get_and_post(service: object) -> None:
    for method in ("GET", "POST"):
        client = SPARQLWrapper(service.sparql)  # type: ignore[attr-defined]
        client.setMethod(method)
        client.setQuery(COUNT_BENEFITS)
        client.setReturnFormat(JSON)
        answer = client.queryAndConvert()
        assert answer["results"]["bindings"][0]["n"]["value"] == "21"  # type: ignore[index]


def test_sparqlwrapper_ask_and_construct(service: object) -> None:
    client = SPARQLWrapper(service.sparql)  # type: ignore[attr-defined]
    client.setQuery("ASK { ?b <https://w3id.org/iacai/ontology#addresses> ?c }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True  # type: ignore[index]
    client.setQuery("CONSTRUCT WHERE { ?b <https://w3id.org/iacai/ontology#addresses> ?c }")
    client.setReturnFormat(TURTLE)
    graph = Graph().parse(data=client.queryAndConvert(), format="turtle")  # type: ignore[arg-type]
    assert len(graph) == 60


def test_rdflib_sparqlstore(service: object) -> None:
    store = SPARQLStore(service.sparql, returnFormat="json")  # type: ignore[attr-defined]
    graph = Graph(store=store)
    challenges = {
        row[0]
        for row in graph.query(
            "SELECT ?c WHERE { ?c a <https://w3id.org/iacai/ontology#Challenge> }"
        )
    }
    assert len(challenges) == 15
    assert URIRef("https://w3id.org/iacai/id/challenge/privacy-of-data") in challenges
    marks = list(graph.triples((None, IACAI.addresses, None)))
    assert len(marks) == 60
