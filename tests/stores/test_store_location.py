"""The --store setting: the three kinds it accepts, and a readable refusal of anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from iacai.service.settings import from_sources
from iacai.stores.location import StoreKind, StoreLocation


@pytest.mark.parametrize(
    ("text", "kind", "path", "url"),
    [
        ("memory", StoreKind.MEMORY, None, None),
        ("disk:/var/lib/iacai", StoreKind.DISK, Path("/var/lib/iacai"), None),
        ("http://127.0.0.1:8890/sparql", StoreKind.REMOTE, None, "http://127.0.0.1:8890/sparql"),
        ("https://example.org/ds/query", StoreKind.REMOTE, None, "https://example.org/ds/query"),
    ],
)
def test_each_kind_is_read(text: str, kind: StoreKind, path: Path | None, url: str | None) -> None:
    location = StoreLocation.parse(text)
    assert (location.kind, location.path, location.url) == (kind, path, url)
    assert str(location) == text


@pytest.mark.parametrize("text", ["", "disk:", "ftp://host/sparql", "http://", "memroy"])
def test_anything_else_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="'memory', 'disk:PATH' or the http"):
        StoreLocation.parse(text)


def test_the_store_comes_from_iacai_store() -> None:
    settings = from_sources(environment={"IACAI_STORE": "disk:/srv/iacai"})
    assert settings.store_location == StoreLocation(StoreKind.DISK, path=Path("/srv/iacai"))
    with pytest.raises(ValueError, match="store 'nowhere'"):
        from_sources(environment={"IACAI_STORE": "nowhere"})
