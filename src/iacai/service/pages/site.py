"""The pages people read: home, a page per resource, the Table 3 matrix, citation integrity, docs.

Server-rendered with Jinja2 (autoescaped: every text from the data is escaped), readable without
JavaScript. Links point at this server (root-relative), while the data keeps its canonical IRIs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from iacai import resources
from iacai.namespaces import (
    BASE,
    CONTEXT_IRI,
    CREATOR_IRI,
    DATASET_IRI,
    ESSAY_IRI,
    IACAI,
    ONTOLOGY_GRAPHS,
    ONTOLOGY_IRI,
    SHAPES_IRI,
)
from iacai.service.http.addresses import base_url, page_path, served_path
from iacai.service.linked_data.descriptions import RDF_TYPE, ResourceIndex, framed_jsonld
from iacai.service.linked_data.vocabularies import VocabularyDocument
from iacai.service.pages.matrix import table_3
from iacai.service.pages.query_pages import PAGE_HEADERS, templates
from iacai.service.sparql.service_description import (
    LICENSE,
    TITLE,
    Describer,
    schema_org_dataset,
)
from iacai.terms import compact

router = APIRouter(include_in_schema=False)

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_VOID_DATASET = NamedNode("http://rdfs.org/ns/void#Dataset")
_TITLE = NamedNode("http://purl.org/dc/terms/title")
_DESCRIPTION = NamedNode("http://purl.org/dc/terms/description")
_COUNTS_QUERY = f"""
PREFIX iacai: <{IACAI}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?class (COUNT(DISTINCT ?item) AS ?count) WHERE {{
  VALUES ?class {{ iacai:Challenge iacai:Benefit iacai:Category iacai:Source iacai:UnlistedSource
                  iacai:InTextCitation iacai:SourceIssue }}
  ?item a/rdfs:subClassOf* ?class .
}} GROUP BY ?class
"""
_MARKS_COUNT_QUERY = f"SELECT (COUNT(*) AS ?n) WHERE {{ ?b <{IACAI}addresses> ?c }}"
_TRIPLES_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
_CATEGORIES_QUERY = f"""
PREFIX iacai: <{IACAI}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?category ?label ?kind (COUNT(?member) AS ?members) WHERE {{
  ?category a ?kind ; rdfs:label ?label ; iacai:hasMember ?member .
  VALUES ?kind {{ iacai:ChallengeCategory iacai:BenefitCategory }}
  OPTIONAL {{ ?category iacai:sequence ?order }}
}} GROUP BY ?category ?label ?kind ?order ORDER BY ?kind ?order ?label
"""
_INTEGRITY_QUERY = f"""
PREFIX iacai: <{IACAI}>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?citation ?number ?text ?status ?statusLabel ?place ?placeLabel
       (GROUP_CONCAT(DISTINCT STR(?resolved); separator=" ") AS ?resolvesTo)
       (GROUP_CONCAT(DISTINCT STR(?claim); separator=" ") AS ?claims) WHERE {{
  VALUES ?status {{ iacai:Unresolved iacai:Ambiguous }}
  ?citation iacai:resolutionStatus ?status ; iacai:sequence ?number ; iacai:citationText ?text .
  ?status rdfs:label ?statusLabel .
  OPTIONAL {{ ?citation iacai:occursIn ?place . ?place rdfs:label ?placeLabel }}
  OPTIONAL {{ ?citation iacai:resolvesTo ?resolved }}
  OPTIONAL {{ ?claim iacai:citedAs ?citation }}
}}
GROUP BY ?citation ?number ?text ?status ?statusLabel ?place ?placeLabel ORDER BY ?number
"""


@dataclass(frozen=True)
class Value:
    """One value on a resource page: a link, a literal (with its language or datatype), a list."""

    text: str
    href: str | None = None
    note: str = ""
    items: list[Value] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """A property and its values (outgoing), or a property and the resources using it (incoming)."""

    label: str
    iri: str
    values: list[Value]

    @property
    def href(self) -> str:
        return served_path(self.iri) or self.iri


def _index(request: Request) -> ResourceIndex:
    return request.app.state.linked_data.index


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, headers=PAGE_HEADERS)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """What the knowledge graph is, the essay it encodes, counts, entry points, how to query."""
    index = _index(request)
    store = index.store
    counts = {
        row["class"].value[len(str(IACAI)) :]: int(row["count"].value)
        for row in store.query(_COUNTS_QUERY, use_default_graph_as_union=True)
    }
    counts["marks"] = int(
        next(iter(store.query(_MARKS_COUNT_QUERY, use_default_graph_as_union=True)))["n"].value
    )
    counts["triples"] = int(
        next(iter(store.query(_TRIPLES_QUERY, use_default_graph_as_union=True)))["n"].value
    )
    categories = [
        {
            "href": page_path(row["category"].value),
            "label": row["label"].value,
            "members": int(row["members"].value),
            "kind": "challenges" if row["kind"].value.endswith("ChallengeCategory") else "benefits",
        }
        for row in store.query(_CATEGORIES_QUERY, use_default_graph_as_union=True)
    ]
    essay = ESSAY_IRI
    authors = _essay_authors(index, essay)
    root = base_url(request)
    describer: Describer = request.app.state.describer
    context = {
        "essay": {"href": served_path(essay), "title": index.label(NamedNode(essay)) or ""},
        "authors": authors,
        "datasets": _datasets(index),
        "counts": counts,
        "categories": categories,
        "ontology_href": served_path(ONTOLOGY_IRI),
        "shapes_href": served_path(SHAPES_IRI),
        "context_href": served_path(CONTEXT_IRI),
        "base_url": root,
        "example_iri": f"{BASE}id/challenge/bias",
        "dataset": schema_org_dataset(root, describer.facts),
    }
    return _page(request, "home.html", context)


def _datasets(index: ResourceIndex) -> list[dict[str, Any]]:
    """Each data graph served (the ontology's apart), described by its own metadata.

    Title and description come from a void:Dataset in the graph, or from what the data says of
    the graph's IRI (the essay's provenance); without either, the graph's name stands in.
    """
    query = (resources.queries_dir() / "internal" / "home-datasets.rq").read_text("utf-8")
    ontology = set(ONTOLOGY_GRAPHS.values())
    return [
        {
            "href": page_path(row["graph"].value),
            **_graph_metadata(index, row["graph"]),
            "triples": int(row["triples"].value),
            "challenges": int(row["challenges"].value),
            "benefits": int(row["benefits"].value),
        }
        for row in index.store.query(query)
        if row["graph"].value not in ontology
    ]


def _graph_metadata(index: ResourceIndex, graph: NamedNode) -> dict[str, str]:
    store = index.store
    dataset = next(
        (q.subject for q in store.quads_for_pattern(None, RDF_TYPE, _VOID_DATASET, graph)), None
    )
    about, where = (dataset, graph) if dataset is not None else (graph, None)
    title = next((q.object.value for q in store.quads_for_pattern(about, _TITLE, None, where)), "")
    description = next(
        (q.object.value for q in store.quads_for_pattern(about, _DESCRIPTION, None, where)), ""
    )
    return {"title": title or compact(graph.value), "description": description}


@router.get("/matrix", response_class=HTMLResponse)
async def matrix_page(request: Request) -> HTMLResponse:
    """Table 3 as a matrix: challenges as rows, benefits as columns, grouped by category."""
    matrix = table_3(_index(request).store)
    return _page(request, "matrix.html", {"matrix": matrix, "href": page_path})


@router.get("/matrix.svg")
async def matrix_svg(request: Request) -> Response:
    """The same matrix as an SVG picture; its marks link (absolutely) to challenge and benefit."""
    matrix = table_3(_index(request).store)
    root = base_url(request)
    response = templates.TemplateResponse(
        request,
        "matrix.svg",
        {"matrix": matrix, "href": lambda iri: root + page_path(iri)},
        media_type="image/svg+xml",
    )
    response.headers["Content-Disposition"] = "inline; filename=iacai-table-3.svg"
    return response


@router.get("/citation-integrity", response_class=HTMLResponse)
async def citation_integrity(request: Request) -> HTMLResponse:
    """In-text citations that resolve to no reference or to several, and the claims on them."""
    index = _index(request)
    rows = []
    for row in index.store.query(_INTEGRITY_QUERY, use_default_graph_as_union=True):
        rows.append(
            {
                "href": page_path(row["citation"].value),
                "number": row["number"].value,
                "text": row["text"].value,
                "status": row["statusLabel"].value,
                "place": _link_value(index, row["place"]) if row["place"] else None,
                "resolves_to": _links(index, row["resolvesTo"]),
                "claims": _links(index, row["claims"]),
            }
        )
    return _page(request, "citation_integrity.html", {"rows": rows})


def resource_page(
    request: Request,
    iri: str,
    triples: Sequence[Triple],
    alternates: list[dict[str, Any]],
    citation: dict[str, Any] | None = None,
) -> HTMLResponse:
    """A resource's page: its types, its properties, what links to it, and its JSON-LD.

    A source's page also carries `citation` (its `citation_*` meta tags and COinS) for the
    browser connectors of reference managers.
    """
    index = _index(request)
    root = NamedNode(iri)
    own = [t for t in triples if t.subject == root]
    incoming = [t for t in triples if t.object == root and t.subject != root]
    types = [_link_value(index, t.object) for t in own if t.predicate == RDF_TYPE]
    context = {
        "iri": iri,
        "title": index.label(root) or compact(iri),
        "types": sorted(types, key=lambda v: v.text),
        "properties": _rows(
            index, [(t.predicate, t.object) for t in own if t.predicate != RDF_TYPE]
        ),
        "incoming": _rows(index, [(t.predicate, t.subject) for t in incoming]),
        "alternates": alternates,
        "jsonld": framed_jsonld(iri, triples),
        "citation": citation,
    }
    return _page(request, "resource.html", context)


def vocabulary_page(
    request: Request, document: VocabularyDocument, alternates: list[dict[str, Any]]
) -> HTMLResponse:
    """The HTML documentation of the ontology, its alignments or the shapes."""
    return _page(request, "vocabulary.html", {"doc": document, "alternates": alternates})


def void_page(request: Request, alternates: list[dict[str, Any]]) -> HTMLResponse:
    """The VoID description as a page, for a browser following the home page's VoID link."""
    describer: Describer = request.app.state.describer
    union, graphs = describer.statistics
    context = {
        "title": TITLE,
        "facts": describer.facts,
        "dataset_iri": DATASET_IRI,
        "license": LICENSE,
        "creator_href": served_path(CREATOR_IRI),
        "essay_href": served_path(ESSAY_IRI),
        "base_url": base_url(request),
        "union": union,
        "graphs": [
            ({"iri": name, "href": served_path(name)}, statistics)
            for name, statistics in graphs.items()
        ],
        "dumps": request.app.state.linked_data.dumps.all(),
        "alternates": alternates,
    }
    return _page(request, "void.html", context)


def context_page(request: Request, context: dict[str, Any]) -> HTMLResponse:
    """The JSON-LD @context as a table: each term, the IRI it stands for, how values are typed."""
    prefixes = {k: v for k, v in context.items() if isinstance(v, str)}
    terms = [
        {
            "term": term,
            "iri": _expand(definition["@id"], prefixes),
            "type": definition.get("@type", ""),
            "container": definition.get("@container", ""),
        }
        for term, definition in sorted(context.items())
        if isinstance(definition, dict) and "@id" in definition
    ]
    page = {"prefixes": sorted(prefixes.items()), "terms": terms, "context_iri": CONTEXT_IRI}
    return _page(request, "context.html", page)


def _expand(name: str, prefixes: dict[str, str]) -> str:
    prefix, colon, local = name.partition(":")
    return prefixes[prefix] + local if colon and prefix in prefixes else name


def _rows(index: ResourceIndex, pairs: list[tuple[Any, Any]]) -> list[Row]:
    by_predicate: dict[str, list[Any]] = {}
    for predicate, value in pairs:
        by_predicate.setdefault(predicate.value, []).append(value)
    rows = [
        Row(
            index.label(NamedNode(predicate)) or compact(predicate),
            predicate,
            sorted((_value(index, v) for v in values), key=lambda v: v.text.lower()),
        )
        for predicate, values in by_predicate.items()
    ]
    return sorted(rows, key=lambda r: r.label.lower())


def _value(index: ResourceIndex, term: Any) -> Value:
    if isinstance(term, Literal):
        note = term.language or compact(term.datatype.value)
        return Value(term.value, note="" if note in ("en", "xsd:string") else note)
    if isinstance(term, BlankNode):
        return Value("list", items=[_value(index, item) for item in _list_items(index, term)])
    return _link_value(index, term)


def _link_value(index: ResourceIndex, term: NamedNode) -> Value:
    iri = term.value
    return Value(index.label(term) or compact(iri), page_path(iri))


def _links(index: ResourceIndex, iris: Literal | None) -> list[Value]:
    """Links for the IRIs a GROUP_CONCAT joined (unbound when there were none)."""
    return (
        [_link_value(index, NamedNode(iri)) for iri in sorted(iris.value.split())] if iris else []
    )


def _list_items(index: ResourceIndex, head: BlankNode) -> list[Any]:
    first, rest, nil = NamedNode(f"{_RDF}first"), NamedNode(f"{_RDF}rest"), f"{_RDF}nil"
    items: list[Any] = []
    node: Any = head
    while isinstance(node, BlankNode):
        items.extend(q.object for q in index.store.quads_for_pattern(node, first, None))
        node = next((q.object for q in index.store.quads_for_pattern(node, rest, None)), None)
        if node is not None and node.value == nil:
            break
    return items


def _essay_authors(index: ResourceIndex, essay: str) -> list[Value]:
    author_list = NamedNode("http://purl.org/ontology/bibo/authorList")
    head = next(
        (q.object for q in index.store.quads_for_pattern(NamedNode(essay), author_list, None)), None
    )
    if not isinstance(head, BlankNode):
        return []
    return [_link_value(index, person) for person in _list_items(index, head)]
