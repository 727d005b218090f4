"""The Python API for reusers: load RDF, validate it, query it; the project's files as paths.

    >>> import iacai
    >>> essay = iacai.load()                      # the essay: one named graph per part
    >>> iacai.validate(essay).conforms
    True
    >>> rows = iacai.query("challenges-ranked-by-benefits", essay)
    >>> str(rows[0]["challengeLabel"]), int(rows[0]["benefits"])
    ('Operation in silos', 8)
    >>> iacai.ontology_path().name
    'iacai.ttl'

Heavy modules (pySHACL, pyoxigraph, pyld) are imported when a function needs them, so
`import iacai` stays cheap.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from iacai import resources

if TYPE_CHECKING:
    from rdflib import Dataset, Graph
    from rdflib.term import Node

    from iacai.validation import ValidationReport

Rows = list[dict[str, "Node"]]
"""A SELECT answer: one dict per solution, variable name -> rdflib term (unbound ones left out)."""


def load(*data: str | Path, include_ontology: bool = True) -> Dataset:
    """RDF files, each in its own named graph, the default graph their union; no files: the essay.

    Any syntax rdflib reads (Turtle, TriG, N-Quads, JSON-LD, RDF/XML...); TriG and N-Quads keep
    their graphs; `"essay"` names the essay's own files. A link stated in one direction
    (`addresses`, `hasCategory`...) gets its inverse, as the ontology's `owl:inverseOf` says.
    The ontology is loaded beside the data unless `include_ontology` is False.
    """
    from iacai.dataset import load_data

    return load_data(data, include_ontology=include_ontology)


def validate(data: Dataset | Graph | None = None) -> ValidationReport:
    """Check data (default: the essay) against the shapes: `.conforms`, `.violations`, `.to_text()`.

    A Dataset is checked as the union of its graphs.
    """
    from iacai.validation import validate as validate_with_shapes

    return validate_with_shapes(data if data is not None else load())


def query(
    query: str, data: Dataset | Graph | None = None, **parameters: str
) -> Rows | bool | Graph:
    """Run a named query (by name) or SPARQL text on data (default: the essay), as `iacai query`.

    The default graph is the union of the named graphs unless the query says FROM. Named
    queries take their parameters as keywords, as text (`challenge="id:challenge/bias"`).
    Answers: SELECT a list of rows, ASK a bool, CONSTRUCT and DESCRIBE an rdflib Graph.
    """
    import pyoxigraph
    from rdflib import Dataset, Graph

    from iacai.named_queries import catalogue
    from iacai.query_engine import rdflib_term, rdflib_triple, run, store_from

    named = catalogue().get(query)
    text = named.text if named is not None else query
    substitutions = named.oxigraph_substitutions(parameters) if named is not None else None
    if named is None and parameters:
        raise TypeError(f"only named queries take parameters, got {', '.join(parameters)}")
    if data is None:
        data = load()
    elif not isinstance(data, Dataset):
        dataset = Dataset(default_union=True)
        graph_of_data = dataset.graph(data.identifier)
        for triple in data:
            graph_of_data.add(triple)
        data = dataset
    result = run(store_from(data), text, substitutions)
    if isinstance(result, pyoxigraph.QueryBoolean):
        return bool(result)
    if isinstance(result, pyoxigraph.QuerySolutions):
        names = [variable.value for variable in result.variables]
        return [
            {name: rdflib_term(solution[name]) for name in names if solution[name] is not None}
            for solution in result
        ]
    graph = Graph()
    for triple in result:
        graph.add(rdflib_triple(triple))
    return graph


def dataset(include_ontology: bool = True) -> Dataset:
    """The essay's knowledge graph: `load()` with no files."""
    return load(include_ontology=include_ontology)


def ontology(with_alignments: bool = True) -> Graph:
    """The OWL ontology (core, essay profile, alignments); without alignments, the core alone."""
    from iacai.dataset import parse_file
    from iacai.validation import default_ontology

    return default_ontology() if with_alignments else parse_file(resources.ontology_path())


def shapes() -> Graph:
    """The SHACL shapes the knowledge graph conforms to: the core and the essay profile's."""
    from iacai.validation import default_shapes

    return default_shapes()


def context() -> dict[str, Any]:
    """The JSON-LD `@context` that maps the project's short names to its IRIs."""
    from iacai.jsonld_context import load_context

    return load_context()


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
    """Each data file of the essay and the IRI of the named graph it is loaded into."""
    from iacai.dataset import data_files

    return {path: str(graph) for path, graph in data_files().items()}


def queries_path() -> Path:
    """The folder of named SPARQL queries (`*.rq`)."""
    return resources.queries_dir()
