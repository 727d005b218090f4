"""Running SPARQL over the knowledge graph with pyoxigraph, the named graphs' union as default.

The same engine and dataset view as the service: an in-memory pyoxigraph Store filled from the
rdflib Dataset, queried with `use_default_graph_as_union=True`.
"""

from __future__ import annotations

from collections.abc import Mapping

import pyoxigraph
from rdflib import Dataset

from iacai.namespaces import PREFIXES

QueryResult = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
Substitutions = Mapping[pyoxigraph.Variable, pyoxigraph.NamedNode | pyoxigraph.Literal]


def store_from(dataset: Dataset) -> pyoxigraph.Store:
    """An in-memory Store holding every quad of the Dataset, each in its named graph."""
    store = pyoxigraph.Store()
    nquads = dataset.serialize(format="nquads", encoding="utf-8")
    store.bulk_load(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    return store


def run(
    store: pyoxigraph.Store, text: str, substitutions: Substitutions | None = None
) -> QueryResult:
    """Evaluate a query over the union of the named graphs, with parameters bound as terms.

    Raises SyntaxError (with pyoxigraph's message, which names line and column) for a bad query.
    """
    return store.query(
        text,
        use_default_graph_as_union=True,
        prefixes=dict(PREFIXES),
        substitutions=dict(substitutions or {}),
    )
