"""Table 3 of the essay as a matrix: challenges as rows, benefits as columns, each mark a cell.

Rows and columns are grouped by category and ordered as the essay's Tables 1 and 2 order them;
the same model draws the HTML table and the SVG picture.
"""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import NamedNode

from iacai.namespaces import IACAI
from iacai.service.sparql.internal_queries import InternalQueries, Solution


@dataclass(frozen=True)
class Item:
    """A challenge or benefit: its IRI, label and category."""

    iri: str
    label: str
    category_iri: str
    category_label: str


@dataclass(frozen=True)
class Group:
    """The consecutive items of one category."""

    iri: str
    label: str
    items: list[Item]


@dataclass(frozen=True)
class Matrix:
    """Which benefit addresses which challenge, with the groups and totals a reader needs."""

    challenge_groups: list[Group]
    benefit_groups: list[Group]
    marks: frozenset[tuple[str, str]]
    """(challenge IRI, benefit IRI) pairs."""

    @property
    def challenges(self) -> list[Item]:
        return [item for group in self.challenge_groups for item in group.items]

    @property
    def benefits(self) -> list[Item]:
        return [item for group in self.benefit_groups for item in group.items]

    def marked(self, challenge: Item, benefit: Item) -> bool:
        return (challenge.iri, benefit.iri) in self.marks

    def row_total(self, challenge: Item) -> int:
        return sum(1 for c, _ in self.marks if c == challenge.iri)

    def column_total(self, benefit: Item) -> int:
        return sum(1 for _, b in self.marks if b == benefit.iri)


async def table_3(queries: InternalQueries) -> Matrix:
    """The matrix as the store states it (the union of its named graphs)."""
    # one after another: the pool runs one long query per client at a time (fair scheduling)
    marks = await queries.select("table-3-marks")
    challenges = await queries.select("table-3-members", kind=NamedNode(str(IACAI.Challenge)))
    benefits = await queries.select("table-3-members", kind=NamedNode(str(IACAI.Benefit)))
    pairs = frozenset((row["challenge"].value, row["benefit"].value) for row in marks)
    return Matrix(_groups(challenges), _groups(benefits), pairs)


def _groups(rows: list[Solution]) -> list[Group]:
    groups: list[Group] = []
    for row in rows:
        item = Item(
            row["item"].value,
            row["label"].value,
            row["category"].value,
            row["categoryLabel"].value,
        )
        if not groups or groups[-1].iri != item.category_iri:
            groups.append(Group(item.category_iri, item.category_label, []))
        groups[-1].items.append(item)
    return groups
