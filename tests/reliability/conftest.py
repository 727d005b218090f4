"""One `iacai serve` process for the reliability tests that do not stop or break it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from service_process import (
    CONCURRENCY,
    KEEP_ALIVE,
    QUERY_TIMEOUT,
    STOPPED_CLEANLY,
    ServiceProcess,
    start,
)


@pytest.fixture(scope="session")
def served() -> Iterator[ServiceProcess]:
    service = start(
        environment={
            "IACAI_QUERY_TIMEOUT": str(QUERY_TIMEOUT),
            "IACAI_TIMEOUT_KEEP_ALIVE": str(KEEP_ALIVE),
            "IACAI_LIMIT_CONCURRENCY": str(CONCURRENCY),
            "IACAI_QUERY_WORKERS": "2",
        }
    )
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()


@pytest.fixture(scope="session")
def default_served() -> Iterator[ServiceProcess]:
    """`iacai serve` with its defaults, one process for the tests that need those and neither
    stop it nor change its settings (the event loop's, the stalled bodies')."""
    service = start()
    yield service
    assert service.stop() in STOPPED_CLEANLY, service.messages()
