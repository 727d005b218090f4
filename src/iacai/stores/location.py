"""The `--store` setting: `memory`, `disk:PATH` or the URL of a SPARQL 1.1 query endpoint."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit


class StoreKind(enum.Enum):
    MEMORY = "memory"
    DISK = "disk"
    REMOTE = "remote"


@dataclass(frozen=True)
class StoreLocation:
    """Which store holds the graph, and where."""

    kind: StoreKind
    path: Path | None = None
    url: str | None = None

    @classmethod
    def parse(cls, text: str) -> StoreLocation:
        """`memory`, `disk:PATH` or `http(s)://...`; ValueError says what is accepted."""
        text = text.strip()
        if text == "memory":
            return cls(StoreKind.MEMORY)
        if text.startswith("disk:") and len(text) > len("disk:"):
            return cls(StoreKind.DISK, path=Path(text.removeprefix("disk:")).expanduser())
        parts = urlsplit(text)
        if parts.scheme in ("http", "https") and parts.netloc:
            return cls(StoreKind.REMOTE, url=text)
        raise ValueError(
            f"store {text!r}: give 'memory', 'disk:PATH' or the http(s) URL of a SPARQL endpoint"
        )

    @property
    def is_remote(self) -> bool:
        return self.kind is StoreKind.REMOTE

    def __str__(self) -> str:
        if self.kind is StoreKind.DISK:
            return f"disk:{self.path}"
        return self.url or self.kind.value
