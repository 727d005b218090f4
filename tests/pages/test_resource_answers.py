"""Resource pages answer a reader's question first, in plain words (issue 11), on a real server:
which benefits address a challenge and on what sources (and whether the reference list has
them), a category's members and a table's rows in the table's order, what a source supports and
where it is cited; the raw statements stay below, without repeats, rdf:first or twin links.

The expected answers are the essay's: Tables 1-3 and its reference list (docs/data-notes.md).
"""

from __future__ import annotations

import httpx
from answer_sections import answer_rows, heading, list_items, parsed, summary

MISSING = "(missing from the reference list)"
LISTED = "(in the reference list)"
AMBIGUOUS = "(ambiguous: matches more than one reference)"
MAIN = "{http://www.w3.org/1999/xhtml}main"


def _page(client: httpx.Client, path: str) -> str:
    response = client.get(f"{path}.html")
    assert response.status_code == 200, response.text
    return response.text


def test_the_bias_page_answers_which_benefits_address_it_and_on_what_sources(
    client: httpx.Client,
) -> None:
    document = parsed(_page(client, "/id/challenge/bias"))
    assert summary(document) == {
        "Kind": "Challenge",
        "Category": "Ethical challenges",
        "Source": f"Gupta et al., 2023 {MISSING}",
    }
    assert heading(document, "addressed-by") == "Benefits that address Bias (6)"
    assert answer_rows(document, "addressed-by") == [  # Table 3's row, in Table 2's order
        ["Shared problem-solving", "Improved Service Delivery and Efficiency",
         f"Frazier (2014) {LISTED}"],
        ["Increased capacity", "Improved Service Delivery and Efficiency",
         f"Frazier (2014) {LISTED}"],
        ["Organizational learning and development", "Enhanced Organizational Capacity",
         f"Patel et al. (2012) {LISTED}"],
        ["Resource sharing", "Strengthened Relationships and Networking", f"Warm (2011) {LISTED}"],
        ["Exposition to new ideas", "Strengthened Relationships and Networking",
         f"Warm (2011) {LISTED}"],
        ["Exchange of knowledge", "Increased Innovation and Creativity", f"Sowa (2008) {LISTED}"],
    ]


def test_a_benefit_page_answers_which_challenges_it_addresses(client: httpx.Client) -> None:
    document = parsed(_page(client, "/id/benefit/exchange-of-knowledge"))
    assert summary(document) == {
        "Kind": "Benefit",
        "Category": "Increased Innovation and Creativity",
        "Source": f"Sowa (2008) {LISTED}",
    }
    rows = answer_rows(document, "addresses")
    assert [row[0] for row in rows] == [  # Table 3's column, in Table 1's order
        "Transparency", "Explainability", "Bias", "Resistance to change",
    ]
    assert rows[2] == ["Bias", "Ethical challenges", f"Gupta et al., 2023 {MISSING}"]
    assert rows[3] == [
        "Resistance to change", "Organizational perspective",
        f"Misra et al. (2023a) {AMBIGUOUS} | Misra et al. (2023b) {AMBIGUOUS}",
    ]


def test_a_category_lists_its_members_in_table_order(client: httpx.Client) -> None:
    document = parsed(_page(client, "/id/category/ethical-challenges"))
    assert heading(document, "member") == (
        "Members of Ethical challenges, in table order (5)"
    )
    assert [row[0] for row in answer_rows(document, "member")] == [  # not alphabetical
        "Privacy of data", "Transparency", "Explainability", "Bias", "Security of data",
    ]


def test_a_source_page_lists_what_it_supports_and_tells_its_citations_apart(
    client: httpx.Client,
) -> None:
    page = _page(client, "/id/source/rjab-2023")
    document = parsed(page)
    assert summary(document)["Reference list"] == "entry 48"
    assert [row[:3] for row in answer_rows(document, "supports")] == [
        ["Privacy of data", "Challenge", "Ethical challenges"],
        ["Security of data", "Challenge", "Ethical challenges"],
        ["Guidelines for data collection, storage, and use", "Challenge", "Data governance"],
    ]
    cited = list_items(document, "citations")
    assert len(cited) == 6 and len(set(cited)) == 6  # six "Ben Rjab et al., 2023", told apart
    assert f"Ben Rjab et al., 2023 in Table 1, for Privacy of data {LISTED}" in cited
    raw = page.split("All statements", 1)[1]
    assert raw.count("(id:citation/086)") == 2  # cited source, resolves to: each noted


def test_an_unlisted_source_says_so(client: httpx.Client) -> None:
    document = parsed(_page(client, "/id/source/gupta-2023"))
    assert summary(document)["Reference list"] == "missing from the reference list"
    supported = [row[0] for row in answer_rows(document, "supports")]
    assert {"Transparency", "Explainability", "Bias"} <= set(supported)


def test_a_table_page_lists_its_rows_in_order(client: httpx.Client) -> None:
    first = parsed(_page(client, "/id/table/1"))
    rows = answer_rows(first, "row")
    assert heading(first, "row") == "Rows of Table 1, in table order (15)"
    assert [row[0] for row in rows[:6]] == [
        "Privacy of data", "Transparency", "Explainability", "Bias", "Security of data",
        "Resistance to change",
    ]
    assert rows[3] == ["Bias", "Ethical challenges", f"Gupta et al., 2023 {MISSING}"]
    assert len(answer_rows(parsed(_page(client, "/id/table/2")), "row")) == 21
    marked = answer_rows(parsed(_page(client, "/id/table/3")), "row")
    assert [row[0] for row in marked] == [row[0] for row in rows]  # its rows: the challenges


def test_the_raw_statements_repeat_nothing_and_show_no_list_machinery(
    client: httpx.Client,
) -> None:
    bias = _page(client, "/id/challenge/bias")
    assert '<details class="statements">' in bias and "All statements" in bias
    assert "What links here" not in bias  # has member, addresses: inverses of its own links
    person = parsed(_page(client, "/id/person/misra-s")).find(f".//{MAIN}")
    assert person is not None
    statements = " ".join(" ".join(person.itertext()).split())
    assert "rdf:first" not in statements
    assert "in the bibo:authorList of Misra et al. (2023b)" in statements


def test_a_citation_page_says_what_it_cites_where_and_for_what(client: httpx.Client) -> None:
    document = parsed(_page(client, "/id/citation/085"))
    said = summary(document)
    assert said["Cites"] == f"Gupta et al., 2023 {MISSING}"
    assert (said["Where"], said["Backs"]) == ("Table 1", "Bias")


def test_table_3_s_page_shows_its_marks_and_links_the_matrix(client: httpx.Client) -> None:
    """Issue 11 trial: Table 3's page listed its 15 rows like Table 1 but none of its 60 marks."""
    page = _page(client, "/id/table/3")
    document = parsed(page)
    rows = answer_rows(document, "row")
    assert len(rows) == 15
    bias = next(row for row in rows if row[0] == "Bias")
    assert bias[2] == (  # Table 3's row, in Table 2's column order
        "Shared problem-solving | Increased capacity | Organizational learning and development"
        " | Resource sharing | Exposition to new ideas | Exchange of knowledge"
    )
    assert sum(len(row[2].split(" | ")) for row in rows if row[2]) == 60
    assert "Table 3 marks 60 pairs" in page
    assert 'class="view-link" href="/matrix"' in page
    table_1 = _page(client, "/id/table/1")  # no marks of its own: no marks column, no link
    assert "Addressed by" not in table_1 and 'href="/matrix"' not in table_1.split("<main", 1)[1]
