"""`iacai serve --data`: the second review served alone and beside the essay, by real processes."""

# ruff: noqa: S608 (SPARQL built from strings: the graphs and classes asked for)
from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import quote

import pytest
from answer_sections import answer_rows, heading, parsed, summary
from second_review import (
    CATEGORY,
    CHALLENGE,
    ESSAY_COUNTS,
    NAMED_QUERY_ROWS,
    PARAMETERS,
    REVIEW,
    REVIEW_COUNTS,
    REVIEW_GRAPH,
)
from service_process import STOPPED_CLEANLY, ServiceProcess, start

from iacai.named_queries import catalogue
from iacai.namespaces import GRAPH, IACAI

COUNT_BY_CLASS = f"""
SELECT ?class (COUNT(DISTINCT ?item) AS ?n) WHERE {{
  VALUES ?class {{ <{IACAI}Challenge> <{IACAI}Benefit> <{IACAI}ChallengeCategory>
                  <{IACAI}BenefitCategory> }}
  ?item a ?class .
}} GROUP BY ?class
"""
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def review_alone() -> Iterator[ServiceProcess]:
    service = start("--data", str(REVIEW), environment={"IACAI_QUERY_WORKERS": "1"})
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()


@pytest.fixture(scope="module")
def beside_the_essay() -> Iterator[ServiceProcess]:
    service = start("--data", "essay", "--data", str(REVIEW),
                    environment={"IACAI_QUERY_WORKERS": "2"})
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()


def select(service: ServiceProcess, query: str) -> list[dict[str, str]]:
    with service.client() as http:
        response = http.get("/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in row.items()}
            for row in response.json()["results"]["bindings"]]


def class_counts(service: ServiceProcess) -> dict[str, int]:
    return {row["class"].removeprefix(str(IACAI)): int(row["n"])
            for row in select(service, COUNT_BY_CLASS)}


def test_the_review_is_served_alone(review_alone: ServiceProcess) -> None:
    assert class_counts(review_alone) == {k: v for k, v in REVIEW_COUNTS.items() if k != "Source"}
    graphs = {row["g"] for row in select(review_alone, GRAPHS)}
    assert str(REVIEW_GRAPH) in graphs and f"{GRAPH}table-1" not in graphs


def test_beside_the_essay_the_counts_add_up(beside_the_essay: ServiceProcess) -> None:
    counts = class_counts(beside_the_essay)
    assert counts == {k: ESSAY_COUNTS[k] + REVIEW_COUNTS[k] for k in ESSAY_COUNTS}
    graphs = {row["g"] for row in select(beside_the_essay, GRAPHS)}
    assert {str(REVIEW_GRAPH), f"{GRAPH}table-1", f"{GRAPH}references"} <= graphs


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_named_query_answers_on_the_served_review(
    review_alone: ServiceProcess, name: str
) -> None:
    with review_alone.client() as http:
        response = http.get(f"/queries/{name}", params=PARAMETERS.get(name, {}),
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    assert len(response.json()["results"]["bindings"]) == NAMED_QUERY_ROWS.get(name, 0)


def test_from_gives_the_same_answer_from_the_cli_and_the_endpoint(
    beside_the_essay: ServiceProcess, tmp_path: Path
) -> None:
    for graph, expected in ((REVIEW_GRAPH, 5), (f"{GRAPH}table-1", 15), (f"{GRAPH}table-2", 0)):
        query = f"SELECT (COUNT(*) AS ?n) FROM <{graph}> WHERE {{ ?c a <{IACAI}Challenge> }}"
        served = int(select(beside_the_essay, query)[0]["n"])
        (tmp_path / "from.rq").write_text(query)
        done = subprocess.run(
            [sys.executable, "-m", "iacai.cli", "query", str(tmp_path / "from.rq"), "--format",
             "json", "--data", "essay", "--data", str(REVIEW)],
            capture_output=True, text=True, timeout=300, check=True,
        )
        answered = int(json.loads(done.stdout)["results"]["bindings"][0]["n"]["value"])
        assert served == answered == expected, graph


def test_data_and_data_dir_together_are_refused(tmp_path: Path) -> None:
    service = start("--data", str(REVIEW), "--data-dir", str(tmp_path), wait=False)
    assert service.process.wait(timeout=120) == 2
    assert "give --data or --data-dir, not both" in service.messages()


_HREF = re.compile(r'href="([^"]*)"')
_NOT_PAGES = ("/sparql", "/queries", "/dumps/", "/static/", "/docs", "/openapi.json",
              "/.well-known/", "/search", "/context")


def crawl(service: ServiceProcess) -> tuple[dict[str, list[str]], dict[str, int]]:
    """Every HTML page reachable from the home page: the hrefs of each, and the failing statuses.

    Pages are fetched a few at a time, a breadth of links per round.
    """
    pages: dict[str, list[str]] = {}
    failed: dict[str, int] = {}
    frontier = {"/"}
    with service.client() as http, ThreadPoolExecutor(4) as pool:
        while frontier:
            fetched = pool.map(
                lambda path: (path, http.get(path, headers={"Accept": "text/html"},
                                             follow_redirects=True)),
                sorted(frontier),
            )
            found: set[str] = set()
            for path, response in fetched:
                if response.status_code != 200:
                    failed[path] = response.status_code
                    continue
                pages[path] = hrefs = [html.unescape(h) for h in _HREF.findall(response.text)]
                found.update(href.split("#")[0] for href in hrefs if _is_page(href))
            frontier = found - pages.keys() - failed.keys()
    return pages, failed


def _is_page(href: str) -> bool:
    """A link to an HTML page of this server (not a query, dump, document in a format, asset)."""
    path = href.split("#")[0]
    if not path.startswith("/") or path.startswith(_NOT_PAGES):
        return False
    if path.startswith("/describe?"):
        return "format=" not in path
    return "?" not in path and "." not in path.rpartition("/")[2]


def test_every_page_of_the_review_and_the_essay_links_somewhere_real(
    beside_the_essay: ServiceProcess,
) -> None:
    pages, failed = crawl(beside_the_essay)
    assert not [(page, h) for page, hrefs in pages.items() for h in hrefs if h in ("None", "")]
    assert failed == {}
    assert any(quote(str(CHALLENGE), safe="") in page for page in pages), sorted(pages)[:20]
    assert any(page.startswith("/id/citation/") for page in pages)
    assert len(pages) > 400


def test_the_home_page_describes_the_review_from_its_metadata(
    review_alone: ServiceProcess,
) -> None:
    with review_alone.client() as http:
        page = http.get("/", headers={"Accept": "text/html"}).text
    assert "AI in healthcare: challenges and benefits" in page
    assert "An invented review of five challenges" in page
    assert "Table 3 as a matrix" not in page and "The essay" not in page


def test_the_review_s_iris_dereference_through_the_describe_page(
    review_alone: ServiceProcess,
) -> None:
    with review_alone.client() as http:
        page = http.get("/describe", params={"iri": str(CHALLENGE)},
                        headers={"Accept": "text/html"})
        assert page.status_code == 200 and "Diagnostic error" in page.text
        assert "Accept" in page.headers["vary"]
        turtle = http.get("/describe", params={"iri": str(CHALLENGE)},
                          headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200
        assert turtle.headers["content-type"].startswith("text/turtle")
        assert "isAddressedBy" in turtle.text
        jsonld = http.get("/describe", params={"iri": str(CHALLENGE), "format": "jsonld"})
        assert jsonld.status_code == 200 and "Diagnostic error" in jsonld.text
        missing = http.get("/describe", params={"iri": "https://example.org/nothing"})
        assert missing.status_code == 404 and "not in the data" in missing.text
        assert http.get("/describe").status_code == 400
        own = http.get("/describe", params={"iri": f"{GRAPH}file/my-review"})
        assert own.status_code == 303 and own.headers["location"] == "/graph/file/my-review"


def test_the_review_s_pages_answer_as_the_essay_s_do(review_alone: ServiceProcess) -> None:
    """A challenge's benefits with category and source, a category's members: by the
    ontology's properties, so the answers need nothing of the essay (no order, no reference
    list: members by label, and no standing claimed for a source)."""
    with review_alone.client() as http:
        challenge, category = (
            parsed(http.get("/describe", params={"iri": str(iri)},
                            headers={"Accept": "text/html"}).text)
            for iri in (CHALLENGE, CATEGORY)
        )
    assert summary(challenge) == {
        "Kind": "Challenge", "Category": "Clinical risk", "Source": "Okafor (2021)",
    }
    assert answer_rows(challenge, "addressed-by") == [
        ["A second reader for scans", "Care quality", "Lindqvist and Baptiste (2022)"],
        ["Earlier detection", "Care quality", "Okafor (2021)"],
    ]
    assert heading(category, "member") == "Members of Clinical risk (2)"
    assert answer_rows(category, "member") == [
        ["Automation bias", "Lindqvist and Baptiste (2022)"],
        ["Diagnostic error", "Okafor (2021)"],
    ]
