"""SPARQL JSON results as a table people read: IRIs linked to this server's pages, labels shown.

A column `?x` whose query also selects `?xLabel` shows the label, linked to `x`'s page, and the
label column is not repeated. IRIs of the served dataset link to their local pages; other IRIs
to the describe page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from iacai.service.http.addresses import page_path
from iacai.terms import compact


@dataclass(frozen=True)
class Cell:
    """One value: its text, a link if it is an IRI, its language if it has one."""

    text: str
    href: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class AnswerTable:
    """The columns and rows of an answer, ready for a template."""

    columns: list[str]
    rows: list[list[Cell]]


def answer_table(results: dict[str, Any]) -> AnswerTable:
    """The table of a SELECT's JSON results (an ASK's boolean as one cell)."""
    if "boolean" in results:
        return AnswerTable(["answer"], [[Cell("yes" if results["boolean"] else "no")]])
    variables: list[str] = results["head"]["vars"]
    labelled = {v for v in variables if f"{v}Label" in variables}
    shown = [v for v in variables if not (v.endswith("Label") and v[: -len("Label")] in labelled)]
    rows = [
        [_cell(binding.get(v), binding.get(f"{v}Label") if v in labelled else None) for v in shown]
        for binding in results["results"]["bindings"]
    ]
    return AnswerTable(shown, rows)


def _cell(term: dict[str, str] | None, label: dict[str, str] | None) -> Cell:
    if term is None:
        return Cell("")
    if term["type"] == "uri":
        text = label["value"] if label else compact(term["value"])
        return Cell(text, page_path(term["value"]), label.get("xml:lang") if label else None)
    if term["type"] == "bnode":
        return Cell(f"_:{term['value']}")
    return Cell(term["value"], language=term.get("xml:lang"))
