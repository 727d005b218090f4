"""The core ontology, the essay profile, the alignments and the JSON-LD context."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import pytest
from pyld import jsonld
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, VANN, XSD

from iacai import resources
from iacai.namespaces import ALIGNMENTS_IRI, ESSAY_PROFILE_IRI, IACAI, ID, ONTOLOGY_IRI, PREFIXES

ONTOLOGY = URIRef(ONTOLOGY_IRI)
PROFILE = URIRef(ESSAY_PROFILE_IRI)
VERSION = "0.2.0"
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty)


@cache
def core() -> Graph:
    return Graph().parse(resources.ontology_dir() / "iacai.ttl")


@cache
def profile() -> Graph:
    return Graph().parse(resources.essay_profile_path())


@cache
def alignments() -> Graph:
    return Graph().parse(resources.ontology_dir() / "iacai-alignments.ttl")


@cache
def context() -> dict[str, Any]:
    return json.loads(resources.context_path().read_text(encoding="utf-8"))["@context"]


def core_terms() -> list[URIRef]:
    """Every term the core defines in the iacai namespace."""
    return sorted({s for s in core().subjects(RDFS.isDefinedBy, ONTOLOGY) if s in IACAI})


def profile_terms() -> list[URIRef]:
    """Every term the essay profile defines in the iacai namespace."""
    return sorted({s for s in profile().subjects(RDFS.isDefinedBy, PROFILE) if s in IACAI})


def iacai_terms() -> list[URIRef]:
    """Every term of the iacai namespace, core and essay profile."""
    return sorted({*core_terms(), *profile_terms()})


def modules() -> Graph:
    return core() + profile()


def iacai_properties() -> list[URIRef]:
    graph = modules()
    properties = {s for kind in PROPERTY_TYPES for s in graph.subjects(RDF.type, kind)}
    return sorted(s for s in properties if s in IACAI)


def test_core_names_the_terms_the_issue_requires() -> None:
    required = ["Challenge", "Benefit", "Category", "ChallengeCategory", "BenefitCategory",
                "Source", "hasCategory", "addresses", "isAddressedBy", "supportedBy"]
    assert {IACAI[name] for name in required} <= set(core_terms())


def test_essay_only_terms_are_in_the_profile_not_the_core() -> None:
    essay_only = ["Essay", "Section", "Table", "InTextCitation", "UnlistedSource", "SourceIssue",
                  "ImplementationStage", "CountryExample", "referenceListPosition",
                  "inReferenceListOf", "citedAs", "resolutionStatus", "IssueKindScheme"]
    assert {IACAI[name] for name in essay_only} <= set(profile_terms())
    assert not {IACAI[name] for name in essay_only} & set(core_terms())
    assert (PROFILE, OWL.imports, ONTOLOGY) in profile()


def test_every_iacai_subject_is_a_defined_term() -> None:
    for graph, terms in ((core(), core_terms()), (profile(), profile_terms())):
        subjects = {s for s in graph.subjects() if isinstance(s, URIRef) and s in IACAI}
        assert subjects == set(terms)


def test_core_definitions_are_general() -> None:
    for term in core_terms():
        definition = str(core().value(term, SKOS.definition))
        assert "essay" not in definition and "Table" not in definition, term


@pytest.mark.parametrize("term", iacai_terms(), ids=lambda term: term.split("#")[1])
def test_term_says_whether_it_is_for_general_use(term: URIRef) -> None:
    expected = "For general use." if term in core_terms() else "Specific to the essay profile."
    assert [str(note) for note in modules().objects(term, VANN.usageNote)] == [expected]


@pytest.mark.parametrize("term", iacai_terms(), ids=lambda term: term.split("#")[1])
def test_term_has_english_label_and_definition(term: URIRef) -> None:
    graph = modules()
    labels = list(graph.objects(term, RDFS.label))
    definitions = list(graph.objects(term, SKOS.definition))
    assert len(labels) == 1 and labels[0].language == "en"
    assert len(definitions) == 1 and definitions[0].language == "en"


@pytest.mark.parametrize("prop", iacai_properties(), ids=lambda term: term.split("#")[1])
def test_property_has_domain_and_range(prop: URIRef) -> None:
    graph = modules()
    assert graph.value(prop, RDFS.domain) is not None
    assert graph.value(prop, RDFS.range) is not None


def test_term_names_follow_the_case_conventions() -> None:
    graph = modules()
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
    assert members == {IACAI.Challenge, IACAI.Benefit, IACAI.Source}
    essay = profile()
    disjoint = essay.value(predicate=RDF.type, object=OWL.AllDisjointClasses)
    members = set(essay.items(essay.value(disjoint, OWL.members)))
    assert members == {IACAI.Challenge, IACAI.Benefit, IACAI.Source, IACAI.InTextCitation}


def test_header_answers_the_fair_checks() -> None:
    graph = core()
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, DCTERMS.created,
                      DCTERMS.modified, DCTERMS.bibliographicCitation, DCTERMS.source,
                      RDFS.seeAlso, OWL.versionInfo):
        assert graph.value(ONTOLOGY, predicate) is not None, predicate
    assert graph.value(ONTOLOGY, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/")
    assert graph.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/{VERSION}")
    assert graph.value(ONTOLOGY, OWL.priorVersion) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    assert graph.value(ONTOLOGY, DCTERMS.modified) == Literal("2026-11-29", datatype=XSD.date)
    assert graph.value(ONTOLOGY, VANN.preferredNamespacePrefix) == Literal("iacai")
    assert graph.value(ONTOLOGY, VANN.preferredNamespaceUri) == Literal(str(IACAI))


@pytest.mark.parametrize(
    ("path", "iri"),
    [("iacai.ttl", ONTOLOGY_IRI), ("iacai-essay.ttl", ESSAY_PROFILE_IRI),
     ("iacai-alignments.ttl", ALIGNMENTS_IRI)],
)
def test_every_module_is_version_0_2_0_with_a_prior_version(path: str, iri: str) -> None:
    graph = Graph().parse(resources.ontology_dir() / path)
    assert graph.value(URIRef(iri), OWL.versionIRI) == URIRef(f"{iri}/{VERSION}")
    assert graph.value(URIRef(iri), OWL.versionInfo) == Literal(VERSION)
    assert graph.value(URIRef(iri), OWL.priorVersion) is not None


def test_the_0_1_0_release_is_kept_as_it_was() -> None:
    old = Graph().parse(resources.ontology_dir() / "0.1.0" / "iacai.ttl")
    assert old.value(ONTOLOGY, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    assert (IACAI.InTextCitation, RDFS.isDefinedBy, ONTOLOGY) in old


def test_resolution_statuses_and_issue_kinds_are_concepts_in_schemes() -> None:
    graph = profile()
    for status in (IACAI.Resolved, IACAI.Unresolved, IACAI.Ambiguous):
        assert (status, RDF.type, IACAI.ResolutionStatus) in graph
        assert (status, SKOS.inScheme, IACAI.ResolutionStatusScheme) in graph
    kinds = set(graph.subjects(SKOS.inScheme, IACAI.IssueKindScheme))
    assert len(kinds) == 10
    assert all((kind, RDF.type, SKOS.Concept) in graph for kind in kinds)


def test_alignments_name_only_iacai_terms_and_outside_terms() -> None:
    defined = set(iacai_terms())
    for term in {t for triple in alignments() for t in triple if isinstance(t, URIRef)}:
        if term in IACAI:
            assert term in defined, term
        elif term in ID:
            assert term.startswith(f"{ID}organization/"), term


def test_the_essay_data_relates_privacy_and_security_challenges_to_dpv() -> None:
    graph = Graph().parse(resources.data_dir() / "table-1.ttl")
    dpv = PREFIXES["dpv"]
    for slug in ("privacy-of-data", "security-of-data"):
        matches = {o for p in (SKOS.relatedMatch, SKOS.closeMatch)
                   for o in graph.objects(ID[f"challenge/{slug}"], p)}
        assert matches and all(str(match).startswith(dpv) for match in matches)


def test_alignments_import_the_profile_and_hold_no_instance_data() -> None:
    assert list(alignments().objects(None, OWL.imports)) == [PROFILE]
    assert not [s for s in alignments().subjects() if s in ID and "organization/" not in s]


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
