"""The project's JSON-LD `@context`, and a pyld document loader that never goes on the network."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from iacai import resources


def load_context() -> dict[str, Any]:
    """The value of `@context` in `ontology/context.jsonld` (the terms, not the document)."""
    document = json.loads(resources.context_path().read_text(encoding="utf-8"))
    return document["@context"]


def refuse_remote_documents(url: str, options: Mapping[str, Any] | None = None) -> Any:
    """A pyld document loader that loads nothing: every context iacai uses is local."""
    raise ValueError(f"iacai loads no remote JSON-LD documents (asked for {url})")
