"""The OpenAPI description lists the 500, 502 and 504 that running a query can end in.

The code answers 500 (the engine cannot evaluate a query), 502 (a remote store down or answering
badly) and 504 (a remote store too slow), but /openapi.json named none of them, so a client built
from it, or the schema fuzzing, was told these answers could not happen.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from iacai.service.pages import search_page
from iacai.service.sparql import named_query_routes, protocol


@pytest.fixture(scope="module")
def description() -> dict[str, Any]:
    """The OpenAPI document of the routes that run queries, as FastAPI writes it."""
    app = FastAPI()
    for router in (protocol.router, named_query_routes.router, search_page.router):
        app.include_router(router)
    return app.openapi()


@pytest.mark.parametrize(
    ("path", "method"),
    [("/sparql", "get"), ("/sparql", "post"), ("/queries/{name}", "get")],
)
def test_every_query_failure_is_described_as_plain_text(
    description: dict[str, Any], path: str, method: str
) -> None:
    responses = description["paths"][path][method]["responses"]
    for status in ("500", "502", "503", "504"):
        assert status in responses, f"{method.upper()} {path} does not describe {status}"
        assert list(responses[status]["content"]) == ["text/plain"]


def test_search_describes_its_not_ready_answer(description: dict[str, Any]) -> None:
    assert "503" in description["paths"]["/search"]["get"]["responses"]
