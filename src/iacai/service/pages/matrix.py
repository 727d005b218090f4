"""Table 3 of the essay as a matrix: challenges as rows, benefits as columns, each mark a cell.

Rows and columns are grouped by category and ordered as the essay's Tables 1 and 2 order them
(by label where a review gives no order); each challenge and benefit carries its sources, which
a mark names. The same model draws the HTML table and the SVG picture, whose layout is worked
out here from the lengths of its labels, so that no label of any review leaves the picture.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from pyoxigraph import NamedNode

from iacai.namespaces import IACAI
from iacai.service.sparql.internal_queries import InternalQueries, Solution


@dataclass(frozen=True)
class SourceRef:
    """A source behind a challenge or benefit: its label, and whether the reference list has it."""

    iri: str
    label: str
    unlisted: bool


@dataclass(frozen=True)
class Item:
    """A challenge or benefit: its IRI, label, category and sources."""

    iri: str
    label: str
    category_iri: str
    category_label: str
    sources: tuple[SourceRef, ...] = ()
    ambiguous: bool = False
    """The item's citation resolves to more than one source: its sources are alternatives."""

    @property
    def sources_text(self) -> str:
        """The sources as a reader reads them, with what is wrong with them."""
        if not self.sources:
            return "no source given"
        names = [s.label + (", missing from the reference list" if s.unlisted else "")
                 for s in self.sources]
        if len(names) == 1:
            return f"source: {names[0]}"
        if self.ambiguous:
            return f"sources: {' or '.join(names)} (an ambiguous citation)"
        return f"sources: {'; '.join(names)}"


@dataclass(frozen=True)
class Group:
    """The consecutive items of one category."""

    iri: str
    label: str
    items: list[Item] = field(default_factory=list)


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
    sources = _sources(await queries.select("table-3-sources"))
    pairs = frozenset((row["challenge"].value, row["benefit"].value) for row in marks)
    return Matrix(_groups(challenges, sources), _groups(benefits, sources), pairs)


def _sources(rows: list[Solution]) -> dict[str, tuple[tuple[SourceRef, ...], bool]]:
    """Each item's sources and whether its citation is ambiguous, by the item's IRI."""
    found: dict[str, tuple[tuple[SourceRef, ...], bool]] = {}
    for row in rows:
        source = row["source"].value
        label = row["sourceLabel"].value if row["sourceLabel"] is not None else source
        known, ambiguous = found.get(row["item"].value, ((), False))
        ref = SourceRef(source, label, row["unlisted"] is not None)
        found[row["item"].value] = (
            known if ref in known else (*known, ref),
            ambiguous or row["ambiguous"] is not None,
        )
    return found


def _groups(
    rows: list[Solution], sources: dict[str, tuple[tuple[SourceRef, ...], bool]]
) -> list[Group]:
    groups: list[Group] = []
    for row in rows:
        iri = row["item"].value
        own, ambiguous = sources.get(iri, ((), False))
        item = Item(
            iri,
            row["label"].value,
            row["category"].value,
            row["categoryLabel"].value,
            own,
            ambiguous,
        )
        if not groups or groups[-1].iri != item.category_iri:
            groups.append(Group(item.category_iri, item.category_label))
        groups[-1].items.append(item)
    return groups


FONT_SIZE = 11.0
"""The SVG's text size (px)."""
CHARACTER_WIDTH = 0.62
"""An estimate of a character's width, in em: above the average sans-serif letter (about
0.5 em), so that the room left for a label is never short."""
ASCENT, DESCENT = 0.8, 0.25
"""How far a line of text reaches above and below its baseline, in em."""
SLANT = math.radians(60)
"""The column labels rise at this angle."""
LINE = 16.0
"""The legend's line height."""
MARK_MEANING = "the benefit (column) addresses the challenge (row)"
TOTALS_MEANING = "Figures after each row and under each column: its marks"
BENEFIT_CATEGORIES = "Benefit categories (columns, left to right)"
CHALLENGE_CATEGORIES = "Challenge categories (rows, top to bottom)"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """The estimated width of a line of text."""
    return len(text) * CHARACTER_WIDTH * size


@dataclass(frozen=True)
class LegendLine:
    """A line of the SVG's legend: a heading, a category (linked) or what a mark means."""

    x: float
    y: float
    text: str
    href_iri: str | None = None
    heading: bool = False


@dataclass(frozen=True)
class SvgLayout:
    """Where the SVG matrix puts its parts (px), worked out from its labels' lengths."""

    cell: float
    band: float
    left: float
    """Where the grid starts: after the band and the longest challenge label."""
    top: float
    """Where the grid starts: under the band and the highest slanted benefit label."""
    grid_width: float
    grid_height: float
    legend: list[LegendLine]
    """The legend's lines, the first (what a mark means) beside a drawn mark."""
    width: int
    height: int

    def band_label(self, number: int, group: Group) -> str:
        """A category's number and as much of its name as its band holds (the legend has all)."""
        full = f"{number}. {group.label}"
        room = len(group.items) * self.cell - 8
        if text_width(full) <= room:
            return full
        shown = full[: int(room / (CHARACTER_WIDTH * FONT_SIZE)) - 1].rstrip()
        return f"{shown}…" if len(shown) > len(f"{number}.") else f"{number}."


def svg_layout(matrix: Matrix, cell: float = 22, band: float = 26) -> SvgLayout:
    """The layout of the SVG matrix: wide and tall enough for its longest labels."""
    benefits, challenges = matrix.benefits, matrix.challenges
    longest_challenge = max((text_width(c.label) for c in challenges), default=0.0)
    rise = max((text_width(b.label) * math.sin(SLANT) for b in benefits), default=0.0)
    left = band + 12 + longest_challenge
    top = band + 12 + rise + ASCENT * FONT_SIZE * math.cos(SLANT)
    grid_width, grid_height = cell * len(benefits), cell * len(challenges)
    reach = max(  # how far right each slanted label runs from its column's middle
        (left + cell * (i + 0.5) + 4 + text_width(b.label) * math.cos(SLANT)
         + DESCENT * FONT_SIZE * math.sin(SLANT) for i, b in enumerate(benefits)),
        default=0.0,
    )
    legend = _legend(matrix, band, top + grid_height + 48)  # under the column totals
    width = max(left + grid_width + 40, reach, *(line.x + text_width(line.text) for line in legend))
    height = legend[-1].y + DESCENT * FONT_SIZE + 12
    return SvgLayout(cell, band, left, top, grid_width, grid_height, legend,
                     math.ceil(width + 8), math.ceil(height))


def _legend(matrix: Matrix, x: float, y: float) -> list[LegendLine]:
    """What a mark and the figures mean, then the categories in full, in the bands' order."""
    lines = [LegendLine(x + 22, y, MARK_MEANING), LegendLine(x, y + LINE, TOTALS_MEANING)]
    for heading, groups in ((BENEFIT_CATEGORIES, matrix.benefit_groups),
                            (CHALLENGE_CATEGORIES, matrix.challenge_groups)):
        y = lines[-1].y + 1.5 * LINE
        lines.append(LegendLine(x, y, heading, heading=True))
        for number, group in enumerate(groups, 1):
            y += LINE
            lines.append(LegendLine(x + 10, y, f"{number}. {group.label} ({len(group.items)})",
                                    group.iri))
    return lines
