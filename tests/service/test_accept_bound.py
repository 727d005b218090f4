"""An Accept header costs the same however long it is: only its first media ranges are read."""

from __future__ import annotations

import time

from iacai.service.http.negotiation import MAX_MEDIA_RANGES, Kind, choose, formats_of

HOSTILE = ", ".join(f"text/x-{n};q=0.{n % 9 + 1}" for n in range(35_000))
"""35,000 q-values: 0.32 s of the event loop per request before the bound."""


def test_a_hostile_accept_header_is_cheap() -> None:
    started = time.perf_counter()
    for _ in range(20):
        assert choose(HOSTILE, formats_of(Kind.RESULTS)) is None
    assert (time.perf_counter() - started) / 20 < 0.01


def test_media_ranges_past_the_bound_are_ignored() -> None:
    padding = ", ".join(f"text/x-{n}" for n in range(MAX_MEDIA_RANGES - 1))
    assert choose(f"{padding}, text/csv", formats_of(Kind.RESULTS)).name == "csv"  # type: ignore[union-attr]
    assert choose(f"{padding}, text/x-last, text/csv", formats_of(Kind.RESULTS)) is None
