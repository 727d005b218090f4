"""Validating RDF against the SHACL shapes of iacai-kg, with a report people and programs can read.

A graph conforms when no result has severity sh:Violation: the citation problems the essay really
has are sh:Warning and sh:Info, and must not stop the shipped graph from conforming.

Two engines run the same shapes: pySHACL, the reference, and pyshacl-turbo, its Rust
re-implementation with the same API. The service validates at every start-up, and pySHACL takes
about 16 s on the essay where turbo takes 3.5 (and minutes before each SPARQL constraint was parsed
once: prepared_sparql), so turbo is the default; the tests check that both report the same findings.

The shapes come in two files, the core (any review) and the essay profile (the essay's reference
list and citations); every shape has an IRI, so a finding names the same shape on every run, and
it names the SHACL constraint component that failed (sh:MinCountConstraintComponent, ...).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any
from typing import Literal as TypingLiteral

import pyshacl
import pyshacl_turbo
from rdflib import Dataset, Graph
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from iacai import prepared_sparql, resources
from iacai.dataset import ontology_files, parse_file
from iacai.namespaces import PREFIXES
from iacai.terms import compact

Severity = TypingLiteral["Violation", "Warning", "Info"]
Engine = TypingLiteral["turbo", "pyshacl"]


def _pyshacl_validate(*args: Any, **options: Any) -> tuple[bool, Graph, str]:
    """pySHACL, its SPARQL constraints parsed once per process rather than once per focus node."""
    prepared_sparql.install()
    conforms, report, text = pyshacl.validate(*args, **options)
    return conforms, report, text


ENGINES: dict[Engine, Callable[..., tuple[bool, Graph, str]]] = {
    "turbo": pyshacl_turbo.validate,
    "pyshacl": _pyshacl_validate,
}
SEVERITIES: tuple[Severity, ...] = ("Violation", "Warning", "Info")
_SEVERITY_OF: dict[Node | None, Severity] = {
    SH.Violation: "Violation",
    SH.Warning: "Warning",
    SH.Info: "Info",
}


@dataclass(frozen=True, order=True)
class Finding:
    """One SHACL validation result, its terms as full IRIs (or literal text)."""

    severity: Severity
    focus_node: str
    result_path: str | None
    message: str
    source_shape: str
    value: str | None
    constraint_component: str


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: the findings, sorted, and the SHACL report graph."""

    findings: list[Finding]
    graph: Graph

    @property
    def conforms(self) -> bool:
        """True when there is no violation; warnings and infos do not fail a graph."""
        return not self.violations

    @property
    def violations(self) -> list[Finding]:
        return self._of("Violation")

    @property
    def warnings(self) -> list[Finding]:
        return self._of("Warning")

    @property
    def infos(self) -> list[Finding]:
        return self._of("Info")

    def to_text(self) -> str:
        """A readable report: a summary line, then the findings grouped by severity."""
        counts = ", ".join(f"{len(self._of(s))} {s.lower()}(s)" for s in SEVERITIES)
        lines = [f"Conforms: {'yes' if self.conforms else 'no'} ({counts})"]
        for severity in SEVERITIES:
            findings = self._of(severity)
            if findings:
                lines += ["", f"{severity}s ({len(findings)}):"]
                lines += [_describe(finding) for finding in findings]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The report as JSON: conforms, counts per severity, and every finding."""
        document = {
            "conforms": self.conforms,
            "counts": {severity: len(self._of(severity)) for severity in SEVERITIES},
            "findings": [asdict(finding) for finding in self.findings],
        }
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def to_turtle(self) -> str:
        """The SHACL report graph in Turtle."""
        return self.graph.serialize(format="turtle")

    def _of(self, severity: Severity) -> list[Finding]:
        return [finding for finding in self.findings if finding.severity == severity]


def default_shapes() -> Graph:
    """The shipped SHACL shapes, core and essay profile in one graph."""
    graph = Graph()
    for path in resources.shapes_paths():
        parse_file(path, graph)
    return graph


def default_ontology() -> Graph:
    """The shipped ontology (core, essay profile, alignments) in one graph, for class hierarchy."""
    graph = Graph()
    for path in ontology_files():
        parse_file(path, graph)
    return graph


def validate(
    data: Graph | Dataset,
    *,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    engine: Engine = "turbo",
) -> ValidationReport:
    """Validate a graph (for a Dataset: the union of its graphs) against the shapes and ontology."""
    _, report_graph, _ = ENGINES[engine](
        _union(data),
        shacl_graph=shapes if shapes is not None else default_shapes(),
        ont_graph=ontology if ontology is not None else default_ontology(),
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
    )
    for prefix, namespace in PREFIXES.items():
        report_graph.bind(prefix, namespace)
    return ValidationReport(sorted(_findings(report_graph), key=_finding_order), report_graph)


def _union(data: Graph | Dataset) -> Graph:
    if not isinstance(data, Dataset):
        return data
    union = Graph()
    for prefix, namespace in data.namespaces():
        union.bind(prefix, namespace)
    for subject, predicate, obj, _ in data.quads((None, None, None, None)):
        union.add((subject, predicate, obj))
    return union


def _findings(report: Graph) -> list[Finding]:
    return [
        Finding(
            severity=_SEVERITY_OF.get(report.value(result, SH.resultSeverity), "Violation"),
            focus_node=_text(report.value(result, SH.focusNode)) or "",
            result_path=_text(report.value(result, SH.resultPath)),
            message=_text(report.value(result, SH.resultMessage)) or "",
            source_shape=_text(report.value(result, SH.sourceShape)) or "",
            value=_text(report.value(result, SH.value)),
            constraint_component=_text(report.value(result, SH.sourceConstraintComponent)) or "",
        )
        for result in report.subjects(RDF.type, SH.ValidationResult)
    ]


def _finding_order(finding: Finding) -> tuple[int, tuple[str, ...]]:
    """Severity first, then each field as text: a finding without a path or value sorts first."""
    return SEVERITIES.index(finding.severity), tuple(
        getattr(finding, field.name) or "" for field in fields(finding)
    )


def _text(term: Node | None) -> str | None:
    return None if term is None else str(term)


def _describe(finding: Finding) -> str:
    path = f" {compact(finding.result_path)}" if finding.result_path else ""
    value = f" (value: {compact(finding.value)})" if finding.value else ""
    return (
        f"  {compact(finding.focus_node)}{path}: {finding.message}{value}"
        f"  [{compact(finding.source_shape)}]"
    )
