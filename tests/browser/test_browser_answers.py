"""The reviewer's question of issue 11 in a real chromium: "Which benefits address the Bias
challenge, and what sources back them?" is answered on the Bias page itself, as a reader sees it
at desktop and phone widths (screenshots of both kept in test-artifacts/)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from live_service import RunningService
from selenium.webdriver.common.by import By

WIDTHS = {"desktop": 1400, "phone": 390}


def test_the_bias_page_answers_which_benefits_address_it_and_on_what_sources(
    browser: Any, browser_service: RunningService, artifacts: Path
) -> None:
    browser.get(browser_service.url + "/id/challenge/bias")
    for name, width in WIDTHS.items():
        browser.set_window_size(width, 900)
        answer = browser.find_element(By.ID, "answer-addressed-by")
        assert answer.is_displayed() and answer.text == "Benefits that address Bias (6)"
        rows = browser.find_elements(
            By.CSS_SELECTOR, "section[aria-labelledby='answer-addressed-by'] tbody tr"
        )
        cells = [[cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
                 for row in rows]
        assert len(cells) == 6 and all(row[1] and row[2] for row in cells), cells
        assert cells[0] == ["Shared problem-solving", "Improved Service Delivery and Efficiency",
                            "Frazier (2014) (in the reference list)"]
        own_source = browser.find_element(By.CSS_SELECTOR, "dl.summary .standing")
        assert own_source.is_displayed()
        assert own_source.text == "(missing from the reference list)"
        statements = browser.find_element(By.CSS_SELECTOR, "details.statements")
        assert statements.get_attribute("open") is None  # the raw table waits, folded, below
        scroll_width, inner_width = browser.execute_script(
            "return [document.documentElement.scrollWidth, window.innerWidth];"
        )
        assert scroll_width <= inner_width, (name, scroll_width, inner_width)
        browser.save_screenshot(str(artifacts / f"bias-answer-{name}.png"))
