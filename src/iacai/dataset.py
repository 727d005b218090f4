"""Reading the shipped Turtle files into one rdflib Dataset, a named graph per file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.parsers.notation3 import BadSyntax

from iacai import resources
from iacai.namespaces import DATA_GRAPHS, ONTOLOGY_GRAPHS, PREFIXES


@dataclass(frozen=True)
class DataFileError(Exception):
    """A file that does not parse: which file, where, and what the parser said."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else str(self.path)
        return f"{where}: {self.message}"


def parse_file(path: Path, graph: Graph | None = None) -> Graph:
    """Parse one RDF file (format from its suffix), raising DataFileError instead of a traceback."""
    target = graph if graph is not None else Graph()
    try:
        target.parse(path, format=_format_for(path))
    except FileNotFoundError as error:
        raise DataFileError(path, "no such file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"cannot be read: {error}") from error
    except Exception as error:  # each parser raises its own kind of error
        raise DataFileError(path, *_problem(error)) from error
    return target


def ontology_files() -> dict[Path, URIRef]:
    """The ontology files and the graph each is loaded into."""
    return _files_in(resources.ontology_dir(), ONTOLOGY_GRAPHS)


def data_files() -> dict[Path, URIRef]:
    """The data files and the graph each is loaded into."""
    return _files_in(resources.data_dir(), DATA_GRAPHS)


def load_dataset(include_ontology: bool = True) -> Dataset:
    """The whole knowledge graph: every data file (and the ontology) in its own named graph."""
    files = {**(ontology_files() if include_ontology else {}), **data_files()}
    return dataset_from(files)


def dataset_from(files: Mapping[Path, URIRef] | Iterable[Path]) -> Dataset:
    """A Dataset from files, each in the named graph given, or in a graph named after the file."""
    named = (
        files if isinstance(files, Mapping)
        else {path: URIRef(path.resolve().as_uri()) for path in files}
    )
    dataset = Dataset()
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    for path, graph_name in named.items():
        parse_file(path, dataset.graph(graph_name))
    return dataset


def _files_in(folder: Path, graphs: Mapping[str, str]) -> dict[Path, URIRef]:
    return {folder / name: URIRef(iri) for name, iri in graphs.items()}


def _format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    formats = {
        ".ttl": "turtle", ".nt": "nt", ".trig": "trig", ".nq": "nquads", ".jsonld": "json-ld",
        ".json": "json-ld", ".rdf": "xml", ".owl": "xml", ".xml": "xml",
    }
    return formats.get(suffix, "turtle")


def _problem(error: Exception) -> tuple[str, int | None]:
    """What the parser said, in one line, and the 1-based line it points at (if it says)."""
    if isinstance(error, BadSyntax):
        text = getattr(error, "_str", b"").decode("utf-8", "replace")
        at = getattr(error, "_i", 0)
        lines = text[at : at + 40].strip().splitlines()
        near = lines[0] if lines else "end of file"
        return f"bad syntax ({getattr(error, '_why', 'parse error')}) at: {near!r}", error.lines + 1
    if isinstance(error, json.JSONDecodeError):
        return error.msg, error.lineno
    if isinstance(error, SAXParseException):
        return error.getMessage(), error.getLineNumber()
    text = str(error).strip()
    return (text.splitlines()[0] if text else type(error).__name__), None
