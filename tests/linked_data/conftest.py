"""A real uvicorn serving the knowledge graph on 127.0.0.1, for the linked-data tests."""

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
def linked_service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    yield from serve_in_thread(Settings(port=free_port(), query_workers=1), shipped_dataset)


@pytest.fixture
def client(linked_service: RunningService) -> Iterator[httpx.Client]:
    with linked_service.client() as http:
        yield http
