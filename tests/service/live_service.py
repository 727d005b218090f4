"""Running the service for real: uvicorn on 127.0.0.1, a free port, ready once /healthz answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import uvicorn
from rdflib import Dataset

from health import wait_until_healthy
from iacai.service.app import create_app
from iacai.service.settings import Settings
from iacai.snapshot import snapshot_of
from store_backends import free_port as free_port  # the service tests take it from here


@dataclass(frozen=True)
class RunningService:
    """A service listening on 127.0.0.1 and the settings it runs with."""

    url: str
    settings: Settings

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"

    def client(self, **options: object) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30, **options)  # type: ignore[arg-type]


def serve_in_thread(settings: Settings, dataset: Dataset) -> Iterator[RunningService]:
    """Run uvicorn in a thread until the caller is done; wait for /healthz before yielding."""
    app = create_app(settings, snapshot_of(dataset, "test"))
    config = uvicorn.Config(app, host=settings.host, port=settings.port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://{settings.host}:{settings.port}"
    wait_until_healthy(url, thread.is_alive, seconds=60)
    try:
        yield RunningService(url, settings)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
