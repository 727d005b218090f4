"""The answers a resource's page gives first, in plain words, before its raw statements.

A challenge's page lists the benefits that address it and a benefit's the challenges it
addresses, each with its category and its source, and whether the reference list has that
source; a category lists its members, a source what rests on it and where it is cited, a table
its rows, each in the table's order, with what the table marks as addressing each row (Table 3's
marks). They are asked of the store through the query workers
(`queries/internal/answer-*.rq`) by the ontology's properties, never by IRI pattern, so they hold
for any review built on the ontology.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from pyoxigraph import NamedNode

from iacai.service.http.addresses import page_path
from iacai.service.linked_data.descriptions import labels_of
from iacai.service.sparql.internal_queries import InternalQueries, Solution
from iacai.terms import compact

STANDINGS: Final = {1: "listed", 2: "unlisted", 3: "ambiguous"}
"""The ranks `answer-claims.rq` gives a source's standing, by the names pages mark them with."""

STANDING_WORDS: Final = {
    "listed": "in the reference list",
    "unlisted": "missing from the reference list",
    "ambiguous": "ambiguous: matches more than one reference",
}
"""How a page says each standing."""

_RESOLUTION_STANDING: Final = {"Resolved": "listed", "Unresolved": "unlisted",
                               "Ambiguous": "ambiguous"}
"""A citation's iacai:resolutionStatus (its local name) as the standing of what it cites."""

_SECTIONS: Final = {
    "addressed-by": ("Benefits that address {title}", "Benefit", False, True),
    "addresses": ("Challenges addressed by {title}", "Challenge", False, True),
    "member": ("Members of {title}", "Member", False, False),
    "row": ("Rows of {title}", "Row", False, True),
    "supports": ("What {title} supports", "Supported", True, True),
}
"""The relations of `answer-related.rq` whose items a page lists with category and sources, in
the order a reader asks them: heading, first column, whether to show kind and category."""


@dataclass(frozen=True)
class Link:
    """A resource as a page links to it: its label (or compact IRI) and its local path."""

    text: str
    href: str


@dataclass(frozen=True)
class Cited:
    """A source something rests on, and its standing in the reference list ("" unknown)."""

    source: Link
    standing: str

    @property
    def words(self) -> str:
        return STANDING_WORDS.get(self.standing, "")


@dataclass(frozen=True)
class Claim:
    """A challenge, benefit or other resource as an answer lists it."""

    link: Link
    kind: str
    order: int | None
    categories: tuple[Link, ...]
    category_order: int | None
    sources: tuple[Cited, ...]
    position: int | None
    """Its own place in a reference list, when it is a listed source."""
    unlisted: bool
    """Whether it is itself a source the reference list lacks."""

    @property
    def rank(self) -> tuple[Any, ...]:
        """Table order: by category, then by its own order, then by label."""
        return (self.category_order is None, self.category_order or 0,
                self.order is None, self.order or 0, self.link.text.lower())


@dataclass(frozen=True)
class Section:
    """One answer: a heading and the resources it lists, in order."""

    relation: str
    heading: str
    column: str
    """What its first column lists."""
    claims: list[Claim]
    show_kind: bool = False
    show_category: bool = True
    marks: Mapping[str, tuple[Link, ...]] = field(default_factory=dict)
    """For a table's rows: what the table marks as addressing each row, by the row's page path."""

    @property
    def mark_count(self) -> int:
        return sum(len(links) for links in self.marks.values())


@dataclass(frozen=True)
class CitationPlace:
    """One in-text citation of a source: where it stands and what it backs."""

    link: Link
    place: Link | None
    backs: tuple[Link, ...]
    cites: tuple[Link, ...]
    standing: str
    among: str = ""
    """Which of several citations at the same place backing the same thing ("1st of 2")."""

    @property
    def words(self) -> str:
        return STANDING_WORDS.get(self.standing, "")


@dataclass(frozen=True)
class Answers:
    """Everything a resource's page says in plain words, and what its raw tables need not repeat."""

    own: Claim | None = None
    sections: list[Section] = field(default_factory=list)
    citations: list[CitationPlace] = field(default_factory=list)
    """Where the resource (a source) is cited."""
    itself: CitationPlace | None = None
    """The resource, when it is an in-text citation."""
    issues: list[Link] = field(default_factory=list)
    repeated: frozenset[tuple[str, str]] = frozenset()
    """(property, subject) of incoming links that restate one of the resource's own links."""
    in_lists: list[tuple[str, Link]] = field(default_factory=list)
    """(property label, holder) for each list that holds the resource (an author list)."""


async def page_answers(queries: InternalQueries, iri: str, title: str) -> Answers:
    """What the page of `iri` (titled `title`) answers, asked in four queries one after another."""
    resource = NamedNode(iri)
    related = await queries.select("answer-related", resource=resource)
    items = {row["item"] for row in related if row["relation"].value in _SECTIONS}
    marked: dict[str, set[Any]] = {}
    for row in related:
        if row["relation"].value == "marked":
            marked.setdefault(row["item"].value, set()).add(row["addressedBy"])
    items |= {term for terms in marked.values() for term in terms}
    claim_rows = await queries.select(
        "answer-claims", claim=[term for term in {resource, *items} if isinstance(term, NamedNode)]
    )
    citation_rows = await queries.select("answer-citations", resource=resource)
    labels = await labels_of(queries, _named(related, claim_rows, citation_rows))
    claims = _claims(claim_rows, labels)
    by_relation: dict[str, list[Claim]] = {}
    for row in related:
        relation = row["relation"].value
        if relation in _SECTIONS and row["item"].value in claims:
            by_relation.setdefault(relation, []).append(claims[row["item"].value])
    itself = [row for row in citation_rows if row["citation"] == resource]
    return Answers(
        own=claims.get(iri),
        sections=_sections(by_relation, title, _marks(marked, claims, labels)),
        citations=_citations([row for row in citation_rows if row["citation"] != resource], labels),
        itself=_citation_place(itself, labels) if itself else None,
        issues=sorted(
            {_link(labels, row["item"]) for row in related if row["relation"].value == "issue"},
            key=lambda link: link.text.lower(),
        ),
        repeated=frozenset(
            (row["via"].value, row["item"].value)
            for row in related
            if row["relation"].value == "inverse"
        ),
        in_lists=sorted(
            ((_label(labels, row["via"]), _link(labels, row["item"]))
             for row in related if row["relation"].value == "in-list"),
            key=lambda pair: (pair[0], pair[1].text.lower()),
        ),
    )


async def citations_told_apart(
    queries: InternalQueries, iris: Iterable[str]
) -> dict[str, CitationPlace]:
    """Each in-text citation's place and what it backs, by its page path, in one query: what a
    list of citations printed alike (a search's hits) needs to tell them apart."""
    wanted = [NamedNode(iri) for iri in iris]
    if not wanted:
        return {}
    rows = await queries.select("answer-citations", resource=wanted)
    rows = [row for row in rows if row["citation"] in wanted]
    labels = await labels_of(queries, _named(rows))
    return {place.link.href: place for place in _citations(rows, labels)}


def _named(*answers: Iterable[Solution]) -> set[NamedNode]:
    """Every IRI the answers bind, to be labelled in one query."""
    return {term for rows in answers for row in rows for term in row.values()
            if isinstance(term, NamedNode)}


def _claims(rows: list[Solution], labels: Mapping[str, str]) -> dict[str, Claim]:
    """One Claim per resource from `answer-claims.rq` rows (a row per category and source)."""
    gathered: dict[str, list[Solution]] = {}
    for row in rows:
        gathered.setdefault(row["claim"].value, []).append(row)
    claims = {}
    for iri, own in gathered.items():
        categories = {row["category"].value: row for row in own if row["category"] is not None}
        sources = {row["source"].value: row for row in own if row["source"] is not None}
        kind = next((row["kind"] for row in own if row["kind"] is not None), None)
        claims[iri] = Claim(
            link=_link(labels, own[0]["claim"]),
            kind=_label(labels, kind) if kind is not None else "",
            order=_least(row["order"] for row in own),
            categories=tuple(_link(labels, row["category"]) for row in categories.values()),
            category_order=_least(row["categoryOrder"] for row in categories.values()),
            sources=tuple(
                Cited(_link(labels, row["source"]), STANDINGS.get(_number(row["status"]) or 0, ""))
                for row in sorted(sources.values(), key=lambda r: _label(labels, r["source"]))
            ),
            position=_least(row["position"] for row in own),
            unlisted=any(row["unlisted"] is not None for row in own),
        )
    return claims


def _marks(
    marked: Mapping[str, set[Any]], claims: Mapping[str, Claim], labels: Mapping[str, str]
) -> dict[str, tuple[Link, ...]]:
    """Each marked row's links to what addresses it, in table order (by label without one)."""
    def rank(term: Any) -> tuple[Any, ...]:
        claim = claims.get(term.value)
        return (claim is None, claim.rank if claim else (), _label(labels, term).lower())

    return {page_path(row): tuple(_link(labels, term) for term in sorted(terms, key=rank))
            for row, terms in marked.items()}


def _sections(
    by_relation: Mapping[str, list[Claim]], title: str, marks: Mapping[str, tuple[Link, ...]]
) -> list[Section]:
    """The answers in the order a reader asks them, each listing its resources in table order
    (by label where the data gives no order, and then the heading does not claim one); a
    table's rows carry its marks."""
    sections = []
    for relation, (wording, column, show_kind, show_category) in _SECTIONS.items():
        heading = wording.format(title=title)
        claims = sorted(set(by_relation.get(relation, [])), key=lambda claim: claim.rank)
        if relation == "supports":
            claims.sort(key=lambda claim: claim.kind)
        if relation in ("member", "row") and all(claim.order is not None for claim in claims):
            heading += ", in table order"
        if claims:
            sections.append(Section(relation, heading, column, claims, show_kind, show_category,
                                    marks if relation == "row" else {}))
    return sections


def _citations(rows: list[Solution], labels: Mapping[str, str]) -> list[CitationPlace]:
    """The citations of a source in the essay's order, each with its place and what it backs."""
    gathered: dict[str, list[Solution]] = {}
    for row in rows:
        gathered.setdefault(row["citation"].value, []).append(row)
    ordered = sorted(
        gathered.values(),
        key=lambda own: (_least(row["order"] for row in own) is None,
                         _least(row["order"] for row in own) or 0, own[0]["citation"].value),
    )
    return _numbered_alike([_citation_place(own, labels) for own in ordered])


def _citation_place(own: list[Solution], labels: Mapping[str, str]) -> CitationPlace:
    """One citation from its rows of `answer-citations.rq` (a row per work and thing it backs)."""
    first = own[0]
    text = first["text"].value if first["text"] is not None else None
    resolution = first["resolution"].value.rpartition("#")[2] if first["resolution"] else ""
    return CitationPlace(
        link=Link(text or _label(labels, first["citation"]), page_path(first["citation"].value)),
        place=_link(labels, first["place"]) if first["place"] is not None else None,
        backs=_links(labels, (row["backs"] for row in own)),
        cites=_links(labels, (row["cited"] for row in own)),
        standing=_RESOLUTION_STANDING.get(resolution, ""),
    )


def _numbered_alike(places: list[CitationPlace]) -> list[CitationPlace]:
    """Citations that would read alike (same text, place and claims) told apart by their rank."""
    alike: dict[tuple[Any, ...], list[int]] = {}
    for index, place in enumerate(places):
        alike.setdefault((place.link.text, place.place, place.backs), []).append(index)
    numbered = list(places)
    for indexes in alike.values():
        if len(indexes) > 1:
            for rank, index in enumerate(indexes, start=1):
                among = f"{_ordinal(rank)} of {len(indexes)}"
                numbered[index] = replace(places[index], among=among)
    return numbered


def _ordinal(number: int) -> str:
    teens = 10 <= number % 100 <= 20
    return f"{number}{'th' if teens else {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th')}"


def _links(labels: Mapping[str, str], terms: Iterable[Any]) -> tuple[Link, ...]:
    """Each bound term once, as links in the order of their text."""
    links = {_link(labels, term) for term in terms if term is not None}
    return tuple(sorted(links, key=lambda link: link.text.lower()))


def _link(labels: Mapping[str, str], term: Any) -> Link:
    return Link(_label(labels, term), page_path(term.value))


def _label(labels: Mapping[str, str], term: Any) -> str:
    return labels.get(term.value) or compact(term.value)


def _least(terms: Iterable[Any]) -> int | None:
    numbers = [n for n in (_number(term) for term in terms) if n is not None]
    return min(numbers) if numbers else None


def _number(term: Any) -> int | None:
    """An integer literal's value; None when unbound or not an integer."""
    try:
        return int(term.value) if term is not None else None
    except ValueError:
        return None
