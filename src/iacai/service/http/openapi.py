"""What each operation answers, for the OpenAPI description: its statuses and their media types.

A route says which kinds of answer it gives (`answers(200, 404, formats=...)`) and this module
writes the `responses` object FastAPI puts in /openapi.json: the success media types from the
one table of formats, and every error as the plain-text message the service sends. The schema
fuzzing test holds every answer to what is written here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

from iacai.service.http.negotiation import Format

_WHY: Final = {
    200: "The answer, in the negotiated format.",
    206: "Partial Content: the byte range asked for by Range (Content-Range says which).",
    303: "See Other: the document about this thing, in the negotiated format (Location).",
    304: "Not Modified: the answer named by If-None-Match (or If-Modified-Since) has not changed.",
    400: "A bad request: a syntax error (with line and column), an update, a bad parameter.",
    404: "Nothing by that name.",
    406: "None of the accepted media types (or the `format` asked for) can be given.",
    412: "Precondition Failed: If-None-Match names the answer, which only GET revalidates (304).",
    413: "The query or request body is larger than the configured limit.",
    415: "The request body's Content-Type is not one a query can be sent as.",
    416: "Range Not Satisfiable: the range asked for lies outside the file.",
    500: "The engine could not evaluate the query (the message says why).",
    502: "The remote SPARQL store is down or answered badly.",
    429: "This client is over its share of long queries; Retry-After says when to try again.",
    503: "The query timeout was reached (the query was stopped), the engine failed on it, the "
    "lane for long queries was full, or what was asked for is still being built at start-up "
    "(Retry-After).",
    504: "The remote SPARQL store did not answer within the query timeout.",
}
QUERY_FAILURES: Final = (429, 500, 502, 503, 504)
"""What a sound query may still end in (QueryFailedError): every operation that runs one says so."""
_PLAIN_TEXT: Final = {"text/plain": {"schema": {"type": "string"}}}

_SPARQL_JSON: Final = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {"type": "object"},
        "boolean": {"type": "boolean"},
        "results": {
            "type": "object",
            "required": ["bindings"],
            "properties": {"bindings": {"type": "array", "items": {"type": "object"}}},
        },
    },
}
_SCHEMAS: Final = {
    "application/sparql-results+json": _SPARQL_JSON,
    "application/ld+json": {"type": ["object", "array"]},
}


def answers(
    *statuses: int, formats: Iterable[Format] = (), json_schema: dict[str, Any] | None = None
) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route: 200 in `formats` (or JSON of `json_schema`), errors as text."""
    described: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"description": _WHY[status]}
        if status == 200:
            entry["content"] = _success_content(formats, json_schema)
        elif status >= 400:
            entry["content"] = _PLAIN_TEXT
        described[status] = entry
    return described


def _success_content(
    formats: Iterable[Format], json_schema: dict[str, Any] | None
) -> dict[str, Any]:
    content = {
        f.media_type: {"schema": _SCHEMAS.get(f.media_type, {"type": "string"})} for f in formats
    }
    if json_schema is not None:
        content["application/json"] = {"schema": json_schema}
    return content
