"""Each named query against its exact answer, worked out by hand from the essay.

The expectations are the essay's own words (Tables 1-3, the implementation stages, the country
examples, the reference list), read from the essay, not from the data files.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset, Literal, Variable
from rdflib.namespace import XSD

from iacai.named_queries import ParameterError, QueryFileError, catalogue, read_query
from iacai.namespaces import IACAI, ID
from iacai.query_engine import run
from iacai.query_lexer import where_group_start

SOURCE = f"{ID}source/"
REQUIRED_QUERIES = {
    "challenges-by-category", "benefits-by-category", "benefits-for-challenge",
    "challenges-for-benefit", "table-3-matrix", "challenges-ranked-by-benefits",
    "benefits-addressing-no-challenge", "category-links", "claims-with-missing-sources",
    "sources-with-citations",
}

# Table 1, row by row: category, challenge, the sources its citation rests on, the citation.
TABLE_1 = [
    ("Ethical challenges", "Privacy of data", ["rjab-2023"], "Ben Rjab et al., 2023"),
    ("Ethical challenges", "Transparency", ["gupta-2023"], "Gupta et al., 2023"),
    ("Ethical challenges", "Explainability", ["gupta-2023"], "Gupta et al., 2023"),
    ("Ethical challenges", "Bias", ["gupta-2023"], "Gupta et al., 2023"),
    ("Ethical challenges", "Security of data", ["rjab-2023"], "Ben Rjab et al., 2023"),
    ("Organizational perspective", "Resistance to change", ["misra-2023-a", "misra-2023-b"],
     "Misra et al., 2023"),
    ("Organizational perspective", "Job displacement", ["noordt-2022"],
     "van Noordt & Misuraca, 2022"),
    ("Organizational perspective", "Skills gap", ["kamarudin-2023"], "Kamarudin et al., 2023"),
    ("Data governance", "Data governance frameworks", ["aboabdo-2023"], "AboAbdo et al., 2023"),
    ("Data governance", "Guidelines for data collection, storage, and use", ["rjab-2023"],
     "Ben Rjab et al., 2023"),
    ("Data governance", "Funding for AI projects", ["smith-2023"], "Smith et al., 2023"),
    ("Technical Perspective", "Complexity of integrations", ["merhi-2023"], "Merhi, 2023"),
    ("Technical Perspective", "Interoperability", ["merhi-2023"], "Merhi, 2023"),
    ("Technical Perspective", "Standardization of data formats", ["agarwal-2022"],
     "Agarwal et al., 2022"),
    ("Technical Perspective", "Operation in silos", ["noordt-2022"],
     "van Noordt & Misuraca, 2022"),
]
CHALLENGES = [row[1] for row in TABLE_1]
CHALLENGE_CATEGORY = {row[1]: row[0] for row in TABLE_1}

SERVICE, CAPACITY, FUNDING, RELATIONSHIPS, INNOVATION = (
    "Improved Service Delivery and Efficiency", "Enhanced Organizational Capacity",
    "Funding and Resources", "Strengthened Relationships and Networking",
    "Increased Innovation and Creativity",
)
# Table 2, row by row (= Table 3's columns, left to right): category, benefit, citation.
TABLE_2 = [
    (SERVICE, "Reduced duplication of effort", "Sowa, 2008"),
    (SERVICE, "Increased access to services", "Sowa, 2008"),
    (SERVICE, "Better coordination of assistance for clients", "Sowa, 2008"),
    (SERVICE, "Shared problem-solving", "Frazier, 2014"),
    (SERVICE, "Increased capacity", "Frazier, 2014"),
    (SERVICE, "Sustainable and comprehensive solutions", "Frazier, 2014"),
    (SERVICE, "New skills and capabilities", "Frazier, 2014"),
    (SERVICE, "Improved service delivery", "Sowa, 2008"),
    (SERVICE, "Holistic and effective service", "Sowa, 2008"),
    (CAPACITY, "Organizational learning and development", "Patel et al., 2012"),
    (CAPACITY, "Advancements and innovations", "Patel et al., 2012"),
    (CAPACITY, "Pool expertise and competencies", "Green & Johnson, 2015"),
    (CAPACITY, "Serve larger groups of people", "Green & Johnson, 2015"),
    (FUNDING, "Access to additional funding and resources", "Sowa, 2008"),
    (RELATIONSHIPS, "Build trust", "Warm, 2011"),
    (RELATIONSHIPS, "Effective communication channels", "Warm, 2011"),
    (RELATIONSHIPS, "Resource sharing", "Warm, 2011"),
    (RELATIONSHIPS, "Understand each other's perspectives", "Warm, 2011"),
    (RELATIONSHIPS, "Exposition to new ideas", "Warm, 2011"),
    (INNOVATION, "Exchange of knowledge", "Sowa, 2008"),
    (INNOVATION, "Development of novel solutions", "Sowa, 2008"),
]
BENEFITS = [row[1] for row in TABLE_2]
BENEFIT_CATEGORY = {row[1]: row[0] for row in TABLE_2}
CITED_SOURCE = {"Sowa, 2008": "sowa-2008", "Frazier, 2014": "frazier-2014",
                "Patel et al., 2012": "patel-2012", "Green & Johnson, 2015": "green-2015",
                "Warm, 2011": "warm-2011"}

# Table 3, read by column position against the header: the columns (0-based) marked per row.
MARKS = {
    "Privacy of data": {3, 4, 9, 16},
    "Transparency": {3, 4, 9, 12, 16, 19},
    "Explainability": {3, 4, 9, 12, 16, 19},
    "Bias": {3, 4, 9, 16, 18, 19},
    "Security of data": {3, 4, 9, 16},
    "Resistance to change": {6, 17, 19},
    "Job displacement": {6},
    "Skills gap": {6},
    "Data governance frameworks": {3, 4},
    "Guidelines for data collection, storage, and use": {3, 4},
    "Funding for AI projects": {13},
    "Complexity of integrations": {0, 3, 4, 16, 20},
    "Interoperability": {0, 3, 4, 16, 20},
    "Standardization of data formats": {0, 3, 4, 16, 18, 20},
    "Operation in silos": {0, 3, 4, 6, 8, 16, 17, 18},
}


def source(slug: str) -> str:
    return SOURCE + slug


def test_every_required_query_is_shipped_with_a_header() -> None:
    queries = catalogue()
    assert set(queries) >= REQUIRED_QUERIES
    for query in queries.values():
        assert query.title != query.name and query.description, query.name
        assert "ORDER BY" in query.text, f"{query.name} has no ORDER BY"


def test_header_declares_typed_parameters() -> None:
    parameters = {name: q.parameters for name, q in catalogue().items() if q.parameters}
    assert {name: [(p.name, p.type) for p in ps] for name, ps in parameters.items()} == {
        "benefits-for-challenge": [("challenge", "iri")],
        "challenges-for-benefit": [("benefit", "iri")],
        "find-by-label": [("text", "string")],
        "reference-by-position": [("position", "integer")],
    }


def test_challenges_by_category(ask) -> None:
    expected = [
        (category, challenge, source(slug), citation)
        for category, challenge, slugs, citation in TABLE_1
        for slug in slugs
    ]
    answer = ask("challenges-by-category")
    assert [
        (r["categoryLabel"], r["challengeLabel"], r["source"], r["citationText"]) for r in answer
    ] == expected


def test_benefits_by_category(ask) -> None:
    expected = [(c, b, source(CITED_SOURCE[t]), t) for c, b, t in TABLE_2]
    answer = ask("benefits-by-category")
    assert [
        (r["categoryLabel"], r["benefitLabel"], r["source"], r["citationText"]) for r in answer
    ] == expected


@pytest.mark.parametrize("challenge", CHALLENGES)
def test_benefits_for_challenge(ask, challenge: str) -> None:
    iri = f"{ID}challenge/{_slug(challenge)}"
    expected = [(BENEFITS[c], BENEFIT_CATEGORY[BENEFITS[c]]) for c in sorted(MARKS[challenge])]
    answer = ask("benefits-for-challenge", challenge=iri)
    assert [(r["benefitLabel"], r["categoryLabel"]) for r in answer] == expected


def test_benefits_for_challenge_takes_a_prefixed_name(ask) -> None:
    answer = ask("benefits-for-challenge", challenge="id:challenge/funding-for-ai-projects")
    assert [r["benefitLabel"] for r in answer] == ["Access to additional funding and resources"]


def test_challenges_for_benefit(ask) -> None:
    for column, benefit in enumerate(BENEFITS):
        expected = [(c, CHALLENGE_CATEGORY[c]) for c in CHALLENGES if column in MARKS[c]]
        answer = ask("challenges-for-benefit", benefit=f"{ID}benefit/{_slug(benefit)}")
        assert [(r["challengeLabel"], r["categoryLabel"]) for r in answer] == expected, benefit


def test_resource_sharing_helps_with_nine_challenges(ask) -> None:
    answer = ask("challenges-for-benefit", benefit="id:benefit/resource-sharing")
    assert [r["challengeLabel"] for r in answer] == [
        "Privacy of data", "Transparency", "Explainability", "Bias", "Security of data",
        "Complexity of integrations", "Interoperability", "Standardization of data formats",
        "Operation in silos",
    ]


def test_table_3_matrix(ask) -> None:
    answer = ask("table-3-matrix")
    columns = [_slug(b).replace("-", "_") for b in BENEFITS]
    assert [(r["categoryLabel"], r["challengeLabel"]) for r in answer] == [
        (CHALLENGE_CATEGORY[c], c) for c in CHALLENGES
    ]
    for row in answer:
        marked = {i for i, column in enumerate(columns) if row[column] == "X"}
        assert marked == MARKS[row["challengeLabel"]], row["challengeLabel"]
        assert {row[column] for column in columns} <= {"X", ""}
    assert sum(row[column] == "X" for row in answer for column in columns) == 60


def test_challenges_ranked_by_benefits(ask) -> None:
    answer = ask("challenges-ranked-by-benefits")
    assert [(r["challengeLabel"], int(r["benefits"])) for r in answer] == [
        ("Operation in silos", 8),
        ("Transparency", 6),
        ("Explainability", 6),
        ("Bias", 6),
        ("Standardization of data formats", 6),
        ("Complexity of integrations", 5),
        ("Interoperability", 5),
        ("Privacy of data", 4),
        ("Security of data", 4),
        ("Resistance to change", 3),
        ("Data governance frameworks", 2),
        ("Guidelines for data collection, storage, and use", 2),
        ("Job displacement", 1),
        ("Skills gap", 1),
        ("Funding for AI projects", 1),
    ]


def test_benefits_addressing_no_challenge(ask) -> None:
    answer = ask("benefits-addressing-no-challenge")
    assert [(r["benefitLabel"], r["categoryLabel"]) for r in answer] == [
        ("Increased access to services", SERVICE),
        ("Better coordination of assistance for clients", SERVICE),
        ("Sustainable and comprehensive solutions", SERVICE),
        ("Improved service delivery", SERVICE),
        ("Advancements and innovations", CAPACITY),
        ("Pool expertise and competencies", CAPACITY),
        ("Build trust", RELATIONSHIPS),
        ("Effective communication channels", RELATIONSHIPS),
    ]


def test_category_links(ask) -> None:
    # Counted by hand from MARKS: benefit columns 0-8 are SERVICE, 9-12 CAPACITY, 13 FUNDING,
    # 14-18 RELATIONSHIPS, 19-20 INNOVATION.
    answer = ask("category-links")
    assert [
        (r["challengeCategoryLabel"], r["benefitCategoryLabel"], int(r["links"])) for r in answer
    ] == [
        ("Ethical challenges", SERVICE, 10),
        ("Ethical challenges", CAPACITY, 7),
        ("Ethical challenges", RELATIONSHIPS, 6),
        ("Ethical challenges", INNOVATION, 3),
        ("Organizational perspective", SERVICE, 3),
        ("Organizational perspective", RELATIONSHIPS, 1),
        ("Organizational perspective", INNOVATION, 1),
        ("Data governance", SERVICE, 4),
        ("Data governance", FUNDING, 1),
        ("Technical Perspective", SERVICE, 14),
        ("Technical Perspective", RELATIONSHIPS, 7),
        ("Technical Perspective", INNOVATION, 3),
    ]


def test_claims_with_missing_sources(ask) -> None:
    answer = ask("claims-with-missing-sources")
    assert [
        (r["kind"], r["claimLabel"], r["citationText"], r["source"], r.get("possibleMatch"))
        for r in answer
    ] == [
        ("challenge", "Transparency", "Gupta et al., 2023", source("gupta-2023"), None),
        ("challenge", "Explainability", "Gupta et al., 2023", source("gupta-2023"), None),
        ("challenge", "Bias", "Gupta et al., 2023", source("gupta-2023"), None),
        ("challenge", "Skills gap", "Kamarudin et al., 2023", source("kamarudin-2023"), None),
        ("challenge", "Data governance frameworks", "AboAbdo et al., 2023",
         source("aboabdo-2023"), None),
        ("challenge", "Funding for AI projects", "Smith et al., 2023", source("smith-2023"), None),
        ("challenge", "Standardization of data formats", "Agarwal et al., 2022",
         source("agarwal-2022"), source("agrawal-2022")),
        ("implementation stage", "Assessment and Planning", "Agarwal et al., 2022",
         source("agarwal-2022"), source("agrawal-2022")),
        ("implementation stage", "Data Governance", "AboAbdo et al., 2023",
         source("aboabdo-2023"), None),
        ("implementation stage", "Building Infrastructure", "Gupta et al., 2023",
         source("gupta-2023"), None),
        ("implementation stage", "Skill Development and Training", "Kamarudin et al., 2023",
         source("kamarudin-2023"), None),
        ("implementation stage", "Pilot Projects", "Smith et al., 2023",
         source("smith-2023"), None),
        ("implementation stage", "Scaling and Integration", "Zhang et al., 2023",
         source("zhang-2023"), None),
        ("implementation stage", "Continuous Improvement", "Lee et al., 2023",
         source("lee-2023"), None),
        ("country example", "Dubai", "IBM Global AI Adoption Index 2022, 2023",
         source("ibm-2023"), None),
    ]


# The reference list as printed: first author's family name (or the corporate author) and year.
REFERENCE_LIST = [
    ("Agrawal", "2022"), ("Alhosani", "2024"), ("Attard-Frost", "2024"), ("Bagloee", "2016"),
    ("Bardach", "1998"), ("Beetz", "2016"), ("Bughin", "2018"), ("Bussmann", "2020"),
    ("Charles", "2022"), ("Chui", "2018"), ("CIFAR", "2017"), ("Criado", "2022"),
    ("Ding", "2018"), ("Dolamore", "2020"), ("Domingos", "2012"), ("Eggers", "2017"),
    ("Esteva", "2017"), ("Fedorowicz", "2009"), ("Floridi", "2018"), ("Frazier", "2014"),
    ("Gasser", "2017"), ("Goldberg", "2017"), ("Green", "2015"), ("Haefner", "2021"),
    ("Ishida", "2009"), ("Janssen", "2017"), ("Kaplan", "2019"), ("Kazim", "2021"),
    ("Khamis", "2019"), ("Kuziemski", "2020"), ("Kwon", "2009"), ("LeCun", "2015"),
    ("Lee", "2016"), ("Lindgren", "2019"), ("Margetts", "2019"), ("McCarthy", "2004"),
    ("Medaglia", "2021"), ("Medhi", "2019"), ("Mergel", "2019"), ("Merhi", "2023"),
    ("Mikalef", "2021"), ("Misra", "2023"), ("Misra", "2023"), ("Misuraca", "2020"),
    ("Noordt", "2022"), ("Patel", "2012"), ("Provost", "2013"), ("Rjab", "2023"),
    ("Rossi", "2022"), ("Simon", "2010"), ("Sırmaçek", "2023"), ("Sowa", "2008"),  # noqa: RUF001
    ("Straub", "2023"), ("Sun", "2019"), ("Szeliski", "2010"), ("Tuo", "2021"),
    ("van Noordt", "2020"), ("van Noordt", "2021"), ("Ward", "2018"), ("Warm", "2011"),
    ("Wirtz", "2019"), ("Wirtz", "2022"), ("Woo", "2018"), ("Zhang", "2022"),
    ("Zuiderwijk", "2021"),
]
# Works cited in the essay that its reference list lacks (by their citation).
UNLISTED = {
    "gupta-2023", "kamarudin-2023", "aboabdo-2023", "smith-2023", "zhang-2023", "lee-2023",
    "agarwal-2022", "ibm-2023", "weill-2023", "androutsopoulou-2019", "sousa-2019", "kumar-nd",
    "bardach-2001",
}


def test_sources_with_citations_lists_the_reference_list_in_order(ask) -> None:
    answer = ask("sources-with-citations")
    listed = {int(r["position"]): r["reference"] for r in answer if "position" in r}
    assert sorted(listed) == list(range(1, len(REFERENCE_LIST) + 1))
    for position, (author, year) in enumerate(REFERENCE_LIST, start=1):
        reference = listed[position]
        assert reference.startswith(author) and f"({year}" in reference, (position, reference)
    positions = [int(r["position"]) for r in answer if "position" in r]
    assert positions == sorted(positions), "listed entries come in list order"


def test_sources_with_citations_ends_with_the_unlisted_works(ask) -> None:
    answer = ask("sources-with-citations")
    unlisted = [r for r in answer if "position" not in r]
    assert answer[-len(unlisted):] == unlisted
    assert {r["source"].removeprefix(SOURCE) for r in unlisted} == UNLISTED


def test_sources_with_citations_shows_the_entries_never_cited(ask) -> None:
    answer = ask("sources-with-citations")
    never_cited = [r["reference"].split(",")[0] for r in answer if "citationText" not in r]
    assert never_cited == ["Dolamore", "Ishida", "Janssen", "Simon", "Sırmaçek"]  # noqa: RUF001


def test_sources_with_citations_gives_each_citation_its_place(ask) -> None:
    answer = ask("sources-with-citations")
    cited = Counter(
        (r["source"].removeprefix(SOURCE), r["citationText"], r.get("placeLabel"))
        for r in answer if "citationText" in r
    )
    warm = {key: n for key, n in cited.items() if key[0] == "warm-2011"}
    # Table 2 cites Warm for five benefits; the body cites him twice, both in the section on
    # the benefits of interagency collaboration.
    assert sum(warm.values()) == 7
    assert warm[("warm-2011", "Warm, 2011", "Table 2")] == 5
    merhi = {key: n for key, n in cited.items() if key[0] == "merhi-2023"}
    # Table 1 twice, the prose on technical challenges, and the prose after Table 2.
    assert merhi == {
        ("merhi-2023", "Merhi, 2023", "Challenges of implementing AI in governments"): 1,
        ("merhi-2023", "Merhi, 2023", "Table 1"): 2,
        ("merhi-2023", "Merhi, 2023", "Benefits of Interagency Collaboration"): 1,
    }
    numbers = [int(r["citationNumber"]) for r in answer if r["source"] == source("sowa-2008")]
    assert numbers == sorted(numbers) and len(numbers) == 11


def test_citation_integrity(ask) -> None:
    answer = ask("citation-integrity")
    problems = Counter((r["citationText"], r["status"]) for r in answer)
    assert problems == {
        # Table 1 (3 Gupta), its section's prose (2) and the stage "Building Infrastructure".
        ("Gupta et al., 2023", "unresolved"): 6,
        ("Kamarudin et al., 2023", "unresolved"): 3,
        ("AboAbdo et al., 2023", "unresolved"): 3,
        ("Smith et al., 2023", "unresolved"): 3,
        ("Agarwal et al., 2022", "unresolved"): 3,
        ("Zhang et al., 2023", "unresolved"): 1,
        ("Lee et al., 2023", "unresolved"): 1,
        ("IBM Global AI Adoption Index 2022, 2023", "unresolved"): 1,
        ("Weill et al., 2023", "unresolved"): 1,
        ("Androutsopoulou et al., 2019", "unresolved"): 1,
        ("Sousa et al., 2019", "unresolved"): 1,
        ("Kumar & Mallick", "unresolved"): 1,
        ("Bardach, 2001", "unresolved"): 3,
        # Two entries each (misra-2023-a and -b): Table 1, its section's prose twice, and the
        # section on interagency collaboration and AI implementation.
        ("Misra et al., 2023", "ambiguous"): 8,
    }


def test_implementation_stages(ask) -> None:
    answer = ask("implementation-stages")
    assert [(r["stageLabel"], r["citationText"], r["listed"]) for r in answer] == [
        ("Assessment and Planning", "Agarwal et al., 2022", "false"),
        ("Data Governance", "AboAbdo et al., 2023", "false"),
        ("Building Infrastructure", "Gupta et al., 2023", "false"),
        ("Skill Development and Training", "Kamarudin et al., 2023", "false"),
        ("Pilot Projects", "Smith et al., 2023", "false"),
        ("Scaling and Integration", "Zhang et al., 2023", "false"),
        ("Continuous Improvement", "Lee et al., 2023", "false"),
    ]


def test_country_examples(ask) -> None:
    answer = ask("country-examples")
    wikidata = "http://www.wikidata.org/entity/"
    assert [(r["exampleLabel"], r["place"], r["citationText"], r["source"]) for r in answer] == [
        ("Dubai", f"{wikidata}Q612", "IBM Global AI Adoption Index 2022, 2023",
         source("ibm-2023")),
        ("Singapore", f"{wikidata}Q334", "Woo, 2018", source("woo-2018")),
        ("The United Kingdom", f"{wikidata}Q145", "Kazim et al., 2021", source("kazim-2021")),
        ("Canada", f"{wikidata}Q16", "Cifar, 2017", source("cifar-2017")),
        ("China", f"{wikidata}Q148", "Zhang & Sun, 2022", source("zhang-2022")),
    ]


def test_reference_by_position_gives_the_authors_in_order(ask) -> None:
    answer = ask("reference-by-position", position="48")
    assert [(r["authorNumber"], r["authorName"]) for r in answer] == [
        ("1", "Rjab, A B."), ("2", "Mellouli, S."), ("3", "Corbett, J."),
    ]
    assert {r["source"] for r in answer} == {source("rjab-2023")}



@pytest.mark.parametrize("binding", ["substitution", "values"])
def test_reference_by_position_numbers_no_author_of_an_entry_without_an_author_list(
    binding: str,
) -> None:
    """The authors are counted at the top level (so a VALUES binding narrows the count): an
    entry without an author list must still give its one row, with no number rather than 0,
    whichever way the position is bound."""
    store = pyoxigraph.Store()
    store.load(
        (f"@prefix iacai: <{IACAI}> . @prefix bibo: <http://purl.org/ontology/bibo/> . "
         "<urn:e1> iacai:referenceListPosition 1 ; iacai:referenceText \"Anonymous (2020).\" . "
         "<urn:e2> iacai:referenceListPosition 2 ; iacai:referenceText \"Two authors.\" ; "
         "  bibo:authorList ( <urn:a> <urn:b> ) ."),
        format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode("urn:g"),
    )
    query = catalogue()["reference-by-position"]

    def numbers(position: str) -> list[tuple[str | None, str | None]]:
        if binding == "substitution":
            answer = run(store, query.text, query.oxigraph_substitutions({"position": position}))
        else:
            start = where_group_start(query.text)
            assert start is not None
            text = f"{query.text[:start]} VALUES ?position {{ {position} }} {query.text[start:]}"
            answer = run(store, text)
        assert isinstance(answer, pyoxigraph.QuerySolutions)
        return [(row["authorNumber"] and row["authorNumber"].value,
                 row["author"] and row["author"].value) for row in answer]

    assert numbers("1") == [(None, None)]
    assert numbers("2") == [("1", "urn:a"), ("2", "urn:b")]

def test_find_by_label_matches_english_labels_with_a_plain_string(ask) -> None:
    answer = ask("find-by-label", text="DATA")
    assert [(r["kind"], r["label"]) for r in answer] == [
        ("challenge", "Data governance frameworks"),
        ("challenge", "Guidelines for data collection, storage, and use"),
        ("challenge", "Privacy of data"),
        ("challenge", "Security of data"),
        ("challenge", "Standardization of data formats"),
        ("challenge category", "Data governance"),
    ]


def test_a_parameter_value_cannot_inject_sparql(ask) -> None:
    assert ask("find-by-label", text='data")) } SELECT * WHERE { ?s ?p ?o #') == []


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({}, "needs --param challenge="),
        ({"challenge": "id:challenge/bias", "limit": "3"}, "has no parameter 'limit'"),
        ({"challenge": "not an IRI"}, "needs an absolute IRI"),
        ({"challenge": "https://example.org/a b"}, "needs an absolute IRI"),
    ],
)
def test_bind_rejects_bad_values(values: dict[str, str], problem: str) -> None:
    with pytest.raises(ParameterError, match=problem):
        catalogue()["benefits-for-challenge"].bind(values)


def test_bind_types_integers_and_strings() -> None:
    assert catalogue()["reference-by-position"].bind({"position": "7"}) == {
        "position": Literal(7, datatype=XSD.integer)
    }
    with pytest.raises(ParameterError, match="needs an integer"):
        catalogue()["reference-by-position"].bind({"position": "seven"})
    assert catalogue()["find-by-label"].bind({"text": "trust"}) == {"text": Literal("trust")}


def test_rdflib_with_init_bindings_gives_the_same_answer(
    ask, shipped_dataset: Dataset
) -> None:
    query = catalogue()["benefits-for-challenge"]
    union = Dataset(store=shipped_dataset.store, default_union=True)
    bindings = {Variable(k): v for k, v in query.bind({"challenge": "id:challenge/bias"}).items()}
    rows = union.query(query.text, initBindings=bindings)
    oxigraph_answer = ask("benefits-for-challenge", challenge="id:challenge/bias")
    assert [str(row.benefitLabel) for row in rows] == [r["benefitLabel"] for r in oxigraph_answer]


def test_header_errors_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "bad.rq"
    bad.write_text("# title: x\n# param: thing colour  A colour\nSELECT ?thing {}\n")
    with pytest.raises(QueryFileError, match="TYPE one of iri, string, integer"):
        read_query(bad)
    unused = tmp_path / "unused.rq"
    unused.write_text("# title: x\n# param: thing iri  A thing\nSELECT ?other {}\n")
    with pytest.raises(QueryFileError, match="not in the query"):
        read_query(unused)


def _slug(label: str) -> str:
    """The slug rule of docs/model.md, for IRIs named in the tests."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower().replace("'", "")).strip("-")

