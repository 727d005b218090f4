"""The named queries of `queries/` over HTTP: the list, and each one run with bound parameters.

Parameter values are bound as RDF terms by the engine (SEP-0007 substitutions), never spliced
into the query text, so a value can never change what the query does.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from iacai.named_queries import NamedQuery, ParameterError
from iacai.service.http.errors import NotFoundError, ProtocolError
from iacai.service.http.negotiation import FORMATS, HTML, Kind, choose, formats_of
from iacai.service.http.openapi import QUERY_FAILURES, answers
from iacai.service.pages.named_query_pages import named_query_page
from iacai.service.pages.query_pages import catalogue_page
from iacai.service.sparql.answerer import Answerer, QueryRequest

router = APIRouter()
_JSON = next(f for f in FORMATS if f.name == "json")
_LISTING = {"type": "array", "items": {"type": "object", "required": ["name", "title", "url"]}}


@router.get(
    "/queries",
    summary="The named queries: name, title, description, parameters",
    responses=answers(200, formats=[HTML], json_schema=_LISTING),
)
async def list_queries(request: Request) -> Response:
    """JSON for programs, the catalogue page for browsers."""
    if choose(request.headers.get("accept"), (_JSON, HTML)) is HTML:
        return catalogue_page(request)
    catalogue: dict[str, NamedQuery] = request.app.state.catalogue
    listing = [_described(named, request) for named in catalogue.values()]
    return JSONResponse(listing, headers={"Vary": "Accept"})


@router.get(
    "/queries/{name}",
    summary="Run a named query; each parameter as ?name=value; format by Accept or ?format=",
    response_class=Response,
    responses=answers(
        200,
        304,
        400,
        404,
        406,
        *QUERY_FAILURES,
        formats=(*formats_of(Kind.RESULTS), *formats_of(Kind.GRAPH), HTML),
    ),
)
async def run_query(request: Request, name: str) -> Response:
    """Run one named query with its parameters from the query string."""
    catalogue: dict[str, NamedQuery] = request.app.state.catalogue
    named = catalogue.get(name)
    if named is None:
        raise NotFoundError(f"There is no named query {name!r}; GET /queries lists them.")
    values = dict(request.query_params)
    format_values = request.query_params.getlist("format")
    values.pop("format", None)
    answerer: Answerer = request.app.state.answerer
    outline = answerer.checked_outline(named.text)
    answer_format = answerer.negotiate(request, outline, format_values)
    if answer_format is HTML:
        return await named_query_page(request, named, values)
    try:
        substitutions = named.oxigraph_substitutions(values)
    except ParameterError as error:
        raise ProtocolError(400, str(error)) from None
    bound = tuple(sorted((variable.value, term) for variable, term in substitutions.items()))
    return await answerer.answer(
        request,
        QueryRequest(named.text, outline, substitutions=bound),
        answer_format,
    )


def _described(named: NamedQuery, request: Request) -> dict[str, Any]:
    return {
        "name": named.name,
        "title": named.title,
        "description": named.description,
        "parameters": [
            {"name": p.name, "type": p.type, "description": p.description} for p in named.parameters
        ],
        "url": str(request.url_for("run_query", name=named.name)),
    }
