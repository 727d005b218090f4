"""Every source for reference managers, on a real server, parsed back by independent parsers.

BibTeX is written by pybtex and read back by bibtexparser; RIS written by rispy is checked line by
line against the RIS tag grammar and read back by rispy; CSL-JSON is checked against the item
types and variable names of the CSL schema that citeproc-py ships; the formatted citation is
citeproc-py's. Each must say what the data says: title, year, authors in order, DOI, container.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import bibtexparser
import citeproc
import html5lib
import httpx
import pytest
import rispy
from bibtexparser.middlewares import LatexDecodingMiddleware, SeparateCoAuthors, SplitNameParts
from reference_data import SOURCES, Expected

from iacai.citations import SOURCE_PREFIX

SOURCE_IDS = [s.key for s in SOURCES]
RIS_LINE = re.compile(r"^[A-Z][A-Z0-9]  - .*$")


def _csl_schema_names(file_name: str) -> set[str]:
    """The quoted names a CSL schema file (RELAX NG compact) enumerates: item types, variables."""
    schema = Path(citeproc.__file__).parent / "data" / "schema" / "schemas" / "styles" / file_name
    return set(re.findall(r'"([A-Za-z-]+)"', schema.read_text(encoding="utf-8")))


CSL_TYPES = _csl_schema_names("csl-types.rnc")
CSL_VARIABLES = _csl_schema_names("csl-variables.rnc") | {"id", "type"}


def _document(client: httpx.Client, key: str, accept: str, suffix: str) -> httpx.Response:
    """Negotiate the source's document as a reference manager would, and follow the 303."""
    redirect = client.get(f"/id/source/{key}", headers={"Accept": accept})
    assert redirect.status_code == 303, redirect.text
    assert redirect.headers["location"] == f"/id/source/{key}.{suffix}"
    assert "Accept" in redirect.headers["vary"]
    answer = client.get(redirect.headers["location"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == f"{accept}; charset=utf-8"
    assert answer.headers["link"] == f'<{SOURCE_PREFIX}{key}>; rel="describes"'
    return answer


def _bibtex_entries(text: str) -> list[bibtexparser.model.Entry]:
    library = bibtexparser.parse_string(
        text,
        append_middleware=[LatexDecodingMiddleware(), SeparateCoAuthors(), SplitNameParts()],
    )
    assert not library.failed_blocks, library.failed_blocks
    return library.entries


def _check_bibtex(entry: bibtexparser.model.Entry, source: Expected) -> None:
    fields = entry.fields_dict
    assert entry.key == source.key
    title = fields["title"].value
    assert title == source.title if not source.unlisted else source.label in title
    assert (fields["year"].value if "year" in fields else None) == source.year
    names = fields["author"].value if "author" in fields else []
    assert [(" ".join(n.von + n.last), " ".join(n.first)) for n in names] == source.authors
    assert (fields["doi"].value if "doi" in fields else None) == source.doi
    if source.container is not None and entry.entry_type in ("article", "inproceedings"):
        container = fields["journal" if entry.entry_type == "article" else "booktitle"].value
        assert container == source.container


def _check_ris(record: dict[str, object], source: Expected) -> None:
    assert record["id"] == source.key
    title = str(record["title"])
    assert title == source.title if not source.unlisted else source.label in title
    assert record.get("year") == source.year
    authors = [", ".join(p for p in pair if p) for pair in source.authors]
    assert record.get("authors", []) == authors
    assert record.get("doi") == source.doi
    if source.container is not None:
        found = record.get("secondary_title") or record.get("tertiary_title")
        assert found == source.container


def _check_csl(item: dict[str, object], source: Expected) -> None:
    assert item["type"] in CSL_TYPES
    assert set(item) <= CSL_VARIABLES, set(item) - CSL_VARIABLES
    assert item["id"] == item["citation-key"] == source.key
    title = str(item["title"])
    assert title == source.title if not source.unlisted else source.label in title
    issued = item.get("issued")
    year = issued["date-parts"][0][0] if isinstance(issued, dict) else None
    assert (str(year) if year is not None else None) == source.year
    names = item.get("author", [])
    assert isinstance(names, list)
    assert [(n.get("family", n.get("literal")), n.get("given", "")) for n in names] == (
        source.authors
    )
    assert item.get("DOI") == source.doi
    if source.doi is not None:
        assert item["URL"] == f"https://doi.org/{source.doi}"


@pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)
def test_every_source_negotiates_bibtex_that_bibtexparser_reads_back(
    client: httpx.Client, source: Expected
) -> None:
    answer = _document(client, source.key, "application/x-bibtex", "bib")
    (entry,) = _bibtex_entries(answer.text)
    _check_bibtex(entry, source)


@pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)
def test_every_source_negotiates_ris_that_rispy_reads_back(
    client: httpx.Client, source: Expected
) -> None:
    answer = _document(client, source.key, "application/x-research-info-systems", "ris")
    lines = [line for line in answer.text.splitlines() if line]
    assert all(RIS_LINE.match(line) for line in lines), lines
    assert lines[0].startswith("TY  - ") and lines[-1] == "ER  - "
    (record,) = rispy.loads(answer.text)
    _check_ris(record, source)


@pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)
def test_every_source_negotiates_csl_json_of_csl_types_and_variables(
    client: httpx.Client, source: Expected
) -> None:
    answer = _document(client, source.key, "application/vnd.citationstyles.csl+json", "csl.json")
    (item,) = json.loads(answer.text)
    _check_csl(item, source)


@pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)
def test_every_source_negotiates_an_apa_citation(client: httpx.Client, source: Expected) -> None:
    text = _document(client, source.key, "text/x-bibliography", "txt").text
    assert text.count("\n") == 1
    for family, _ in source.authors:
        assert family in text
    positions = [text.index(family) for family, _ in source.authors]
    assert positions == sorted(positions), "authors out of order"
    if source.year:
        assert f"({source.year}" in text  # APA: the year in brackets after the authors
    assert (source.title or source.label) in text
    if source.doi:
        assert f"https://doi.org/{source.doi}" in text


def test_the_apa_citation_of_an_article_reads_as_apa(client: httpx.Client) -> None:
    text = client.get("/id/source/charles-2022.txt").text
    assert text == (
        "Charles, V., Rana, N. P., & Carter, L. (2022). Artificial Intelligence for data-driven "
        "decisionmaking and governance in public affairs. Government Information Quarterly, "
        "39(2), 101742. https://doi.org/10.1016/j.giq.2022.101742\n"
    )


def test_a_misspelt_name_stays_as_printed_in_every_format(client: httpx.Client) -> None:
    for suffix in ("bib", "ris", "csl.json", "txt"):
        text = client.get(f"/id/source/sirmacek-2023.{suffix}").text
        assert "Sırmaçek" in text, suffix  # noqa: RUF001 - the dotless i as printed


def test_the_style_parameter_picks_another_csl_style_and_survives_the_303(
    client: httpx.Client,
) -> None:
    redirect = client.get(
        "/id/source/charles-2022?style=ieee", headers={"Accept": "text/x-bibliography"}
    )
    assert redirect.headers["location"] == "/id/source/charles-2022.txt?style=ieee"
    text = client.get(redirect.headers["location"]).text
    assert text.startswith("[1]") and "V. Charles, N. P. Rana, and L. Carter" in text


def test_a_style_in_the_accept_header_is_honoured_as_at_doi_org(client: httpx.Client) -> None:
    accept = "text/x-bibliography; style=ieee"
    redirect = client.get("/id/source/charles-2022", headers={"Accept": accept})
    assert redirect.headers["location"] == "/id/source/charles-2022.txt"
    text = client.get(redirect.headers["location"], headers={"Accept": accept}).text
    assert text.startswith("[1]")


@pytest.mark.parametrize("style", ["no-such-style", "../apa", "apa%00"])
def test_an_unknown_style_is_a_400_that_says_what_styles_are(
    client: httpx.Client, style: str
) -> None:
    answer = client.get(f"/id/source/charles-2022.txt?style={style}")
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/plain")
    assert "style" in answer.text and "apa" in answer.text


@pytest.mark.parametrize(
    ("format", "suffix"),
    [("bibtex", "bib"), ("ris", "ris"), ("csl-json", "csl.json"), ("bibliography", "txt"),
     ("application/x-bibtex", "bib")],
)
def test_the_format_parameter_selects_a_reference_format(
    client: httpx.Client, format: str, suffix: str
) -> None:
    answer = client.get(f"/id/source/bardach-1998?format={format}", headers={"Accept": "text/html"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/id/source/bardach-1998.{suffix}"


def test_only_sources_negotiate_reference_formats(client: httpx.Client) -> None:
    refused = client.get("/id/challenge/bias", headers={"Accept": "application/x-bibtex"})
    assert refused.status_code == 406
    assert "text/turtle" in refused.text and "x-bibtex" not in refused.text
    assert client.get("/id/challenge/bias.bib").status_code == 404
    assert client.get("/id/source/no-such-work.bib").status_code == 404


def test_a_browser_still_gets_the_page_and_rdf_clients_their_rdf(client: httpx.Client) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept, suffix in ((browser, "html"), ("*/*", "ttl"), ("application/json", "jsonld")):
        answer = client.get("/id/source/bardach-1998", headers={"Accept": accept})
        assert answer.headers["location"] == f"/id/source/bardach-1998.{suffix}", accept


@pytest.mark.parametrize(
    ("suffix", "media_type"),
    [("bib", "application/x-bibtex"), ("ris", "application/x-research-info-systems"),
     ("csl.json", "application/vnd.citationstyles.csl+json"), ("txt", "text/x-bibliography")],
)
def test_the_references_dumps_hold_every_source(
    client: httpx.Client, suffix: str, media_type: str
) -> None:
    answer = client.get(f"/dumps/references.{suffix}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == f"{media_type}; charset=utf-8"
    by_key = {s.key: s for s in SOURCES}
    if suffix == "bib":
        entries = _bibtex_entries(answer.text)
        assert [e.key for e in entries] == SOURCE_IDS
        for entry in entries:
            _check_bibtex(entry, by_key[entry.key])
    elif suffix == "ris":
        records = rispy.loads(answer.text)
        assert [r["id"] for r in records] == SOURCE_IDS
        for record in records:
            _check_ris(record, by_key[str(record["id"])])
    elif suffix == "csl.json":
        items = json.loads(answer.text)
        assert [i["id"] for i in items] == SOURCE_IDS
        for item in items:
            _check_csl(item, by_key[item["id"]])
    else:
        lines = answer.text.splitlines()
        assert len(lines) == len(SOURCES)
        for source in SOURCES:
            first = source.authors[0][0] if source.authors else "["
            entry = [line for line in lines if line.startswith(first)]
            assert sum((source.title or source.label) in line for line in entry) == 1, source
        first_listed = next(line for line in lines if not line.startswith("[Cited as"))
        assert first_listed.startswith("Agrawal, A., Gans, J., & Goldfarb, A. (2022).")


def test_an_unknown_references_dump_is_a_404_that_lists_them(client: httpx.Client) -> None:
    answer = client.get("/dumps/references.json")
    assert answer.status_code == 404
    assert "references.bib" in answer.text and "references.csl.json" in answer.text


def _meta_tags(page: str) -> list[tuple[str, str]]:
    document = html5lib.parse(page, namespaceHTMLElements=False)
    return [
        (meta.get("name"), meta.get("content"))
        for meta in document.iter("meta")
        if (meta.get("name") or "").startswith("citation_")
    ]


@pytest.mark.parametrize("source", SOURCES, ids=SOURCE_IDS)
def test_every_source_page_carries_citation_meta_tags_and_coins(
    client: httpx.Client, source: Expected
) -> None:
    page = client.get(f"/id/source/{source.key}.html")
    assert page.status_code == 200
    tags = _meta_tags(page.text)
    values = dict(tags)
    title = values["citation_title"]
    assert title == source.title if not source.unlisted else source.label in title
    authors = [content for name, content in tags if name == "citation_author"]
    assert authors == [", ".join(p for p in pair if p) for pair in source.authors]
    assert values.get("citation_publication_date", "")[:4] == (source.year or "")
    assert values.get("citation_doi") == source.doi
    if source.container is not None:
        containers = {v for k, v in values.items() if k.endswith("_title")} - {title}
        assert source.container in containers
    document = html5lib.parse(page.text, namespaceHTMLElements=False)
    (span,) = [s for s in document.iter("span") if s.get("class") == "Z3988"]
    context = parse_qs(span.get("title"))
    assert context["ctx_ver"] == ["Z39.88-2004"]
    assert context.get("rft.au", []) == authors
    assert context.get("rft_id") == ([f"info:doi/{source.doi}"] if source.doi else None)


def test_a_page_that_is_not_a_source_has_no_citation_tags(client: httpx.Client) -> None:
    page = client.get("/id/challenge/bias.html").text
    assert _meta_tags(page) == []
    assert "Z3988" not in page


def test_a_source_page_links_its_reference_formats(client: httpx.Client) -> None:
    document = html5lib.parse(
        client.get("/id/source/charles-2022.html").text, namespaceHTMLElements=False
    )
    alternates = {
        link.get("type"): link.get("href")
        for link in document.iter("link")
        if link.get("rel") == "alternate"
    }
    assert alternates["application/x-bibtex"] == "/id/source/charles-2022.bib"
    assert alternates["application/x-research-info-systems"] == "/id/source/charles-2022.ris"
    assert alternates["application/vnd.citationstyles.csl+json"] == (
        "/id/source/charles-2022.csl.json"
    )
    assert alternates["text/x-bibliography"] == "/id/source/charles-2022.txt"
