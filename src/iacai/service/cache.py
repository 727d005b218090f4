"""A small in-memory cache of whole answers, keyed by their ETag (which includes the data version).

The graph never changes while the service runs, so an identical query always has the identical
answer; the cache lets repeated queries skip the worker round trip. Size 0 turns it off.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

LARGEST_CACHED_ANSWER = 1 << 20
"""Answers larger than this (bytes) are not kept: they would crowd out many small ones."""


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    truncated: bool


class AnswerCache:
    """Least-recently-used answers, at most `entries` of them."""

    def __init__(self, entries: int) -> None:
        self._entries = entries
        self._answers: OrderedDict[str, CachedAnswer] = OrderedDict()

    def get(self, key: str) -> CachedAnswer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: str, answer: CachedAnswer) -> None:
        if self._entries == 0 or len(answer.body) > LARGEST_CACHED_ANSWER:
            return
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > self._entries:
            self._answers.popitem(last=False)
