"""The catalogue of named SPARQL queries in `queries/*.rq`, and safe binding of their parameters.

Every query file opens with a header of comment lines (the header ends at the first line that
is not a comment, or at an empty comment line `#`):

    # title: Benefits that address a challenge
    # description: The benefits of interagency collaboration (Table 2) that Table 3 marks
    #   as helping with one challenge (Table 1). Further lines continue the description.
    # param: challenge iri  The challenge, e.g. https://w3id.org/iacai/id/challenge/bias

`title` is one line (a file without one is titled by its name); `description` may continue on
the following comment lines; each `param` line gives the name (the query's variable without
`?`), a type, then after whitespace a description. Every declared parameter is required. The types:

- `iri`: an absolute IRI, or a prefixed name with one of the project's prefixes
  (`id:challenge/bias`), bound as an IRI;
- `string`: bound as a plain literal (`xsd:string`, no language tag). The essay's labels carry
  `@en`, so a query that matches a label against a string parameter compares lexical forms,
  `STR(?label) = ?name`, or lower-cased ones for a search;
- `integer`: bound as an `xsd:integer` literal.

Parameters are bound as RDF terms (rdflib `initBindings`, pyoxigraph `substitutions`), never
spliced into the query text, so a value cannot change the query. A parameter's variable must be
in the SELECT list: pyoxigraph substitutes projected variables only (SPARQL-dev SEP-0007).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph
from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Identifier

from iacai import resources
from iacai.namespaces import PREFIXES

ParameterType = TypingLiteral["iri", "string", "integer"]
PARAMETER_TYPES: tuple[ParameterType, ...] = ("iri", "string", "integer")

_HEADER_FIELD = re.compile(r"#\s*(title|description|param):\s?(.*)")
_PARAM = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s+(?P<type>\w+)(?:\s+(?P<description>.*))?")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\]*")
_INTEGER = re.compile(r"[+-]?\d+")


class QueryFileError(ValueError):
    """A query file that is not readable UTF-8 text, or whose header does not follow the format."""


class ParameterError(ValueError):
    """A parameter value that cannot be bound: unknown name, missing, or not of its type."""


@dataclass(frozen=True)
class QueryParameter:
    """One declared parameter of a named query."""

    name: str
    type: ParameterType
    description: str

    def term(self, value: str) -> URIRef | Literal:
        """The RDF term for a value given as text, checked against the parameter's type."""
        if self.type == "iri":
            return URIRef(self._iri(value))
        if self.type == "integer":
            if not _INTEGER.fullmatch(value.strip()):
                raise ParameterError(f"parameter {self.name!r} needs an integer, got {value!r}")
            return Literal(int(value), datatype=XSD.integer)
        return Literal(value)

    def _iri(self, value: str) -> str:
        prefix, _, local = value.partition(":")
        if prefix in PREFIXES and not local.startswith("//"):
            value = PREFIXES[prefix] + local
        if not _IRI.fullmatch(value):
            raise ParameterError(
                f"parameter {self.name!r} needs an absolute IRI (or a prefixed name such as "
                f"id:challenge/bias), got {value!r}"
            )
        return value


@dataclass(frozen=True)
class NamedQuery:
    """A query file of `queries/`: its name (the file stem), header and text."""

    name: str
    title: str
    description: str
    parameters: tuple[QueryParameter, ...]
    text: str
    path: Path

    def bind(self, values: Mapping[str, str]) -> dict[str, URIRef | Literal]:
        """The RDF term of every parameter, from values given as text (rdflib `initBindings`)."""
        declared = {parameter.name: parameter for parameter in self.parameters}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            raise ParameterError(
                f"query {self.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters: {self._parameter_names()}"
            )
        missing = [name for name in declared if name not in values]
        if missing:
            raise ParameterError(
                f"query {self.name!r} needs {', '.join(f'--param {n}=...' for n in missing)}"
            )
        return {name: declared[name].term(value) for name, value in values.items()}

    def oxigraph_substitutions(
        self, values: Mapping[str, str]
    ) -> dict[pyoxigraph.Variable, pyoxigraph.NamedNode | pyoxigraph.Literal]:
        """The same binding as pyoxigraph terms, for `Store.query(text, substitutions=...)`."""
        return {
            pyoxigraph.Variable(name): to_oxigraph(term)
            for name, term in self.bind(values).items()
        }

    def _parameter_names(self) -> str:
        return ", ".join(p.name for p in self.parameters) or "none"


def to_oxigraph(term: Identifier) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
    """An rdflib IRI or literal as the pyoxigraph term with the same value."""
    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        datatype = term.datatype or XSD.string
        return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(datatype)))
    raise TypeError(f"cannot convert {term!r} to a pyoxigraph term")


def read_query(path: Path) -> NamedQuery:
    """A named query from its file: the header parsed, each parameter checked against the text."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise QueryFileError(f"{path.name}: not UTF-8 text (byte {error.start})") from None
    except OSError as error:
        raise QueryFileError(f"{path.name}: cannot be read ({error.strerror})") from None
    fields = _header_fields(text)
    parameters = tuple(_parameter(path, line) for line in fields.get("param", []))
    for parameter in parameters:
        if not re.search(rf"[?$]{parameter.name}\b", text):
            raise QueryFileError(f"{path.name}: parameter {parameter.name!r} is not in the query")
    return NamedQuery(
        name=path.stem,
        title=(fields.get("title") or [path.stem])[0],
        description=" ".join(fields.get("description", [])),
        parameters=parameters,
        text=text,
        path=path,
    )


@cache
def catalogue(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query of the folder (default: the shipped `queries/`), by name, in name order."""
    folder = folder if folder is not None else resources.queries_dir()
    return {path.stem: read_query(path) for path in sorted(folder.glob("*.rq"))}


def variable_bindings(terms: Mapping[str, URIRef | Literal]) -> dict[Variable, URIRef | Literal]:
    """Bound terms keyed by rdflib Variable, as `Graph.query(initBindings=...)` accepts them."""
    return {Variable(name): term for name, term in terms.items()}


def _header_fields(text: str) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#") or stripped == "#":
            break
        match = _HEADER_FIELD.match(stripped)
        if match:
            current = fields.setdefault(match[1], [])
            current.append(match[2].strip())
        elif current is not None and fields.get("description") is current:
            current.append(stripped.lstrip("#").strip())
    return fields


def _parameter(path: Path, line: str) -> QueryParameter:
    match = _PARAM.fullmatch(line)
    if not match or match["type"] not in PARAMETER_TYPES:
        raise QueryFileError(
            f"{path.name}: '# param: {line}' should read 'NAME TYPE  DESCRIPTION' "
            f"with TYPE one of {', '.join(PARAMETER_TYPES)}"
        )
    return QueryParameter(match["name"], match["type"], (match["description"] or "").strip())
