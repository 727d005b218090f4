"""iacai-kg: the essay on interagency collaboration and AI in the public sector, as linked data.

The names below are the API for reusers (see `iacai.api`); `iacai.validation.validate` checks a
graph against the shapes and `iacai.named_queries.catalogue` lists the named queries.
"""

__version__ = "0.1.0"

from iacai.api import (
    alignments_path,
    context,
    context_path,
    data_paths,
    dataset,
    ontology,
    ontology_path,
    queries_path,
    shapes,
    shapes_path,
)

__all__ = [
    "__version__",
    "alignments_path",
    "context",
    "context_path",
    "data_paths",
    "dataset",
    "ontology",
    "ontology_path",
    "queries_path",
    "shapes",
    "shapes_path",
]
