"""Every page type in a real chromium at desktop and phone widths: no sideways scroll at 390 px,
no axe-core violation, a screenshot of each kept in test-artifacts/; and the reader's questions
answered on the pages (the index pages complete, a search, an HTML 404 that leads home).

axe-core is vendored for the tests by scripts/test (tests/browser/vendor/, pinned by integrity).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from live_service import RunningService
from selenium.webdriver.common.by import By

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = {"desktop": 1400, "phone": 390}
PAGE_TYPES = {
    "home": "/",
    "matrix": "/matrix",
    "challenge": "/id/challenge/bias",
    "benefit": "/id/benefit/resource-sharing",
    "category": "/id/category/ethical-challenges",
    "source": "/id/source/misra-2023-a",
    "person": "/id/person/misra-s",
    "table": "/id/table/1",
    "citation": "/id/citation/001",
    "issue-page": "/id/issue/gupta-2023-missing-from-reference-list",
    "index-challenges": "/id/challenge/",
    "index-sources": "/id/source/",
    "citation-integrity": "/citation-integrity",
    "ontology": "/ontology",
    "shapes": "/shapes",
    "context": "/context",
    "query-yasgui": "/sparql",
    "query-plain": "/sparql?editor=plain",
    "named-queries": "/queries",
    "named-query-answer": "/queries/benefits-for-challenge?challenge=bias",
    "search": "/search?q=bias",
    "not-found": "/id/challenge/no-such-challenge",
    "void": "/.well-known/void",
    "describe": "/describe?iri=http%3A%2F%2Fwww.wikidata.org%2Fentity%2FQ334",
}



def _open(browser: Any, url: str, width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get(url)
    rendered = {"/sparql": ".yasqe .CodeMirror"}  # built after load
    path = url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
    if f"/{path}" in rendered and "editor=plain" not in url:
        browser.implicitly_wait(20)
        browser.find_element(By.CSS_SELECTOR, rendered[f"/{path}"])
        browser.implicitly_wait(0)


def _wider_than_the_window(browser: Any) -> list[str]:
    """The innermost elements that reach past the window, outside any box that scrolls."""
    return browser.execute_script("""
      const width = window.innerWidth, found = [];
      const scrolls = (e) => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
      for (const e of document.querySelectorAll('body *')) {
        const past = (x) => x.getBoundingClientRect().right > width + 1;
        if (!past(e) || [...e.children].some(past)) continue;
        let inBox = false;
        for (let p = e.parentElement; p && !inBox; p = p.parentElement) inBox = scrolls(p);
        if (!inBox) found.push(e.tagName + ' ' + (e.textContent || '').trim().slice(0, 40));
      }
      return found.slice(0, 5);""")


def _axe_violations(browser: Any) -> list[tuple[str, list[str]]]:
    browser.set_script_timeout(180)  # axe over Swagger UI's large page is slow on a busy machine
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    found = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then((r) => done(r.violations.map("
        "  (v) => [v.id, v.nodes.slice(0, 3).map((n) => n.target.join(' '))])));"
    )
    return [(rule, targets) for rule, targets in found]


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("page", list(PAGE_TYPES))
def test_page_fits_the_width_and_axe_finds_nothing(
    browser: Any, browser_service: RunningService, artifacts: Path, page: str, width: str
) -> None:
    assert AXE.is_file(), "axe-core is missing: scripts/test vendors it"
    _open(browser, browser_service.url + PAGE_TYPES[page], WIDTHS[width])
    browser.save_screenshot(str(artifacts / f"{page}-{width}.png"))
    scroll_width, inner_width = browser.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth];"
    )
    assert scroll_width <= inner_width, (page, WIDTHS[width], _wider_than_the_window(browser))
    assert _axe_violations(browser) == []


def test_the_svg_matrix_names_its_categories_and_clips_no_label(
    browser: Any, browser_service: RunningService, artifacts: Path
) -> None:
    browser.set_window_size(1400, 900)
    browser.get(browser_service.url + "/matrix.svg")
    browser.save_screenshot(str(artifacts / "matrix-svg.png"))
    outside, marks, texts = browser.execute_script("""
      const svg = document.documentElement, box = svg.viewBox.baseVal;
      const texts = [...svg.querySelectorAll('text')];
      const outside = texts.filter((t) => {
        const r = t.getBoundingClientRect();
        return r.left < 0 || r.top < 0 || r.right > box.width || r.bottom > box.height;
      }).map((t) => t.textContent);
      const marks = [...svg.querySelectorAll('a > title')]
        .filter((t) => t.textContent.includes(' addresses '));
      return [outside, marks.length, texts.map((t) => t.textContent)];""")
    assert outside == []
    assert marks == 60
    for category in ("Improved Service Delivery and Efficiency", "Funding and Resources",
                     "Ethical challenges", "Technical Perspective"):
        assert any(category in text for text in texts), category
