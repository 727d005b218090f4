"""The ontology, its alignments and the JSON-LD context: annotations, header, coverage."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN, XSD

from iacai import resources
from iacai.namespaces import IACAI, ID, ONTOLOGY_IRI, PREFIXES

ONTOLOGY = URIRef(ONTOLOGY_IRI)
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)


@cache
def core() -> Graph:
    return Graph().parse(resources.ontology_dir() / "iacai.ttl")


@cache
def alignments() -> Graph:
    return Graph().parse(resources.ontology_dir() / "iacai-alignments.ttl")


@cache
def context() -> dict[str, Any]:
    return json.loads(resources.context_path().read_text(encoding="utf-8"))["@context"]


def iacai_terms() -> list[URIRef]:
    """Every term the core defines in the iacai namespace."""
    graph = core()
    return sorted({s for s in graph.subjects(RDFS.isDefinedBy, ONTOLOGY) if s in IACAI})


def iacai_properties() -> list[URIRef]:
    graph = core()
    properties = {s for kind in PROPERTY_TYPES for s in graph.subjects(RDF.type, kind)}
    return sorted(s for s in properties if s in IACAI)


def test_core_names_the_terms_the_issue_requires() -> None:
    required = ["Challenge", "Benefit", "Category", "ChallengeCategory", "BenefitCategory",
                "Source", "hasCategory", "addresses", "isAddressedBy", "supportedBy"]
    assert {IACAI[name] for name in required} <= set(iacai_terms())


def test_every_iacai_subject_is_a_defined_term() -> None:
    subjects = {s for s in core().subjects() if isinstance(s, URIRef) and s in IACAI}
    assert subjects == set(iacai_terms())


@pytest.mark.parametrize("term", iacai_terms(), ids=lambda term: term.split("#")[1])
def test_term_has_english_label_and_definition(term: URIRef) -> None:
    graph = core()
    labels = list(graph.objects(term, RDFS.label))
    definitions = list(graph.objects(term, SKOS.definition))
    assert len(labels) == 1 and labels[0].language == "en"
    assert len(definitions) == 1 and definitions[0].language == "en"


@pytest.mark.parametrize("prop", iacai_properties(), ids=lambda term: term.split("#")[1])
def test_property_has_domain_and_range(prop: URIRef) -> None:
    graph = core()
    assert graph.value(prop, RDFS.domain) is not None
    assert graph.value(prop, RDFS.range) is not None


def test_term_names_follow_the_case_conventions() -> None:
    graph = core()
    for term in iacai_terms():
        name = term.split("#")[1]
        if (term, RDF.type, OWL.Class) in graph:
            assert name[0].isupper(), name
        if any((term, RDF.type, kind) in graph for kind in PROPERTY_TYPES):
            assert name[0].islower(), name


def test_inverses_and_disjointness_are_declared() -> None:
    graph = core()
    assert (IACAI.addresses, OWL.inverseOf, IACAI.isAddressedBy) in graph
    assert (IACAI.hasCategory, OWL.inverseOf, IACAI.hasMember) in graph
    assert (IACAI.ChallengeCategory, OWL.disjointWith, IACAI.BenefitCategory) in graph
    disjoint = graph.value(predicate=RDF.type, object=OWL.AllDisjointClasses)
    members = set(graph.items(graph.value(disjoint, OWL.members)))
    assert members == {IACAI.Challenge, IACAI.Benefit, IACAI.Source, IACAI.InTextCitation}


def test_header_answers_the_fair_checks() -> None:
    graph = core()
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.created,
                      DCTERMS.modified, DCTERMS.bibliographicCitation, DCTERMS.source,
                      RDFS.seeAlso, OWL.versionInfo):
        assert graph.value(ONTOLOGY, predicate) is not None, predicate
    assert graph.value(ONTOLOGY, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    assert graph.value(ONTOLOGY, DCTERMS.modified) == Literal("2026-11-28", datatype=XSD.date)
    assert graph.value(ONTOLOGY, VANN.preferredNamespacePrefix) == Literal("iacai")
    assert graph.value(ONTOLOGY, VANN.preferredNamespaceUri) == Literal(str(IACAI))


def test_resolution_statuses_and_issue_kinds_are_concepts_in_schemes() -> None:
    graph = core()
    for status in (IACAI.Resolved, IACAI.Unresolved, IACAI.Ambiguous):
        assert (status, RDF.type, IACAI.ResolutionStatus) in graph
        assert (status, SKOS.inScheme, IACAI.ResolutionStatusScheme) in graph
    kinds = set(graph.subjects(SKOS.inScheme, IACAI.IssueKindScheme))
    assert len(kinds) == 10
    assert all((kind, RDF.type, SKOS.Concept) in graph for kind in kinds)


def test_alignments_name_only_core_terms_instances_and_outside_terms() -> None:
    defined = set(iacai_terms())
    for term in {t for triple in alignments() for t in triple if isinstance(t, URIRef)}:
        if term in IACAI:
            assert term in defined, term
        elif term in ID:
            assert term.startswith(f"{ID}challenge/") or term.startswith(f"{ID}organization/"), term


def test_alignments_relate_privacy_and_security_challenges_to_dpv() -> None:
    graph = alignments()
    dpv = PREFIXES["dpv"]
    for slug in ("privacy-of-data", "security-of-data"):
        matches = {o for p in (SKOS.relatedMatch, SKOS.closeMatch)
                   for o in graph.objects(ID[f"challenge/{slug}"], p)}
        assert matches and all(str(match).startswith(dpv) for match in matches)


def test_alignments_import_nothing() -> None:
    assert not list(alignments().objects(None, OWL.imports))


def test_context_has_the_project_prefixes() -> None:
    assert {prefix: context()[prefix] for prefix in PREFIXES} == PREFIXES


def test_context_covers_every_term() -> None:
    ctx = context()
    covered = set()
    for definition in ctx.values():
        target = definition["@id"] if isinstance(definition, dict) else definition
        if isinstance(target, str) and target.startswith("iacai:"):
            covered.add(IACAI[target.removeprefix("iacai:")])
    assert covered == set(iacai_terms())


def refuse_remote(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    raise AssertionError(f"the context must not fetch anything, yet {url} was asked for")


SAMPLE = """
@prefix iacai: <https://w3id.org/iacai/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://w3id.org/iacai/id/challenge/privacy-of-data> a iacai:Challenge ;
    rdfs:label "Privacy of data"@en ;
    iacai:hasCategory <https://w3id.org/iacai/id/category/ethical-challenges> ;
    iacai:isAddressedBy <https://w3id.org/iacai/id/benefit/shared-problem-solving> ;
    iacai:supportedBy <https://w3id.org/iacai/id/source/rjab-2023> .
"""


def compacted_sample() -> dict[str, Any]:
    nquads = Graph().parse(data=SAMPLE, format="turtle").serialize(format="nt")
    expanded = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    options = {"documentLoader": refuse_remote}
    return jsonld.compact(expanded, {"@context": context()}, options)


def test_context_compacts_a_challenge_to_plain_json() -> None:
    document = compacted_sample()
    assert document["@id"] == "id:challenge/privacy-of-data"
    assert document["@type"] == "Challenge"
    assert document["label"] == "Privacy of data"
    assert document["category"] == "id:category/ethical-challenges"
    assert document["addressedBy"] == ["id:benefit/shared-problem-solving"]
    assert document["supportedBy"] == ["id:source/rjab-2023"]


def test_context_expands_back_to_the_same_graph() -> None:
    document = compacted_sample()
    expanded = jsonld.expand(document, {"documentLoader": refuse_remote})
    nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    assert Graph().parse(data=nquads, format="nt").isomorphic(
        Graph().parse(data=SAMPLE, format="turtle"))


def test_context_types_literals() -> None:
    source = {"@context": context(), "@id": "id:source/warm-2011", "year": "2011",
              "referenceListPosition": "64", "volume": "43"}
    nquads = jsonld.to_rdf(source, {"format": "application/n-quads",
                                    "documentLoader": refuse_remote})
    graph = Graph().parse(data=nquads, format="nt")
    subject = ID["source/warm-2011"]
    assert graph.value(subject, DCTERMS.issued) == Literal("2011", datatype=XSD.gYear)
    assert graph.value(subject, IACAI.referenceListPosition) == Literal(
        "64", datatype=XSD.integer)
    assert graph.value(subject, URIRef(PREFIXES["bibo"] + "volume")) == Literal("43")
