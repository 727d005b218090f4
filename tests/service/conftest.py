"""A real uvicorn serving the knowledge graph on 127.0.0.1, over each store, for the service tests.

The `service` fixture is parametrised over the three stores (memory, disk, a remote Virtuoso),
so every test that uses it runs against each of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_service import RunningService, free_port, serve_in_thread
from rdflib import Dataset

from iacai.service.settings import Settings
from store_backends import STORE_KINDS, store_setting

TEST_TIMEOUT = 2.0
"""A short query timeout, so the timeout tests finish quickly."""
TEST_MAX_ROWS = 1000
"""Below the number of triples, so a SELECT of every triple reaches the cap."""


@pytest.fixture(scope="session", params=STORE_KINDS)
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each store in turn, as an `iacai serve --store` value."""
    folder: Path = tmp_path_factory.mktemp("disk-store")
    return store_setting(request.param, request, folder)


@pytest.fixture(scope="session")
def service(shipped_dataset: Dataset, store: str) -> Iterator[RunningService]:
    settings = Settings(
        port=free_port(),
        query_timeout=TEST_TIMEOUT,
        max_rows=TEST_MAX_ROWS,
        query_workers=2,
        store=store,
        # room for a runaway query to run until the (short) test timeout, which is what these
        # tests stop it by; the memory limit has tests of its own (tests/reliability)
        worker_memory=4096,
    )
    yield from serve_in_thread(settings, shipped_dataset)


@pytest.fixture
def client(service: RunningService) -> Iterator[httpx.Client]:
    with service.client() as http:
        yield http
