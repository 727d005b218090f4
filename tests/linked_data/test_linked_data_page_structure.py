"""Every page type parses as HTML5 and has what a screen-reader user relies on."""

from __future__ import annotations

import html5lib
import httpx
import pytest

from iacai.service.http.security_headers import CONTENT_SECURITY_POLICY, POLICY_WITH_INLINE_STYLES
from iacai.service.pages.query_pages import yasgui_vendored

PAGES = [
    "/", "/matrix", "/citation-integrity", "/sparql", "/queries",
    "/id/challenge/bias.html", "/id/benefit/resource-sharing.html",
    "/id/category/ethical-challenges.html", "/id/source/misra-2023-a.html",
    "/id/citation/008.html", "/id/essay.html", "/graph/table-1.html",
    "/ontology.html", "/ontology/alignments.html", "/shapes.html", "/context.html",
]
_NS = "{http://www.w3.org/1999/xhtml}"


@pytest.mark.parametrize("path", PAGES)
def test_page_structure(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    expected = (  # YASGUI sets style attributes
        POLICY_WITH_INLINE_STYLES if path == "/sparql" and yasgui_vendored()
        else CONTENT_SECURITY_POLICY
    )
    assert response.headers["content-security-policy"] == expected
    parser = html5lib.HTMLParser(strict=False)
    document = parser.parse(response.text)
    assert [e for e in parser.errors if "eof" not in str(e)] == [], parser.errors[:3]
    assert len(document.findall(f".//{_NS}h1")) == 1
    assert document.find(f".//{_NS}main") is not None
    assert document.find(f".//{_NS}nav") is not None
    assert document.get("lang") == "en"
    labelled = {label.get("for") for label in document.iter(f"{_NS}label")}
    for field in [*document.iter(f"{_NS}input"), *document.iter(f"{_NS}select"),
                  *document.iter(f"{_NS}textarea")]:
        if field.get("type") != "hidden":
            assert field.get("id") in labelled or field.get("aria-label"), field.attrib
    for image in document.iter(f"{_NS}img"):
        assert image.get("alt") is not None
    for link in document.iter(f"{_NS}a"):
        assert "".join(link.itertext()).strip() or link.get("aria-label"), link.attrib
    assert not any(s.get("src", "").startswith("http") for s in document.iter(f"{_NS}script"))


def test_data_text_is_escaped(client: httpx.Client) -> None:
    """A citation printed as `Kumar & Mallick` reaches the page as text, not markup."""
    page = client.get("/id/citation/008.html").text
    assert "Kumar &amp; Mallick" in page
    assert "Kumar & Mallick" not in page.split("application/ld+json")[0]


def test_home_page_figures_are_the_essays(client: httpx.Client) -> None:
    document = html5lib.HTMLParser(strict=False).parse(client.get("/").text)
    figures = {
        "".join(pair.find(f"{_NS}dt").itertext()): "".join(pair.find(f"{_NS}dd").itertext())
        for pair in document.iter(f"{_NS}div")
        if pair.find(f"{_NS}dt") is not None
    }
    assert figures["Challenges"] == "15"
    assert figures["Benefits"] == "21"
    assert figures["Categories"] == "9"
    assert figures["Links from benefits to challenges"] == "60"
    assert figures["Sources"] == "78 (13 unlisted)"
    assert figures["In-text citations"] == "159"
