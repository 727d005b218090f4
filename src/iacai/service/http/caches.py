"""Small in-memory caches of whole answers, least recently used first out.

The graph never changes while the service runs, so an identical query always has the identical
answer; a cache lets repeated queries skip the worker round trip. Size 0 turns it off. The
Answerer keeps answers by ETag (which includes the data version); the answer-cache middleware
keeps whole responses by the request that asked for them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

LARGEST_CACHED_ANSWER = 1 << 20
"""Answers larger than this (bytes) are not kept: they would crowd out many small ones."""


class _HasBody(Protocol):
    @property
    def body(self) -> bytes: ...


Key = TypeVar("Key", bound=Hashable)
Answer = TypeVar("Answer", bound=_HasBody)


@dataclass(frozen=True)
class CachedAnswer:
    body: bytes
    truncated: bool


class AnswerCache(Generic[Key, Answer]):
    """Least-recently-used answers, at most `entries` of them, none over LARGEST_CACHED_ANSWER."""

    def __init__(self, entries: int) -> None:
        self._entries = entries
        self._answers: OrderedDict[Key, Answer] = OrderedDict()

    def get(self, key: Key) -> Answer | None:
        answer = self._answers.get(key)
        if answer is not None:
            self._answers.move_to_end(key)
        return answer

    def put(self, key: Key, answer: Answer) -> None:
        if self._entries == 0 or len(answer.body) > LARGEST_CACHED_ANSWER:
            return
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > self._entries:
            self._answers.popitem(last=False)
