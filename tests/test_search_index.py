"""The full-text index on its own: folding, ranking, the stem fallback, hostile query text."""

from __future__ import annotations

import pytest

from iacai.search import SearchIndex, SearchRow, fold

ROWS = [
    SearchRow("ex:transparency", "ex:Challenge", "label", "Transparency"),
    SearchRow("ex:bias", "ex:Challenge", "label", "Bias"),
    SearchRow("ex:bias", "ex:Challenge", "definition", "Unfair outcomes of models"),
    SearchRow("ex:paper", "ex:Source", "title", "Bias in public-sector algorithms"),
    SearchRow("ex:paper", "ex:Source", "author", "S\u0131rma\u00e7ek, B."),
    SearchRow("ex:borges", "ex:Person", "label", "Natália Marroni Borges"),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(ROWS)


def test_folding_removes_case_accents_and_special_letters() -> None:
    assert fold("Natália SIRMAÇEK S\u0131rma\u00e7ek Søren") == "natalia sirmacek sirmacek soren"


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("bias", "ex:bias"),  # a label outranks a title
        ("BIAS", "ex:bias"),
        ("natalia", "ex:borges"),
        ("sirmacek", "ex:paper"),  # found by its author
        ("transparência", "ex:transparency"),  # by the stem fallback
        ("transpar", "ex:transparency"),  # by prefix
        ("unfair", "ex:bias"),  # by definition
    ],
)
def test_finds_and_ranks(index: SearchIndex, query: str, first: str) -> None:
    hits = index.search(query)
    assert hits and hits[0].iri == first


def test_every_word_must_match(index: SearchIndex) -> None:
    assert [hit.iri for hit in index.search("bias algorithms")] == ["ex:paper"]


@pytest.mark.parametrize("query", ["", "   ", '"', "NEAR(", "*", "a OR", "')--", "\x00"])
def test_query_syntax_of_fts5_cannot_be_injected(index: SearchIndex, query: str) -> None:
    assert isinstance(index.search(query), list)


def test_an_excerpt_shows_the_matching_text(index: SearchIndex) -> None:
    (hit,) = index.search("sirmacek")
    assert hit.label == "Bias in public-sector algorithms"
    assert hit.excerpt == "S\u0131rma\u00e7ek, B."
