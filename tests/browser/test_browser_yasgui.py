"""The YASGUI query editor in a real chromium: runs a query, pages its rows, links locally.

YASGUI is vendored by scripts/fetch-yasgui (scripts/test runs it, npm being there); the plain
editor stays reachable at /sparql?editor=plain and is what /sparql serves without npm.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from live_service import RunningService
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import Select, WebDriverWait

from iacai.namespaces import BASE, PREFIXES
from iacai.service.pages.query_pages import yasgui_vendored

FIVE_THOUSAND = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY DESC(?s) ?p ?o LIMIT 5000"


def _set_query(browser: Any, query: str) -> None:
    browser.execute_script(
        "document.querySelector('.yasqe .CodeMirror').CodeMirror.setValue(arguments[0]);", query
    )


def _query(browser: Any) -> str:
    value: str = browser.execute_script(
        "return document.querySelector('.yasqe .CodeMirror').CodeMirror.getValue();"
    )
    return value


def _run(browser: Any, query: str) -> None:
    _set_query(browser, query)
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()


def test_yasgui_is_vendored() -> None:
    assert yasgui_vendored(), "scripts/fetch-yasgui did not vendor YASGUI (is npm installed?)"


def test_yasgui_runs_a_query_and_pages_five_thousand_rows(
    browser: Any, browser_service: RunningService, artifacts: Path
) -> None:
    browser.get(browser_service.url + "/sparql")
    wait = WebDriverWait(browser, 90)
    wait.until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, ".yasqe_queryButton")
    ))
    _run(browser, FIVE_THOUSAND)
    wait.until(lambda b: "5000 results" in b.find_element(By.CSS_SELECTOR, ".yasr").text)
    first_page = browser.find_element(By.CSS_SELECTOR, ".yasr table.dataTable tbody").text
    browser.save_screenshot(str(artifacts / "yasgui.png"))
    wait.until(lambda b: "100" in [  # 5,000 rows, 50 a page
        page.text for page in b.find_elements(By.CSS_SELECTOR, ".dt-paging button")
    ])
    browser.find_element(By.CSS_SELECTOR, ".dt-paging button.next").click()
    wait.until(lambda b: b.find_element(By.CSS_SELECTOR, ".yasr table.dataTable tbody").text
               != first_page)
    # the address bar holds the query: opening it again brings the same query back
    address = urlsplit(browser.current_url)
    assert parse_qs(address.query)["query"] == [FIVE_THOUSAND]
    # IRIs of the dataset link to this server's pages, not to the canonical host
    hrefs = [
        a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".yasr a[href]")
    ]
    assert not [h for h in hrefs if h.startswith(BASE)]  # none left pointing off-site
    assert [h for h in hrefs if h.startswith(browser_service.url)]


def test_the_address_bar_reopens_the_query(browser: Any, browser_service: RunningService) -> None:
    query = "SELECT ?label WHERE { ?c a iacai:Challenge ; rdfs:label ?label }"
    browser.get(browser_service.url + "/sparql?" + urlencode({"query": query}))
    wait = WebDriverWait(browser, 90)
    wait.until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, ".yasr table.dataTable tbody tr")
    ))
    assert _query(browser) == query
    assert "Bias" in browser.find_element(By.CSS_SELECTOR, ".yasr").text


def test_the_editor_knows_the_predeclared_prefixes(
    browser: Any, browser_service: RunningService
) -> None:
    """Regression: a query using only the service's predeclared prefixes, no PREFIX lines, was
    marked as an error ("Prefix 'iacai' is not defined") though the service runs it."""
    predeclared = (
        "ASK { ?c a iacai:Challenge ; rdfs:label ?label ; skos:definition ?d ."
        " FILTER(datatype(?label) = xsd:string || lang(?label) != '') }"
    )
    browser.get(browser_service.url + "/sparql?" + urlencode({"query": predeclared}))
    wait = WebDriverWait(browser, 90)
    wait.until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, ".yasqe_queryButton")
    ))
    assert _query(browser) == predeclared
    assert not browser.find_elements(By.CSS_SELECTOR, ".yasqe .parseErrorIcon")
    # a prefix neither declared in the query nor predeclared is still marked, with its name
    _set_query(browser, "SELECT * WHERE { ?s nope:p ?o }")
    marker = browser.find_element(By.CSS_SELECTOR, ".yasqe .parseErrorIcon")
    ActionChains(browser).move_to_element(marker).perform()
    assert "Prefix 'nope' is not defined" in wait.until(
        lambda b: b.find_element(By.CSS_SELECTOR, ".yasqe .yasqe_tooltip").text
    )
    # typed: PREFIX lines are still completed from the predeclared set, and a predeclared
    # prefix used in the query is taken as declared (no marker, no PREFIX line added for it)
    _set_query(browser, "")
    browser.find_element(By.CSS_SELECTOR, ".yasqe .CodeMirror").click()
    editor = browser.find_element(By.CSS_SELECTOR, ".yasqe .CodeMirror textarea")
    editor.send_keys("PREFIX ia")
    hint = wait.until(lambda b: b.find_element(By.CSS_SELECTOR, ".CodeMirror-hint"))
    assert hint.text == f"iacai: <{PREFIXES['iacai']}>"
    editor.send_keys(Keys.ENTER)
    editor.send_keys(Keys.END, Keys.ENTER, "SELECT * WHERE { ?s a skos:Concept ; iacai:x ?o }")
    assert _query(browser) == (
        f"PREFIX iacai: <{PREFIXES['iacai']}>\nSELECT * WHERE {{ ?s a skos:Concept ; iacai:x ?o }}"
    )
    assert not browser.find_elements(By.CSS_SELECTOR, ".yasqe .parseErrorIcon")
    # a prefix the query declares itself counts as before
    _set_query(browser, "PREFIX ex: <http://example.org/>\nSELECT * WHERE { ?s ex:p ?o }")
    assert not browser.find_elements(By.CSS_SELECTOR, ".yasqe .parseErrorIcon")


def test_picking_an_example_puts_it_in_the_address_bar(
    browser: Any, browser_service: RunningService
) -> None:
    """Tester's report: after an example was picked, the address bar kept the old URL until
    the query was run, so a link copied from it opened another query."""
    browser.get(browser_service.url + "/sparql")
    WebDriverWait(browser, 90).until(expected_conditions.presence_of_element_located(
        (By.CSS_SELECTOR, ".yasqe_queryButton")
    ))
    examples = json.loads(browser.find_element(By.ID, "examples").get_attribute("textContent"))
    picked = examples[-1]
    Select(browser.find_element(By.ID, "example")).select_by_value(picked["name"])
    assert _query(browser) == picked["text"]
    address = urlsplit(browser.current_url)
    assert address.path == "/sparql"
    assert parse_qs(address.query)["query"] == [picked["text"]]
