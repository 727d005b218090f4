"""The processor pySHACL queries through: each text parsed once, answers as rdflib's own."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef, plugin
from rdflib.query import Processor

from iacai import prepared_sparql

EXAMPLE = URIRef("https://example.org/")
DATA = """
@prefix ex: <https://example.org/> .
ex:a ex:label "A" . ex:b ex:label "B" . ex:b ex:label "Bee" .
"""
LABELS_OF = "SELECT ?label WHERE { $this ex:label ?label } ORDER BY ?label"


def test_answers_with_different_bindings_match_rdflibs_own() -> None:
    graph = Graph().parse(data=DATA, format="turtle")
    namespaces = {"ex": EXAMPLE}
    expected = {
        name: [row[0] for row in graph.query(LABELS_OF, initNs=namespaces,
                                             initBindings={"this": EXAMPLE + name})]
        for name in ("a", "b", "c")
    }
    prepared_sparql.install()
    try:
        answers = {
            name: [row[0] for row in graph.query(LABELS_OF, initNs=namespaces,
                                                 initBindings={"this": EXAMPLE + name})]
            for name in ("a", "b", "c")
        }
    finally:
        # rdflib's own processor back, so the rest of this process is as rdflib ships it
        plugin.register("sparql", Processor, "rdflib.plugins.sparql.processor", "SPARQLProcessor")
    assert answers == expected == {"a": [Literal("A")], "b": [Literal("B"), Literal("Bee")],
                                   "c": []}


def test_a_text_is_parsed_once_for_every_focus_node() -> None:
    graph = Graph().parse(data=DATA, format="turtle")
    processor = prepared_sparql.PreparingProcessor(graph)
    query = LABELS_OF + " # parsed once"
    before = prepared_sparql._prepared.cache_info()
    for name in ("a", "b", "a", "b"):
        processor.query(query, initBindings={"this": EXAMPLE + name}, initNs={"ex": EXAMPLE})
    after = prepared_sparql._prepared.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 3)
