"""The pages people read: home, a page per resource, the Table 3 matrix, citation integrity, docs.

Server-rendered with Jinja2 (autoescaped: every text from the data is escaped), readable without
JavaScript. Links point at this server (root-relative), while the data keeps its canonical IRIs.
What they show is asked of the configured store through the query workers (`queries/internal/`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from iacai.namespaces import (
    BASE,
    CONTEXT_IRI,
    CREATOR_IRI,
    DATASET_IRI,
    ESSAY_IRI,
    ONTOLOGY_GRAPHS,
    ONTOLOGY_IRI,
    SHAPES_IRI,
)
from iacai.service.http.addresses import base_url, page_path, served_path
from iacai.service.linked_data.descriptions import (
    RDF_TYPE,
    Description,
    framed_jsonld,
    labels_of,
)
from iacai.service.linked_data.vocabularies import VocabularyDocument
from iacai.service.pages.answers import Answers
from iacai.service.pages.matrix import FONT_SIZE, svg_layout, table_3
from iacai.service.pages.query_pages import PAGE_HEADERS, templates
from iacai.service.sparql.internal_queries import InternalQueries, Solution, asked_for
from iacai.service.sparql.service_description import (
    LICENSE,
    TITLE,
    Describer,
    schema_org_dataset,
)
from iacai.terms import compact

router = APIRouter(include_in_schema=False)

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDF_FIRST = NamedNode(f"{_RDF}first")
_RDF_REST = NamedNode(f"{_RDF}rest")
_AUTHOR_LIST = NamedNode("http://purl.org/ontology/bibo/authorList")


@dataclass(frozen=True)
class Value:
    """One value on a resource page: a link, a literal (with its language or datatype), a list."""

    text: str
    href: str | None = None
    note: str = ""
    items: list[Value] = field(default_factory=list)
    iri: str = ""


@dataclass(frozen=True)
class Row:
    """A property and its values (outgoing), or a property and the resources using it (incoming)."""

    label: str
    iri: str
    values: list[Value]

    @property
    def href(self) -> str:
        return served_path(self.iri) or self.iri


def _page(request: Request, name: str, context: dict[str, Any]) -> HTMLResponse:
    return templates.TemplateResponse(request, name, context, headers=PAGE_HEADERS)


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    """What the knowledge graph is, the essay it encodes, counts, entry points, how to query."""
    queries = asked_for(request)
    essay = NamedNode(ESSAY_IRI)
    describer: Describer = request.app.state.describer
    # one after another: the pool runs one long query per client at a time (fair scheduling)
    figures = await queries.select("home-counts")
    category_rows = await queries.select("home-categories")
    author_list = await queries.construct("essay-authors", essay=essay)
    datasets = await _datasets(queries)
    facts = await describer.facts()
    counts = {name: int(term.value) for name, term in figures[0].items()} if figures else {}
    categories = [
        {
            "href": page_path(row["category"].value),
            "label": row["label"].value,
            "members": int(row["members"].value),
            "kind": "challenges" if row["kind"].value.endswith("ChallengeCategory") else "benefits",
        }
        for row in category_rows
    ]
    head = next((t.object for t in author_list if t.predicate == _AUTHOR_LIST), None)
    people = _list_items(author_list, head)
    labels = await labels_of(queries, [essay, *(p for p in people if isinstance(p, NamedNode))])
    root = base_url(request)
    context = {
        "essay": {"href": served_path(essay.value), "title": labels.get(essay.value, "")},
        "authors": [_link_value(labels, person) for person in people],
        "datasets": datasets,
        "counts": counts,
        "categories": categories,
        "ontology_href": served_path(ONTOLOGY_IRI),
        "shapes_href": served_path(SHAPES_IRI),
        "context_href": served_path(CONTEXT_IRI),
        "base_url": root,
        "example_iri": f"{BASE}id/challenge/bias",
        "dataset": schema_org_dataset(root, facts),
    }
    return _page(request, "home.html", context)


async def _datasets(queries: InternalQueries) -> list[dict[str, Any]]:
    """Each data graph served, described by its own metadata, then the ontology's graphs in one
    entry (the core's title and description), so that the triples add up to the figures' total.

    Title and description come from a void:Dataset in the graph, or from what the data says of
    the graph's IRI (the essay's provenance, an ontology's header); without either, the graph's
    name stands in.
    """
    ontology = set(ONTOLOGY_GRAPHS.values())
    rows = await queries.select("home-datasets")
    metadata = await queries.select("graph-metadata", graph=[row["graph"] for row in rows])
    entries: dict[str, dict[str, Any]] = {
        row["graph"].value: {
            "href": page_path(row["graph"].value),
            **_graph_metadata(row["graph"], metadata),
            "graphs": 1,
            "triples": int(row["triples"].value),
            "challenges": _count(row["challenges"]),
            "benefits": _count(row["benefits"]),
        }
        for row in rows
    }
    modules = [entries.pop(graph) for graph in sorted(ontology & set(entries))]
    if modules:
        core = next((m for m in modules if m["href"] == page_path(ONTOLOGY_IRI)), modules[0])
        entries[ONTOLOGY_IRI] = {
            **core,
            "graphs": len(modules),
            **{n: sum(m[n] for m in modules) for n in ("triples", "challenges", "benefits")},
        }
    return list(entries.values())


def _count(term: Any) -> int:
    """A COUNT the query leaves unbound where nothing matched."""
    return int(term.value) if term is not None else 0


def _graph_metadata(graph: NamedNode, rows: list[Solution]) -> dict[str, str]:
    """A void:Dataset's title and description if the graph holds one, else the graph's own."""
    own = [row for row in rows if row["graph"] == graph]
    chosen = [row for row in own if row["dataset"] is not None] or own
    title = next((row["title"].value for row in chosen if row["title"] is not None), "")
    description = next(
        (row["description"].value for row in chosen if row["description"] is not None), ""
    )
    return {"title": title or compact(graph.value), "description": description}


@router.get("/matrix", response_class=HTMLResponse)
async def matrix_page(request: Request) -> HTMLResponse:
    """Table 3 as a matrix: challenges as rows, benefits as columns, grouped by category."""
    matrix = await table_3(asked_for(request))
    return _page(request, "matrix.html", {"matrix": matrix, "href": page_path})


@router.get("/matrix.svg")
async def matrix_svg(request: Request) -> Response:
    """The same matrix as an SVG picture; its marks and labels link (absolutely) to their pages."""
    matrix = await table_3(asked_for(request))
    root = base_url(request)
    response = templates.TemplateResponse(
        request,
        "matrix.svg",
        {
            "matrix": matrix,
            "layout": svg_layout(matrix),
            "font_size": FONT_SIZE,
            "href": lambda iri: root + page_path(iri),
        },
        media_type="image/svg+xml",
    )
    response.headers["Content-Disposition"] = "inline; filename=iacai-table-3.svg"
    return response


@router.get("/citation-integrity", response_class=HTMLResponse)
async def citation_integrity(request: Request) -> HTMLResponse:
    """In-text citations that resolve to no reference or to several, and the claims on them."""
    queries = asked_for(request)
    found = await queries.select("unresolved-citations")
    linked = {row["place"] for row in found if row["place"] is not None} | {
        NamedNode(iri)
        for row in found
        for name in ("resolvesTo", "claims")
        if row[name] is not None
        for iri in row[name].value.split()
    }
    labels = await labels_of(queries, linked)
    rows = [
        {
            "href": page_path(row["citation"].value),
            "number": row["number"].value,
            "text": row["text"].value,
            "status": row["statusLabel"].value,
            "place": _link_value(labels, row["place"]) if row["place"] is not None else None,
            "resolves_to": _links(labels, row["resolvesTo"]),
            "claims": _links(labels, row["claims"]),
        }
        for row in found
    ]
    return _page(request, "citation_integrity.html", {"rows": rows})


def resource_page(
    request: Request,
    description: Description,
    answers: Answers,
    alternates: list[dict[str, Any]],
    citation: dict[str, Any] | None = None,
) -> HTMLResponse:
    """A resource's page: its answers in plain words, then every statement, and its JSON-LD.

    The raw statements leave out what restates one of the resource's own links (an inverse)
    and show membership of a list (an author list) as the list's holder, not as `rdf:first`.
    A source's page also carries `citation` (its `citation_*` meta tags and COinS) for the
    browser connectors of reference managers.
    """
    iri, triples, labels = description.iri, description.triples, description.labels
    root = NamedNode(iri)
    own = [t for t in triples if t.subject == root]
    incoming = [
        t for t in triples if t.object == root and t.subject != root and _raw(t, answers)
    ]
    types = [
        _link_value(labels, t.object)
        for t in own
        if t.predicate == RDF_TYPE and isinstance(t.object, NamedNode)
    ]
    held_in = [
        Row(f"in the {label} of", "", [Value(holder.text, holder.href)])
        for label, holder in answers.in_lists
    ]
    context = {
        "iri": iri,
        "title": description.name,
        "answers": answers,
        "types": sorted(types, key=lambda v: v.text),
        "properties": _rows(
            description, [(t.predicate, t.object) for t in own if t.predicate != RDF_TYPE]
        ),
        "incoming": _rows(description, [(t.predicate, t.subject) for t in incoming]) + held_in,
        "alternates": alternates,
        "jsonld": framed_jsonld(iri, triples),
        "citation": citation,
    }
    return _page(request, "resource.html", context)


def _raw(incoming: Triple, answers: Answers) -> bool:
    """Whether an incoming link is worth a raw row: not the inverse of one of the resource's own
    links, not a node of a list that holds it (its holder is shown instead)."""
    subject = incoming.subject
    if isinstance(subject, NamedNode):
        return (incoming.predicate.value, subject.value) not in answers.repeated
    return incoming.predicate != _RDF_FIRST


def vocabulary_page(
    request: Request, document: VocabularyDocument, alternates: list[dict[str, Any]]
) -> HTMLResponse:
    """The HTML documentation of the ontology, its alignments or the shapes."""
    return _page(request, "vocabulary.html", {"doc": document, "alternates": alternates})


async def void_page(request: Request, alternates: list[dict[str, Any]]) -> HTMLResponse:
    """The VoID description as a page, for a browser following the home page's VoID link."""
    describer: Describer = request.app.state.describer
    union, graphs = await describer.statistics()
    facts = await describer.facts()
    context = {
        "title": TITLE,
        "facts": facts,
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


def _rows(description: Description, pairs: list[tuple[Any, Any]]) -> list[Row]:
    by_predicate: dict[str, list[Any]] = {}
    for predicate, value in pairs:
        by_predicate.setdefault(predicate.value, []).append(value)
    rows = [
        Row(
            description.labels.get(predicate) or compact(predicate),
            predicate,
            _told_apart(
                sorted((_value(description, v) for v in values), key=lambda v: v.text.lower())
            ),
        )
        for predicate, values in by_predicate.items()
    ]
    return sorted(rows, key=lambda r: r.label.lower())


def _told_apart(values: list[Value]) -> list[Value]:
    """Links that read alike but lead apart (six citations "Ben Rjab et al., 2023") each noted
    with their compact IRI, so a reader can tell which is which."""
    targets: dict[str, set[str | None]] = {}
    for value in values:
        targets.setdefault(value.text, set()).add(value.href)
    return [
        Value(v.text, v.href, compact(v.iri), v.items, v.iri)
        if v.iri and len(targets[v.text]) > 1
        else v
        for v in values
    ]


def _value(description: Description, term: Any) -> Value:
    if isinstance(term, Literal):
        note = term.language or compact(term.datatype.value)
        return Value(term.value, note="" if note in ("en", "xsd:string") else note)
    if isinstance(term, BlankNode):
        items = _list_items(description.triples, term)
        return Value("list", items=[_value(description, item) for item in items])
    return _link_value(description.labels, term)


def _link_value(labels: Mapping[str, str], term: NamedNode) -> Value:
    iri = term.value
    return Value(labels.get(iri) or compact(iri), page_path(iri), iri=iri)


def _links(labels: Mapping[str, str], iris: Literal | None) -> list[Value]:
    """Links for the IRIs a GROUP_CONCAT joined (unbound when there were none)."""
    return (
        [_link_value(labels, NamedNode(iri)) for iri in sorted(iris.value.split())] if iris else []
    )


def _list_items(triples: Iterable[Triple], head: Any) -> list[Any]:
    """The members of the RDF list starting at `head`, in order, from triples that hold it."""
    firsts: dict[Any, list[Any]] = {}
    rests: dict[Any, Any] = {}
    for triple in triples:
        if triple.predicate == _RDF_FIRST:
            firsts.setdefault(triple.subject, []).append(triple.object)
        elif triple.predicate == _RDF_REST:
            rests[triple.subject] = triple.object
    items: list[Any] = []
    node: Any = head
    while isinstance(node, BlankNode):
        items.extend(firsts.get(node, []))
        node = rests.get(node)
    return items
