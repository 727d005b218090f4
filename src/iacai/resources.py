"""Where the ontology, data, shapes and queries are: the same lookup in a checkout and a wheel."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_root() -> Path:
    """The folder holding `ontology/`, `data/`, `shapes/` and `queries/`.

    A wheel carries them in `iacai/resources/`; a checkout keeps them at the top of the repository.
    """
    bundled = _PACKAGE_DIR / "resources"
    if (bundled / "ontology").is_dir():
        return bundled
    checkout = _PACKAGE_DIR.parent.parent
    if (checkout / "ontology").is_dir() and (checkout / "pyproject.toml").is_file():
        return checkout
    raise FileNotFoundError(
        f"iacai resources not found in {bundled} nor in a checkout at {checkout}"
    )


def ontology_dir() -> Path:
    """The OWL ontology: the core, the essay profile, the alignments and the JSON-LD context."""
    return resource_root() / "ontology"


def ontology_path() -> Path:
    """The general core ontology, alone: what a reuser encoding another review needs."""
    return ontology_dir() / "iacai.ttl"


def essay_profile_path() -> Path:
    """The essay profile: the terms only the essay needs (sections, citations, reference list)."""
    return ontology_dir() / "iacai-essay.ttl"


def alignments_path() -> Path:
    """The alignments of the core and the essay profile to BIBO, FaBiO, CiTO, PROV-O, schema.org."""
    return ontology_dir() / "iacai-alignments.ttl"


def data_dir() -> Path:
    """The essay's data, one Turtle file per named graph."""
    return resource_root() / "data"


def shapes_dir() -> Path:
    """The SHACL shapes."""
    return resource_root() / "shapes"


def shapes_path() -> Path:
    """The core SHACL shapes: a well-formed review of challenges and benefits."""
    return shapes_dir() / "iacai-shapes.ttl"


def essay_shapes_path() -> Path:
    """The essay-profile SHACL shapes: reference list, in-text citations, parts of the essay."""
    return shapes_dir() / "iacai-essay-shapes.ttl"


def shapes_paths() -> tuple[Path, ...]:
    """Every shapes file, core first: each graph is validated against all of them."""
    return shapes_path(), essay_shapes_path()


def queries_dir() -> Path:
    """The named SPARQL queries."""
    return resource_root() / "queries"


def internal_queries_dir() -> Path:
    """The SPARQL the service asks the store for its pages and documents."""
    return queries_dir() / "internal"


def context_path() -> Path:
    """The project's JSON-LD `@context`."""
    return ontology_dir() / "context.jsonld"
