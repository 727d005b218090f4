"""Request heads are bounded in all, in fields and per field, and refused cheaply past a bound.

With the defaults (a head of 400,000 bytes, 100 fields, 16,384 bytes per field): 75,000 fields
(as the red team sent) and one field of a megabyte are each answered 431 within a second, a
request line longer than the head may be is answered 414, and heads just within every bound
are answered. The service answers as before afterwards.
"""

from __future__ import annotations

import contextlib
import socket
import time

import pytest
from service_process import CHALLENGES, ServiceProcess

FIELDS = 100
FIELD_BYTES = 16_384
HEAD_BYTES = 400_000
PROMPT = 1.0
URL_BYTES = 65_535
"""httptools parses no longer request target (16-bit offsets): past it, 414 saying to POST."""


def answer_to(port: int, head: bytes) -> tuple[bytes, float]:
    """The server's answer to a raw head (it may stop reading it), and how long it took."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        with contextlib.suppress(OSError):  # refused before all was sent: the answer waits
            connection.sendall(head)
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except OSError:
            pass
    return answer, time.monotonic() - started


def head(*fields: bytes, target: bytes = b"/healthz") -> bytes:
    return b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + b"".join(
        field + b"\r\n" for field in fields
    ) + b"\r\n"


@pytest.mark.parametrize(
    ("sent", "status", "says"),
    [
        (head(*(b"X-A: 1" for _ in range(75_000))), b"431", b"More than 100 header fields"),
        (head(b"X-Big: " + b"a" * 1_000_000), b"431", b"Request head larger than 400000"),
        (head(b"X-Long: " + b"a" * FIELD_BYTES), b"431", b"Header field X-Long over 16384"),
        (head(*(b"X-A: 1" for _ in range(FIELDS - 1))), b"431", b"More than 100 header fields"),
        (head(target=b"/healthz?" + b"a" * HEAD_BYTES), b"414", b"Request target over 65535"),
        (head(target=b"/sparql?query=" + b"a" * URL_BYTES), b"414", b"with POST"),
    ],
    ids=["75000 fields", "1 MB field", "field over its bound", "101 fields", "request line",
         "target past the parser's 64 KiB"],
)
def test_heads_past_a_bound_are_refused(
    served: ServiceProcess, sent: bytes, status: bytes, says: bytes
) -> None:
    answer, took = answer_to(served.port, sent)
    assert answer.startswith(b"HTTP/1.1 " + status), answer[:300]
    assert says in answer, answer[:300]
    assert took < PROMPT, took
    assert served.count_challenges() == CHALLENGES


def test_heads_within_every_bound_are_answered(served: ServiceProcess) -> None:
    fields = [b"X-A: 1" for _ in range(FIELDS - 3)]  # with Host and Connection: 99 fields
    cookie = b"Cookie: " + b"c" * (FIELD_BYTES - len(b"cookie") - 1)
    answer, _ = answer_to(served.port, head(*fields, cookie))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]
    target = b"/healthz?" + b"a" * (URL_BYTES - len(b"/healthz?"))
    answer, _ = answer_to(served.port, head(target=target))
    assert answer.startswith(b"HTTP/1.1 200"), answer[:300]


def test_a_refused_head_is_logged_once_naming_its_bound(served: ServiceProcess) -> None:
    refusal = "refused, 431 Request Header Fields Too Large: More than 100 header fields"
    before = served.messages().count(refusal)
    answer, _ = answer_to(served.port, head(*(b"X-B: 1" for _ in range(FIELDS + 5))))
    assert answer.startswith(b"HTTP/1.1 431"), answer[:300]
    deadline = time.monotonic() + 5
    while served.messages().count(refusal) == before:
        assert time.monotonic() < deadline, served.messages()[-2000:]
        time.sleep(0.05)
    assert served.messages().count(refusal) == before + 1
    # uvicorn's "Invalid HTTP request received." is not logged for a head refused here
    assert "Invalid HTTP request received" not in served.messages()
