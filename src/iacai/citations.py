"""The sources of the graph as CSL-JSON items, read by SPARQL: the one mapping of a reference.

Every reference format the project writes (BibTeX, RIS, a formatted citation, the `citation_*`
meta tags, COinS: `iacai.citation_formats`) is written from these items, so they cannot disagree.
Values are the data's, as the essay prints them (a misspelt name stays misspelt). A work the
reference list lacks is known only by how the essay cites it: its item gets that citation, in
brackets, as its title (the APA way of describing an untitled work) and its year if cited.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

import pyoxigraph

from iacai.namespaces import BIBO, IACAI, ID, PREFIXES

CslItem = dict[str, Any]
"""One CSL-JSON item (https://citationstyles.org/), keyed by CSL variable names."""

SOURCE_PREFIX: Final = f"{ID}source/"
"""Every source IRI starts here (docs/model.md); the rest is its key in every format."""

ITEM_TYPES: Final = {
    f"{BIBO}AcademicArticle": "article-journal",
    f"{BIBO}Book": "book",
    f"{BIBO}Chapter": "chapter",
    f"{BIBO}Report": "report",
    f"{BIBO}Document": "document",
}
"""The BIBO class of a source, as a CSL item type (a source without one is a `document`)."""

_CONTAINER_VARIABLES: Final = {
    f"{BIBO}Journal": "container-title",
    f"{BIBO}Proceedings": "container-title",
    f"{BIBO}Book": "container-title",
    f"{BIBO}Series": "collection-title",
}

_SOURCES_QUERY: Final = """
SELECT ?source ?title ?issued ?volume ?issue ?pages ?doi ?kind ?container ?containerKind
       ?publisher ?truncated ?unlisted ?label WHERE {
  ?source a iacai:Source ; rdfs:label ?label .
  BIND (EXISTS { ?source a iacai:UnlistedSource } AS ?unlisted)
  OPTIONAL { ?source dcterms:title ?title }
  OPTIONAL { ?source dcterms:issued ?issued }
  OPTIONAL { ?source bibo:volume ?volume }
  OPTIONAL { ?source bibo:issue ?issue }
  OPTIONAL { ?source bibo:pages ?pages }
  OPTIONAL { ?source bibo:doi ?doi }
  OPTIONAL { ?source a ?kind . FILTER (STRSTARTS(STR(?kind), STR(bibo:))) }
  OPTIONAL { ?source dcterms:isPartOf ?part . ?part dcterms:title ?container ; a ?containerKind .
             FILTER (STRSTARTS(STR(?containerKind), STR(bibo:))) }
  OPTIONAL { ?source dcterms:publisher/foaf:name ?publisher }
  OPTIONAL { ?source iacai:authorListTruncated ?truncated }
} ORDER BY ?source
"""

_AUTHORS_QUERY: Final = """
SELECT ?source ?family ?given ?name (COUNT(?cell) AS ?position) WHERE {
  ?source a iacai:Source ; bibo:authorList ?list .
  ?list rdf:rest* ?cell . ?cell rdf:rest* ?node . ?node rdf:first ?author .
  OPTIONAL { ?author foaf:familyName ?family }
  OPTIONAL { ?author foaf:givenName ?given }
  OPTIONAL { ?author foaf:name ?name }
} GROUP BY ?source ?node ?family ?given ?name ORDER BY ?source ?position
"""
"""Each author with its place in the list: the number of list cells up to and including its own."""

_ISSUES_QUERY: Final = """
SELECT ?source ?issue WHERE {
  ?source a iacai:Source ; iacai:hasIssue/rdfs:label ?issue .
} ORDER BY ?source ?issue
"""


def source_key(iri: str) -> str:
    """The key of a source in every format: its IRI's last part (`agrawal-2022`)."""
    return iri.removeprefix(SOURCE_PREFIX)


def csl_items(store: pyoxigraph.Store) -> dict[str, CslItem]:
    """Every source of the store (the union of its named graphs), by IRI, in IRI order."""
    authors: dict[str, list[dict[str, str]]] = {}
    for row in _select(store, _AUTHORS_QUERY):
        authors.setdefault(row["source"], []).append(_name(row))
    notes: dict[str, list[str]] = {}
    for row in _select(store, _ISSUES_QUERY):
        notes.setdefault(row["source"], []).append(row["issue"])
    items: dict[str, CslItem] = {}
    for row in _select(store, _SOURCES_QUERY):
        iri = row["source"]
        item = items.setdefault(iri, _item(iri, row))
        if "kind" in row and row["kind"] in ITEM_TYPES:
            item["type"] = _item_type(row["kind"], row.get("containerKind"))
        if iri in authors:
            item["author"] = authors[iri]
        note = [*([_TRUNCATED] if row.get("truncated") == "true" else []), *notes.get(iri, [])]
        if note:
            item["note"] = "\n".join(note)
    return items


_TRUNCATED: Final = 'The reference list ends this entry\'s authors with "et al.".'


def _item(iri: str, row: dict[str, str]) -> CslItem:
    key = source_key(iri)
    item: CslItem = {"id": key, "citation-key": key, "type": "document"}
    if row.get("unlisted") == "true":
        item["title"] = f"[Cited as \u201c{row['label']}\u201d; not in the essay's reference list]"
    elif "title" in row:
        item["title"] = row["title"]
    if "issued" in row:
        item["issued"] = {"date-parts": [[int(part) for part in row["issued"].split("-")]]}
    for variable, column in (("volume", "volume"), ("issue", "issue"), ("page", "pages")):
        if column in row:
            item[variable] = row[column]
    if "container" in row:
        item[_CONTAINER_VARIABLES[row["containerKind"]]] = row["container"]
    if "publisher" in row:
        item["publisher"] = row["publisher"]
    if "doi" in row:
        item["DOI"] = row["doi"]
        item["URL"] = f"https://doi.org/{row['doi']}"
    if "title_language" in row:
        item["language"] = row["title_language"]
    return item


def _item_type(kind: str, container_kind: str | None) -> str:
    if kind == f"{BIBO}AcademicArticle" and container_kind == f"{BIBO}Proceedings":
        return "paper-conference"
    return ITEM_TYPES[kind]


def _name(row: dict[str, str]) -> dict[str, str]:
    """A person as family and given name, as printed; an organization as one literal name."""
    if "family" in row:
        return {"family": row["family"], **({"given": row["given"]} if "given" in row else {})}
    return {"literal": row.get("name", "")}


def _select(store: pyoxigraph.Store, query: str) -> Iterator[dict[str, str]]:
    """The rows of a SELECT as plain strings, unbound variables left out.

    A title's language tag comes along as `title_language`.
    """
    prefixes = {**PREFIXES, "iacai": str(IACAI), "bibo": str(BIBO)}
    solutions = store.query(query, use_default_graph_as_union=True, prefixes=prefixes)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    for solution in solutions:
        row: dict[str, str] = {}
        for name in names:
            term = solution[name]
            if term is None:
                continue
            row[name] = term.value
            if name == "title" and isinstance(term, pyoxigraph.Literal) and term.language:
                row["title_language"] = term.language
        yield row
