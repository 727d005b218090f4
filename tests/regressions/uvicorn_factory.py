"""The service as uvicorn runs it from the app factory: a real process on 127.0.0.1, stopped after.

The factory (`iacai.service.app:app_from_environment`) is what `iacai serve --workers N` and a
process manager start; settings arrive as IACAI_* variables.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

CACHE_ENTRIES = 3
"""The answer-cache bound of the regression tests' shared service (conftest.py)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Factory:
    """uvicorn running the app factory: the process, its base URL, where its output goes."""

    process: subprocess.Popen[bytes]
    url: str
    output: IO[bytes]

    def running(self) -> bool:
        return self.process.poll() is None

    def messages(self) -> str:
        self.output.seek(0)
        return self.output.read().decode(errors="replace")


@contextmanager
def factory_process(environment: Mapping[str, str]) -> Iterator[Factory]:
    """uvicorn running the app factory on a free port; stopped afterwards."""
    port = free_port()
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "iacai.service.app:app_from_environment",
             "--factory", "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
             "--timeout-graceful-shutdown", "2"],
            env={**os.environ, **environment},
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            yield Factory(process, f"http://127.0.0.1:{port}", output)
        finally:
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
