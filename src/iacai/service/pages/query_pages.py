"""The HTML side of the service: the query page, the named-query list and the offline API docs.

Everything a page needs (script, style, Swagger UI) is served from this package; nothing comes
from a CDN, so the pages work without a network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from iacai.named_queries import NamedQuery
from iacai.namespaces import PREFIXES
from iacai.service.http.negotiation import FORMATS, Kind
from iacai.service.http.security_headers import policy_allowing_inline_scripts

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
router = APIRouter(include_in_schema=False)

DEFAULT_QUERY = """PREFIX iacai: <https://w3id.org/iacai/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?challenge ?label WHERE {
  ?challenge a iacai:Challenge ; rdfs:label ?label .
}
ORDER BY ?label
"""


def query_page(request: Request, query: str | None) -> HTMLResponse:
    """The query page, its editor holding `query` (run at once) or an example."""
    catalogue = request.app.state.catalogue
    context = {
        "query": query if query is not None else DEFAULT_QUERY,
        "run_at_once": query is not None,
        "examples": [_example(named) for named in catalogue.values()],
        "prefixes": PREFIXES,
        "downloads": [
            {"name": f.parameter_names[0], "label": f.media_type}
            for f in FORMATS
            if f.kind is not Kind.PAGE
        ],
    }
    return templates.TemplateResponse(request, "query.html", context, headers={"Vary": "Accept"})


def catalogue_page(request: Request) -> HTMLResponse:
    """The named queries as a page: what each answers, and a form to run it."""
    context = {
        "queries": list(request.app.state.catalogue.values()),
        "formats": [f for f in FORMATS if f.kind is not Kind.PAGE],
    }
    return templates.TemplateResponse(request, "queries.html", context, headers={"Vary": "Accept"})


@router.get("/docs", response_class=HTMLResponse)
async def api_docs() -> HTMLResponse:
    """Swagger UI for the OpenAPI description, from the vendored swagger-ui-bundle files."""
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="iacai-kg SPARQL service: API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/swagger/favicon-32x32.png",
    )
    page.headers["Content-Security-Policy"] = policy_allowing_inline_scripts(bytes(page.body))
    return page


def _example(named: NamedQuery) -> dict[str, Any]:
    return {
        "name": named.name,
        "title": named.title,
        "description": named.description,
        "text": named.text,
        "parameters": [p.name for p in named.parameters],
    }
