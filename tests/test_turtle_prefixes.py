"""Turtle and TriG answers name things by folder prefixes, never with an escaped slash."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode, RdfFormat, Triple, parse

from iacai.namespaces import PREFIXES
from iacai.service.engine.writers import write_graph

BIAS = NamedNode("https://w3id.org/iacai/id/challenge/bias")
SHARING = NamedNode("https://w3id.org/iacai/id/benefit/resource-sharing")
SEE_ALSO = NamedNode("http://www.w3.org/2000/01/rdf-schema#seeAlso")
ELSEWHERE = NamedNode("https://example.org/a/b/c")
TRIPLES = [Triple(BIAS, SEE_ALSO, SHARING), Triple(SHARING, SEE_ALSO, ELSEWHERE)]


@pytest.mark.parametrize(("format_name", "rdf_format"),
                         [("turtle", RdfFormat.TURTLE), ("trig", RdfFormat.TRIG)])
def test_folders_below_a_prefix_get_their_own(format_name: str, rdf_format: RdfFormat) -> None:
    written = write_graph(format_name, TRIPLES, PREFIXES, {}).decode()
    assert "\\/" not in written
    assert "@prefix challenge: <https://w3id.org/iacai/id/challenge/> ." in written
    assert "challenge:bias rdfs:seeAlso benefit:resource-sharing ." in written
    assert "<https://example.org/a/b/c>" in written  # under no declared prefix: left whole
    assert {quad.triple for quad in parse(written.encode(), format=rdf_format)} == set(TRIPLES)


def test_a_declared_prefix_is_never_replaced() -> None:
    declared = {**PREFIXES, "challenge": "https://example.org/challenge#"}
    written = write_graph("turtle", TRIPLES, declared, {}).decode()
    assert "@prefix challenge: <https://example.org/challenge#> ." in written
    parsed = {quad.triple for quad in parse(written.encode(), format=RdfFormat.TURTLE)}
    assert parsed == set(TRIPLES)
