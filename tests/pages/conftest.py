"""A real uvicorn serving the essay from memory on 127.0.0.1, for the tests of the pages for people.

The pages read the store through the same query workers as /sparql; that they read every store
alike is tested once, in tests/stores and tests/linked_data, so these run on the memory store.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "service"))
from live_service import RunningService, free_port, serve_in_thread

from iacai.service.settings import Settings


@pytest.fixture(scope="session")
def pages_service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    yield from serve_in_thread(Settings(port=free_port()), shipped_dataset)


@pytest.fixture
def client(pages_service: RunningService) -> Iterator[httpx.Client]:
    with pages_service.client() as http:
        yield http
