"""A real uvicorn serving the knowledge graph on 127.0.0.1, for the end-to-end service tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live_service import RunningService, free_port, serve_in_thread
from rdflib import Dataset

from iacai.service.settings import Settings

TEST_TIMEOUT = 2.0
"""A short query timeout, so the timeout tests finish quickly."""
TEST_MAX_ROWS = 1000
"""Below the number of triples, so a SELECT of every triple reaches the cap."""


@pytest.fixture(scope="session")
def service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    settings = Settings(
        port=free_port(), query_timeout=TEST_TIMEOUT, max_rows=TEST_MAX_ROWS, query_workers=2
    )
    yield from serve_in_thread(settings, shipped_dataset)


@pytest.fixture
def client(service: RunningService) -> Iterator[httpx.Client]:
    with service.client() as http:
        yield http
