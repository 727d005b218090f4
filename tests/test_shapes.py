"""Each SHACL shape (core and essay profile) against its examples in tests/shapes/, GeoSPARQL style.

Every example adds a few triples to `tests/shapes/base.ttl`, a small world that conforms to every
shape, and states what the shapes must then report in lines `# expect: FOCUS PATH SEVERITY
[SHAPE]` (PATH `-` when the result has none; SHAPE when another shape than the file's reports it).
The report must be exactly that: no result missing, none extra. `<Shape>-valid.ttl` must draw
nothing from its own shape; each `<Shape>-invalid-NN.ttl` must draw at least one.

Validation runs as the project runs it: the ontology as ont_graph (for its subclass axioms) and
no inference, since RDFS inference would type every value by the ranges and no sh:class
constraint could fail. Every example runs on both engines (pySHACL, the reference, and
pyshacl-turbo, which the project uses by default), so the two must agree result for result.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest
from rdflib import BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH, NamespaceManager
from rdflib.term import Node

from iacai import resources
from iacai.dataset import load_dataset, ontology_files
from iacai.namespaces import SHAPES_IRI
from iacai.validation import ENGINES, Engine
from iacai.validation import validate as validate_data

EXAMPLES = Path(__file__).parent / "shapes"
BASE = EXAMPLES / "base.ttl"
SHAPES_FILES = resources.shapes_paths()
CORE_REVIEW = EXAMPLES / "review" / "core-only-review.ttl"
EXPECT = re.compile(r"^# expect: (\S+) (\S+) (Violation|Warning|Info)(?: (\S+))?$")
SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


class Result(NamedTuple):
    """One validation result as the example files write it."""

    focus: str
    path: str
    severity: str
    shape: str


@cache
def shapes_graph() -> Graph:
    graph = Graph()
    for path in SHAPES_FILES:
        graph.parse(path)
    return graph


@cache
def ontology_graph() -> Graph:
    graph = Graph()
    for path in ontology_files():
        graph.parse(path)
    return graph


def node_shape_names() -> list[str]:
    """The local names of the node shapes of both shapes files (ChallengeShape, ...)."""
    shapes = shapes_graph()
    return sorted(str(s).split("#")[-1] for s in shapes.subjects(RDF.type, SH.NodeShape))


def example_files() -> list[Path]:
    return sorted(path for path in EXAMPLES.glob("*.ttl") if path != BASE)


def owning_shape(shape: Node) -> str:
    """The node shape a result's source shape belongs to (itself, or the owner of a property)."""
    owner = shapes_graph().value(None, SH.property, shape) or shape
    return str(owner).split("#")[-1]


def render_path(graph: Graph, path: Node | None, names: NamespaceManager) -> str:
    """A SHACL property path (held in graph) in SPARQL path syntax, IRIs shortened by names."""
    if path is None:
        return "-"
    if isinstance(path, URIRef):
        return path.n3(names)
    if graph.value(path, RDF.first) is not None:
        return "/".join(render_path(graph, step, names) for step in Collection(graph, path))
    for predicate, template in ((SH.inversePath, "^{}"), (SH.zeroOrMorePath, "{}*"),
                                (SH.oneOrMorePath, "{}+"), (SH.zeroOrOnePath, "{}?")):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(render_path(graph, inner, names))
    raise ValueError(f"unsupported path {path!r}")


def validate(example: Path, engine: Engine, base: Path | None = BASE) -> set[Result]:
    data = Graph()
    if base is not None:
        data.parse(base)
    data.parse(example)
    _, report, _ = ENGINES[engine](
        data,
        shacl_graph=shapes_graph(),
        ont_graph=ontology_graph(),
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    results = {
        Result(
            focus=report.value(result, SH.focusNode).n3(data.namespace_manager),
            path=render_path(report, report.value(result, SH.resultPath), data.namespace_manager),
            severity=SEVERITY[report.value(result, SH.resultSeverity)],
            shape=owning_shape(report.value(result, SH.sourceShape)),
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    }
    return results


def expected(example: Path, shape_name: str) -> set[Result]:
    lines = example.read_text(encoding="utf-8").splitlines()
    matches = (EXPECT.match(line) for line in lines)
    return {
        Result(m[1], m[2], m[3], m[4] or shape_name)
        for m in matches
        if m is not None
    }


def shape_of(example: Path) -> str:
    return example.stem.split("-")[0]


@pytest.mark.parametrize("engine", ENGINES)
def test_base_world_conforms_with_no_result(engine: Engine) -> None:
    data = Graph().parse(BASE)
    conforms, report, text = ENGINES[engine](
        data, shacl_graph=shapes_graph(), ont_graph=ontology_graph(), inference="none",
        advanced=True,
    )
    assert conforms, text
    assert not list(report.subjects(RDF.type, SH.ValidationResult)), text


@pytest.mark.parametrize("shape_name", node_shape_names())
def test_every_shape_has_a_valid_and_an_invalid_example(shape_name: str) -> None:
    assert (EXAMPLES / f"{shape_name}-valid.ttl").is_file()
    assert list(EXAMPLES.glob(f"{shape_name}-invalid-[0-9][0-9].ttl"))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("example", example_files(), ids=lambda path: path.stem)
def test_example_is_reported_exactly_as_expected(example: Path, engine: Engine) -> None:
    shape_name = shape_of(example)
    assert shape_name in node_shape_names(), f"{example.name} names no shape of the shapes file"
    results = validate(example, engine)
    assert results == expected(example, shape_name)
    own = {result for result in results if result.shape == shape_name}
    if example.stem.endswith("-valid"):
        assert not own
    else:
        assert own


def test_expect_lines_are_well_formed() -> None:
    for example in example_files():
        for line in example.read_text(encoding="utf-8").splitlines():
            if line.startswith("# expect: ") and "nothing" not in line:
                assert EXPECT.match(line), f"{example.name}: {line}"


def test_blank_node_paths_render_as_sparql() -> None:
    shapes = shapes_graph()
    author_list_paths = [
        render_path(shapes, path, shapes.namespace_manager)
        for path in shapes.objects(None, SH.path)
        if isinstance(path, BNode)
    ]
    assert "bibo:authorList/rdf:rest*/rdf:first" in author_list_paths


def test_every_shape_and_property_shape_has_an_iri() -> None:
    """No blank-node shapes: a report names the same shapes on every run."""
    shapes = shapes_graph()
    named = [*shapes.subjects(RDF.type, SH.NodeShape), *shapes.objects(None, SH.property)]
    assert named and all(isinstance(shape, URIRef) for shape in named)
    assert all(isinstance(s, URIRef) for s in shapes.subjects(RDF.type, SH.PropertyShape))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_review_using_only_the_core_conforms_with_no_result(engine: Engine) -> None:
    """Another review, not the essay: no reference list, no citations, categories stated once."""
    assert validate(CORE_REVIEW, engine, base=None) == set()



def test_core_messages_speak_of_reviews_not_of_the_essay() -> None:
    core = Graph().parse(resources.shapes_path())
    messages = [str(m) for m in core.objects(None, SH.message)]
    assert messages
    assert not [m for m in messages if "Table" in m or "essay" in m]


def test_the_essays_report_keeps_its_counts_and_names_shapes_and_components() -> None:
    """Split in two files (0.2.0), the shapes still find 0 violations, 49 warnings, 34 infos."""
    report = validate_data(load_dataset(include_ontology=False))
    assert [len(report.violations), len(report.warnings), len(report.infos)] == [0, 49, 34]
    assert all(f.source_shape.startswith(f"{SHAPES_IRI}#") for f in report.findings)
    assert all(f.constraint_component.startswith(str(SH)) for f in report.findings)


def test_a_report_is_the_same_on_every_run() -> None:
    """Named shapes: two runs on a review with a dangling link give the same JSON, byte for byte."""
    data = Graph().parse(CORE_REVIEW)
    data.add((URIRef("http://example.org/clinical-ai-review/triage"),
              URIRef("https://w3id.org/iacai/ontology#addresses"),
              URIRef("http://example.org/clinical-ai-review/drfit")))
    first, second = validate_data(data).to_json(), validate_data(data).to_json()
    assert first == second
    assert f'"source_shape": "{SHAPES_IRI}#LinkTargetShape-type"' in first
    assert f'"constraint_component": "{SH}MinCountConstraintComponent"' in first
