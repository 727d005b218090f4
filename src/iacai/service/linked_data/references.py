"""References for reference managers: a source's BibTeX, RIS, CSL-JSON and formatted citation.

A source IRI negotiates these four beside its RDF and HTML documents, as DOI content negotiation
does (`Accept: application/x-bibtex` on `/id/source/agrawal-2022` -> 303 to `.bib`); the formatted
citation takes `?style=` or `Accept: text/x-bibliography; style=...` (a CSL style name, APA by
default). `/dumps/references.bib`, `.ris`,
`.csl.json` and `.txt` hold every source. Everything is written from the CSL-JSON items that
`iacai.citations` reads from the served graph once per snapshot.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Final

from fastapi import APIRouter, Request, Response
from pyoxigraph import Store

from iacai.citation_formats import (
    DEFAULT_STYLE,
    UnknownStyleError,
    bibtex,
    coins,
    csl_json,
    formatted,
    highwire_meta,
    ris,
)
from iacai.citations import SOURCE_PREFIX, CslItem, csl_items, source_key
from iacai.service.http.errors import NotFoundError, ProtocolError
from iacai.service.http.negotiation import Format, Kind, formats_of, split_suffix
from iacai.service.http.openapi import answers

REFERENCE_FORMATS: Final = formats_of(Kind.REFERENCE)
"""What a source is also served as, for reference managers."""

DUMP_NAME: Final = "references"
"""`/dumps/references.bib`, ...: every source in one file per reference format."""

_WRITERS: Final[dict[str, Callable[[Sequence[CslItem]], str]]] = {
    "bibtex": bibtex,
    "ris": ris,
    "csljson": csl_json,
}

router = APIRouter(tags=["references"])


class References:
    """The sources of one snapshot as CSL-JSON items, read on first use and kept."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        self._items: dict[str, CslItem] | None = None
        self._dumps: dict[tuple[str, str], str] = {}

    def items(self) -> dict[str, CslItem]:
        """Every source's item, by IRI."""
        with self._lock:
            if self._items is None:
                self._items = csl_items(self._store)
            return self._items

    def item(self, iri: str) -> CslItem | None:
        return self.items().get(iri)

    def dump(self, chosen: Format, style: str) -> str:
        """Every source in one format (a bibliography in a style), made once per format."""
        key = (chosen.name, style if chosen.name == "bibliography" else "")
        with self._lock:
            made = self._dumps.get(key)
        if made is None:
            made = write(chosen, list(self.items().values()), style)
            with self._lock:
                if len(self._dumps) < 16:  # a handful of styles at most, not every one asked
                    self._dumps[key] = made
        return made


def is_source(iri: str) -> bool:
    """Whether an IRI names a source (`/id/source/...`), which negotiates reference formats."""
    return iri.startswith(SOURCE_PREFIX)


def write(chosen: Format, items: Sequence[CslItem], style: str) -> str:
    """The items in a reference format; a bad style is a 400 that says which styles exist."""
    if chosen.name != "bibliography":
        return _WRITERS[chosen.name](items)
    try:
        return formatted(items, style)
    except UnknownStyleError as error:
        raise ProtocolError(400, str(error)) from None


def reference_document(request: Request, iri: str, chosen: Format) -> Response:
    """One source in a reference format, named for download after its key."""
    item = _references(request).item(iri)
    if item is None:
        raise NotFoundError(f"{iri} is not a source of this knowledge graph.")
    body = write(chosen, [item], _style(request))
    answer = _answer(body, chosen, f"{source_key(iri)}.{chosen.suffix}")
    answer.headers["Link"] = f'<{iri}>; rel="describes"'
    return answer


def page_markup(request: Request, iri: str) -> dict[str, object] | None:
    """What a source's HTML page carries for browser connectors: `citation_*` tags and COinS."""
    item = _references(request).item(iri)
    if item is None:
        return None
    return {"meta": highwire_meta(item), "coins": coins(item)}


@router.get(
    f"/dumps/{DUMP_NAME}.{{suffix:path}}",
    summary="Every source for reference managers: BibTeX, RIS, CSL-JSON or a bibliography",
    responses=answers(200, 400, 404, formats=REFERENCE_FORMATS),
)
async def references_dump(request: Request, suffix: str, style: str | None = None) -> Response:
    """`/dumps/references.bib`, `.ris`, `.csl.json`, `.txt` (APA, or `?style=`)."""
    found = split_suffix(f"{DUMP_NAME}.{suffix}", REFERENCE_FORMATS)
    if found is None or found[0] != DUMP_NAME:
        names = ", ".join(f"{DUMP_NAME}.{f.suffix}" for f in REFERENCE_FORMATS)
        raise NotFoundError(f"No dump {DUMP_NAME}.{suffix}; the references are in {names}.")
    chosen = found[1]
    body = _references(request).dump(chosen, _style(request))
    return _answer(body, chosen, f"{DUMP_NAME}.{chosen.suffix}")


def _answer(body: str, chosen: Format, file_name: str) -> Response:
    return Response(
        body.encode("utf-8"),
        media_type=chosen.content_type,
        headers={"Content-Disposition": f"inline; filename={file_name}"},
    )


def _style(request: Request) -> str:
    """`?style=`, else a `style` parameter of `Accept: text/x-bibliography` (as doi.org reads)."""
    if request.query_params.get("style"):
        return request.query_params["style"]
    for media_range in request.headers.get("accept", "").split(","):
        media_type, *parameters = (part.strip() for part in media_range.split(";"))
        if media_type.lower() == "text/x-bibliography":
            for parameter in parameters:
                name, _, value = parameter.partition("=")
                if name.strip().lower() == "style" and value.strip():
                    return value.strip().strip('"')
    return DEFAULT_STYLE


def _references(request: Request) -> References:
    references: References = request.app.state.linked_data.references
    return references
