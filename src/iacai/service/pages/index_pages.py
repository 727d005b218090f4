"""Index pages: every challenge, benefit, category, source, person or problem, at `/id/{kind}/`.

Each lists the resources of one class, grouped as a reader expects (challenges and benefits by
category in the table's order, sources by whether the reference list has them, problems by kind),
read from the configured store through the query workers with
`queries/internal/index-of-kind.rq`. Works on any data built on the ontology, by class, not by
IRI pattern.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pyoxigraph import NamedNode

from iacai.namespaces import IACAI
from iacai.service.http.addresses import page_path
from iacai.service.pages.query_pages import templates
from iacai.service.sparql.internal_queries import asked_for

router = APIRouter(include_in_schema=False)

_FOAF_PERSON: Final = "http://xmlns.com/foaf/0.1/Person"


@dataclass(frozen=True)
class IndexKind:
    """One index page: the class it lists, its title, and what it groups by."""

    path: str
    class_iri: str
    title: str
    grouping: str
    """"category" (table order), "listed" (in the reference list or not), "issue" or ""."""
    blurb: str


KINDS: Final = {
    kind.path: kind
    for kind in (
        IndexKind("challenge", f"{IACAI}Challenge", "Challenges", "category",
                  "Challenges of implementing AI in the public sector, by category, in order."),
        IndexKind("benefit", f"{IACAI}Benefit", "Benefits", "category",
                  "Benefits of interagency collaboration, by category, in table order."),
        IndexKind("category", f"{IACAI}Category", "Categories", "category",
                  "The categories that group challenges and benefits, by scheme."),
        IndexKind("source", f"{IACAI}Source", "Sources", "listed",
                  "The works cited, in reference-list order; those the list lacks last."),
        IndexKind("person", _FOAF_PERSON, "People", "",
                  "Authors of the sources and of the essay, by name."),
        IndexKind("issue", f"{IACAI}SourceIssue", "Problems found in the sources", "issue",
                  "Inconsistencies in the citations and the reference list, recorded as found."),
    )
}
"""The index pages, by the path segment they answer at (`/id/challenge/`)."""


@dataclass
class Group:
    """A heading and its entries, in order."""

    label: str
    href: str | None
    entries: list[dict[str, Any]] = field(default_factory=list)


async def index_page(request: Request) -> HTMLResponse:
    """Every resource of a kind, grouped and ordered for reading."""
    described = KINDS[request.url.path.split("/")[2]]
    rows = await resources_of(request, described.class_iri)
    groups = _grouped(described, rows)
    context = {
        "kind": described,
        "groups": groups,
        "count": len(rows),
        "kinds": list(KINDS.values()),
    }
    return templates.TemplateResponse(request, "index.html", context, headers={"Vary": "Accept"})


for _kind in KINDS:  # one route per kind: /id/{anything}/ stays the linked-data router's
    router.add_api_route(f"/id/{_kind}/", index_page, methods=["GET"], response_class=HTMLResponse)


async def resources_of(request: Request, class_iri: str) -> list[dict[str, Any]]:
    """Every resource of a class, with its label, order and grouping (one row each)."""
    queries = asked_for(request)
    rows = await queries.select("index-of-kind", **{"class": NamedNode(class_iri)})
    return [{name: term.value for name, term in row.items() if term is not None} for row in rows]


def _grouped(kind: IndexKind, rows: list[dict[str, Any]]) -> list[Group]:
    groups: dict[str, Group] = {}
    order: dict[str, tuple[Any, ...]] = {}
    for row in rows:
        key, label, href, rank = _group_of(kind, row)
        if key not in groups:
            groups[key] = Group(label, href)
            order[key] = rank
        groups[key].entries.append({
            "label": row.get("label") or row["item"],
            "href": page_path(row["item"]),
            "order": _number(row.get("order")),
            "unlisted": row.get("unlisted") == "1",
        })
    for group in groups.values():
        group.entries.sort(key=lambda e: (e["order"] is None, e["order"] or 0, e["label"].lower()))
    return [groups[key] for key in sorted(groups, key=lambda k: order[k])]


def _group_of(kind: IndexKind, row: dict[str, Any]) -> tuple[str, str, str | None, tuple[Any, ...]]:
    """The group key, heading, link and sort rank of a row."""
    if kind.grouping == "category" and row.get("group"):
        iri = row["group"]
        order = _number(row.get("groupOrder"))
        label = row.get("groupLabel") or iri
        return iri, label, page_path(iri), (0, order is None, order or 0, label.lower())
    if kind.grouping == "listed":
        if row.get("unlisted") == "1":
            return "unlisted", "Cited but missing from the reference list", None, (1,)
        return "listed", "In the reference list", None, (0,)
    if kind.grouping == "issue" and row.get("issueKind"):
        return row["issueKind"], row["issueKind"], None, (0, row["issueKind"].lower())
    return "", "", None, (1,)


def _number(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
