"""/search on a real server: the index is read from the store being served, through its workers."""

from __future__ import annotations

import time

import httpx
import pytest

from iacai.namespaces import BASE


@pytest.fixture(autouse=True)
def index_built(client: httpx.Client) -> None:
    """The index is built in the background as the service starts: wait for it (bounded)."""
    deadline = time.monotonic() + 60
    while client.get("/search", params={"q": "x"}).status_code == 503:
        assert time.monotonic() < deadline, "the search index was not built in 60 s"
        time.sleep(0.2)


def test_search_answers_503_with_retry_after_only_while_building(client: httpx.Client) -> None:
    answer = client.get("/search", params={"q": "bias"}, headers={"Accept": "application/json"})
    assert answer.status_code == 200 and "retry-after" not in answer.headers


def _hits(client: httpx.Client, query: str) -> list[dict[str, str]]:
    answer = client.get("/search", params={"q": query}, headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/json")
    return answer.json()["hits"]


@pytest.mark.parametrize(
    ("query", "iri", "kind"),
    [
        ("bias", f"{BASE}id/challenge/bias", "Challenge"),
        ("Transparência", f"{BASE}id/challenge/transparency", "Challenge"),
        ("natalia borges", f"{BASE}id/person/borges-natalia-marroni", "Person"),
        ("SIRMACEK", f"{BASE}id/person/sirmacek-b", "Person"),
        ("resource sharing", f"{BASE}id/benefit/resource-sharing", "Benefit"),
    ],
)
def test_search_finds_the_resource_first(
    client: httpx.Client, query: str, iri: str, kind: str
) -> None:
    first = _hits(client, query)[0]
    assert (first["iri"], first["kind"]) == (iri, kind)
    assert first["href"] == "/" + iri[len(BASE):]


def test_search_finds_reference_titles(client: httpx.Client) -> None:
    hits = _hits(client, "artificial intelligence public sector")
    kinds = {hit["kind"] for hit in hits}
    assert "Source" in kinds


def test_search_page_for_browsers_links_each_hit(client: httpx.Client) -> None:
    page = client.get("/search", params={"q": "bias"}, headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'href="/id/challenge/bias"' in page.text
    assert "Challenge" in page.text


def test_every_page_has_a_search_box(client: httpx.Client) -> None:
    for path in ("/", "/matrix", "/id/challenge/bias", "/queries"):
        page = client.get(path, headers={"Accept": "text/html"}, follow_redirects=True)
        assert 'role="search"' in page.text and 'action="/search"' in page.text, path


def test_search_refuses_formats_it_has_not(client: httpx.Client) -> None:
    answer = client.get("/search", params={"q": "bias"}, headers={"Accept": "text/turtle"})
    assert answer.status_code == 406


def test_citations_printed_alike_are_told_apart_by_where_they_stand(client: httpx.Client) -> None:
    """Issue 11 trial: "gupta" listed "Gupta et al., 2023 · In-text citation" six times, alike."""
    citations = [hit for hit in _hits(client, "gupta") if hit["kind"] == "In-text citation"]
    assert len(citations) == 6
    told = [(hit["where"]["text"], tuple(b["text"] for b in hit["backs"]), hit["among"])
            for hit in citations]
    assert len(set(told)) == 6, told
    assert ("Table 1", ("Bias",), "") in told
    page = client.get("/search", params={"q": "gupta"}, headers={"Accept": "text/html"}).text
    bias = 'in <a href="/id/table/1">Table 1</a>, backing <a href="/id/challenge/bias">Bias</a>'
    assert bias in page
