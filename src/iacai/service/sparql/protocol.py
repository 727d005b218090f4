"""The SPARQL 1.1 Protocol, query operation, at /sparql: GET, POST form, POST direct.

Reads the request the three ways the protocol allows, refuses what a read-only endpoint must
refuse (with the statuses the W3C protocol tests expect), and hands the query to the Answerer.
A GET without a query answers the service description, or the query page for a browser; a
browser's query that does not parse gets the page with the error, as a 400.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from pyoxigraph import NamedNode
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from iacai.service.http.addresses import base_url
from iacai.service.http.errors import ProtocolError
from iacai.service.http.negotiation import FORMATS, HTML, Kind, formats_of, negotiate
from iacai.service.http.openapi import QUERY_FAILURES, answers
from iacai.service.http.url_encoding import form_items
from iacai.service.pages.query_pages import query_page
from iacai.service.sparql.answerer import Answerer, QueryRequest
from iacai.service.sparql.service_description import Describer
from iacai.service.sparql.syntax import syntax_error

router = APIRouter()

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
UPDATE_REFUSED = "SPARQL Update is not allowed on this read-only endpoint."

_PROTOCOL_PARAMETERS = [
    {
        "name": "query",
        "in": "query",
        "schema": {"type": "string"},
        "description": "The SPARQL query (exactly once; absent: the service description).",
    },
    {
        "name": "default-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs whose merge is the default graph.",
    },
    {
        "name": "named-graph-uri",
        "in": "query",
        "schema": {"type": "array", "items": {"type": "string"}},
        "description": "Graphs available to GRAPH.",
    },
    {
        "name": "format",
        "in": "query",
        "schema": {"type": "string"},
        "description": "Answer format, overriding Accept: "
        + ", ".join(
            f.parameter_names[0]
            for kind in (Kind.RESULTS, Kind.GRAPH, Kind.PAGE)
            for f in formats_of(kind)
        )
        + ".",
    },
]


@dataclass(frozen=True)
class ProtocolParameters:
    """What the request carried: the query (if any), its dataset and a format override."""

    query: str | None
    default_graphs: tuple[str, ...]
    named_graphs: tuple[str, ...]
    formats: tuple[str, ...]
    """Every `format` value, in order (SPARQLWrapper may send two)."""


@router.get(
    "/sparql",
    summary="SPARQL query via GET, the service description, or the query page",
    openapi_extra={"parameters": _PROTOCOL_PARAMETERS},
    response_class=Response,
    responses=answers(200, 304, 400, 406, 413, *QUERY_FAILURES, formats=FORMATS),
)
async def sparql_get(request: Request) -> Response:
    """The query operation via GET; no `query`: the service description (RDF) or the page (HTML)."""
    parameters = _parameters(form_items(request.scope["query_string"]), request)
    return await _respond(request, parameters)


@router.post(
    "/sparql",
    summary="SPARQL query via POST (URL-encoded form or application/sparql-query)",
    openapi_extra={
        "parameters": _PROTOCOL_PARAMETERS[1:],
        "requestBody": {
            "content": {
                FORM: {"schema": {"type": "object", "properties": {"query": {"type": "string"}}}},
                DIRECT: {"schema": {"type": "string"}},
            }
        },
    },
    response_class=Response,
    responses=answers(200, 400, 406, 412, 413, 415, *QUERY_FAILURES, formats=FORMATS),
)
async def sparql_post(request: Request) -> Response:
    """The query operation via POST, the query in a form field or as the whole body."""
    media_type, charset = _content_type(request.headers.get("content-type"))
    body = await _body(request)
    url_items = form_items(request.scope["query_string"])
    if media_type == FORM:
        _decoded(body, "utf-8")  # refused unless UTF-8, as a direct POST
        body_items = form_items(body)
        if any(name == "update" for name, _ in body_items):
            raise ProtocolError(400, UPDATE_REFUSED)
        parameters = _parameters(url_items + body_items, request)
    elif media_type == DIRECT:
        if any(name == "query" for name, _ in url_items):
            raise ProtocolError(400, "A direct POST carries the query in its body, not in the URL.")
        parameters = _parameters([*url_items, ("query", _decoded(body, charset))], request)
    elif media_type == UPDATE:
        raise ProtocolError(400, UPDATE_REFUSED)
    else:
        raise ProtocolError(
            415,
            f"POST a query as {FORM} (field 'query') or as {DIRECT}; "
            f"got {media_type or 'no Content-Type'}.",
        )
    if parameters.query is None:
        raise ProtocolError(400, "The request has no 'query'.")
    return await _respond(request, parameters)


async def query_operation(request: Request) -> Response:
    """The query operation's answer to a GET or a POST at /sparql."""
    handler = sparql_post if request.method == "POST" else sparql_get
    return await handler(request)


class QueryOperation:
    """GET and POST /sparql handed straight to `query_operation` (ASGI), for the requests that
    reach FastAPI (most are answered in front of it, `sparql.query_edge`).

    Listed before every other route (`QUERY_ROUTE`), so that it skips FastAPI's routing through
    the included routers and its per-request dependency solving. The routes above describe the
    operation in the OpenAPI document; errors still reach the app's handlers.
    """

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = await query_operation(Request(scope, receive))
        await response(scope, receive, send)


QUERY_PATH = "/sparql"
QUERY_ROUTE = Route(QUERY_PATH, QueryOperation(), methods=["GET", "POST"])


async def _respond(request: Request, parameters: ProtocolParameters) -> Response:
    if parameters.query is None:
        return await _service_description(request, parameters.formats)
    answerer: Answerer = request.app.state.answerer
    outline = answerer.checked_outline(parameters.query)
    answer_format = answerer.negotiate(request, outline, parameters.formats)
    if answer_format is HTML:
        return query_page(request, parameters.query, syntax_error(parameters.query, outline))
    query = QueryRequest(
        parameters.query,
        outline,
        parameters.default_graphs,
        parameters.named_graphs,
    )
    return await answerer.answer(request, query, answer_format)


async def _service_description(request: Request, format_values: tuple[str, ...]) -> Response:
    offered = (*formats_of(Kind.GRAPH), HTML)
    accept = request.headers.get("accept")
    chosen = negotiate(format_values, accept, offered, "the service description")
    if chosen is HTML:
        return query_page(request, None)
    describer: Describer = request.app.state.describer
    body = await describer.render(base_url(request), "service", chosen)
    return Response(body, media_type=chosen.content_type, headers={"Vary": "Accept"})


def _parameters(items: list[tuple[str, str]], request: Request) -> ProtocolParameters:
    queries = [value for name, value in items if name == "query"]
    if len(queries) > 1:
        raise ProtocolError(400, "The request has more than one 'query'; send exactly one.")
    if any(name == "update" for name, _ in items):
        raise ProtocolError(400, UPDATE_REFUSED)
    query = queries[0] if queries else None
    limit = request.app.state.settings.max_query_bytes
    if query is not None and len(query.encode()) > limit:
        raise ProtocolError(413, f"The query is longer than this endpoint accepts ({limit} bytes).")
    return ProtocolParameters(
        query=query,
        default_graphs=_graph_iris(items, "default-graph-uri"),
        named_graphs=_graph_iris(items, "named-graph-uri"),
        formats=tuple(value for name, value in items if name == "format"),
    )


def _graph_iris(items: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    """The values of a dataset parameter, each checked to be an absolute IRI (else 400)."""
    iris = tuple(value for key, value in items if key == name)
    for iri in iris:
        try:
            NamedNode(iri)
        except ValueError as error:
            raise ProtocolError(400, f"{name} {iri!r} is not an absolute IRI: {error}.") from None
    return iris


def _content_type(header: str | None) -> tuple[str, str]:
    """The media type and charset (utf-8 when unsaid) of a Content-Type header."""
    media_type, *parameters = (part.strip() for part in (header or "").split(";"))
    charset = "utf-8"
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media_type.lower(), charset


async def _body(request: Request) -> bytes:
    """The request body, refused with 413 as soon as it passes the size limit."""
    limit: int = request.app.state.settings.max_query_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ProtocolError(
            413, f"The request body is larger than this endpoint accepts ({limit} bytes)."
        )
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ProtocolError(
                413, f"The request body is larger than this endpoint accepts ({limit} bytes)."
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _decoded(body: bytes, charset: str) -> str:
    if charset not in ("utf-8", "utf8"):
        raise ProtocolError(400, f"Queries must be sent as UTF-8, not {charset}.")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(
            400, f"The request body is not valid UTF-8 (byte {error.start})."
        ) from None
