"""The shipped graph checked against the essay, by the essay's own words.

The expected values below are a transcription of the essay made independently of `data/`:
Tables 1 and 2 (categories, rows in order, cited sources), every mark of Table 3, the
implementation stages, the country examples, the essay's title and authors, and the provenance
of every named graph. A difference in either direction fails.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from rdflib import Dataset, Graph, Literal, Node, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS

from iacai.namespaces import BIBO, DATA_GRAPHS, GRAPH, IACAI, ID, WD

# Table 1: category -> rows in order, each with the sources its citation rests on.
CHALLENGES: dict[str, list[tuple[str, set[str]]]] = {
    "Ethical challenges": [
        ("Privacy of data", {"rjab-2023"}),
        ("Transparency", {"gupta-2023"}),
        ("Explainability", {"gupta-2023"}),
        ("Bias", {"gupta-2023"}),
        ("Security of data", {"rjab-2023"}),
    ],
    "Organizational perspective": [
        ("Resistance to change", {"misra-2023-a", "misra-2023-b"}),
        ("Job displacement", {"noordt-2022"}),
        ("Skills gap", {"kamarudin-2023"}),
    ],
    "Data governance": [
        ("Data governance frameworks", {"aboabdo-2023"}),
        ("Guidelines for data collection, storage, and use", {"rjab-2023"}),
        ("Funding for AI projects", {"smith-2023"}),
    ],
    "Technical Perspective": [
        ("Complexity of integrations", {"merhi-2023"}),
        ("Interoperability", {"merhi-2023"}),
        ("Standardization of data formats", {"agarwal-2022"}),
        ("Operation in silos", {"noordt-2022"}),
    ],
}

# Table 2: category -> rows in order, each with its source.
BENEFITS: dict[str, list[tuple[str, set[str]]]] = {
    "Improved Service Delivery and Efficiency": [
        ("Reduced duplication of effort", {"sowa-2008"}),
        ("Increased access to services", {"sowa-2008"}),
        ("Better coordination of assistance for clients", {"sowa-2008"}),
        ("Shared problem-solving", {"frazier-2014"}),
        ("Increased capacity", {"frazier-2014"}),
        ("Sustainable and comprehensive solutions", {"frazier-2014"}),
        ("New skills and capabilities", {"frazier-2014"}),
        ("Improved service delivery", {"sowa-2008"}),
        ("Holistic and effective service", {"sowa-2008"}),
    ],
    "Enhanced Organizational Capacity": [
        ("Organizational learning and development", {"patel-2012"}),
        ("Advancements and innovations", {"patel-2012"}),
        ("Pool expertise and competencies", {"green-2015"}),
        ("Serve larger groups of people", {"green-2015"}),
    ],
    "Funding and Resources": [
        ("Access to additional funding and resources", {"sowa-2008"}),
    ],
    "Strengthened Relationships and Networking": [
        ("Build trust", {"warm-2011"}),
        ("Effective communication channels", {"warm-2011"}),
        ("Resource sharing", {"warm-2011"}),
        ("Understand each other's perspectives", {"warm-2011"}),
        ("Exposition to new ideas", {"warm-2011"}),
    ],
    "Increased Innovation and Creativity": [
        ("Exchange of knowledge", {"sowa-2008"}),
        ("Development of novel solutions", {"sowa-2008"}),
    ],
}

# Table 3: every mark as (benefit, challenge), row by row.
TABLE_3_MARKS: frozenset[tuple[str, str]] = frozenset({
    ("Shared problem-solving", "Privacy of data"),
    ("Increased capacity", "Privacy of data"),
    ("Organizational learning and development", "Privacy of data"),
    ("Resource sharing", "Privacy of data"),

    ("Shared problem-solving", "Transparency"),
    ("Increased capacity", "Transparency"),
    ("Organizational learning and development", "Transparency"),
    ("Serve larger groups of people", "Transparency"),
    ("Resource sharing", "Transparency"),
    ("Exchange of knowledge", "Transparency"),

    ("Shared problem-solving", "Explainability"),
    ("Increased capacity", "Explainability"),
    ("Organizational learning and development", "Explainability"),
    ("Serve larger groups of people", "Explainability"),
    ("Resource sharing", "Explainability"),
    ("Exchange of knowledge", "Explainability"),

    ("Shared problem-solving", "Bias"),
    ("Increased capacity", "Bias"),
    ("Organizational learning and development", "Bias"),
    ("Resource sharing", "Bias"),
    ("Exposition to new ideas", "Bias"),
    ("Exchange of knowledge", "Bias"),

    ("Shared problem-solving", "Security of data"),
    ("Increased capacity", "Security of data"),
    ("Organizational learning and development", "Security of data"),
    ("Resource sharing", "Security of data"),

    ("New skills and capabilities", "Resistance to change"),
    ("Understand each other's perspectives", "Resistance to change"),
    ("Exchange of knowledge", "Resistance to change"),

    ("New skills and capabilities", "Job displacement"),

    ("New skills and capabilities", "Skills gap"),

    ("Shared problem-solving", "Data governance frameworks"),
    ("Increased capacity", "Data governance frameworks"),

    ("Shared problem-solving", "Guidelines for data collection, storage, and use"),
    ("Increased capacity", "Guidelines for data collection, storage, and use"),

    ("Access to additional funding and resources", "Funding for AI projects"),

    ("Reduced duplication of effort", "Complexity of integrations"),
    ("Shared problem-solving", "Complexity of integrations"),
    ("Increased capacity", "Complexity of integrations"),
    ("Resource sharing", "Complexity of integrations"),
    ("Development of novel solutions", "Complexity of integrations"),

    ("Reduced duplication of effort", "Interoperability"),
    ("Shared problem-solving", "Interoperability"),
    ("Increased capacity", "Interoperability"),
    ("Resource sharing", "Interoperability"),
    ("Development of novel solutions", "Interoperability"),

    ("Reduced duplication of effort", "Standardization of data formats"),
    ("Shared problem-solving", "Standardization of data formats"),
    ("Increased capacity", "Standardization of data formats"),
    ("Resource sharing", "Standardization of data formats"),
    ("Exposition to new ideas", "Standardization of data formats"),
    ("Development of novel solutions", "Standardization of data formats"),

    ("Reduced duplication of effort", "Operation in silos"),
    ("Shared problem-solving", "Operation in silos"),
    ("Increased capacity", "Operation in silos"),
    ("New skills and capabilities", "Operation in silos"),
    ("Holistic and effective service", "Operation in silos"),
    ("Resource sharing", "Operation in silos"),
    ("Understand each other's perspectives", "Operation in silos"),
    ("Exposition to new ideas", "Operation in silos"),
})

UNMARKED_BENEFITS = {
    "Increased access to services",
    "Better coordination of assistance for clients",
    "Sustainable and comprehensive solutions",
    "Improved service delivery",
    "Advancements and innovations",
    "Pool expertise and competencies",
    "Build trust",
    "Effective communication channels",
}

# The stages of AI implementation, in order: label, a phrase of its sentences, its source.
STAGES = [
    ("Assessment and Planning", "assessing their readiness for AI implementation", "agarwal-2022"),
    ("Data Governance", "developing policies for data collection, storage, and usage",
     "aboabdo-2023"),
    ("Building Infrastructure", "adequate computational power and storage capacity",
     "gupta-2023"),
    ("Skill Development and Training", "Training government officials and employees",
     "kamarudin-2023"),
    ("Pilot Projects", "test AI solutions on a smaller scale", "smith-2023"),
    ("Scaling and Integration", "integrate them into regular operations", "zhang-2023"),
    ("Continuous Improvement", "mechanisms for regularly updating AI systems", "lee-2023"),
]

# The examples of AI in government, in order: slug, label, Wikidata item, a phrase, its source.
COUNTRY_EXAMPLES = [
    ("dubai", "Dubai", "Q612", "actively integrated AI into its e-services", "ibm-2023"),
    ("singapore", "Singapore", "Q334", "urban planning, transportation management", "woo-2018"),
    ("united-kingdom", "The United Kingdom", "Q145", "National AI Strategy", "kazim-2021"),
    ("canada", "Canada", "Q16", "AI hubs like Montreal and Toronto", "cifar-2017"),
    ("china", "China", "Q148", "global leader in AI by 2030", "zhang-2022"),
]

TITLE = ("An Essay About the Intersection of Interagency Collaboration and Artificial "
         "Intelligence Implementation in the Public Sector")
AUTHORS = [
    ("Natália Marroni Borges", "Universidade Federal do Rio Grande do Sul (UFRGS)"),
    ("Raquel Janissek-Muniz", "Universidade Federal do Rio Grande do Sul (UFRGS)"),
    ("Mateus Panizzon", "Universidade de Caxias do Sul (UCS)"),
]
SECTIONS = [
    "Introduction",
    "Artificial Intelligence",
    "Artificial Intelligence in Governments",
    "Artificial Intelligence Implementation in Governments",
    "Challenges of implementing AI in governments",
    "Interagency collaboration",
    "Benefits of Interagency Collaboration",
    "Interagency collaboration and Artificial Intelligence Implementation",
    "Discussions and Final Considerations",
    "References",
]
# Each table: caption as printed (Table 2's with an en dash), and the section it stands in.
TABLES = {
    "1": ("Table 1 - Challenges to AI Implementation in the public sector",
          "Challenges of implementing AI in governments"),
    "2": ("Table 2 \u2013 Benefits of Interagency Collaboration Practices",
          "Benefits of Interagency Collaboration"),
    "3": ("Table 3 - Interagency Collaboration Benefits related to AI implementation Challenges",
          "Interagency collaboration and Artificial Intelligence Implementation"),
}
# Each named graph and what it is derived from.
GRAPH_ORIGINS = {
    "essay": ID["essay"],
    "table-1": ID["table/1"],
    "table-2": ID["table/2"],
    "table-3": ID["table/3"],
    "references": ID["essay"],
    "citations": ID["essay"],
}


@pytest.fixture(scope="module")
def dataset(shipped_dataset: Dataset) -> Dataset:
    """The shipped graph, loaded once for the whole session (tests/conftest.py)."""
    return shipped_dataset


def named(dataset: Dataset, name: str) -> Graph:
    return dataset.graph(URIRef(GRAPH[name]))


def label(graph: Graph, node: Node) -> str:
    value = graph.value(node, RDFS.label)
    assert isinstance(value, Literal), f"{node} has no rdfs:label in this graph"
    assert value.language == "en", f"{node}: label {value!r} is not @en"
    return str(value)


def in_order(graph: Graph, nodes: Iterable[Node]) -> list[Node]:
    """Nodes sorted by their iacai:sequence, which each must have."""
    def position(node: Node) -> int:
        value = graph.value(node, IACAI.sequence)
        assert isinstance(value, Literal), f"{node} has no iacai:sequence"
        return int(value)
    return sorted(nodes, key=position)


def source_slugs(graph: Graph, node: Node) -> set[str]:
    prefix = str(ID["source/"])
    sources = {str(s) for s in graph.objects(node, IACAI.supportedBy)}
    assert all(s.startswith(prefix) for s in sources), sources
    return {s.removeprefix(prefix) for s in sources}


TABLE_ROWS = [
    pytest.param("table-1", "challenge-categories", IACAI.ChallengeCategory, IACAI.Challenge,
                 CHALLENGES, id="table-1"),
    pytest.param("table-2", "benefit-categories", IACAI.BenefitCategory, IACAI.Benefit,
                 BENEFITS, id="table-2"),
]


@pytest.mark.parametrize(("graph_name", "scheme", "category_class", "row_class", "expected"),
                         TABLE_ROWS)
def test_categories_hold_their_rows_in_table_order(
    dataset: Dataset, graph_name: str, scheme: str, category_class: URIRef, row_class: URIRef,
    expected: dict[str, list[tuple[str, set[str]]]],
) -> None:
    graph = named(dataset, graph_name)
    scheme_iri = ID[f"scheme/{scheme}"]
    assert (scheme_iri, RDF.type, IACAI.CategoryScheme) in graph
    categories = in_order(graph, graph.subjects(RDF.type, category_class))
    found = {
        label(graph, category): [
            label(graph, row) for row in in_order(graph, graph.objects(category, IACAI.hasMember))
        ]
        for category in categories
    }
    assert list(found) == list(expected)
    assert found == {category: [row for row, _ in rows] for category, rows in expected.items()}
    for category in categories:
        assert graph.value(category, SKOS.prefLabel) == graph.value(category, RDFS.label)
        assert (category, SKOS.inScheme, scheme_iri) in graph
        assert (category, SKOS.topConceptOf, scheme_iri) in graph
        assert (scheme_iri, SKOS.hasTopConcept, category) in graph
    rows = in_order(graph, graph.subjects(RDF.type, row_class))
    assert [label(graph, row) for row in rows] == [
        row for category_rows in expected.values() for row, _ in category_rows
    ]


@pytest.mark.parametrize(("graph_name", "scheme", "category_class", "row_class", "expected"),
                         TABLE_ROWS)
def test_each_row_has_its_category_and_cited_source(
    dataset: Dataset, graph_name: str, scheme: str, category_class: URIRef, row_class: URIRef,
    expected: dict[str, list[tuple[str, set[str]]]],
) -> None:
    graph = named(dataset, graph_name)
    found = {}
    for row in graph.subjects(RDF.type, row_class):
        categories = list(graph.objects(row, IACAI.hasCategory))
        assert len(categories) == 1, f"{row} has categories {categories}"
        assert (categories[0], RDF.type, category_class) in graph
        assert (categories[0], IACAI.hasMember, row) in graph
        found[label(graph, row)] = (label(graph, categories[0]), source_slugs(graph, row))
    assert found == {
        row: (category, sources)
        for category, rows in expected.items() for row, sources in rows
    }


def table_3_pairs(dataset: Dataset, subject_class: URIRef, predicate: URIRef) -> set[tuple]:
    """The marks of graph:table-3 as (subject label, object label), labels from Tables 1 and 2."""
    marks = named(dataset, "table-3")
    labels = named(dataset, "table-1") + named(dataset, "table-2")
    pairs = set()
    for subject, obj in marks.subject_objects(predicate):
        assert (subject, RDF.type, subject_class) in labels, f"{subject} is no {subject_class}"
        pairs.add((label(labels, subject), label(labels, obj)))
    return pairs


def test_table_3_has_exactly_the_essays_marks(dataset: Dataset) -> None:
    assert len(TABLE_3_MARKS) == 60
    found = table_3_pairs(dataset, IACAI.Benefit, IACAI.addresses)
    assert found - TABLE_3_MARKS == set(), "marks the essay does not have"
    assert TABLE_3_MARKS - found == set(), "marks of the essay that are missing"


def test_table_3_states_each_mark_in_both_directions(dataset: Dataset) -> None:
    inverse = table_3_pairs(dataset, IACAI.Challenge, IACAI.isAddressedBy)
    assert {(benefit, challenge) for challenge, benefit in inverse} == TABLE_3_MARKS


def test_table_3_holds_only_marks(dataset: Dataset) -> None:
    predicates = set(named(dataset, "table-3").predicates())
    assert predicates == {IACAI.addresses, IACAI.isAddressedBy}


def test_eight_benefits_address_no_challenge(dataset: Dataset) -> None:
    table_2 = named(dataset, "table-2")
    marked = set(named(dataset, "table-3").subjects(IACAI.addresses))
    unmarked = {label(table_2, benefit)
                for benefit in table_2.subjects(RDF.type, IACAI.Benefit) if benefit not in marked}
    assert unmarked == UNMARKED_BENEFITS


def test_implementation_stages_in_order_with_their_sources(dataset: Dataset) -> None:
    essay = named(dataset, "essay")
    stages = in_order(essay, essay.subjects(RDF.type, IACAI.ImplementationStage))
    assert [label(essay, stage) for stage in stages] == [name for name, _, _ in STAGES]
    assert set(essay.objects(ID["essay"], IACAI.hasStage)) == set(stages)
    for stage, (_, phrase, source) in zip(stages, STAGES, strict=True):
        assert phrase in str(essay.value(stage, DCTERMS.description))
        assert source_slugs(essay, stage) == {source}


def test_country_examples_with_their_places_and_sources(dataset: Dataset) -> None:
    essay = named(dataset, "essay")
    examples = in_order(essay, essay.subjects(RDF.type, IACAI.CountryExample))
    assert examples == [ID[f"country-example/{slug}"] for slug, *_ in COUNTRY_EXAMPLES]
    for example, (_, name, item, phrase, source) in zip(examples, COUNTRY_EXAMPLES, strict=True):
        assert label(essay, example) == name
        assert list(essay.objects(example, IACAI.place)) == [WD[item]]
        assert phrase in str(essay.value(example, DCTERMS.description))
        assert source_slugs(essay, example) == {source}


def test_essay_title_authors_and_affiliations(dataset: Dataset) -> None:
    essay_graph = named(dataset, "essay")
    essay = ID["essay"]
    assert (essay, RDF.type, IACAI.Essay) in essay_graph
    assert essay_graph.value(essay, DCTERMS.title) == Literal(TITLE, lang="en")
    assert str(essay_graph.value(essay, DCTERMS.language)) == "en"
    author_list = Collection(essay_graph, essay_graph.value(essay, BIBO.authorList))
    found = []
    for person in author_list:
        assert (person, RDF.type, FOAF.Person) in essay_graph
        assert (essay, DCTERMS.creator, person) in essay_graph
        affiliation = essay_graph.value(person, IACAI.affiliation)
        found.append((str(essay_graph.value(person, FOAF.name)),
                      str(essay_graph.value(affiliation, FOAF.name))))
    assert found == AUTHORS
    assert len(set(essay_graph.objects(essay, DCTERMS.creator))) == len(AUTHORS)


def test_sections_in_order(dataset: Dataset) -> None:
    essay = named(dataset, "essay")
    sections = in_order(essay, essay.subjects(RDF.type, IACAI.Section))
    assert [label(essay, section) for section in sections] == SECTIONS
    for section in sections:
        assert (section, DCTERMS.isPartOf, ID["essay"]) in essay
        assert (ID["essay"], IACAI.hasSection, section) in essay


@pytest.mark.parametrize("number", sorted(TABLES))
def test_table_caption_and_place(dataset: Dataset, number: str) -> None:
    essay = named(dataset, "essay")
    table = ID[f"table/{number}"]
    caption, section_label = TABLES[number]
    assert {IACAI.Table, PROV.Entity} <= set(essay.objects(table, RDF.type))
    assert essay.value(table, DCTERMS.title) == Literal(caption, lang="en")
    assert (ID["essay"], IACAI.hasTable, table) in essay
    places = {label(essay, part) for part in essay.objects(table, DCTERMS.isPartOf)
              if part != ID["essay"]}
    assert places == {section_label}
    assert (table, DCTERMS.isPartOf, ID["essay"]) in essay


@pytest.mark.parametrize("number", ["2", "3"])
def test_damaged_tables_record_their_extraction_artefacts(dataset: Dataset, number: str) -> None:
    essay = named(dataset, "essay")
    issues = list(essay.objects(ID[f"table/{number}"], IACAI.hasIssue))
    assert issues
    for issue in issues:
        assert (issue, RDF.type, IACAI.SourceIssue) in essay
        assert (issue, IACAI.issueKind, IACAI.ExtractionArtefact) in essay
        assert str(essay.value(issue, IACAI.issueNote)).strip()


def test_table_3_artefacts_name_the_stray_marks(dataset: Dataset) -> None:
    essay = named(dataset, "essay")
    notes = " ".join(str(essay.value(issue, IACAI.issueNote))
                     for issue in essay.objects(ID["table/3"], IACAI.hasIssue))
    assert '"\u043b"' in notes, "the Cyrillic l repeating a row's marks"
    assert '"v"' in notes


@pytest.mark.parametrize("name", sorted(GRAPH_ORIGINS))
def test_provenance_of_each_graph(dataset: Dataset, name: str) -> None:
    essay = named(dataset, "essay")
    graph_iri = URIRef(GRAPH[name])
    activity = essay.value(graph_iri, PROV.wasGeneratedBy)
    agent = essay.value(activity, PROV.wasAssociatedWith)
    assert (graph_iri, RDF.type, PROV.Entity) in essay
    assert essay.value(graph_iri, DCTERMS.title) is not None
    assert list(essay.objects(graph_iri, PROV.wasDerivedFrom)) == [GRAPH_ORIGINS[name]]
    assert (graph_iri, DCTERMS.source, ID["essay"]) in essay
    assert activity == ID["activity/transcription"]
    assert (activity, RDF.type, PROV.Activity) in essay
    assert agent == ID["organization/iacai-kg"]
    assert (agent, RDF.type, PROV.Agent) in essay


def test_every_data_graph_is_described() -> None:
    assert {iri.removeprefix(str(GRAPH)) for iri in DATA_GRAPHS.values()} == set(GRAPH_ORIGINS)
