"""The project's JSON-LD `@context`, and a pyld document loader that never goes on the network."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from iacai import resources
from iacai.namespaces import CONTEXT_IRI


def load_context() -> dict[str, Any]:
    """The value of `@context` in `ontology/context.jsonld` (the terms, not the document)."""
    document = json.loads(resources.context_path().read_text(encoding="utf-8"))
    context: dict[str, Any] = document["@context"]
    return context


def refuse_remote_documents(url: str, options: Mapping[str, Any] | None = None) -> Any:
    """A pyld document loader that loads nothing: every context iacai uses is local."""
    raise ValueError(
        f"the JSON-LD context {url} is not fetched: iacai reads no document from the network "
        f"(its own context, {CONTEXT_IRI}, is read from the package); put the context inline"
    )


def local_context_loader(url: str, options: Mapping[str, Any] | None = None) -> Any:
    """A pyld document loader that answers the project's context IRI from the shipped file.

    Documents that refer to the published `@context` by its IRI are read without a request.
    """
    if url != CONTEXT_IRI:
        return refuse_remote_documents(url, options)
    document = json.loads(resources.context_path().read_text(encoding="utf-8"))
    return {"contentType": "application/ld+json", "contextUrl": None, "documentUrl": url,
            "document": document}


def to_nquads(text: str, base: str) -> str:
    """A JSON-LD document as N-Quads, read offline: the project's context from the package.

    rdflib's own JSON-LD parser would fetch a context given by IRI from the network; pyld with
    `local_context_loader` answers the project's IRI from the shipped file and refuses others.
    """
    from pyld import jsonld

    document = json.loads(text)
    options = {
        "base": base, "format": "application/n-quads", "documentLoader": local_context_loader
    }
    try:
        nquads: str = jsonld.to_rdf(document, options)
    except jsonld.JsonLdError as error:
        raise ValueError(_deepest(error)) from error
    return nquads


def _deepest(error: BaseException) -> str:
    """pyld wraps the real problem in layers of 'could not ...': the innermost message says it."""
    inner: BaseException | None = error
    while inner is not None:
        error = inner
        inner = getattr(error, "cause", None) or error.__cause__
    return str(error).splitlines()[0]


def expand_rdf(nquads: str) -> list[dict[str, Any]]:
    """N-Triples or N-Quads as expanded JSON-LD (pyld; imported only when JSON-LD is asked for)."""
    from pyld import jsonld

    expanded: list[dict[str, Any]] = jsonld.from_rdf(nquads, {"format": "application/n-quads"})
    return expanded


def compact(expanded: Any, context: Mapping[str, Any] | str) -> dict[str, Any]:
    """Expanded JSON-LD compacted with a context (inline, or the project's by its IRI), offline."""
    from pyld import jsonld

    compacted: dict[str, Any] = jsonld.compact(
        expanded, context, {"documentLoader": local_context_loader}
    )
    return compacted
