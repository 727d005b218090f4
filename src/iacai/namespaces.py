"""The IRIs of iacai-kg: namespaces, graph names and prefixes, stated once for every module."""

from __future__ import annotations

from typing import Final

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, VANN, VOID, XSD

BASE: Final = "https://w3id.org/iacai/"
"""Every IRI of the project starts here; the service answers each one at the same path."""

ONTOLOGY_IRI: Final = f"{BASE}ontology"
"""The general core: a review of challenges and benefits (ontology/iacai.ttl)."""
ESSAY_PROFILE_IRI: Final = f"{ONTOLOGY_IRI}/essay"
"""The essay profile: terms only the essay needs (ontology/iacai-essay.ttl); imports the core."""
ALIGNMENTS_IRI: Final = f"{ONTOLOGY_IRI}/alignments"
IACAI: Final = Namespace(f"{ONTOLOGY_IRI}#")
ID: Final = Namespace(f"{BASE}id/")
GRAPH: Final = Namespace(f"{BASE}graph/")
SHAPES_IRI: Final = f"{BASE}shapes"
"""The core shapes (shapes/iacai-shapes.ttl); shape IRIs `{SHAPES_IRI}#Name`, in both files."""
ESSAY_SHAPES_IRI: Final = f"{SHAPES_IRI}/essay"
"""The essay-profile shapes (shapes/iacai-essay-shapes.ttl)."""
DATASET_IRI: Final = f"{BASE}.well-known/void#dataset"
"""The dataset the VoID describes: the same IRI whatever host serves it (at the same path)."""
CREATOR_IRI: Final = f"{BASE}id/organization/iacai-kg"
"""Who made the knowledge graph (and publishes it): the ontology's and the dataset's creator."""
ESSAY_IRI: Final = f"{BASE}id/essay"
CONTEXT_IRI: Final = f"{BASE}context.jsonld"
"""The published JSON-LD `@context` (ontology/context.jsonld), which JSON-LD answers refer to."""

BIBO: Final = Namespace("http://purl.org/ontology/bibo/")
CITO: Final = Namespace("http://purl.org/spar/cito/")
FABIO: Final = Namespace("http://purl.org/spar/fabio/")
DPV: Final = Namespace("https://w3id.org/dpv#")
SCHEMA: Final = Namespace("https://schema.org/")
SD: Final = Namespace("http://www.w3.org/ns/sparql-service-description#")
WD: Final = Namespace("http://www.wikidata.org/entity/")
SPDX: Final = Namespace("http://spdx.org/rdf/terms#")

PREFIXES: Final[dict[str, str]] = {
    "iacai": str(IACAI),
    "id": str(ID),
    "graph": str(GRAPH),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "vann": str(VANN),
    "void": str(VOID),
    "sh": str(SH),
    "bibo": str(BIBO),
    "cito": str(CITO),
    "fabio": str(FABIO),
    "dpv": str(DPV),
    "schema": str(SCHEMA),
    "sd": str(SD),
    "wd": str(WD),
}
"""The prefixes every serialization, query page and dump uses."""

DATA_GRAPHS: Final[dict[str, str]] = {
    "essay.ttl": f"{GRAPH}essay",
    "table-1.ttl": f"{GRAPH}table-1",
    "table-2.ttl": f"{GRAPH}table-2",
    "table-3.ttl": f"{GRAPH}table-3",
    "references.ttl": f"{GRAPH}references",
    "citations.ttl": f"{GRAPH}citations",
}
"""Each file in `data/` and the named graph it is loaded into: one graph per part of the essay."""

ONTOLOGY_GRAPHS: Final[dict[str, str]] = {
    "iacai.ttl": ONTOLOGY_IRI,
    "iacai-essay.ttl": ESSAY_PROFILE_IRI,
    "iacai-alignments.ttl": ALIGNMENTS_IRI,
}
"""Each file in `ontology/` and the named graph it is loaded into."""
