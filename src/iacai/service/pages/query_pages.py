"""The HTML side of the service: the query page, the named-query list and the offline API docs.

Everything a page needs (script, style, Swagger UI) is served from this package; nothing comes
from a CDN, so the pages work without a network.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import select_autoescape
from rdflib.namespace import OWL, RDF, RDFS

from iacai import query_lexer
from iacai.named_queries import NamedQuery
from iacai.namespaces import BASE, PREFIXES
from iacai.service.http.negotiation import FORMATS, Kind, formats_of
from iacai.service.http.security_headers import (
    POLICY_WITH_INLINE_STYLES,
)
from iacai.service.linked_data.dumps import dump_files

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
YASGUI_DIR = "vendor/yasgui"
"""Where scripts/fetch-yasgui puts the YASGUI bundle, inside the static files."""
FAVICON = "favicon.svg"
"""The site's icon, inside the static files: every page's head links to it."""
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.autoescape = select_autoescape(("html", "xml", "svg"))  # the SVG matrix too
templates.env.globals["dump_files"] = dump_files()  # every page's head links to each dump
templates.env.globals["favicon"] = FAVICON
PAGE_HEADERS: Final = {"Vary": "Accept", "Link": '</.well-known/void>; rel="describedby"'}
"""Every page varies on Accept and points at the VoID description of the dataset."""
router = APIRouter(include_in_schema=False)

_CLASS_KINDS = frozenset(map(str, (OWL.Class, RDFS.Class)))
_PROPERTY_KINDS = frozenset(
    map(str, (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, RDF.Property))
)

DEFAULT_QUERY = f"""PREFIX iacai: <{PREFIXES["iacai"]}>
PREFIX rdfs: <{PREFIXES["rdfs"]}>

SELECT ?challenge ?label WHERE {{
  ?challenge a iacai:Challenge ; rdfs:label ?label .
}}
ORDER BY ?label
"""


def yasgui_vendored(static_dir: Path = STATIC_DIR) -> bool:
    """Whether scripts/fetch-yasgui has put YASGUI in the static files (it needs npm)."""
    return (static_dir / YASGUI_DIR / "yasgui.min.js").is_file()


def query_page(request: Request, query: str | None, error: str | None = None) -> HTMLResponse:
    """The query page, its editor holding `query` (run at once) or an example.

    YASGUI when it is vendored, unless `?editor=plain` asks for the plain page (also the page
    where npm was absent at set-up). A query that does not parse is not run: the page shows its
    `error` (a 400), so that a reader without JavaScript, or a crawler, sees it too.
    """
    catalogue = request.app.state.catalogue
    examples = [_example(named) for named in catalogue.values()]
    text = query if query is not None else DEFAULT_QUERY
    headers = dict(PAGE_HEADERS)
    run_at_once = query is not None and error is None
    status = 400 if error else 200
    if yasgui_vendored() and request.query_params.get("editor") != "plain":
        config = {
            "endpoint": request.url_for("sparql_get").path,
            "base": BASE,
            "query": text,
            "runAtOnce": run_at_once,
            "prefixes": PREFIXES,
            **_completion_terms(request),
        }
        context: dict[str, Any] = {
            "examples": examples, "prefixes": PREFIXES, "yasgui_config": config, "error": error
        }
        headers["Content-Security-Policy"] = POLICY_WITH_INLINE_STYLES
        return templates.TemplateResponse(
            request, "yasgui.html", context, status_code=status, headers=headers
        )
    context = {
        "query": text,
        "run_at_once": run_at_once,
        "error": error,
        "examples": examples,
        "prefixes": PREFIXES,
        "downloads": [
            {"name": f.parameter_names[0], "label": f.media_type}
            for f in FORMATS
            if f.kind is not Kind.PAGE
        ],
    }
    return templates.TemplateResponse(
        request, "query.html", context, status_code=status, headers=headers
    )


def catalogue_page(request: Request) -> HTMLResponse:
    """The named queries as a page: what each answers, and a form to run it."""
    context = {
        "queries": list(request.app.state.catalogue.values()),
        "formats": {
            named.name: formats_of(
                Kind.GRAPH if query_lexer.outline(named.text).returns_graph else Kind.RESULTS
            )
            for named in request.app.state.catalogue.values()
        },
    }
    return templates.TemplateResponse(request, "queries.html", context, headers=PAGE_HEADERS)


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """The icon at the address browsers ask of every site, for what has no page head to name
    it (a text or RDF answer opened in a tab): the static file itself, cached as they are."""
    return FileResponse(STATIC_DIR / FAVICON, media_type="image/svg+xml")


@router.get("/docs", response_class=HTMLResponse)
async def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI 5 (swagger-ui-bundle-v2, served from here) for the OpenAPI 3.1 description,
    inside the site's own page (its language, landmarks, heading and navigation)."""
    page = templates.TemplateResponse(request, "api_docs.html", {})
    page.headers["Content-Security-Policy"] = POLICY_WITH_INLINE_STYLES
    return page


def _example(named: NamedQuery) -> dict[str, Any]:
    return {
        "name": named.name,
        "title": named.title,
        "description": named.description,
        "text": named.text,
        "parameters": [p.name for p in named.parameters],
    }


def _completion_terms(request: Request) -> dict[str, list[str]]:
    """The classes and properties of the published vocabularies, for the editor's completion.

    Computed once per app from the vocabulary documents the service already holds.
    """
    cached: dict[str, list[str]] | None = getattr(request.app.state, "completion_terms", None)
    if cached is None:
        classes: set[str] = set()
        properties: set[str] = set()
        for document in request.app.state.linked_data.vocabularies.values():
            for triple in document.triples:
                if triple.predicate.value != str(RDF.type):
                    continue
                if triple.object.value in _CLASS_KINDS:
                    classes.add(triple.subject.value)
                elif triple.object.value in _PROPERTY_KINDS:
                    properties.add(triple.subject.value)
        cached = {"classes": sorted(classes), "properties": sorted(properties)}
        request.app.state.completion_terms = cached
    return cached
