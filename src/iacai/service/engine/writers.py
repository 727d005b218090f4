"""Query answers to bytes: SPARQL results (JSON, XML, CSV, TSV) and RDF graphs in every format.

Runs inside the query workers, so it imports nothing but pyoxigraph and the standard library
(pyld only when JSON-LD is asked for). A SELECT answer is written by pyoxigraph's own writers
(three to four times as fast as evaluating it again and writing it here) when it is surely
within the caps; one that may be over a cap is written here from its first rows, counted.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar
from xml.sax.saxutils import escape, quoteattr

from pyoxigraph import (
    BlankNode,
    DefaultGraph,
    Literal,
    NamedNode,
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    Variable,
)

from iacai.jsonld_context import compact
from iacai.namespaces import XSD
from iacai.rdf_bytes import rdf_bytes, results_bytes

if TYPE_CHECKING:
    from typing_extensions import Buffer

Row = Sequence[Any]
"""One solution: a pyoxigraph term or None per variable, in the order of the variables."""

XSD_STRING = str(XSD.string)
TRUNCATION_NOTE = (
    "A result cap of this endpoint (rows or bytes) was reached: later rows are not included."
)


def write_solutions(
    format_name: str, variables: Sequence[Variable], rows: Sequence[Row], truncated: bool
) -> bytes:
    """A SELECT answer in one of the SPARQL results formats."""
    names = [variable.value for variable in variables]
    return _SOLUTION_WRITERS[format_name](names, rows, truncated)


_ROW_MARKS = {"json": (b"},{", -1), "xml": (b"<result", 1), "csv": (b"\n", 1), "tsv": (b"\n", 1)}
"""Per results format of pyoxigraph: a byte string it writes at least once per row (between
rows in JSON, in `<results>` too in XML, after the header line too in CSV and TSV), and how many
more times it occurs than there are rows when no literal holds it."""


def write_solutions_within_cap(
    format_name: str, solutions: QuerySolutions, max_rows: int, max_bytes: int
) -> bytes | None:
    """A SELECT answer written by pyoxigraph, or None when it may hold more than `max_rows` rows
    or `max_bytes` bytes.

    The rows are bounded from above by counting a byte string every row writes (in a literal it
    only counts too many), so an answer under the cap is never cut. The writing stops as soon
    as it grows past the byte cap: a huge answer costs no more memory than the cap, and no more
    writing. (The written answer is larger than its terms' text, which the cap counts: an answer
    given up on here may still fit, and is then written here uncut.)
    """
    sink = _BoundedSink(max_bytes)
    try:
        solutions.serialize(sink, format=_BOOLEAN_FORMATS[format_name])
    except _AnswerTooLargeError:
        return None
    body = sink.getvalue()
    mark, beyond_rows = _ROW_MARKS[format_name]
    return body if body.count(mark) - beyond_rows <= max_rows else None


class _AnswerTooLargeError(Exception):
    pass


class _BoundedSink(io.BytesIO):
    """A binary output that refuses to grow past a size."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self._limit = limit

    def write(self, data: Buffer, /) -> int:
        written = super().write(data)
        if self.tell() > self._limit:
            raise _AnswerTooLargeError
        return written


_Counted = TypeVar("_Counted", Row, Triple)


def rows_within_caps(
    rows: Iterable[_Counted], max_rows: int, max_bytes: int
) -> tuple[list[_Counted], bool]:
    """The first rows (solutions, or triples) that fit both caps (the size of a row is that of
    its terms' text), and whether any were left out. Rows are taken one at a time, so a huge
    answer is never held."""
    kept: list[_Counted] = []
    size = 0
    for row in rows:
        size += sum(len(str(term)) for term in row if term is not None) + _ROW_OVERHEAD
        if len(kept) == max_rows or size > max_bytes:
            return kept, True
        kept.append(row)
    return kept, False


_ROW_OVERHEAD = 16
"""Bytes a row costs beyond its terms' text, at least (separators, brackets)."""


def xml_refusal(body: bytes) -> str | None:
    """Why an XML answer cannot be sent (a character XML 1.0 forbids, even as a reference)."""
    found = _XML_FORBIDDEN.search(body)
    if found is None:
        return None
    code = ord(found[0].decode("utf-8"))
    return (
        f"The answer holds the character U+{code:04X}, which XML 1.0 cannot carry; "
        "ask for another format (JSON, CSV, TSV, or an RDF format other than RDF/XML)."
    )


_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
"""Characters outside XML 1.0's Char production, as UTF-8 (surrogates cannot be in UTF-8)."""


def write_boolean(format_name: str, answer: QueryBoolean) -> bytes:
    """An ASK answer: pyoxigraph writes every results format for a boolean."""
    return results_bytes(answer, _BOOLEAN_FORMATS[format_name])


def write_graph(
    format_name: str,
    triples: Sequence[Triple],
    prefixes: Mapping[str, str],
    jsonld_context: Mapping[str, Any],
) -> bytes:
    """A CONSTRUCT or DESCRIBE answer (triples, in the default graph) in an RDF format."""
    if format_name == "jsonld":
        return _compacted_jsonld(triples, jsonld_context)
    rdf_format = _GRAPH_FORMATS[format_name]
    if rdf_format is not RdfFormat.N_TRIPLES:  # group each subject's triples together
        triples = sorted(triples, key=_subject_order)
    if rdf_format in (RdfFormat.TRIG, RdfFormat.N_QUADS):
        quads = [Quad(t.subject, t.predicate, t.object, DefaultGraph()) for t in triples]
        return rdf_bytes(quads, rdf_format, with_folder_prefixes(prefixes, triples))
    if rdf_format is RdfFormat.TURTLE:
        return rdf_bytes(triples, rdf_format, with_folder_prefixes(prefixes, triples))
    if rdf_format is RdfFormat.RDF_XML:
        return rdf_bytes(triples, rdf_format, prefixes)
    return rdf_bytes(triples, rdf_format)


def with_folder_prefixes(prefixes: Mapping[str, str], triples: Sequence[Triple]) -> dict[str, str]:
    """The prefixes, and one for each folder below them that IRIs of these triples are in.

    A prefixed name cannot hold a `/` unescaped: with `id:` alone, `…/id/challenge/bias` would
    be written `id:challenge\\/bias`. With `challenge:` for `…/id/challenge/` (pyoxigraph picks
    the longest namespace) it reads `challenge:bias`. Only folders below a declared namespace get
    one, named by their last segment, and never in place of a declared prefix.
    """
    added = dict(prefixes)
    by_length = sorted(prefixes.values(), key=len, reverse=True)
    for iri in sorted({t.value for triple in triples for t in triple if isinstance(t, NamedNode)}):
        namespace = next((ns for ns in by_length if iri.startswith(ns)), None)
        if namespace is None or "/" not in iri[len(namespace):]:
            continue
        folder = iri[: iri.rindex("/") + 1]
        name = folder[:-1].rsplit("/", 1)[-1]
        if _PREFIX_NAME.fullmatch(name) and name not in added:
            added[name] = folder
    return added


_PREFIX_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def _subject_order(triple: Triple) -> tuple[str, str]:
    return (str(triple.subject), str(triple.predicate))


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, Literal):
        described = {"type": "literal", "value": term.value}
        if term.language:
            described["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            described["datatype"] = term.datatype.value
        return described
    return {"type": "triple", "value": str(term)}


def _solutions_json(names: list[str], rows: Sequence[Row], truncated: bool) -> bytes:
    bindings = [
        {name: _json_term(term) for name, term in zip(names, row, strict=True) if term is not None}
        for row in rows
    ]
    document: dict[str, Any] = {"head": {"vars": names}, "results": {"bindings": bindings}}
    if truncated:
        document["truncated"] = True
        document["note"] = TRUNCATION_NOTE
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _xml_term(term: Any) -> str:
    if isinstance(term, NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _solutions_xml(names: list[str], rows: Sequence[Row], truncated: bool) -> bytes:
    parts = [
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "<head>",
        *(f"<variable name={quoteattr(name)}/>" for name in names),
        "</head><results>",
    ]
    for row in rows:
        parts.append("<result>")
        parts.extend(
            f"<binding name={quoteattr(name)}>{_xml_term(term)}</binding>"
            for name, term in zip(names, row, strict=True)
            if term is not None
        )
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, BlankNode):
        return f"_:{term.value}"
    if isinstance(term, NamedNode | Literal):
        return term.value
    return str(term)


def _solutions_csv(names: list[str], rows: Sequence[Row], truncated: bool) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([_csv_term(term) for term in row] for row in rows)
    return buffer.getvalue().encode()


def _solutions_tsv(names: list[str], rows: Sequence[Row], truncated: bool) -> bytes:
    lines = ["\t".join(f"?{name}" for name in names)]
    lines.extend("\t".join("" if term is None else str(term) for term in row) for row in rows)
    return ("\n".join(lines) + "\n").encode()


def _compacted_jsonld(triples: Sequence[Triple], context: Mapping[str, Any]) -> bytes:
    expanded = json.loads(rdf_bytes(triples, RdfFormat.JSON_LD))
    compacted = compact(expanded, dict(context))
    return json.dumps(compacted, ensure_ascii=False, indent=2).encode()


_SOLUTION_WRITERS: dict[str, Callable[[list[str], Sequence[Row], bool], bytes]] = {
    "json": _solutions_json,
    "xml": _solutions_xml,
    "csv": _solutions_csv,
    "tsv": _solutions_tsv,
}
_BOOLEAN_FORMATS = {
    "json": QueryResultsFormat.JSON,
    "xml": QueryResultsFormat.XML,
    "csv": QueryResultsFormat.CSV,
    "tsv": QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "rdfxml": RdfFormat.RDF_XML,
    "trig": RdfFormat.TRIG,
    "nquads": RdfFormat.N_QUADS,
}
