"""/docs renders the OpenAPI description in a real browser: every operation shown, no error.

The description is OpenAPI 3.1; the Swagger UI 4 once bundled cannot read 3.1 and showed
"Unable to render this definition" instead of any operation. Swagger UI 5 is served from the
package (no CDN), so the page works without a network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from live_service import RunningService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def test_the_api_docs_show_every_operation(
    browser: Any, browser_service: RunningService, artifacts: Path
) -> None:
    description = httpx.get(f"{browser_service.url}/openapi.json", timeout=30).json()
    assert description["openapi"].startswith("3.1")
    operations = sum(
        1 for item in description["paths"].values() for method in item if method != "parameters"
    )
    browser.get(f"{browser_service.url}/docs")
    WebDriverWait(browser, 30).until(
        lambda page: page.find_elements(By.CSS_SELECTOR, ".opblock")
        or "Unable to render" in page.find_element(By.TAG_NAME, "body").text
    )
    browser.save_screenshot(str(artifacts / "api-docs.png"))
    assert "Unable to render" not in browser.find_element(By.TAG_NAME, "body").text
    shown = browser.find_elements(By.CSS_SELECTOR, ".opblock")
    assert len(shown) == operations
    paths = {e.text for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")}
    assert {"/sparql", "/queries/{name}", "/healthz"} <= paths
    scripts = [
        e.get_attribute("src") for e in browser.find_elements(By.CSS_SELECTOR, "script[src]")
    ]
    assert scripts and all(src.startswith(browser_service.url) for src in scripts), scripts
