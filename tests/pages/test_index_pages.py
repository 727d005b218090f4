"""Index pages on a real server: each lists every resource of its class once,
challenges and benefits grouped by category in the table's order; the home page links to them."""

from __future__ import annotations

import re

import httpx
import pytest

from iacai.namespaces import BASE
from iacai.service.pages.index_pages import KINDS

HTML = {"Accept": "text/html"}


def _instances(client: httpx.Client, class_iri: str) -> set[str]:
    query = (
        f"SELECT DISTINCT ?item WHERE {{ ?item a/rdfs:subClassOf* <{class_iri}> "
        "FILTER(isIRI(?item)) }"
    )
    answer = client.get("/sparql", params={"query": query}, headers={"Accept": "application/json"})
    return {b["item"]["value"] for b in answer.json()["results"]["bindings"]}


def _listed(page: str) -> list[str]:
    entries = page.split('class="index-group"', 1)[-1]
    return re.findall(r'<li><a href="([^"]+)">', entries)


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_index_lists_every_resource_of_its_class_once(client: httpx.Client, kind: str) -> None:
    page = client.get(f"/id/{kind}/", headers=HTML)
    assert page.status_code == 200
    listed = _listed(page.text)
    expected = {"/" + iri[len(BASE):] for iri in _instances(client, KINDS[kind].class_iri)}
    assert expected and len(listed) == len(set(listed)) == len(expected)
    assert set(listed) == expected


def test_challenges_are_grouped_by_category_in_table_order(client: httpx.Client) -> None:
    page = client.get("/id/challenge/", headers=HTML).text
    headings = [re.sub(r"<[^>]+>", "", h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page)]
    assert headings == [
        "Ethical challenges (5)", "Organizational perspective (3)", "Data governance (3)",
        "Technical Perspective (4)",
    ]
    ethical = _listed(page)[:5]
    assert ethical == [
        "/id/challenge/privacy-of-data", "/id/challenge/transparency",
        "/id/challenge/explainability", "/id/challenge/bias", "/id/challenge/security-of-data",
    ]


def test_sources_missing_from_the_reference_list_are_grouped_apart(client: httpx.Client) -> None:
    page = client.get("/id/source/", headers=HTML).text
    assert "In the reference list <span class=\"count\">(65)</span>" in page
    assert "Cited but missing from the reference list <span class=\"count\">(13)</span>" in page


def test_the_home_page_figures_link_to_the_indexes(client: httpx.Client) -> None:
    page = client.get("/", headers=HTML).text
    for kind in ("challenge", "benefit", "category", "source", "issue"):
        assert f'<dt><a href="/id/{kind}/">' in page


def test_an_unknown_index_is_404(client: httpx.Client) -> None:
    assert client.get("/id/nothing/", headers={"Accept": "*/*"}).status_code == 404
