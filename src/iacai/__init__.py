"""iacai-kg: a knowledge graph of reviews of challenges and benefits, the essay's first.

The names below are the API for reusers (see `iacai.api`): `load`, `validate` and `query` work on
anyone's RDF files; the rest are the project's ontology, shapes, context and queries. Importing
`iacai` loads none of the heavy libraries (pySHACL, pyoxigraph, pyld): each function does, when
called.
"""

__version__ = "0.1.0"

from iacai.api import (
    alignments_path,
    context,
    context_path,
    data_paths,
    dataset,
    load,
    ontology,
    ontology_path,
    queries_path,
    query,
    shapes,
    shapes_path,
    validate,
)

__all__ = [
    "__version__",
    "alignments_path",
    "context",
    "context_path",
    "data_paths",
    "dataset",
    "load",
    "ontology",
    "ontology_path",
    "queries_path",
    "query",
    "shapes",
    "shapes_path",
    "validate",
]
