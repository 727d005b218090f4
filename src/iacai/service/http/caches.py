"""The in-memory cache of whole answers, least recently used first out: one per server process.

The graph never changes while the service runs, so an identical query always has the identical
answer; the cache lets repeated queries skip the worker round trip. Size 0 turns it off. It is
bounded in bytes as well as in entries, so its worst case is known beforehand. Its two users
share it and its one bound: the answer-cache middleware keeps whole responses by the request that
asked for them, and the Answerer keeps answers by ETag (which includes the data version), so that
a query asked another way (POST after GET, another Accept giving the same format) is not run again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

LARGEST_CACHED_ANSWER = 1 << 20
"""Answers larger than this (bytes) are not kept: they would crowd out many small ones."""


class HasBody(Protocol):
    @property
    def body(self) -> bytes: ...


Key = TypeVar("Key", bound=Hashable)
Answer = TypeVar("Answer", bound=HasBody)


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    truncated: bool


class AnswerCache(Generic[Key, Answer]):
    """Least-recently-used answers: at most `entries` of them and `size_limit` bytes together,
    none over LARGEST_CACHED_ANSWER. An answer's size is its body's, or what its keeper says it
    holds (the answer cache in front counts its key and headers too: a request's head may be
    hundreds of kilobytes)."""

    def __init__(self, entries: int, size_limit: int) -> None:
        self._entries = entries
        self._size_limit = size_limit
        self._size = 0
        self._answers: OrderedDict[Key, tuple[Answer, int]] = OrderedDict()

    @property
    def size(self) -> int:
        """Bytes of the answers kept now."""
        return self._size

    @property
    def size_limit(self) -> int:
        """The bound in bytes: answers kept at once never add up to more."""
        return self._size_limit

    @property
    def most_entries(self) -> int:
        """The bound in answers: no more than this are kept at once."""
        return self._entries

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: Key) -> Answer | None:
        kept = self._answers.get(key)
        if kept is None:
            return None
        self._answers.move_to_end(key)
        return kept[0]

    def put(self, key: Key, answer: Answer, size: int | None = None) -> None:
        """Keep the answer, `size` bytes (its body's unless said), dropping the least recently
        used beyond the bounds; one over LARGEST_CACHED_ANSWER is not kept."""
        size = len(answer.body) if size is None else size
        if self._entries == 0 or size > min(LARGEST_CACHED_ANSWER, self._size_limit):
            return
        replaced = self._answers.pop(key, None)
        if replaced is not None:
            self._size -= replaced[1]
        self._answers[key] = (answer, size)
        self._size += size
        while len(self._answers) > self._entries or self._size > self._size_limit:
            _, (_, dropped) = self._answers.popitem(last=False)
            self._size -= dropped
