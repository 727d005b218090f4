"""Every page type in a real chromium at desktop and phone widths: no sideways scroll at 390 px,
no axe-core violation, a screenshot of each kept in test-artifacts/; and the reader's questions
answered on the pages (the index pages complete, a search, an HTML 404 that leads home).

axe-core is vendored for the tests by scripts/test (tests/browser/vendor/, pinned by integrity).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_service import RunningService
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

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
    "table": "/id/table/3",  # the widest table page: rows, marks and sources
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
    "api-docs": "/docs",
    "void": "/.well-known/void",
    "describe": "/describe?iri=http%3A%2F%2Fwww.wikidata.org%2Fentity%2FQ334",
}
RENDERED = {"/sparql": ".yasqe .CodeMirror", "/docs": ".opblock"}
"""Pages built by a script after they load (YASGUI, Swagger UI): what shows they are done."""


def _open(browser: Any, url: str, width: int) -> None:
    browser.set_window_size(width, 900)
    browser.get(url)
    path = "/" + url.split("://", 1)[1].split("/", 1)[1].split("?")[0]
    if path in RENDERED and "editor=plain" not in url:
        # generous: a fresh profile parses each bundle (Swagger UI's is 1.5 MB) on a busy machine
        WebDriverWait(browser, 120).until(
            lambda page: page.find_elements(By.CSS_SELECTOR, RENDERED[path])
        )


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


LIT = "rgb(253, 233, 168)"
"""The background of the row and column under the pointer or the focus (pages.css, --lit)."""
_MARK = """
  const [benefit, challenge] = arguments;
  const head = [...document.querySelectorAll('th.benefit')]
    .find((th) => th.textContent.trim() === benefit);
  const row = [...document.querySelectorAll('th.challenge')]
    .find((th) => th.textContent.trim() === challenge).closest('tr');
  return row.querySelector(`td[data-column="${head.dataset.column}"] a.mark`);"""
_SHOWN = """
  const mark = arguments[0], tip = mark.querySelector('.tip'), box = tip.getBoundingClientRect();
  const column = mark.closest('td').dataset.column, cell = mark.getBoundingClientRect();
  const background = (e) => getComputedStyle(e).backgroundColor;
  return {
    text: tip.innerText.replace(/\\s+/g, ' '),
    inWindow: box.width > 150 && box.height > 30 && box.left >= 0 && box.top >= 0
      && box.right <= document.documentElement.clientWidth && box.bottom <= innerHeight,
    byItsMark: Math.min(Math.abs(box.top - cell.bottom), Math.abs(cell.top - box.bottom)) <= 6,
    header: mark.closest('table').querySelector(`th.benefit[data-column="${column}"]`)
      .textContent.trim(),
    rowLabel: mark.closest('tr').querySelector('th.challenge').textContent.trim(),
    lit: [...mark.closest('table').querySelectorAll(`[data-column="${column}"]`),
          mark.closest('tr').querySelector('th.challenge')].map(background),
    unlit: background(document.querySelector(
      `tbody tr:not(:has(a.mark:focus, a.mark:hover)) td:not([data-column="${column}"])`)),
  };"""


def _shown(browser: Any, mark: Any) -> dict[str, Any]:
    """The mark's tooltip and the colours of its column and row, once matrix.js has drawn them."""
    WebDriverWait(browser, 10).until(
        lambda page: page.execute_script(_SHOWN, mark)["lit"][0] == LIT
    )
    shown: dict[str, Any] = browser.execute_script(_SHOWN, mark)
    return shown


def test_each_mark_is_a_target_whose_tooltip_names_both_and_their_sources(
    browser: Any, browser_service: RunningService, artifacts: Path
) -> None:
    """The reader's tool (issue 11): marks of at least 24x24 px, a tooltip on hover and on
    keyboard focus naming the benefit, the challenge and both their sources (the accessible name
    too), the row and column lit."""
    browser.set_window_size(1400, 900)
    browser.get(browser_service.url + "/matrix")
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('a.mark')].map((a) => {"
        "  const r = a.getBoundingClientRect(); return [r.width, r.height]; });"
    )
    assert len(sizes) == 60
    assert min(min(size) for size in sizes) >= 24, sorted(sizes)[:3]

    mark = browser.execute_script(_MARK, "Resource sharing", "Bias")
    ActionChains(browser).move_to_element(mark).perform()
    hovered = _shown(browser, mark)
    browser.save_screenshot(str(artifacts / "matrix-tooltip-desktop.png"))
    expected = ("Resource sharing", "Warm (2011)", "Bias",
                "Gupta et al., 2023, missing from the reference list")
    assert all(words in hovered["text"] for words in expected), hovered["text"]
    assert all(words in mark.accessible_name for words in expected), mark.accessible_name
    assert hovered["inWindow"] and hovered["byItsMark"]
    assert set(hovered["lit"]) == {LIT} and hovered["unlit"] != LIT

    # the keyboard: Tab from the row's label to its first mark
    ActionChains(browser).move_to_element(browser.find_element(By.TAG_NAME, "h1")).perform()
    label = browser.execute_script(
        "return [...document.querySelectorAll('th.challenge a')]"
        ".find((a) => a.textContent.trim() === 'Bias');"
    )
    browser.execute_script("arguments[0].focus();", label)
    ActionChains(browser).send_keys(Keys.TAB).perform()
    focused = browser.switch_to.active_element
    assert focused.get_attribute("class") == "mark"
    shown = _shown(browser, focused)
    assert shown["rowLabel"] == "Bias" and shown["header"] in shown["text"]
    assert shown["text"].count("source: ") == 2 and "Gupta et al., 2023" in shown["text"]
    assert shown["inWindow"] and set(shown["lit"]) == {LIT}


@pytest.fixture
def restored_window(browser: Any) -> Iterator[None]:
    """The session's own window again after the test (later tests expect a desktop's)."""
    yield
    browser.set_window_size(1400, 1000)


@pytest.fixture
def phone(browser: Any, restored_window: None) -> None:
    """A 390 px window, then the session's own again."""
    browser.set_window_size(WIDTHS["phone"], 900)


def test_on_a_phone_the_matrix_scrolls_in_its_box_and_its_labels_stay(
    browser: Any, browser_service: RunningService, artifacts: Path, phone: None
) -> None:
    """At 390 px the page never scrolls sideways: the table does, in its box, while its row
    labels (and its column heads, scrolling down) stay in view; a tooltip stays in the window."""
    browser.get(browser_service.url + "/matrix")
    last = browser.execute_script(
        "const wrap = document.querySelector('.matrix-wrap');"
        "wrap.scrollIntoView(); wrap.scrollLeft = wrap.scrollWidth;"
        "const marks = [...document.querySelectorAll('a.mark')];"
        "return marks.reduce((a, b) => b.getBoundingClientRect().right >"
        "  a.getBoundingClientRect().right ? b : a);"
    )
    scrolled = browser.execute_script("""
      const wrap = document.querySelector('.matrix-wrap'), box = wrap.getBoundingClientRect();
      const label = [...document.querySelectorAll('th.challenge')]
        .find((th) => th.textContent.trim() === 'Bias'), at = label.getBoundingClientRect();
      const top = document.elementFromPoint((at.left + at.right) / 2, (at.top + at.bottom) / 2);
      return {page: document.documentElement.scrollWidth - innerWidth, by: wrap.scrollLeft,
              offset: at.left - box.left, inWindow: at.right <= innerWidth,
              onTop: label.contains(top)};""")
    assert scrolled["page"] <= 0 and scrolled["by"] > 100, scrolled
    assert abs(scrolled["offset"]) <= 2 and scrolled["inWindow"] and scrolled["onTop"], scrolled
    heads = browser.execute_script(  # the column heads stay too while the box scrolls down
        "const wrap = document.querySelector('.matrix-wrap');"
        "wrap.scrollTop = wrap.scrollHeight;"
        "const head = wrap.querySelector('thead').getBoundingClientRect();"
        "return [wrap.scrollTop, head.top - wrap.getBoundingClientRect().top];"
    )
    assert heads[0] > 0 and abs(heads[1]) <= 2, heads
    browser.execute_script("arguments[0].focus();", last)
    tip = _shown(browser, last)
    browser.save_screenshot(str(artifacts / "matrix-tooltip-phone.png"))
    assert tip["inWindow"] and tip["byItsMark"], tip
    assert tip["header"] in tip["text"] and tip["rowLabel"] in tip["text"]
    browser.execute_script("document.querySelector('.matrix-wrap').scrollTop -= 40;")
    WebDriverWait(browser, 10).until(  # the tooltip follows its mark as the box scrolls
        lambda page: page.execute_script(_SHOWN, last)["byItsMark"]
    )


@pytest.mark.parametrize("width", [1280, WIDTHS["phone"]])
def test_the_home_tables_headings_and_numbers_break_between_words_only(
    browser: Any, browser_service: RunningService, restored_window: None, width: int
) -> None:
    """Tester's report: at 1280 px the number columns were squeezed to a character or two, their
    headings broken mid-word ("Challenges" on five lines) and their numbers too. A word here is
    what lies between spaces (a hyphen may end a line); none may lie on two lines."""
    _open(browser, browser_service.url + "/", width)
    checked, broken = browser.execute_script("""
      const broken = [], cells = [...document.querySelectorAll('table.datasets :is(th, td)')]
        .filter((cell) => cell.tagName === 'TH' || /^\\d+$/.test(cell.textContent.trim()));
      for (const cell of cells) {
        const texts = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let text = texts.nextNode(); text; text = texts.nextNode()) {
          for (const word of text.data.matchAll(/[^\\s-]+-?/g)) {
            const range = document.createRange();
            range.setStart(text, word.index);
            range.setEnd(text, word.index + word[0].length);
            const lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            if (lines.size > 1) broken.push(word[0]);
          }
        }
      }
      return [cells.length, broken];""")
    assert checked > 30  # the five column headings, each graph's name and numbers, the total
    assert broken == []
