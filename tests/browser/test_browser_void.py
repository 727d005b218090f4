"""The home page's VoID link in a real headless chromium: a page to read, not a file to save."""

from __future__ import annotations

from typing import Any

from live_service import RunningService
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait


def test_the_void_link_opens_a_readable_page(browser: Any, browser_service: RunningService) -> None:
    browser.get(browser_service.url + "/")
    browser.find_element(By.LINK_TEXT, "VoID").click()
    WebDriverWait(browser, 30).until(expected_conditions.url_contains("/.well-known/void"))
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.is_displayed() and heading.text.startswith("The dataset: iacai-kg")
    downloads = browser.find_elements(By.CSS_SELECTOR, "#dumps ~ table a[href*='/dumps/']")
    assert len(downloads) == 5
