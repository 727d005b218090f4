"""The reference list in graph:references against an independent transcription of the essay's list.

The expected values below are typed from the essay's "References" section, not read from the data:
each entry's position, source IRI, first author as printed, year, number of authors printed and
whether the entry ends its authors with "et al.".
"""

from __future__ import annotations

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, XSD

from iacai.namespaces import BIBO, GRAPH, IACAI, ID, SCHEMA

# (position, source slug, first author's family name as printed, year, authors printed, "et al.")
REFERENCE_LIST: list[tuple[int, str, str, str, int, bool]] = [
    (1, "agrawal-2022", "Agrawal", "2022", 3, False),
    (2, "alhosani-2024", "Alhosani", "2024", 2, False),
    (3, "attard-frost-2024", "Attard-Frost", "2024", 1, True),
    (4, "bagloee-2016", "Bagloee", "2016", 4, False),
    (5, "bardach-1998", "Bardach", "1998", 1, False),
    (6, "beetz-2016", "Beetz", "2016", 4, False),
    (7, "bughin-2018", "Bughin", "2018", 5, False),
    (8, "bussmann-2020", "Bussmann", "2020", 4, False),
    (9, "charles-2022", "Charles", "2022", 3, False),
    (10, "chui-2018", "Chui", "2018", 2, False),
    (11, "cifar-2017", "CIFAR", "2017", 1, False),
    (12, "criado-2022", "Criado", "2022", 2, False),
    (13, "ding-2018", "Ding", "2018", 2, False),
    (14, "dolamore-2020", "Dolamore", "2020", 1, False),
    (15, "domingos-2012", "Domingos", "2012", 1, False),
    (16, "eggers-2017", "Eggers", "2017", 3, False),
    (17, "esteva-2017", "Esteva", "2017", 7, False),
    (18, "fedorowicz-2009", "Fedorowicz", "2009", 4, False),
    (19, "floridi-2018", "Floridi", "2018", 6, True),
    (20, "frazier-2014", "Frazier", "2014", 1, False),
    (21, "gasser-2017", "Gasser", "2017", 2, False),
    (22, "goldberg-2017", "Goldberg", "2017", 1, False),
    (23, "green-2015", "Green", "2015", 2, False),
    (24, "haefner-2021", "Haefner", "2021", 4, False),
    (25, "ishida-2009", "Ishida", "2009", 1, False),
    (26, "janssen-2017", "Janssen", "2017", 3, False),
    (27, "kaplan-2019", "Kaplan", "2019", 2, False),
    (28, "kazim-2021", "Kazim", "2021", 7, False),
    (29, "khamis-2019", "Khamis", "2019", 4, False),
    (30, "kuziemski-2020", "Kuziemski", "2020", 2, False),
    (31, "kwon-2009", "Kwon", "2009", 3, False),
    (32, "lecun-2015", "LeCun", "2015", 3, False),
    (33, "lee-2016", "Lee", "2016", 2, False),
    (34, "lindgren-2019", "Lindgren", "2019", 3, False),
    (35, "margetts-2019", "Margetts", "2019", 2, False),
    (36, "mccarthy-2004", "McCarthy", "2004", 1, False),
    (37, "medaglia-2021", "Medaglia", "2021", 3, False),
    (38, "medhi-2019", "Medhi", "2019", 6, False),
    (39, "mergel-2019", "Mergel", "2019", 3, False),
    (40, "merhi-2023", "Merhi", "2023", 1, False),
    (41, "mikalef-2021", "Mikalef", "2021", 3, False),
    (42, "misra-2023-a", "Misra", "2023", 4, False),
    (43, "misra-2023-b", "Misra", "2023", 1, True),
    (44, "misuraca-2020", "Misuraca", "2020", 2, False),
    (45, "noordt-2022", "Noordt", "2022", 2, False),
    (46, "patel-2012", "Patel", "2012", 3, False),
    (47, "provost-2013", "Provost", "2013", 2, False),
    (48, "rjab-2023", "Rjab", "2023", 3, False),
    (49, "rossi-2022", "Rossi", "2022", 2, False),
    (50, "simon-2010", "Simon", "2010", 1, False),
    (51, "sirmacek-2023", "Sırmaçek", "2023", 13, False),  # noqa: RUF001 - the dotless i as printed
    (52, "sowa-2008", "Sowa", "2008", 1, False),
    (53, "straub-2023", "Straub", "2023", 4, False),
    (54, "sun-2019", "Sun", "2019", 2, False),
    (55, "szeliski-2010", "Szeliski", "2010", 1, False),
    (56, "tuo-2021", "Tuo", "2021", 3, False),
    (57, "van-noordt-2020", "van Noordt", "2020", 2, False),
    (58, "van-noordt-2021", "van Noordt", "2021", 2, False),
    (59, "ward-2018", "Ward", "2018", 4, False),
    (60, "warm-2011", "Warm", "2011", 1, False),
    (61, "wirtz-2019", "Wirtz", "2019", 3, False),
    (62, "wirtz-2022", "Wirtz", "2022", 3, False),
    (63, "woo-2018", "Woo", "2018", 1, False),
    (64, "zhang-2022", "Zhang", "2022", 2, False),
    (65, "zuiderwijk-2021", "Zuiderwijk", "2021", 3, False),
]

# Full author lists ("family, initials" as printed, in order) of a sample of entries.
AUTHOR_LISTS: dict[str, list[str]] = {
    "agrawal-2022": ["Agrawal, A.", "Gans, J.", "Goldfarb, A."],
    "alhosani-2024": ["Alhosani, K.", "Alhashmi, S. M."],
    "bughin-2018": ["Bughin, J.", "Seong, J.", "Manyika, J.", "Chui, M.", "Joshi, R."],
    "criado-2022": ["Criado, J.I.", "de Zarate-Alcarazo, L.O."],
    "ding-2018": ["Ding, A Y.", "Janssen, M."],
    "esteva-2017": ["Esteva, A.", "Kuprel, B.", "Novoa, R. A.", "Ko, J.", "Swetter, S. M.",
                    "Blau, H. M.", "Thrun, S."],
    "fedorowicz-2009": ["Fedorowicz, J.", "Gelinas Jr., U. J.", "Gogan, J. L.", "Williams, C. B."],
    "floridi-2018": ["Floridi, L.", "Cowls, J.", "Beltrametti, M.", "Chatila, R.", "Chazerand, P.",
                     "Dignum, V."],
    "janssen-2017": ["Janssen, M.", "van der Voort, H.", "Wahyudi, A."],
    "kazim-2021": ["Kazim, E.", "Almeida, D.", "Kingsman, N.", "Kerrigan, C.", "Koshiyama, A.",
                   "Lomas, E.", "Hilliard, A."],
    "lindgren-2019": ["Lindgren, I.", "Madsen, C. Ø.", "Hofmann, S."],
    "medhi-2019": ["Medhi, B.", "Bansal, S.", "Mahendiratta, S.", "Kumar, S.", "Sarma, P.",
                   "Prakash, A."],
    "misra-2023-a": ["Misra, S K.", "Sharma, S K.", "Gupta, S.", "Das, S."],
    "misra-2023-b": ["Misra, S."],
    "noordt-2022": ["Noordt, C V.", "Misuraca, G."],
    "rjab-2023": ["Rjab, A B.", "Mellouli, S.", "Corbett, J."],
    "sirmacek-2023": ["Sırmaçek, B.",  # noqa: RUF001 - the dotless i as printed
                      "Gupta, S.", "Mallor, F.", "Azizpour, H.", "Ban, Y.",
                      "Eivazi, H.", "Fang, H.", "Golzar, F.", "Leite, I.", "Melsión, G I.",
                      "Smith, K.", "Nerini, F F.", "Vinuesa, R."],
    "straub-2023": ["Straub, V J.", "Morgan, D.", "Bright, J.", "Margetts, H."],
    "van-noordt-2020": ["van Noordt, C.", "Misuraca, G."],
    "ward-2018": ["Ward, K D.", "Varda, D M.", "Epstein, D.", "Lane, B M."],
    "wirtz-2022": ["Wirtz, B. W.", "Weyerer, J. C.", "Kehl, I."],
    "zuiderwijk-2021": ["Zuiderwijk, A.", "Chen, Y. C.", "Salem, F."],
}

DOIS = {"charles-2022": "10.1016/j.giq.2022.101742", "wirtz-2022": "10.1016/j.giq.2022.101685"}

# Works cited in the text or tables but missing from the list: slug -> (citation as printed, year).
UNLISTED: dict[str, tuple[str, str | None]] = {
    "kumar-nd": ("Kumar & Mallick", None),
    "weill-2023": ("Weill et al., 2023", "2023"),
    "androutsopoulou-2019": ("Androutsopoulou et al., 2019", "2019"),
    "sousa-2019": ("Sousa et al., 2019", "2019"),
    "ibm-2023": ("IBM Global AI Adoption Index 2022, 2023", "2023"),
    "agarwal-2022": ("Agarwal et al., 2022", "2022"),
    "aboabdo-2023": ("AboAbdo et al., 2023", "2023"),
    "gupta-2023": ("Gupta et al., 2023", "2023"),
    "kamarudin-2023": ("Kamarudin et al., 2023", "2023"),
    "smith-2023": ("Smith et al., 2023", "2023"),
    "zhang-2023": ("Zhang et al., 2023", "2023"),
    "lee-2023": ("Lee et al., 2023", "2023"),
    "bardach-2001": ("Bardach, 2001", "2001"),
}


def source(slug: str) -> URIRef:
    return ID[f"source/{slug}"]


@pytest.fixture(scope="module")
def references(shipped_dataset: Dataset) -> Graph:
    """The references graph alone, as the loader names it."""
    return shipped_dataset.graph(URIRef(f"{GRAPH}references"))


def author_list(graph: Graph, entry: URIRef) -> list[URIRef]:
    head = graph.value(entry, BIBO.authorList)
    assert head is not None, f"{entry} has no bibo:authorList"
    return list(Collection(graph, head))


def issue_kinds(graph: Graph, resource: URIRef) -> set[URIRef]:
    issues = graph.objects(resource, IACAI.hasIssue)
    return {graph.value(issue, IACAI.issueKind) for issue in issues}


def test_the_list_has_65_entries_numbered_in_order(references: Graph) -> None:
    positions = {
        entry: int(position)
        for entry, position in references.subject_objects(IACAI.referenceListPosition)
    }
    assert sorted(positions.values()) == list(range(1, 66))
    assert positions == {source(slug): pos for pos, slug, *_ in REFERENCE_LIST}


@pytest.mark.parametrize(("position", "slug", "family", "year", "count", "truncated"),
                         REFERENCE_LIST, ids=[row[1] for row in REFERENCE_LIST])
def test_entry_first_author_year_and_author_count(
    references: Graph, position: int, slug: str, family: str, year: str, count: int,
    truncated: bool,
) -> None:
    entry = source(slug)
    assert (entry, RDF.type, IACAI.Source) in references
    assert references.value(entry, IACAI.referenceListPosition) == Literal(
        position, datatype=XSD.integer)
    assert str(references.value(entry, DCTERMS.issued)).startswith(year)
    authors = author_list(references, entry)
    assert len(authors) == count
    first = authors[0]
    first_family = references.value(first, FOAF.familyName) or references.value(first, FOAF.name)
    assert str(first_family) == family
    assert set(references.objects(entry, DCTERMS.creator)) == set(authors)
    flag = references.value(entry, IACAI.authorListTruncated)
    assert (flag is not None and flag.toPython() is True) == truncated


@pytest.mark.parametrize("slug", sorted(AUTHOR_LISTS))
def test_full_author_lists_in_order(references: Graph, slug: str) -> None:
    names = [str(references.value(person, FOAF.name))
             for person in author_list(references, source(slug))]
    assert names == AUTHOR_LISTS[slug]


def test_persons_carry_family_name_and_initials_as_printed(references: Graph) -> None:
    ben_rjab = ID["person/rjab-a-b"]
    assert str(references.value(ben_rjab, FOAF.name)) == "Rjab, A B."
    assert str(references.value(ben_rjab, FOAF.familyName)) == "Rjab"
    assert str(references.value(ben_rjab, FOAF.givenName)) == "A B."
    for person in references.subjects(RDF.type, FOAF.Person):
        family = references.value(person, FOAF.familyName)
        given = references.value(person, FOAF.givenName)
        assert str(references.value(person, FOAF.name)) == f"{family}, {given}", person


def test_the_corporate_author_cifar_is_an_organization(references: Graph) -> None:
    (author,) = author_list(references, source("cifar-2017"))
    assert (author, RDF.type, FOAF.Organization) in references
    assert str(references.value(author, FOAF.name)) == "CIFAR"


def test_dois_only_where_the_essay_prints_one(references: Graph) -> None:
    found = {entry: str(doi) for entry, doi in references.subject_objects(BIBO.doi)}
    assert found == {source(slug): doi for slug, doi in DOIS.items()}


def test_each_doi_is_also_its_doi_org_iri(references: Graph) -> None:
    found = dict(references.subject_objects(SCHEMA.sameAs))
    assert found == {source(slug): URIRef(f"https://doi.org/{doi}") for slug, doi in DOIS.items()}


def test_the_entry_with_a_day_keeps_its_date(references: Graph) -> None:
    issued = references.value(source("lee-2016"), DCTERMS.issued)
    assert issued == Literal("2016-03-28", datatype=XSD.date)
    text = str(references.value(source("lee-2016"), IACAI.referenceText))
    assert text.startswith("Lee, H., & Lee, S. (2016, March 28). Study on the Impact")


def test_reference_texts_as_printed_without_markdown(references: Graph) -> None:
    texts = [str(text) for text in references.objects(None, IACAI.referenceText)]
    assert len(texts) == 65
    assert not any("*" in text for text in texts)
    kazim = str(references.value(source("kazim-2021"), IACAI.referenceText))
    assert "Lomas, E., & Hilliard, A. (2021). Innovation and opportunity" in kazim
    merhi = str(references.value(source("merhi-2023"), IACAI.referenceText))
    assert merhi.endswith("Elsevier BV, 69, 102545-102545.")


def test_containers_and_publishers_as_printed(references: Graph) -> None:
    charles = source("charles-2022")
    journal = references.value(charles, DCTERMS.isPartOf)
    assert (journal, RDF.type, BIBO.Journal) in references
    assert str(references.value(journal, DCTERMS.title)) == "Government Information Quarterly"
    assert [str(references.value(charles, p)) for p in (BIBO.volume, BIBO.issue, BIBO.pages)] == [
        "39", "2", "101742"]
    # a publisher printed where the journal should stand is recorded as the publisher
    merhi = source("merhi-2023")
    assert references.value(merhi, DCTERMS.isPartOf) is None
    publisher = references.value(merhi, DCTERMS.publisher)
    assert str(references.value(publisher, FOAF.name)) == "Elsevier BV"
    woo_series = references.value(source("woo-2018"), DCTERMS.isPartOf)
    assert (woo_series, RDF.type, BIBO.Series) in references
    proceedings = references.value(source("van-noordt-2020"), DCTERMS.isPartOf)
    assert (proceedings, RDF.type, BIBO.Proceedings) in references
    assert str(references.value(source("agrawal-2022"), DCTERMS.title)) == (
        "Prediction Machines, Updated and Expanded: "
        "The Simple Economics of Artificial Intelligence")


def test_misra_2023_is_listed_twice(references: Graph) -> None:
    first, second = source("misra-2023-a"), source("misra-2023-b")
    assert set(references.objects(first, IACAI.possibleDuplicateOf)) == {second}
    assert set(references.objects(second, IACAI.possibleDuplicateOf)) == {first}
    assert issue_kinds(references, first) == {IACAI.DuplicateReference}
    assert issue_kinds(references, second) == {IACAI.DuplicateReference}
    duplicated = {entry for entry, _ in references.subject_objects(IACAI.possibleDuplicateOf)}
    assert duplicated == {first, second}


@pytest.mark.parametrize(("slug", "copied_from"), [
    ("van-noordt-2021", "noordt-2022"),
    ("chui-2018", "merhi-2023"),
])
def test_entries_carrying_another_entrys_metadata(
    references: Graph, slug: str, copied_from: str,
) -> None:
    entry = source(slug)
    (issue,) = references.objects(entry, IACAI.hasIssue)
    assert references.value(issue, IACAI.issueKind) == IACAI.CopiedMetadata
    assert references.value(issue, IACAI.possibleMatch) == source(copied_from)
    own = str(references.value(entry, DCTERMS.title)).lower()
    assert own == str(references.value(source(copied_from), DCTERMS.title)).lower()


def test_unlisted_sources_are_exactly_the_works_missing_from_the_list(references: Graph) -> None:
    unlisted = set(references.subjects(RDF.type, IACAI.UnlistedSource))
    assert unlisted == {source(slug) for slug in UNLISTED}
    for slug, (label, year) in UNLISTED.items():
        work = source(slug)
        assert (work, RDF.type, IACAI.Source) in references
        assert references.value(work, RDFS.label) == Literal(label, lang="en")
        assert references.value(work, IACAI.referenceListPosition) is None
        issued = references.value(work, DCTERMS.issued)
        assert (str(issued) if issued is not None else None) == year
        assert IACAI.MissingFromReferenceList in issue_kinds(references, work)


def test_unlisted_sources_point_to_the_entries_they_may_mean(references: Graph) -> None:
    matches = {work: target for work, target in references.subject_objects(IACAI.possibleMatch)
               if (work, RDF.type, IACAI.UnlistedSource) in references}
    assert matches == {source("agarwal-2022"): source("agrawal-2022"),
                       source("bardach-2001"): source("bardach-1998")}
    assert issue_kinds(references, source("kumar-nd")) == {
        IACAI.MissingFromReferenceList, IACAI.MissingYear}


def test_every_issue_says_what_is_wrong(references: Graph) -> None:
    issues = set(references.subjects(RDF.type, IACAI.SourceIssue))
    assert issues == set(references.objects(None, IACAI.hasIssue))
    for issue in issues:
        assert references.value(issue, IACAI.issueKind) is not None, issue
        assert len(str(references.value(issue, IACAI.issueNote))) > 40, issue
