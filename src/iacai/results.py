"""Writing a pyoxigraph query result for the command line: an aligned table or a standard format."""

from __future__ import annotations

from typing import Final

import pyoxigraph

from iacai.namespaces import PREFIXES
from iacai.query_engine import QueryResult
from iacai.rdf_bytes import rdf_bytes, results_bytes
from iacai.terms import compact

RESULT_FORMATS: Final = ("table", "json", "csv", "tsv", "turtle")
"""`table` is aligned text; json, csv, tsv the SPARQL 1.1 results formats; turtle for graphs."""

_STANDARD: Final = {
    "json": pyoxigraph.QueryResultsFormat.JSON,
    "csv": pyoxigraph.QueryResultsFormat.CSV,
    "tsv": pyoxigraph.QueryResultsFormat.TSV,
}


class ResultFormatError(ValueError):
    """A format that does not fit the kind of result (e.g. Turtle for a SELECT)."""


def write_result(result: QueryResult, format: str | None = None) -> bytes:
    """The result in the format asked for; by default a table, or Turtle for CONSTRUCT/DESCRIBE."""
    if isinstance(result, pyoxigraph.QueryTriples):
        if format not in (None, "turtle"):
            raise ResultFormatError(f"a CONSTRUCT or DESCRIBE result is turtle, not {format}")
        return rdf_bytes(result, pyoxigraph.RdfFormat.TURTLE, PREFIXES)
    if format in _STANDARD:
        return results_bytes(result, _STANDARD[format])
    if format not in (None, "table"):
        raise ResultFormatError(f"a SELECT or ASK result is table, json, csv or tsv, not {format}")
    if isinstance(result, pyoxigraph.QueryBoolean):
        return b"true\n" if bool(result) else b"false\n"
    return table(result).encode("utf-8")


def table(solutions: pyoxigraph.QuerySolutions) -> str:
    """The solutions as text columns, IRIs shortened with the project's prefixes."""
    names = [variable.value for variable in solutions.variables]
    rows = [[_cell(solution[name]) for name in names] for solution in solutions]
    widths = [max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(names)]
    lines = [_line(names, widths), _line(["-" * width for width in widths], widths)]
    lines += [_line(row, widths) for row in rows]
    lines.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(lines) + "\n"


def _line(cells: list[str], widths: list[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def _cell(term: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | None) -> str:
    if term is None:
        return ""
    if isinstance(term, pyoxigraph.NamedNode):
        return compact(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return f"_:{term.value}"
    return term.value.replace("\n", " ")
