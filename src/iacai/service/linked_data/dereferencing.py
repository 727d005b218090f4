"""Dereferencing: every IRI under https://w3id.org/iacai/ answered at the same path on this server.

The recipe is the 303 one of "Cool URIs for the Semantic Web" and of the W3C "Best Practice
Recipes for Publishing RDF Vocabularies" (recipe 3, extended configuration): an IRI without a
suffix names a thing (a challenge, the ontology, a named graph), so the server answers
`303 See Other` to the document about it in the negotiated format (`/id/challenge/bias` ->
`/id/challenge/bias.ttl`, `.jsonld`, `.nt`, `.rdf` or `.html`); a document IRI answers `200` in
its own format. Negotiation is by `?format=`, else by `Accept` (q-values), with `Vary: Accept`;
an IRI the graph does not have is `404`. A source also negotiates the formats of reference
managers (`references.py`). docs/linked-data.md describes it for users.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from pyoxigraph import NamedNode

from iacai import __version__, resources
from iacai.jsonld_context import load_context
from iacai.namespaces import BASE, PREFIXES
from iacai.service.engine.writers import write_graph
from iacai.service.http.addresses import DESCRIBE_PATH, page_path, served_path
from iacai.service.http.conditions import not_modified
from iacai.service.http.errors import NotFoundError, ProtocolError
from iacai.service.http.negotiation import (
    FORMATS,
    HTML,
    Format,
    Kind,
    formats_of,
    negotiate,
    split_suffix,
)
from iacai.service.http.openapi import answers
from iacai.service.linked_data import references
from iacai.service.linked_data.descriptions import (
    Description,
    compacted_jsonld,
    describe,
    framed_jsonld,
    graph_triples,
    has_subject,
    is_mentioned,
    jsonld_bytes,
)
from iacai.service.linked_data.document_cache import DocumentCache
from iacai.service.linked_data.dumps import Dumps
from iacai.service.linked_data.vocabularies import VocabularyDocument, vocabulary_documents
from iacai.service.pages import site
from iacai.service.pages.answers import page_answers
from iacai.service.sparql.internal_queries import asked_for
from iacai.snapshot import Snapshot
from iacai.stores.opening import memory_store

router = APIRouter(tags=["linked data"], default_response_class=Response)

DOCUMENT_FORMATS: tuple[Format, ...] = (
    *(f for f in formats_of(Kind.GRAPH) if f.name not in ("trig", "nquads")),
    HTML,
)
"""What a resource or vocabulary is served as: RDF first (for `*/*`), HTML for browsers."""
SOURCE_FORMATS: tuple[Format, ...] = (*DOCUMENT_FORMATS, *references.REFERENCE_FORMATS)
"""What a source is served as: its documents, then the formats of reference managers."""
_DOCUMENT_ANSWERS = answers(200, 303, 304, 404, 406, formats=DOCUMENT_FORMATS)


@dataclass(frozen=True)
class LinkedData:
    """What dereferencing needs, built once per snapshot."""

    vocabularies: dict[str, VocabularyDocument]
    dumps: Dumps
    graph_names: tuple[str, ...]
    references: references.References
    documents: DocumentCache


def attach(app: FastAPI, snapshot: Snapshot) -> None:
    """Serve the snapshot's IRIs, vocabularies, context and dumps from this app."""
    app.state.linked_data = LinkedData(
        vocabulary_documents(),
        Dumps(snapshot.nquads),
        snapshot.graph_names,
        references.References(memory_store(snapshot.nquads)),
        DocumentCache(keeps=not app.state.settings.store_location.is_remote),
    )
    app.include_router(references.router)
    app.include_router(router)
    app.include_router(site.router)


def _state(request: Request) -> LinkedData:
    linked_data: LinkedData = request.app.state.linked_data
    return linked_data


async def _known(value: bool) -> bool:
    """A fact known at once, where `_dereference` takes something to wait for."""
    return value


def _off_loop(
    render: Callable[[str, Format], Response],
) -> Callable[[str, Format], Awaitable[Response]]:
    """A render that needs no store, run in a thread (some take seconds)."""
    return lambda stem, chosen: asyncio.to_thread(render, stem, chosen)


@router.get(
    "/id/{path:path}",
    summary="A resource of the knowledge graph (303 to a document)",
    responses=answers(200, 303, 400, 404, 406, formats=SOURCE_FORMATS),
)
async def resource(request: Request, path: str, format: str | None = None) -> Response:
    """`/id/{kind}/{slug}` -> 303 to `.ttl`, `.jsonld`, `.nt`, `.rdf` or `.html` (each 200).

    A source (`/id/source/...`) also -> `.bib`, `.ris`, `.csl.json` or `.txt` (`?style=`).
    """
    return await _dereference(
        request,
        f"id/{path}",
        SOURCE_FORMATS if references.is_source(BASE + "id/" + path) else DOCUMENT_FORMATS,
        exists=lambda stem: has_subject(asked_for(request), BASE + stem),
        render=lambda stem, chosen: _resource_document(request, BASE + stem, chosen),
    )


@router.get(
    DESCRIBE_PATH,
    summary="Any resource the data mentions, by its IRI (for IRIs outside w3id.org/iacai)",
    responses=answers(200, 303, 400, 404, 406, formats=DOCUMENT_FORMATS),
)
async def describe_any(request: Request, iri: str = "", format: str | None = None) -> Response:
    """`/describe?iri=IRI`: the page or document of any IRI, negotiated as at `/id/...`.

    An IRI of the project is sent (303) to its own path; any other is answered here, 200, in the
    format asked by `?format=` or `Accept`, if the data has it as a subject or an object.
    """
    if not iri:
        raise ProtocolError(400, "Give the IRI to describe: /describe?iri=https://...")
    own = served_path(iri)
    if own is not None:
        return RedirectResponse(own, status_code=303, headers={"Vary": "Accept"})
    try:
        term = NamedNode(iri)
    except ValueError:
        raise ProtocolError(400, f"Not an IRI: {iri!r}.") from None
    if not await is_mentioned(asked_for(request), term):
        raise NotFoundError(f"{iri} is not in the data served here.")
    formats = request.query_params.getlist("format")
    chosen = negotiate(formats, request.headers.get("accept"), DOCUMENT_FORMATS, iri)
    response = await _resource_document(request, iri, chosen)
    response.headers["Vary"] = "Accept"
    return response


@router.get(
    "/graph/{path:path}",
    summary="A named graph: its contents (303 to a document)",
    responses=_DOCUMENT_ANSWERS,
)
async def named_graph(request: Request, path: str, format: str | None = None) -> Response:
    """`/graph/table-1` -> 303 to its contents in an RDF format, or its description as HTML."""
    state = _state(request)
    return await _dereference(
        request,
        f"graph/{path}",
        DOCUMENT_FORMATS,
        exists=lambda stem: _known(BASE + stem in state.graph_names),
        render=lambda stem, chosen: _graph_document(request, BASE + stem, chosen),
    )


@router.get(
    "/ontology{rest:path}",
    summary="The ontology, its versions and alignments",
    responses=_DOCUMENT_ANSWERS,
)
async def ontology(request: Request, rest: str, format: str | None = None) -> Response:
    """The ontology IRI, its `owl:versionIRI` and the alignments: 303 to HTML docs or RDF."""
    return await _vocabulary(request, f"ontology{rest}")


@router.get("/shapes{rest:path}", summary="The SHACL shapes", responses=_DOCUMENT_ANSWERS)
async def shapes(request: Request, rest: str, format: str | None = None) -> Response:
    """The shapes IRI: 303 to their HTML documentation or RDF."""
    return await _vocabulary(request, f"shapes{rest}")


_CONTEXT_FORMATS: tuple[Format, ...] = (*(f for f in FORMATS if f.name == "jsonld"), HTML)


@router.get(
    "/context.jsonld",
    summary="The project's JSON-LD @context",
    responses=answers(200, 304, formats=_CONTEXT_FORMATS[:1]),
)
async def context_document() -> Response:
    """The `@context` every JSON-LD answer refers to, as shipped in the package."""
    return _context_file()


@router.get(
    "/context{rest:path}",
    summary="The @context's documentation and its versions",
    responses=answers(200, 303, 404, 406, formats=_CONTEXT_FORMATS),
)
async def context_publication(request: Request, rest: str, format: str | None = None) -> Response:
    """`/context`, `/context/VERSION` and `/context/0.1.0`: 303 to `.jsonld` or `.html`."""
    return await _dereference(
        request,
        f"context{rest}",
        _CONTEXT_FORMATS,
        exists=lambda stem: _known(
            stem in ("context", f"context/{__version__}", "context/0.1.0")
        ),
        render=_off_loop(
            lambda stem, chosen: (
                site.context_page(request, load_context())
                if chosen is HTML
                else _context_file(_CONTEXT_RELEASES.get(stem))
            )
        ),
    )


_CONTEXT_RELEASES = {"context/0.1.0": resources.ontology_dir() / "0.1.0" / "context.jsonld"}
"""Earlier releases of the context, each at its version IRI."""


def _context_file(path: Path | None = None) -> Response:
    return Response(
        (path or resources.context_path()).read_bytes(),
        media_type="application/ld+json",
        headers={"Access-Control-Allow-Origin": "*"},
    )


@router.get(
    "/dumps/{file_name}",
    summary="The whole graph as one file",
    responses=answers(200, 206, 304, 404, 416, formats=formats_of(Kind.GRAPH)),
)
async def dump(request: Request, file_name: str) -> Response:
    """`/dumps/iacai.ttl`, `.nt`, `.trig`, `.nq`, `.jsonld`: deterministic, with a checksum ETag."""
    stem, _, suffix = file_name.rpartition(".")
    found = await _state(request).dumps.get(suffix) if stem == "iacai" else None
    if found is None:
        raise NotFoundError(f"No dump {file_name}; see /.well-known/void for the list.")
    return Response(
        found.body,
        media_type=f"{found.media_type}; charset=utf-8",
        headers={
            "ETag": found.etag,
            "Accept-Ranges": "bytes",
            "Content-Disposition": f"inline; filename={file_name}",
        },
    )


async def _vocabulary(request: Request, path: str) -> Response:
    vocabularies = _state(request).vocabularies
    return await _dereference(
        request,
        path,
        DOCUMENT_FORMATS,
        exists=lambda stem: _known(stem in vocabularies),
        render=_off_loop(
            lambda stem, chosen: _vocabulary_document(request, vocabularies[stem], chosen)
        ),
    )


async def _dereference(
    request: Request,
    path: str,
    offered: tuple[Format, ...],
    exists: Callable[[str], Awaitable[bool]],
    render: Callable[[str, Format], Awaitable[Response]],
) -> Response:
    """303 from a thing to its document in the negotiated format; 200 for a document.

    The redirect keeps the query's other parameters (a citation's `style`).
    """
    by_file = split_suffix(path, offered)
    if by_file is not None:
        stem, chosen = by_file
        if not await exists(stem):
            raise NotFoundError(f"{BASE}{stem} is not in this knowledge graph.")
        return await render(stem, chosen)
    if not await exists(path):
        raise NotFoundError(f"{BASE}{path} is not in this knowledge graph.")
    formats = request.query_params.getlist("format")
    chosen = negotiate(formats, request.headers.get("accept"), offered, BASE + path)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    query = f"?{urlencode(kept)}" if kept else ""
    return RedirectResponse(
        f"/{path}.{chosen.suffix}{query}", status_code=303, headers={"Vary": "Accept"}
    )


async def _resource_document(request: Request, iri: str, chosen: Format) -> Response:
    """The data asked of the store on the loop; the page or document built in a thread."""
    if chosen.kind is Kind.REFERENCE:
        return await asyncio.to_thread(references.reference_document, request, iri, chosen)
    queries = asked_for(request)
    description = await describe(queries, iri)
    if chosen is HTML:
        answered = await page_answers(queries, iri, description.name)
        return await asyncio.to_thread(
            site.resource_page,
            request,
            description,
            answered,
            _alternates(iri),
            references.page_markup(request, iri),
        )
    return await asyncio.to_thread(_described_document, request, description, chosen)


def _described_document(request: Request, description: Description, chosen: Format) -> Response:
    iri = description.iri

    def build() -> bytes:
        if chosen.name == "jsonld":
            return jsonld_bytes(framed_jsonld(iri, description.triples))
        return write_graph(chosen.name, description.triples, PREFIXES, {})

    return _document_response(request, iri, chosen, build)


async def _graph_document(request: Request, iri: str, chosen: Format) -> Response:
    """The graph's triples asked of the store on the loop; the document built in a thread."""
    queries = asked_for(request)
    if chosen is HTML:
        description = await describe(queries, iri)
        answered = await page_answers(queries, iri, description.name)
        return await asyncio.to_thread(
            site.resource_page, request, description, answered, _alternates(iri)
        )
    triples = await graph_triples(queries, iri)

    def build() -> bytes:
        if chosen.name == "jsonld":
            return jsonld_bytes(compacted_jsonld(triples))
        return write_graph(chosen.name, triples, PREFIXES, {})

    return await asyncio.to_thread(_document_response, request, iri, chosen, build)


def _vocabulary_document(
    request: Request, document: VocabularyDocument, chosen: Format
) -> Response:
    if chosen is HTML:
        return site.vocabulary_page(request, document, _alternates(document.iri))

    def build() -> bytes:
        if chosen.name == "turtle":
            return document.turtle
        if chosen.name == "jsonld":
            return jsonld_bytes(compacted_jsonld(document.triples))
        return write_graph(chosen.name, document.triples, PREFIXES, {})

    return _document_response(request, document.iri, chosen, build)


def _document_response(
    request: Request, iri: str, chosen: Format, build: Callable[[], bytes]
) -> Response:
    """The document, built once (`DocumentCache`), with its ETag; 304 when the client has it."""
    document = _state(request).documents.get((iri, chosen.name), build)
    headers = {"Link": f'<{iri}>; rel="describes"'}
    if document.etag is not None:
        headers["ETag"] = document.etag
        held = not_modified(request, document.etag, headers, chosen.content_type)
        if held is not None:
            return held
    return Response(document.body, media_type=chosen.content_type, headers=headers)


def _alternates(iri: str) -> list[dict[str, Any]]:
    """The same document in every other format, as links for a page's head and footer."""
    return [
        {"href": page_path(iri, f.suffix), "media_type": f.media_type, "name": f.suffix}
        for f in (SOURCE_FORMATS if references.is_source(iri) else DOCUMENT_FORMATS)
        if f is not HTML
    ]
