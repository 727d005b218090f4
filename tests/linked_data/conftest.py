"""A real uvicorn serving the knowledge graph on 127.0.0.1, over two stores: linked-data tests.

The embedded engine in memory, and Virtuoso behind the remote store: the documents are built from
query answers, and those differ between engines, not between the embedded engine's memory and
disk storage (tests/service and tests/stores run every store, the disk store included).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live_service import RunningService, free_port, serve_in_thread
from rdflib import Dataset

from iacai.service.settings import Settings
from store_backends import store_setting

LINKED_DATA_STORES = ("memory", "remote")


@pytest.fixture(scope="session", params=LINKED_DATA_STORES)
def linked_store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Each of the two engines in turn, as an `iacai serve --store` value."""
    return store_setting(request.param, request, tmp_path_factory.mktemp("disk-store"))


@pytest.fixture(scope="session")
def linked_service(
    request: pytest.FixtureRequest, shipped_dataset: Dataset, linked_store: str
) -> Iterator[RunningService]:
    """On the memory store, the shared service; on Virtuoso, one of the same settings."""
    if linked_store == "memory":
        yield request.getfixturevalue("shipped_service")
        return
    settings = Settings(port=free_port(), query_workers=1, store=linked_store)
    yield from serve_in_thread(settings, shipped_dataset)


@pytest.fixture
def client(linked_service: RunningService) -> Iterator[httpx.Client]:
    with linked_service.client() as http:
        yield http
