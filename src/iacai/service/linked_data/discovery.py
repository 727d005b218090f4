"""What crawlers and dataset harvesters look for first: /robots.txt and /sitemap.xml.

The sitemap lists every page of the knowledge graph (each /id/ resource, each index page such as
/id/challenge/, each named graph, the vocabularies, the main pages) as absolute URLs on the host
the client reached; robots.txt names it and keeps crawlers off the endless URL spaces of ad-hoc
queries.
"""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse
from pyoxigraph import NamedNode

from iacai.namespaces import ID
from iacai.service.http.addresses import base_url, served_path
from iacai.service.pages.index_pages import KINDS
from iacai.service.sparql.internal_queries import InternalQueries, asked_for

router = APIRouter(include_in_schema=False)

MAIN_PAGES = ("/", "/matrix", "/citation-integrity", "/sparql", "/queries", "/.well-known/void")


@router.get("/robots.txt")
async def robots(request: Request) -> PlainTextResponse:
    """Everything may be crawled but query answers; the sitemap lists every page."""
    return PlainTextResponse(
        "User-agent: *\n"
        "Disallow: /sparql?\n"
        "Disallow: /queries/\n"
        f"Sitemap: {base_url(request)}/sitemap.xml\n"
    )


@router.get("/sitemap.xml")
async def sitemap(request: Request) -> Response:
    """Every page of the knowledge graph, on this host, last changed when the data last did."""
    root = base_url(request)
    linked_data = request.app.state.linked_data
    modified: date = request.app.state.describer.modified
    vocabularies = sorted({document.iri for document in linked_data.vocabularies.values()})
    paths = [
        *MAIN_PAGES,
        *(f"/id/{kind}/" for kind in KINDS),
        *(f"{served_path(iri)}.html" for iri in vocabularies),
        "/context.html",
        *(f"{served_path(name)}.html" for name in linked_data.graph_names if served_path(name)),
        *(f"{path}.html" for path in await resource_paths(asked_for(request))),
    ]
    paths = list(dict.fromkeys(paths))  # a named graph may be a vocabulary too: once each
    lastmod = f"<lastmod>{modified.isoformat()}</lastmod>"
    entries = "".join(f"<url><loc>{escape(root + p)}</loc>{lastmod}</url>\n" for p in paths)
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}</urlset>\n"
    )
    return Response(body, media_type="application/xml; charset=utf-8")


async def resource_paths(queries: InternalQueries) -> tuple[str, ...]:
    """The path of every resource under /id/ that the store says something about."""
    rows = await queries.select("resources", namespace=NamedNode(str(ID)))
    return tuple(sorted(served_path(row["resource"].value) or "" for row in rows))
