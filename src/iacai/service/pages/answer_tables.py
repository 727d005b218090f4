"""SPARQL JSON results as a table people read: IRIs linked to this server's pages, labels shown,
headers in words.

A column `?x` whose query also selects `?xLabel` shows the label, linked to `x`'s page, and the
label column is not repeated; any other IRI shows the label the data gives it (looked up once for
the whole answer), else its compact form. A header is its variable read as words, a trailing
"Label" dropped (`?categoryLabel` reads "Category", `?citationText` "Citation text"). IRIs of the
served dataset link to their local pages; other IRIs to the describe page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from pyoxigraph import NamedNode

from iacai.service.http.addresses import page_path
from iacai.service.linked_data.descriptions import labels_of
from iacai.service.sparql.internal_queries import InternalQueries
from iacai.terms import compact

_LABEL: Final = "Label"
_WORD: Final = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|[0-9]+")


@dataclass(frozen=True)
class Cell:
    """One value: its text, a link if it is an IRI, its language if it has one."""

    text: str
    href: str | None = None
    language: str | None = None


@dataclass(frozen=True)
class AnswerTable:
    """The columns (headers in words) and rows of an answer, ready for a template."""

    columns: list[str]
    rows: list[list[Cell]]


async def labelled_answer_table(queries: InternalQueries, results: dict[str, Any]) -> AnswerTable:
    """The table of a SELECT's JSON results, every IRI named by its label where the data has one."""
    iris = {
        term["value"]
        for binding in results.get("results", {}).get("bindings", [])
        for term in binding.values()
        if term["type"] == "uri"
    }
    labels = await labels_of(queries, map(NamedNode, sorted(iris))) if iris else {}
    return answer_table(results, labels)


def answer_table(results: dict[str, Any], labels: Mapping[str, str] | None = None) -> AnswerTable:
    """The table of a SELECT's JSON results (an ASK's boolean as one cell)."""
    if "boolean" in results:
        return AnswerTable(["Answer"], [[Cell("yes" if results["boolean"] else "no")]])
    variables: list[str] = results["head"]["vars"]
    labelled = {v for v in variables if f"{v}{_LABEL}" in variables}
    shown = [v for v in variables if not (v.endswith(_LABEL) and v[: -len(_LABEL)] in labelled)]
    rows = [
        [_cell(binding.get(v), binding.get(f"{v}{_LABEL}") if v in labelled else None, labels or {})
         for v in shown]
        for binding in results["results"]["bindings"]
    ]
    return AnswerTable([header(v) for v in shown], rows)


def header(variable: str) -> str:
    """A variable as a column header in words: `challengeCategoryLabel` -> "Challenge category"."""
    words = _WORD.findall(variable) or [variable]
    if len(words) > 1 and words[-1] == _LABEL:
        words.pop()
    text = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
    return text[:1].upper() + text[1:]


def _cell(
    term: dict[str, str] | None, label: dict[str, str] | None, labels: Mapping[str, str]
) -> Cell:
    if term is None:
        return Cell("")
    if term["type"] == "uri":
        if label:
            return Cell(label["value"], page_path(term["value"]), label.get("xml:lang"))
        text = labels.get(term["value"]) or compact(term["value"])
        return Cell(text, page_path(term["value"]))
    if term["type"] == "bnode":
        return Cell(f"_:{term['value']}")
    return Cell(term["value"], language=term.get("xml:lang"))
