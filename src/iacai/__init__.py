"""iacai-kg: a knowledge graph of reviews of challenges and benefits, the essay's first.

The names below are the API for reusers (see `iacai.api`): `load`, `validate` and `query` work on
anyone's RDF files; the rest are the project's ontology, shapes, context and queries. Importing
`iacai` loads none of the heavy libraries (pySHACL, pyoxigraph, pyld): each function does, when
called.
"""

import sys
from types import ModuleType
from typing import Any

__version__ = "0.2.0"

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


class _Package(ModuleType):
    """Keeps `iacai.dataset` the API function when the module `iacai.dataset` is first imported.

    Importing a submodule sets it as an attribute of its package, which would hide the function
    of the same name; the module stays importable as `iacai.dataset` all the same.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, ModuleType) and name in __all__:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
