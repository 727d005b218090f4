"""The pages in a real headless chromium: they render, their links resolve, the query page works."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from live_service import RunningService
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

PAGES = {
    "home": "/",
    "matrix": "/matrix",
    "challenge": "/id/challenge/bias",
    "benefit": "/id/benefit/resource-sharing",
    "category": "/id/category/ethical-challenges",
    "source": "/id/source/misra-2023-a",
    "citation-integrity": "/citation-integrity",
    "ontology": "/ontology",
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_renders_and_every_link_on_it_resolves(
    browser: Any, browser_service: RunningService, artifacts: Path, name: str
) -> None:
    browser.get(browser_service.url + PAGES[name])
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.is_displayed() and heading.text.strip()
    browser.save_screenshot(str(artifacts / f"{name}.png"))
    hrefs = {
        a.get_attribute("href").split("#")[0]
        for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")
    }
    local = sorted(h for h in hrefs if h.startswith(browser_service.url))
    assert local
    broken = []
    with httpx.Client(follow_redirects=True, timeout=30,
                      headers={"Accept": "text/html,*/*;q=0.8"}) as http:
        for href in local:
            status = http.get(href).status_code
            if status != 200:
                broken.append((href, status))
    assert broken == []


def test_the_matrix_shows_every_mark(browser: Any, browser_service: RunningService) -> None:
    browser.get(browser_service.url + "/matrix")
    marks = browser.find_elements(By.CSS_SELECTOR, "td.mark")
    assert len(marks) == 60
    assert all(mark.is_displayed() for mark in marks)
    links = browser.find_elements(By.CSS_SELECTOR, "td.mark a")
    assert len(links) == 60  # one whole-cell link per mark, to its challenge
    assert {link.get_attribute("href").split("/id/")[1].split("/")[0] for link in links} == {
        "challenge"
    }
    heads = browser.find_elements(By.CSS_SELECTOR, "th.benefit a")  # the benefits: column heads
    assert len(heads) == 21
    assert {head.get_attribute("href").split("/id/")[1].split("/")[0] for head in heads} == {
        "benefit"
    }


def test_the_query_page_runs_a_query_and_shows_its_results(
    browser: Any, browser_service: RunningService, artifacts: Path
) -> None:
    browser.get(browser_service.url + "/sparql?editor=plain")
    browser.find_element(By.ID, "run").click()
    WebDriverWait(browser, 20).until(
        expected_conditions.presence_of_element_located(
            (By.CSS_SELECTOR, "#results table tbody tr")
        )
    )
    rows = browser.find_elements(By.CSS_SELECTOR, "#results table tbody tr")
    browser.save_screenshot(str(artifacts / "query.png"))
    assert len(rows) == 15  # the example query lists the fifteen challenges
    assert "Bias" in browser.find_element(By.ID, "results").text


def test_a_source_page_gives_a_browser_connector_its_citation(
    browser: Any, browser_service: RunningService
) -> None:
    """What Zotero's embedded-metadata and COinS translators read from the page's DOM."""
    browser.get(browser_service.url + "/id/source/charles-2022")
    tags = browser.execute_script(
        "return [...document.querySelectorAll('meta[name^=\"citation_\"]')]"
        ".map(m => [m.name, m.content]);"
    )
    assert ["citation_title", "Artificial Intelligence for data-driven decisionmaking and "
            "governance in public affairs"] in tags
    assert [c for n, c in tags if n == "citation_author"] == [
        "Charles, V.", "Rana, N. P.", "Carter, L."]
    assert ["citation_doi", "10.1016/j.giq.2022.101742"] in tags
    assert ["citation_journal_title", "Government Information Quarterly"] in tags
    coins = browser.find_element(By.CSS_SELECTOR, "span.Z3988").get_attribute("title")
    assert "rft_id=info%3Adoi%2F10.1016%2Fj.giq.2022.101742" in coins


def test_the_pages_icon_loads_and_favicon_ico_is_it_with_no_console_error(
    browser: Any, browser_service: RunningService
) -> None:
    """Tester's report: no favicon, so a 404 (and a console error) with every page viewed.
    The page names its icon; /favicon.ico, asked where nothing names one, is the same icon."""
    browser.get_log("browser")  # what earlier tests left
    browser.get(browser_service.url + "/")
    loaded = browser.execute_async_script(
        "const done = arguments[arguments.length - 1], icon = new Image();"
        "icon.onload = () => done([icon.src, icon.naturalWidth]); icon.onerror = () => done(null);"
        "icon.src = document.querySelector('link[rel=icon]').href;"
    )
    assert loaded is not None and loaded[0].startswith(browser_service.url + "/static/")
    assert loaded[1] > 0
    browser.get(browser_service.url + "/favicon.ico")  # where a browser looks without a page
    assert browser.execute_script("return document.documentElement.localName") == "svg"
    assert [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"] == []
