"""Waiting for a service under test to answer /healthz: one loop for every way tests start it."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx


def wait_until_healthy(url: str, still_running: Callable[[], bool], seconds: float) -> None:
    """Return once `url`/healthz answers 200; raise if the server stops or time runs out."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if not still_running():
            raise RuntimeError(f"the service at {url} stopped before it answered /healthz")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the service at {url} did not answer /healthz in {seconds} s")
        time.sleep(0.1)
