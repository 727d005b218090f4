"""A real uvicorn on 127.0.0.1 (memory store) for the reference-manager tests."""

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
def reference_service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    """The service on the memory store: references are read from the served snapshot alone."""
    yield from serve_in_thread(Settings(port=free_port(), query_workers=1), shipped_dataset)


@pytest.fixture
def client(reference_service: RunningService) -> Iterator[httpx.Client]:
    with reference_service.client() as http:
        yield http
