"""`/search?q=`: full-text search of the served graph, a page for people and JSON for programs.

The index (iacai.search) is built once per server process when the service starts, from the rows
of `queries/internal/search-documents.rq` asked of the configured store through the query
workers, like every other read of the data.
"""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import asdict
from typing import Any, Final

from fastapi import APIRouter, Request, Response

from iacai import resources
from iacai.namespaces import FOAF, IACAI
from iacai.search import Hit, SearchIndex, SearchRow
from iacai.service.engine.pool import SERVICE_ITSELF, QueryPool
from iacai.service.engine.worker import QueryAnswer, QueryJob
from iacai.service.http.addresses import page_path
from iacai.service.http.errors import NotReadyError
from iacai.service.http.negotiation import HTML, Format, Kind, negotiate
from iacai.service.http.openapi import answers
from iacai.service.pages.answers import CitationPlace, citations_told_apart
from iacai.service.pages.query_pages import templates
from iacai.service.sparql.internal_queries import asked_for
from iacai.terms import compact

router = APIRouter()

SEARCH_JSON: Final = Format("json", "application/json", Kind.RESULTS, ("json",))
_MOST_ROWS: Final = 1_000_000
_BUILD_TIMEOUT: Final = 120.0
"""Seconds the index's one query may take: it reads every text of the graph, once."""
log = logging.getLogger(__name__)
_CITATION: Final = str(IACAI.InTextCitation)
_KINDS: Final = (
    # the kind shown for a hit: the first of its types found here, else its first type
    (str(IACAI.Challenge), "Challenge"),
    (str(IACAI.Benefit), "Benefit"),
    (str(IACAI.ChallengeCategory), "Challenge category"),
    (str(IACAI.BenefitCategory), "Benefit category"),
    (str(IACAI.UnlistedSource), "Source missing from the reference list"),
    (str(IACAI.Source), "Source"),
    (str(FOAF.Person), "Person"),
    (str(FOAF.Organization), "Organization"),
    (str(IACAI.SourceIssue), "Problem in the essay's sources"),
    (_CITATION, "In-text citation"),
    (str(IACAI.Essay), "Essay"),
    (str(IACAI.Section), "Section of the essay"),
    (str(IACAI.Table), "Table of the essay"),
    (str(IACAI.ImplementationStage), "Implementation stage"),
    (str(IACAI.CountryExample), "Country example"),
)


async def build_search_index(pool: QueryPool) -> SearchIndex:
    """The index of the data the pool's store holds (asked as any query is, with more time)."""
    query = (resources.queries_dir() / "internal" / "search-documents.rq").read_text("utf-8")
    reply = await pool.run(QueryJob(query, "json", _MOST_ROWS), _BUILD_TIMEOUT, SERVICE_ITSELF)
    if not isinstance(reply, QueryAnswer):
        raise RuntimeError(f"the search index could not be built: {reply}")
    bindings = json.loads(reply.body)["results"]["bindings"]
    return SearchIndex(
        SearchRow(b["item"]["value"], b["type"]["value"], b["field"]["value"], b["value"]["value"])
        for b in bindings
    )


async def keep_building(app: Any, pool: QueryPool) -> None:
    """Build the index as the service starts, without holding start-up; retry until it is built
    (a remote store may be slow or down for a while). /search answers 503 meanwhile."""
    delay = 1.0
    while True:
        try:
            app.state.search_index = await build_search_index(pool)
            return
        except Exception as error:  # the store's or the pool's: logged, then tried again
            log.warning("search index not built yet (%s); retrying in %.0f s", error, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)


def kind_of(types: tuple[str, ...]) -> str:
    """What a hit is, in words."""
    for iri, name in _KINDS:
        if iri in types:
            return name
    return compact(types[0]) if types else "Resource"


@router.get(
    "/search",
    summary="Full-text search over labels, definitions, reference titles and authors",
    response_class=Response,
    responses=answers(
        200, 406, 503, json_schema={"type": "object", "required": ["query", "hits"]}
    ),
)
async def search(request: Request, q: str = "", format: str | None = None) -> Response:
    """Ranked hits for `q`: an HTML page for browsers, JSON (`application/json`) for programs."""
    formats = request.query_params.getlist("format")
    chosen = negotiate(formats, request.headers.get("accept"), (SEARCH_JSON, HTML), "search")
    index: SearchIndex | None = getattr(request.app.state, "search_index", None)
    if index is None:
        raise NotReadyError("The search index is still being built; try again in a moment.")
    found = index.search(q[:500])
    places = await citations_told_apart(
        asked_for(request), (hit.iri for hit in found if _CITATION in hit.types)
    )
    hits = [_described(hit, places.get(page_path(hit.iri))) for hit in found]
    if chosen is HTML:
        return templates.TemplateResponse(
            request, "search.html", {"query": q, "hits": hits, "indexed": len(index)},
            headers={"Vary": "Accept"},
        )
    body = json.dumps({"query": q, "hits": hits}, ensure_ascii=False, indent=1)
    return Response(body, media_type="application/json", headers={"Vary": "Accept"})


def _described(hit: Hit, place: CitationPlace | None) -> dict[str, Any]:
    """A hit as the page and the JSON give it; an in-text citation with where it stands and what
    it backs, so that citations printed alike ("Gupta et al., 2023") can be told apart."""
    described: dict[str, Any] = {
        "iri": hit.iri,
        "label": hit.label,
        "kind": kind_of(hit.types),
        "types": list(hit.types),
        "excerpt": hit.excerpt,
        "href": page_path(hit.iri),
    }
    if place is not None:
        described["where"] = asdict(place.place) if place.place else None
        described["backs"] = [asdict(link) for link in place.backs]
        described["among"] = place.among
    return described
