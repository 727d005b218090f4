"""One real uvicorn on 127.0.0.1 (the in-memory store) for the integrators' tests.

What these tests check (HTTP semantics, negotiation, discovery) happens above the store, so one
store is enough; the store-specific behaviour is covered by tests/service.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live_service import RunningService


@pytest.fixture(scope="session")
def integrated_service(shipped_service: RunningService) -> RunningService:
    """The shared service (memory store, one query worker)."""
    return shipped_service


@pytest.fixture
def client(integrated_service: RunningService) -> Iterator[httpx.Client]:
    """A client that asks for no content coding unless a test says so."""
    with integrated_service.client(headers={"Accept-Encoding": "identity"}) as http:
        yield http
