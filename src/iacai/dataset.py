"""Reading RDF files into one rdflib Dataset, a named graph per file, with inverse links completed.

Every tool loads data here: `iacai validate|query|export|serve|load`, the Python API and the
service's snapshot. The essay's files go into the essay's graphs; any other file into a graph
named after it (a TriG, N-Quads, TriX or JSON-LD file keeps its own graphs). A link may be stated
in one direction: what the ontology declares `owl:inverseOf` is completed here, once, for all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final
from xml.sax import SAXParseException

from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.util import guess_format

from iacai import resources
from iacai.namespaces import DATA_GRAPHS, GRAPH, ONTOLOGY_GRAPHS, PREFIXES

ESSAY: Final = "essay"
"""The word `--data` (and `iacai.load`) take for the essay's own graphs."""

FILE_GRAPHS: Final = f"{GRAPH}file/"
"""Where the graph of a file given by the user is named: this, then the file's name as a slug."""

_FORMATS: Final = {
    ".ttl": "turtle", ".nt": "nt", ".n3": "n3", ".trig": "trig", ".nq": "nquads",
    ".trix": "trix", ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".owl": "xml",
    ".xml": "xml",
}
_WITH_GRAPHS: Final = frozenset({"trig", "nquads", "trix", "json-ld"})
"""Formats that can carry named graphs: their graphs are kept, their default graph is the file's."""


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
    """Parse one RDF file (format from its suffix), raising DataFileError instead of a traceback.

    A file with named graphs (TriG, JSON-LD...) is read as the union of its graphs.
    """
    target = graph if graph is not None else Graph()
    for subject, predicate, obj, _ in _read(path).quads((None, None, None, None)):
        target.add((subject, predicate, obj))
    return target


def ontology_files() -> dict[Path, URIRef]:
    """The ontology files and the graph each is loaded into."""
    return _files_in(resources.ontology_dir(), ONTOLOGY_GRAPHS)


def data_files() -> dict[Path, URIRef]:
    """The essay's data files and the graph each is loaded into."""
    return _files_in(resources.data_dir(), DATA_GRAPHS)


def data_sources(names: Sequence[str | Path] = ()) -> dict[Path, URIRef]:
    """The files to load and the graph of each: the essay's without names, else the ones named.

    A name is a file, or the word `essay` for the essay's own files. A file's graph is
    `graph:file/{slug of its name}` (its named graphs, if its format has them, are kept).
    """
    if not names:
        return data_files()
    files: dict[Path, URIRef] = {}
    for name in names:
        named = data_files() if str(name) == ESSAY else {Path(name): file_graph(Path(name))}
        for path, graph in named.items():
            clash = next((p for p, g in files.items() if g == graph and p != path), None)
            if clash is not None:
                raise DataFileError(
                    path, f"would be loaded into the same graph <{graph}> as {clash}; rename one"
                )
            files[path] = graph
    return files


def file_graph(path: Path) -> URIRef:
    """The graph a user's file is loaded into: the same for the same file name, on any machine."""
    slug = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-") or "data"
    return URIRef(FILE_GRAPHS + slug)


def load_dataset(include_ontology: bool = True) -> Dataset:
    """The essay's knowledge graph: every data file (and the ontology) in its own named graph."""
    return load_data((), include_ontology=include_ontology)


def load_data(names: Sequence[str | Path] = (), include_ontology: bool = True) -> Dataset:
    """The files named (see `data_sources`; default: the essay), each in its graph; the ontology."""
    return dataset_from({**(ontology_files() if include_ontology else {}), **data_sources(names)})


def dataset_from(files: Mapping[Path, URIRef] | Iterable[Path]) -> Dataset:
    """A Dataset from files, each in the graph given (or named after the file), inverses completed.

    The default graph is the union of the named graphs, as in every query the tools run.
    """
    named = files if isinstance(files, Mapping) else {path: file_graph(path) for path in files}
    dataset = Dataset(default_union=True)
    for prefix, namespace in PREFIXES.items():
        dataset.bind(prefix, namespace)
    for path, graph_name in named.items():
        read = _read(path)
        for graph in read.graphs():
            in_file_graph = graph.identifier == read.default_graph.identifier
            target = dataset.graph(graph_name if in_file_graph else graph.identifier)
            for triple in graph:
                target.add(triple)
    complete_inverses(dataset)
    return dataset


def complete_inverses(dataset: Dataset) -> int:
    """Add `o q s` for every `s p o` whose inverse `q` the ontology declares and no graph states.

    The inverse goes into the graph that states the link. Returns how many triples were added.
    """
    added = []
    for predicate, inverse in inverse_properties().items():
        for subject, _, obj, graph in dataset.quads((None, predicate, None, None)):
            if isinstance(obj, Literal):
                continue
            if (obj, inverse, subject) not in dataset:
                context = dataset.default_context if graph is None else dataset.get_context(graph)
                added.append((obj, inverse, subject, context))
    for quad in added:
        dataset.add(quad)
    return len(set(added))


@cache
def inverse_properties() -> dict[URIRef, URIRef]:
    """Each property declared `owl:inverseOf` another by the ontology, mapped to it (both ways)."""
    ontology = Graph()
    for path in ontology_files():
        parse_file(path, ontology)
    pairs: dict[URIRef, URIRef] = {}
    for one, other in ontology.subject_objects(OWL.inverseOf):
        if isinstance(one, URIRef) and isinstance(other, URIRef):
            pairs[one], pairs[other] = other, one
    return pairs


def _files_in(folder: Path, graphs: Mapping[str, str]) -> dict[Path, URIRef]:
    return {folder / name: URIRef(iri) for name, iri in graphs.items()}


def _format_for(path: Path) -> str:
    return _FORMATS.get(path.suffix.lower()) or guess_format(path.name) or "turtle"


def _read(path: Path) -> Dataset:
    """One file as a Dataset (its triples in the default graph), or DataFileError."""
    format = _format_for(path)
    read = Dataset()
    try:
        if format == "json-ld":
            from iacai.jsonld_context import to_nquads

            read.parse(data=to_nquads(path.read_text(encoding="utf-8"), path.resolve().as_uri()),
                       format="nquads")
        elif format in _WITH_GRAPHS:
            read.parse(path, format=format)
        else:
            read.default_graph.parse(path, format=format)
    except FileNotFoundError as error:
        raise DataFileError(path, "no such file") from error
    except IsADirectoryError as error:
        raise DataFileError(path, "is a folder, not an RDF file") from error
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"cannot be read: {error}") from error
    except Exception as error:  # each parser raises its own kind of error
        raise DataFileError(path, *_problem(error)) from error
    return read


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
