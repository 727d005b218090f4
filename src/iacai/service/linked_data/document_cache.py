"""The linked-data documents' bytes, each built once per data version, with its ETag.

Some documents cost a second of CPU to write (the references graph compacted as JSON-LD): built
on every request they took the event loop from every other client. Here the first request for a
document builds it (off the loop, in a thread; requests for it meanwhile wait for that build)
and later ones are served its bytes, whatever their `Accept`. The documents are finite (one per
resource, graph and vocabulary, per format), so nothing is evicted. With a remote store the data
may change under the service: there nothing is kept and no ETag is given.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass

DocumentKey = tuple[str, str]
"""The IRI a document describes and the name of its format."""


@dataclass(frozen=True)
class Document:
    """A document's bytes and, when the data version determines them, their ETag."""

    body: bytes
    etag: str | None


class DocumentCache:
    """Builds each document once (thread-safe: one build per key at a time) and keeps it."""

    def __init__(self, keeps: bool) -> None:
        self._keeps = keeps
        self._lock = threading.Lock()
        self._documents: dict[DocumentKey, Document] = {}
        self._building: dict[DocumentKey, threading.Lock] = {}

    def get(self, key: DocumentKey, build: Callable[[], bytes]) -> Document:
        """The document under `key`, built by `build` if no one has built it yet."""
        if not self._keeps:
            return Document(build(), None)
        with self._lock:
            found = self._documents.get(key)
            if found is not None:
                return found
            building = self._building.setdefault(key, threading.Lock())
        with building:
            with self._lock:
                found = self._documents.get(key)
            if found is not None:
                return found
            body = build()
            document = Document(body, f'"{hashlib.sha256(body).hexdigest()[:32]}"')
            with self._lock:
                self._documents[key] = document
                self._building.pop(key, None)
            return document
