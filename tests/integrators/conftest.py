"""One real uvicorn on 127.0.0.1 (the in-memory store) for the integrators' tests.

What these tests check (HTTP semantics, negotiation, discovery) happens above the store, so one
store is enough; the store-specific behaviour is covered by tests/service.
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
def integrated_service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    settings = Settings(port=free_port(), query_workers=1)
    yield from serve_in_thread(settings, shipped_dataset)


@pytest.fixture
def client(integrated_service: RunningService) -> Iterator[httpx.Client]:
    """A client that asks for no content coding unless a test says so."""
    with integrated_service.client(headers={"Accept-Encoding": "identity"}) as http:
        yield http
