"""The published vocabulary documents and their HTML documentation: the core ontology, the essay
profile, the alignments, the core and essay-profile shapes, and every earlier release at its
version IRI (`ontology/0.1.0`, ...), as kept in `ontology/0.1.0/` and `shapes/0.1.0/`.

The documentation is generated from the RDF at start-up, never edited by hand. pyLODE was tried
and set aside: its latest release (3.4.1) does not import from a wheel, and 3.3.4 anchors terms by
their labels (`#Implementationstage`), so `/ontology#ImplementationStage` would land nowhere; it
also writes inline styles that the pages' Content-Security-Policy refuses. Here each term's
anchor is its local name, so every term IRI lands on its entry.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from pyoxigraph import RdfFormat, Triple, parse
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS, VANN
from rdflib.term import Identifier, Node

from iacai import resources
from iacai.dataset import parse_file
from iacai.namespaces import BASE, IACAI, ONTOLOGY_IRI, SHAPES_IRI
from iacai.service.http.addresses import served_path
from iacai.terms import compact


@dataclass(frozen=True)
class Link:
    """A term shown to a reader: its text and where it leads (None: not a link)."""

    text: str
    href: str | None
    iri: str = ""


@dataclass(frozen=True)
class Entry:
    """One documented term or shape: an anchor, a heading, and (label, values) rows."""

    anchor: str
    iri: str
    label: str
    definition: str
    rows: list[tuple[str, list[Link]]] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    """A group of entries (classes, object properties, node shapes, ...)."""

    anchor: str
    title: str
    entries: list[Entry]


@dataclass(frozen=True)
class VocabularyDocument:
    """One vocabulary file as published: its IRIs, its triples, its Turtle and its sections.

    The triples (for the other RDF formats) are read from the file by pyoxigraph, which writes
    them; the sections by rdflib, which the documentation is built with.
    """

    iri: str
    version_iri: str | None
    title: str
    path: Path
    triples: tuple[Triple, ...]
    metadata: list[tuple[str, list[Link]]]
    sections: list[Section]

    @property
    def turtle(self) -> bytes:
        """The file as shipped (its comments say which part of the essay each block encodes)."""
        return self.path.read_bytes()


RELEASES: tuple[str, ...] = ("0.1.0",)
"""Earlier releases kept beside the current files, each served at its version IRI only."""


def vocabulary_documents() -> dict[str, VocabularyDocument]:
    """Every vocabulary document by each path it answers at (`ontology`, `ontology/0.2.0`, ...)."""
    modules = [
        resources.ontology_path(), resources.essay_profile_path(), resources.alignments_path()
    ]
    graphs = [parse_file(path) for path in modules]
    labels = Graph()
    for graph in graphs:
        labels += graph
    current = [
        _document(path, graph, labels, _term_sections(graph, labels))
        for path, graph in zip(modules, graphs, strict=True)
    ]
    current[0].sections.append(_profile_pointers(graphs[1], labels))
    current += [_shapes_document(path, labels) for path in resources.shapes_paths()]
    by_path: dict[str, VocabularyDocument] = {}
    for document in [*_releases(), *current]:
        for iri in (document.iri, document.version_iri):
            path = served_path(iri) if iri else None
            if path:
                by_path[path.removeprefix("/")] = document
    return by_path


def _releases() -> list[VocabularyDocument]:
    """The documents of earlier releases, answering at their version IRIs only."""
    documents = []
    for release in RELEASES:
        ontology_files = sorted((resources.ontology_dir() / release).glob("*.ttl"))
        graphs = [parse_file(path) for path in ontology_files]
        labels = Graph()
        for graph in graphs:
            labels += graph
        documents += [
            _document(path, graph, labels, _term_sections(graph, labels))
            for path, graph in zip(ontology_files, graphs, strict=True)
        ]
        documents += [
            _shapes_document(path, labels)
            for path in sorted((resources.shapes_dir() / release).glob("*.ttl"))
        ]
    return [replace(document, iri=document.version_iri or document.iri) for document in documents]


def _document(
    path: Path, graph: Graph, labels: Graph, sections: list[Section]
) -> VocabularyDocument:
    iri = next(graph.subjects(RDF.type, OWL.Ontology))
    version = graph.value(iri, OWL.versionIRI)
    rows = [
        ("IRI", [Link(str(iri), _href(iri, labels), str(iri))]),
        *(
            (name, [_link(value, labels) for value in _sorted(graph.objects(iri, predicate))])
            for name, predicate in _METADATA
            if (iri, predicate, None) in graph
        ),
    ]
    title = str(graph.value(iri, DCTERMS.title) or iri)
    return VocabularyDocument(
        str(iri), str(version) if version else None, title, path, _triples(path), rows, sections
    )


def _triples(path: Path) -> tuple[Triple, ...]:
    return tuple(quad.triple for quad in parse(path=str(path), format=RdfFormat.TURTLE))


_METADATA = (
    ("Version IRI", OWL.versionIRI),
    ("Version", OWL.versionInfo),
    ("Description", DCTERMS.description),
    ("Creator", DCTERMS.creator),
    ("Created", DCTERMS.created),
    ("Modified", DCTERMS.modified),
    ("License", DCTERMS.license),
    ("Source", DCTERMS.source),
    ("Cite as", DCTERMS.bibliographicCitation),
    ("Imports", OWL.imports),
    ("Preferred prefix", VANN.preferredNamespacePrefix),
    ("Namespace", VANN.preferredNamespaceUri),
    ("See also", RDFS.seeAlso),
)

_TERM_KINDS = (
    ("classes", "Classes", OWL.Class),
    ("object-properties", "Object properties", OWL.ObjectProperty),
    ("datatype-properties", "Datatype properties", OWL.DatatypeProperty),
    ("annotation-properties", "Annotation properties", OWL.AnnotationProperty),
    ("concept-schemes", "Concept schemes", SKOS.ConceptScheme),
    ("individuals", "Named individuals and concepts", None),
)
"""The last kind (None) takes every term of the namespace not listed before it."""

_TERM_ROWS = (
    ("Subclass of", RDFS.subClassOf),
    ("Equivalent to", OWL.equivalentClass),
    ("Disjoint with", OWL.disjointWith),
    ("Subproperty of", RDFS.subPropertyOf),
    ("Equivalent property", OWL.equivalentProperty),
    ("Inverse of", OWL.inverseOf),
    ("Domain", RDFS.domain),
    ("Range", RDFS.range),
    ("Type", RDF.type),
    ("In scheme", SKOS.inScheme),
    ("Broader", SKOS.broader),
    ("Close match", SKOS.closeMatch),
    ("Exact match", SKOS.exactMatch),
    ("Related match", SKOS.relatedMatch),
    ("Comment", RDFS.comment),
    ("Example", SKOS.example),
    ("Defined by", RDFS.isDefinedBy),
)


def _term_sections(graph: Graph, labels: Graph) -> list[Section]:
    """The project's own terms that this file says something about, grouped by kind."""
    sections = []
    listed: set[Node] = set()
    for anchor, title, kind in _TERM_KINDS:
        terms = sorted(
            term
            for term in set(graph.subjects())
            if isinstance(term, URIRef)
            and str(term).startswith(str(IACAI))
            and (kind is None or (term, RDF.type, kind) in labels)
            and term not in listed
        )
        listed.update(terms)
        entries = [_term_entry(term, graph, labels) for term in terms]
        if entries:
            sections.append(Section(anchor, title, entries))
    return sections


def _profile_pointers(profile: Graph, labels: Graph) -> Section:
    """On the core's page, an anchor for each essay-profile term (the two share a namespace, so
    `/ontology#InTextCitation` is where a hash IRI lands), pointing to its entry in the profile."""
    terms = [s for s in _sorted(profile.subjects(RDFS.isDefinedBy, None)) if s in IACAI]
    entries = [
        Entry(
            anchor=str(term)[len(str(IACAI)) :],
            iri=str(term),
            label=_label(term, labels),
            definition=str(labels.value(term, SKOS.definition) or ""),
            rows=[("Defined in the essay profile", [_link(term, labels)])],
        )
        for term in terms
    ]
    return Section("essay-profile-terms", "Terms of the essay profile", entries)


def _term_entry(term: URIRef, graph: Graph, labels: Graph) -> Entry:
    rows: list[tuple[str, list[Link]]] = []
    for name, predicate in _TERM_ROWS:
        values = sorted(graph.objects(term, predicate), key=str)
        if values:
            rows.append((name, [_link(value, labels) for value in values]))
    in_domain = _sorted(labels.subjects(RDFS.domain, term))
    in_range = _sorted(labels.subjects(RDFS.range, term))
    if in_domain:
        rows.append(("In the domain of", [_link(p, labels) for p in in_domain]))
    if in_range:
        rows.append(("In the range of", [_link(p, labels) for p in in_range]))
    return Entry(
        anchor=str(term)[len(str(IACAI)) :],
        iri=str(term),
        label=_label(term, labels),
        definition=str(labels.value(term, SKOS.definition) or ""),
        rows=rows,
    )


def _shapes_document(path: Path, labels: Graph) -> VocabularyDocument:
    graph = parse_file(path)
    known = labels | graph  # a copy of both: made once, not once per value linked
    shapes = sorted(s for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))
    entries = []
    for shape in shapes:
        rows = [
            (compact(predicate), [_link(value, known) for value in _values(graph, o)])
            for predicate, o in sorted(graph.predicate_objects(shape))
            if predicate not in (RDF.type, SH.property, RDFS.label, RDFS.comment, SH.sparql)
        ]
        for constraint in sorted(
            graph.objects(shape, SH.property), key=lambda n: str(graph.value(n, SH.path))
        ):
            path_value = graph.value(constraint, SH.path)
            described = [
                Link(
                    f"{compact(p)} {', '.join(link.text for link in _values_text(graph, o))}", None
                )
                for p, o in sorted(graph.predicate_objects(constraint))
                if p != SH.path
            ]
            rows.append((f"property {compact(path_value)}", described))
        for constraint in graph.objects(shape, SH.sparql):
            message = graph.value(constraint, SH.message)
            rows.append(("SPARQL constraint", [Link(str(message or "(no message)"), None)]))
        entries.append(
            Entry(
                anchor=str(shape)[len(SHAPES_IRI) + 1 :],
                iri=str(shape),
                label=_label(shape, graph),
                definition=str(graph.value(shape, RDFS.comment) or ""),
                rows=rows,
            )
        )
    return _document(path, graph, known, [Section("shapes", "Node shapes", entries)])


def _values(graph: Graph, value: Node) -> list[Node]:
    """A value, or the members of the RDF list it heads (sh:in, sh:or)."""
    if isinstance(value, BNode) and (value, RDF.first, None) in graph:
        return list(Collection(graph, value))
    return [value]


def _values_text(graph: Graph, value: Node) -> Iterable[Link]:
    for member in _values(graph, value):
        if isinstance(member, BNode):
            inner = "; ".join(
                f"{compact(p)} {compact(o)}" for p, o in graph.predicate_objects(member)
            )
            yield Link(f"[{inner}]", None)
        else:
            yield Link(compact(member), None)


def _sorted(nodes: Iterable[Node]) -> list[Identifier]:
    """A graph's nodes in rdflib's order of terms (every node of a parsed graph is a term)."""
    return sorted(node for node in nodes if isinstance(node, Identifier))


def _label(term: Node, labels: Graph) -> str:
    label = labels.value(term, RDFS.label) or labels.value(term, SKOS.prefLabel)
    return str(label) if label else compact(term)


def _link(value: Node, labels: Graph) -> Link:
    if isinstance(value, Literal):
        return Link(str(value), None)
    if isinstance(value, URIRef):
        text = _label(value, labels) if str(value).startswith(BASE) else compact(value)
        return Link(text, _href(value, labels), str(value))
    return Link(compact(value), None)


def _href(iri: Node, labels: Graph) -> str:
    """Terms of this ontology link to their entry in the module that defines them (the core or
    the essay profile, one namespace for both); the project's IRIs to this server."""
    text = str(iri)
    if text.startswith(str(IACAI)):
        module = str(labels.value(iri, RDFS.isDefinedBy) or ONTOLOGY_IRI)
        return "/" + module[len(BASE) :] + text[len(str(IACAI)) - 1 :]
    return served_path(text) or text
