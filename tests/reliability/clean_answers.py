"""What every answer to hostile input must be: a client error with a message, no internals."""

from __future__ import annotations

import site
import sys
from pathlib import Path
from typing import Any, Protocol

from service_process import REPOSITORY

_INTERNALS = (
    "Traceback (most recent call last)",
    'File "',
    "site-packages",
    "dist-packages",
    str(REPOSITORY),
    str(Path(sys.prefix)),
    *site.getsitepackages(),
)
"""Marks of a stack trace or of where the service is installed: none may reach a client."""


class Answer(Protocol):
    """An HTTP response as httpx, requests and schemathesis each give it."""

    status_code: int
    content: bytes
    headers: Any


def internals_in(text: str) -> list[str]:
    """The internal marks found in an answer's text (empty: none)."""
    return [mark for mark in _INTERNALS if mark in text]


def assert_clean(response: Answer, timeout_allowed: bool = False) -> None:
    """2xx, 3xx, 304, or 4xx with a message; 503 only for a stopped query; no internals."""
    status = response.status_code
    text = response.content.decode("utf-8", errors="replace")
    assert not internals_in(text), f"internals in a {status} answer: {internals_in(text)}"
    assert not internals_in(str(response.headers)), "internals in the headers"
    if status == 503:
        assert timeout_allowed and "timeout reached" in text, f"unexpected 503: {text[:300]}"
        return
    assert status < 500, f"{status} for a client's input: {text[:300]}"
    if status >= 400:
        assert text.strip(), f"{status} without a message"
