"""The in-text citations in graph:citations against an independent transcription of the essay.

Every citation of the body and of Tables 1 and 2 is typed below, section by section in the order
printed; the tests compare the data with it and check each resolution and each claim it backs.
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from iacai.namespaces import GRAPH, IACAI, ID

INTRODUCTION = [
    "Alhosani, & Alhashmi, 2024", "van Noordt & Misuraca, 2020", "McCarthy, 2004",
    "Esteva et al., 2017", "Bussmann et al., 2020", "Bagloee et al., 2016",
    "Kaplan & Haenlein, 2019", "Kumar & Mallick", "Beetz et al., 2016", "Bughin et al., 2018",
    "Agrawal et al, 2022", "Margetss & Dorobntu, 2019", "Eggers et al., 2017",
    "Sun & Medaglia 2019", "Provost & Fawcett, 2013", "Misuraca & van Noordt, 2020",
    "Charles et al., 2022", "Witz et al., 2022", "Mikalef et al., 2021",
    "Misuraca & van Noordt, 2020", "Wirtz et al., 2022", "Chui & Malhorta, 2018",
    "Charles et al., 2022", "Frazier, 2014", "Lee & Lee, 2016", "Bardach (1998)",
    "Misuraca & van Noordt, 2020", "Chui et al, 2018", "Charles et al., 2022",
]
ARTIFICIAL_INTELLIGENCE = [
    "Wirtz et al., 2022", "McCarthy, 2004", "McCarthy, 2004", "Haefner et al., 2021",
    "Medaglia et al, 2021", "Rossi & Tagliabue, 2022", "Domingos, 2012", "LeCun et al., 2015",
    "Goldberg, 2017", "Szelisk, 2010", "McCarthy, 2004",
]
AI_IN_GOVERNMENTS = [
    "Tuo et al., 2021", "van Noordt & Misuraca, 2022", "Eggers, Schatsky, & Viechnicki, 2017",
    "Misuraca & van Noordt, 2020", "Mergel, Edelmann, & Haug, 2019",
    "Lindgren, Madsen, & Hofmann, 2019", "Wirtz, Weyerer, & Geyer, 2019",
    "Kuziemski & Misuraca, 2020", "Weill et al., 2023",
]
COUNTRY_EXAMPLES = [  # (place slug, citation)
    ("dubai", "IBM Global AI Adoption Index 2022, 2023"), ("singapore", "Woo, 2018"),
    ("united-kingdom", "Kazim et al., 2021"), ("canada", "Cifar, 2017"),
    ("china", "Zhang & Sun, 2022"),
]
STAGES = [  # (stage slug, citation)
    ("assessment-and-planning", "Agarwal et al., 2022"),
    ("data-governance", "AboAbdo et al., 2023"),
    ("building-infrastructure", "Gupta et al., 2023"),
    ("skill-development-and-training", "Kamarudin et al., 2023"),
    ("pilot-projects", "Smith et al., 2023"),
    ("scaling-and-integration", "Zhang et al., 2023"),
    ("continuous-improvement", "Lee et al., 2023"),
]
AI_IMPLEMENTATION = [
    "Androutsopoulou et al., 2019", "Sousa et al., 2019",
    *(citation for _, citation in COUNTRY_EXAMPLES),
    "Wirtz et al, 2022", "Gasser & Almeida, 2017", "Floridi et al., 2018", "Wirtz et al, 2022",
    *(citation for _, citation in STAGES),
    "Zuiderwijk, Chen & Salem, 2021",
]
CHALLENGES = [
    "Merhi, 2023", "Agarwal et al., 2022", "van Noordt & Misuraca, 2022",
    "Ben Rjab et al., 2023", "Gupta et al., 2023", "Gupta et al., 2023", "Misra et al., 2023",
    "Kamarudin et al., 2023", "Misra et al., 2023", "van Noordt & Misuraca, 2022",
    "AboAbdo et al., 2023", "Ben Rjab et al., 2023", "Smith et al., 2023",
]
TABLE_1 = [  # (challenge slug, source cell)
    ("privacy-of-data", "Ben Rjab et al., 2023"),
    ("transparency", "Gupta et al., 2023"),
    ("explainability", "Gupta et al., 2023"),
    ("bias", "Gupta et al., 2023"),
    ("security-of-data", "Ben Rjab et al., 2023"),
    ("resistance-to-change", "Misra et al., 2023"),
    ("job-displacement", "van Noordt & Misuraca, 2022"),
    ("skills-gap", "Kamarudin et al., 2023"),
    ("data-governance-frameworks", "AboAbdo et al., 2023"),
    ("guidelines-for-data-collection-storage-and-use", "Ben Rjab et al., 2023"),
    ("funding-for-ai-projects", "Smith et al., 2023"),
    ("complexity-of-integrations", "Merhi, 2023"),
    ("interoperability", "Merhi, 2023"),
    ("standardization-of-data-formats", "Agarwal et al., 2022"),
    ("operation-in-silos", "van Noordt & Misuraca, 2022"),
]
INTERAGENCY_COLLABORATION = [
    "Frazier, 2014", "Warm, 2011", "Lee & Lee, 2016", "Fedorowicz et al., 2009",
    "Kwon et al. (2009)", "Bardach (1998)", "Frazier, 2014", "Ward et al. (2018)",
]
BENEFITS_BEFORE_TABLE_2 = [
    "Frazier, 2014", "Sowa, 2008", "Sowa, 2008", "Frazier, 2014", "Frazier, 2014",
    "Frazier, 2014", "Patel et al., 2012", "Green & Johnson, 2015", "Sowa, 2008", "Warm, 2011",
    "Medhi et al., 2019",
]
TABLE_2 = [  # (benefit slug, source cell)
    ("reduced-duplication-of-effort", "Sowa, 2008"),
    ("increased-access-to-services", "Sowa, 2008"),
    ("better-coordination-of-assistance-for-clients", "Sowa, 2008"),
    ("shared-problem-solving", "Frazier, 2014"),
    ("increased-capacity", "Frazier, 2014"),
    ("sustainable-and-comprehensive-solutions", "Frazier, 2014"),
    ("new-skills-and-capabilities", "Frazier, 2014"),
    ("improved-service-delivery", "Sowa, 2008"),
    ("holistic-and-effective-service", "Sowa, 2008"),
    ("organizational-learning-and-development", "Patel et al., 2012"),
    ("advancements-and-innovations", "Patel et al., 2012"),
    ("pool-expertise-and-competencies", "Green & Johnson, 2015"),
    ("serve-larger-groups-of-people", "Green & Johnson, 2015"),
    ("access-to-additional-funding-and-resources", "Sowa, 2008"),
    ("build-trust", "Warm, 2011"),
    ("effective-communication-channels", "Warm, 2011"),
    ("resource-sharing", "Warm, 2011"),
    ("understand-each-others-perspectives", "Warm, 2011"),
    ("exposition-to-new-ideas", "Warm, 2011"),
    ("exchange-of-knowledge", "Sowa, 2008"),
    ("development-of-novel-solutions", "Sowa, 2008"),
]
BENEFITS_AFTER_TABLE_2 = [
    "van Noordt & Misuraca, 2022", "J. Straub et al., 2023", "van Noordt & Misuraca, 2022",
    "Merhi, 2023",
]
COLLABORATION_AND_AI = [
    "van Noordt and Misuraca (2022)", "Yi Ding & Janssen, 2018", "Khamis et al., 2019",
    "Attard-Frost, 2024", "Criado & de Zarate-Alcarazo, 2022", "Van Noordt & Misuraca, 2021",
    "Misra et al., 2023", "Ben Rjab et al., 2023", "Bardach, 2001", "Kwon et al., 2009",
    "Fedorowicz et al., 2009", "Bardach, 2001", "Kwon et al., 2009", "Kwon et al., 2009",
    "Kwon et al., 2009", "Fedorowicz et al., 2009", "Bardach, 2001",
    "Fedorowicz et al., 2009", "Fedorowicz et al., 2009",
]

# Every citation in the order printed, with the section or table it stands in.
ESSAY_ORDER: list[tuple[str, str]] = [
    *(("section/introduction", c) for c in INTRODUCTION),
    *(("section/artificial-intelligence", c) for c in ARTIFICIAL_INTELLIGENCE),
    *(("section/artificial-intelligence-in-governments", c) for c in AI_IN_GOVERNMENTS),
    *(("section/artificial-intelligence-implementation-in-governments", c)
      for c in AI_IMPLEMENTATION),
    *(("section/challenges-of-implementing-ai-in-governments", c) for c in CHALLENGES),
    *(("table/1", c) for _, c in TABLE_1),
    *(("section/interagency-collaboration", c) for c in INTERAGENCY_COLLABORATION),
    *(("section/benefits-of-interagency-collaboration", c) for c in BENEFITS_BEFORE_TABLE_2),
    *(("table/2", c) for _, c in TABLE_2),
    *(("section/benefits-of-interagency-collaboration", c) for c in BENEFITS_AFTER_TABLE_2),
    *(("section/interagency-collaboration-and-artificial-intelligence-implementation", c)
      for c in COLLABORATION_AND_AI),
]

NARRATIVE = Counter({"Bardach (1998)": 2, "Kwon et al. (2009)": 1, "Ward et al. (2018)": 1,
                     "van Noordt and Misuraca (2022)": 1})

UNRESOLVED = Counter({
    "Kumar & Mallick": 1, "Weill et al., 2023": 1, "Androutsopoulou et al., 2019": 1,
    "Sousa et al., 2019": 1, "IBM Global AI Adoption Index 2022, 2023": 1,
    "Agarwal et al., 2022": 3, "AboAbdo et al., 2023": 3, "Gupta et al., 2023": 6,
    "Kamarudin et al., 2023": 3, "Smith et al., 2023": 3, "Zhang et al., 2023": 1,
    "Lee et al., 2023": 1, "Bardach, 2001": 3,
})
AMBIGUOUS = Counter({"Misra et al., 2023": 4})

# Citations that resolve although the name is printed otherwise: text -> (entry, issue kind).
RESOLVED_WITH_ISSUE = {
    "Margetss & Dorobntu, 2019": ("margetts-2019", IACAI.MisspeltName),
    "Witz et al., 2022": ("wirtz-2022", IACAI.MisspeltName),
    "Chui & Malhorta, 2018": ("chui-2018", IACAI.MisspeltName),
    "Szelisk, 2010": ("szeliski-2010", IACAI.MisspeltName),
    "Chui et al, 2018": ("chui-2018", IACAI.AuthorCountDiffers),
    "Attard-Frost, 2024": ("attard-frost-2024", IACAI.AuthorCountDiffers),
    "Ben Rjab et al., 2023": ("rjab-2023", IACAI.NameFormDiffers),
    "van Noordt & Misuraca, 2022": ("noordt-2022", IACAI.NameFormDiffers),
    "van Noordt and Misuraca (2022)": ("noordt-2022", IACAI.NameFormDiffers),
    "Yi Ding & Janssen, 2018": ("ding-2018", IACAI.NameFormDiffers),
    "J. Straub et al., 2023": ("straub-2023", IACAI.NameFormDiffers),
    "Cifar, 2017": ("cifar-2017", IACAI.NameFormDiffers),
}

# A sample of plain resolutions, one per kind of printed form.
RESOLVED = {
    "Agrawal et al, 2022": "agrawal-2022",
    "Eggers, Schatsky, & Viechnicki, 2017": "eggers-2017",
    "Kwon et al. (2009)": "kwon-2009",
    "Bardach (1998)": "bardach-1998",
    "Van Noordt & Misuraca, 2021": "van-noordt-2021",
    "Misuraca & van Noordt, 2020": "misuraca-2020",
    "van Noordt & Misuraca, 2020": "van-noordt-2020",
    "Zuiderwijk, Chen & Salem, 2021": "zuiderwijk-2021",
    "Sun & Medaglia 2019": "sun-2019",
}


def citation(number: int) -> URIRef:
    return ID[f"citation/{number:03d}"]


def source(slug: str) -> URIRef:
    return ID[f"source/{slug}"]


@pytest.fixture(scope="module")
def dataset(shipped_dataset: Dataset) -> Dataset:
    """The shipped graph, loaded once for the whole session (tests/conftest.py)."""
    return shipped_dataset


@pytest.fixture(scope="module")
def union(dataset: Dataset) -> Graph:
    """The whole knowledge graph as one graph: claims, sources and issues live in other graphs."""
    merged = Graph()
    for subject, predicate, obj, _ in dataset.quads():
        merged.add((subject, predicate, obj))
    return merged


@pytest.fixture(scope="module")
def citations(dataset: Dataset) -> Graph:
    """The citations graph alone, as the loader names it."""
    return dataset.graph(URIRef(f"{GRAPH}citations"))


@pytest.fixture(scope="module")
def texts(citations: Graph) -> dict[URIRef, str]:
    return {c: str(t) for c, t in citations.subject_objects(IACAI.citationText)}


def with_status(citations: Graph, texts: dict[URIRef, str], status: URIRef) -> Counter[str]:
    return Counter(texts[c] for c in citations.subjects(IACAI.resolutionStatus, status))


def test_the_transcription_has_159_citations() -> None:
    assert len(ESSAY_ORDER) == 159
    assert (len(TABLE_1), len(TABLE_2)) == (15, 21)


def test_every_citation_in_essay_order(citations: Graph, texts: dict[URIRef, str]) -> None:
    assert set(citations.subjects(RDF.type, IACAI.InTextCitation)) == set(texts)
    found = []
    for number in range(1, len(texts) + 1):
        node = citation(number)
        assert citations.value(node, IACAI.sequence) == Literal(
            number, datatype=XSD.integer)
        assert citations.value(node, IACAI.citingEssay) == ID.essay
        place = citations.value(node, IACAI.occursIn)
        found.append((str(place).removeprefix(str(ID)), texts[node]))
    assert found == ESSAY_ORDER


def test_citation_forms(citations: Graph, texts: dict[URIRef, str]) -> None:
    forms = {c: str(f) for c, f in citations.subject_objects(IACAI.citationForm)}
    assert set(forms) == set(texts)
    assert set(forms.values()) == {"parenthetical", "narrative"}
    assert Counter(texts[c] for c, f in forms.items() if f == "narrative") == NARRATIVE


def test_unresolved_citations_exactly(citations: Graph, texts: dict[URIRef, str]) -> None:
    assert with_status(citations, texts, IACAI.Unresolved) == UNRESOLVED


def test_ambiguous_citations_exactly(citations: Graph, texts: dict[URIRef, str]) -> None:
    assert with_status(citations, texts, IACAI.Ambiguous) == AMBIGUOUS
    for node in citations.subjects(IACAI.resolutionStatus, IACAI.Ambiguous):
        both = {source("misra-2023-a"), source("misra-2023-b")}
        assert set(citations.objects(node, IACAI.resolvesTo)) == both
        assert set(citations.objects(node, IACAI.citedSource)) == both


def test_all_others_resolve_to_one_entry(citations: Graph, texts: dict[URIRef, str]) -> None:
    resolved = with_status(citations, texts, IACAI.Resolved)
    assert resolved.total() == 159 - UNRESOLVED.total() - AMBIGUOUS.total() == 127
    for node in citations.subjects(IACAI.resolutionStatus, IACAI.Resolved):
        (entry,) = citations.objects(node, IACAI.resolvesTo)
        assert set(citations.objects(node, IACAI.citedSource)) == {entry}


def test_status_agrees_with_the_entries_resolved_to(
    dataset: Dataset, citations: Graph, texts: dict[URIRef, str],
) -> None:
    references = dataset.graph(URIRef(f"{GRAPH}references"))
    expected_status = {0: IACAI.Unresolved, 1: IACAI.Resolved, 2: IACAI.Ambiguous}
    for node in texts:
        entries = set(citations.objects(node, IACAI.resolvesTo))
        assert citations.value(node, IACAI.resolutionStatus) == expected_status[len(entries)]
        for entry in entries:
            assert references.value(entry, IACAI.referenceListPosition) is not None, node
        if not entries:
            (work,) = citations.objects(node, IACAI.citedSource)
            assert (work, RDF.type, IACAI.UnlistedSource) in references, node


@pytest.mark.parametrize("text", sorted(RESOLVED_WITH_ISSUE))
def test_misspelt_and_differently_named_citations_still_resolve(
    union: Graph, citations: Graph, texts: dict[URIRef, str], text: str,
) -> None:
    entry, kind = RESOLVED_WITH_ISSUE[text]
    nodes = [node for node, printed in texts.items() if printed == text]
    assert nodes
    for node in nodes:
        assert set(citations.objects(node, IACAI.resolvesTo)) == {source(entry)}
        kinds = {union.value(issue, IACAI.issueKind)
                 for issue in citations.objects(node, IACAI.hasIssue)}
        assert kinds == {kind}


@pytest.mark.parametrize(("text", "entry"), sorted(RESOLVED.items()))
def test_plain_resolutions(citations: Graph, texts: dict[URIRef, str], text: str,
                           entry: str) -> None:
    nodes = [node for node, printed in texts.items() if printed == text]
    assert nodes
    for node in nodes:
        assert set(citations.objects(node, IACAI.resolvesTo)) == {source(entry)}
        assert set(citations.objects(node, IACAI.hasIssue)) == set()


def test_misspelt_citations_exactly(
    union: Graph, citations: Graph, texts: dict[URIRef, str],
) -> None:
    misspelt = {texts[node] for node, issue in citations.subject_objects(IACAI.hasIssue)
                if union.value(issue, IACAI.issueKind) == IACAI.MisspeltName}
    assert misspelt == {"Margetss & Dorobntu, 2019", "Witz et al., 2022",
                        "Chui & Malhorta, 2018", "Szelisk, 2010"}


def test_agarwal_is_not_taken_for_agrawal(union: Graph, citations: Graph,
                                          texts: dict[URIRef, str]) -> None:
    for node in [node for node, printed in texts.items() if printed == "Agarwal et al., 2022"]:
        assert citations.value(node, IACAI.resolutionStatus) == IACAI.Unresolved
        assert citations.value(node, IACAI.citedSource) == source("agarwal-2022")
    assert union.value(source("agarwal-2022"), IACAI.possibleMatch) == source("agrawal-2022")


@pytest.mark.parametrize(("table", "first", "rows", "kind"), [
    ("table/1", 82, TABLE_1, "challenge"),
    ("table/2", 116, TABLE_2, "benefit"),
])
def test_table_citations_by_row(
    citations: Graph, texts: dict[URIRef, str], table: str, first: int,
    rows: list[tuple[str, str]], kind: str,
) -> None:
    in_table = sorted(citations.subjects(IACAI.occursIn, ID[table]))
    assert in_table == [citation(first + row) for row in range(len(rows))]
    for row, (slug, text) in enumerate(rows):
        node = citation(first + row)
        assert texts[node] == text
        assert list(citations.objects(ID[f"{kind}/{slug}"], IACAI.citedAs)) == [node]


@pytest.mark.parametrize(("kind", "claims"), [
    ("stage", STAGES), ("country-example", COUNTRY_EXAMPLES),
])
def test_stage_and_country_citations(citations: Graph, texts: dict[URIRef, str], kind: str,
                                     claims: list[tuple[str, str]]) -> None:
    for slug, text in claims:
        (node,) = citations.objects(ID[f"{kind}/{slug}"], IACAI.citedAs)
        assert texts[node] == text


def test_every_claim_rests_on_what_its_citation_cites(union: Graph,
                                                      citations: Graph) -> None:
    claims = list(citations.subject_objects(IACAI.citedAs))
    assert len(claims) == len(TABLE_1) + len(TABLE_2) + len(STAGES) + len(COUNTRY_EXAMPLES)
    for claim, node in claims:
        supported_by = set(union.objects(claim, IACAI.supportedBy))
        assert supported_by, f"{claim} has no iacai:supportedBy"
        assert supported_by == set(citations.objects(node, IACAI.citedSource)), claim


def test_every_claim_of_the_essay_is_cited(union: Graph, citations: Graph) -> None:
    kinds = (IACAI.Challenge, IACAI.Benefit, IACAI.ImplementationStage, IACAI.CountryExample)
    claims = [claim for kind in kinds for claim in union.subjects(RDF.type, kind)]
    assert len(claims) == 15 + 21 + 7 + 5
    for claim in claims:
        assert len(list(citations.objects(claim, IACAI.citedAs))) == 1, claim


def test_every_citation_issue_is_described(union: Graph, citations: Graph) -> None:
    issues = set(citations.objects(None, IACAI.hasIssue))
    assert len(issues) == 12 + 13 + 1  # 12 in graph:citations; 13 missing works, Kumar's year
    for issue in issues:
        assert (issue, RDF.type, IACAI.SourceIssue) in union, issue
        assert union.value(issue, IACAI.issueKind) is not None, issue
        assert union.value(issue, IACAI.issueNote) is not None, issue
