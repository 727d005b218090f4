"""A real uvicorn on 127.0.0.1 (memory store) for the reference-manager tests."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from live_service import RunningService


@pytest.fixture
def client(shipped_service: RunningService) -> Iterator[httpx.Client]:
    """The shared service on the memory store: references are read from the served snapshot."""
    with shipped_service.client() as http:
        yield http
