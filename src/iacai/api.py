"""The Python API for reusers: the ontology, shapes, `@context` and data as rdflib objects or paths.

    >>> import iacai
    >>> graph = iacai.dataset()          # every named graph of the essay, and the ontology
    >>> iacai.ontology_path().name
    'iacai.ttl'
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rdflib import Dataset, Graph

from iacai import resources
from iacai.dataset import data_files, load_dataset, parse_file
from iacai.jsonld_context import load_context
from iacai.validation import default_ontology


def ontology(with_alignments: bool = True) -> Graph:
    """The OWL ontology; without alignments, the core alone (no BIBO, CiTO, PROV-O, DPV links)."""
    return default_ontology() if with_alignments else parse_file(resources.ontology_path())


def shapes() -> Graph:
    """The SHACL shapes the knowledge graph conforms to."""
    return parse_file(resources.shapes_path())


def context() -> dict[str, Any]:
    """The JSON-LD `@context` that maps the project's short names to its IRIs."""
    return load_context()


def dataset(include_ontology: bool = True) -> Dataset:
    """The whole knowledge graph, one named graph per part of the essay (and of the ontology)."""
    return load_dataset(include_ontology=include_ontology)


def ontology_path() -> Path:
    """The core ontology file, Turtle."""
    return resources.ontology_path()


def alignments_path() -> Path:
    """The file aligning the core ontology to outside vocabularies, Turtle."""
    return resources.alignments_path()


def shapes_path() -> Path:
    """The SHACL shapes file, Turtle."""
    return resources.shapes_path()


def context_path() -> Path:
    """The JSON-LD context document."""
    return resources.context_path()


def data_paths() -> dict[Path, str]:
    """Each data file and the IRI of the named graph it is loaded into."""
    return {path: str(graph) for path, graph in data_files().items()}


def queries_path() -> Path:
    """The folder of named SPARQL queries (`*.rq`)."""
    return resources.queries_dir()
