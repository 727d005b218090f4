"""The w3id.org rules (w3id/.htaccess) on Apache httpd, in front of a running service.

Each kind of IRI under https://w3id.org/iacai/ is asked for with each kind of Accept: the rules
must redirect (303 where they negotiate, 302 where they pass the request on, as w3id.org does) to
the right URL of the service, and following the redirects must end at the right document.
"""

from __future__ import annotations

import json

import httpx
import pytest
from rdflib import Graph, URIRef
from w3id_server import W3id

from iacai import __version__
from iacai.namespaces import BASE, CONTEXT_IRI

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
RDF: dict[str, tuple[str, str | None]] = {
    "text/turtle": ("ttl", "turtle"),
    "application/ld+json": ("jsonld", None),  # its @context is an IRI: read as JSON, offline
    "application/rdf+xml": ("rdf", "xml"),
    "application/n-triples": ("nt", "nt"),
}
THINGS = [
    "id/challenge/bias",
    "id/source/charles-2022",
    "id/citation/001",
    "graph/table-1",
    "ontology",
    f"ontology/{__version__}",
    "ontology/alignments",
    "shapes",
    f"shapes/{__version__}",
]
REFERENCES = {
    "application/x-bibtex": "bib",
    "application/x-research-info-systems": "ris",
    "application/vnd.citationstyles.csl+json": "csl.json",
    "text/x-bibliography": "txt",
}


def _redirect(w3id: W3id, path: str, accept: str | None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    with w3id.client() as client:
        answer = client.get(w3id.url + path, headers=headers)
    assert answer.status_code in (302, 303), answer.text
    assert "Accept" in answer.headers["vary"]
    assert answer.headers["access-control-allow-origin"] == "*"
    return answer


def _follow(w3id: W3id, path: str, accept: str | None) -> httpx.Response:
    headers = {"Accept": accept} if accept else {}
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        answer = client.get(w3id.url + path, headers=headers)
    assert answer.status_code == 200, (answer.url, answer.text)
    return answer


@pytest.mark.parametrize("path", THINGS)
@pytest.mark.parametrize("accept", list(RDF))
def test_one_rdf_format_is_negotiated_at_w3id_and_ends_at_that_document(
    w3id: W3id, path: str, accept: str
) -> None:
    suffix, parse_as = RDF[accept]
    redirect = _redirect(w3id, path, accept)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"{w3id.service}/{path}.{suffix}"
    document = _follow(w3id, path, accept)
    assert document.headers["content-type"].startswith(accept)
    if parse_as is None:
        tree = document.json()
        assert tree["@context"] == CONTEXT_IRI
        if path.startswith("id/"):
            assert tree["@id"] == "id:" + path.removeprefix("id/")
        return
    graph = Graph().parse(data=document.text, format=parse_as)
    if path.startswith("id/"):
        assert (URIRef(BASE + path), None, None) in graph
    else:
        assert len(graph) > 0


@pytest.mark.parametrize("path", [*THINGS, "context", f"context/{__version__}"])
def test_a_browser_is_sent_to_the_page(w3id: W3id, path: str) -> None:
    redirect = _redirect(w3id, path, BROWSER)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"{w3id.service}/{path}.html"
    page = _follow(w3id, path, BROWSER)
    assert page.headers["content-type"].startswith("text/html")
    assert "<html" in page.text


@pytest.mark.parametrize("path", ["context", f"context/{__version__}"])
def test_the_context_is_negotiated_as_json_ld(w3id: W3id, path: str) -> None:
    redirect = _redirect(w3id, path, "application/ld+json")
    assert redirect.headers["location"] == f"{w3id.service}/{path}.jsonld"
    context = _follow(w3id, path, "application/ld+json").json()
    assert "@context" in context


@pytest.mark.parametrize("accept", list(REFERENCES))
def test_a_source_negotiates_reference_formats_at_w3id(w3id: W3id, accept: str) -> None:
    path = "id/source/charles-2022"
    redirect = _redirect(w3id, path, accept)
    assert redirect.status_code == 303
    assert redirect.headers["location"] == f"{w3id.service}/{path}.{REFERENCES[accept]}"
    document = _follow(w3id, path, accept)
    assert document.headers["content-type"].startswith(accept)
    assert "10.1016/j.giq.2022.101742" in document.text


def test_a_formatted_citation_keeps_its_style(w3id: W3id) -> None:
    path = "id/source/charles-2022?style=ieee"
    redirect = _redirect(w3id, path, "text/x-bibliography")
    assert redirect.headers["location"] == (
        f"{w3id.service}/id/source/charles-2022.txt?style=ieee"
    )
    assert _follow(w3id, path, "text/x-bibliography").text.startswith("[1]")


def test_a_bibtex_request_for_a_non_source_is_left_to_the_service(w3id: W3id) -> None:
    redirect = _redirect(w3id, "id/challenge/bias", "application/x-bibtex")
    assert redirect.status_code == 302
    assert redirect.headers["location"] == f"{w3id.service}/id/challenge/bias"
    with httpx.Client(timeout=30, follow_redirects=True) as client:
        refused = client.get(
            w3id.url + "id/challenge/bias", headers={"Accept": "application/x-bibtex"}
        )
    assert refused.status_code == 406


@pytest.mark.parametrize(
    ("path", "accept", "document"),
    [
        # several formats with q-values, */*, no Accept: the service negotiates
        ("id/challenge/bias", "text/turtle;q=0.5, application/ld+json", "id/challenge/bias.jsonld"),
        ("id/challenge/bias", "*/*", "id/challenge/bias.ttl"),
        ("graph/table-1", None, "graph/table-1.ttl"),
        # ?format= wins over Accept, as on the service
        ("id/challenge/bias?format=nt", BROWSER, "id/challenge/bias.nt"),
        # a document IRI names its format
        ("id/challenge/bias.rdf", BROWSER, "id/challenge/bias.rdf"),
        ("id/source/charles-2022.bib", None, "id/source/charles-2022.bib"),
        ("context.jsonld", BROWSER, "context.jsonld"),
    ],
)
def test_what_w3id_does_not_negotiate_is_passed_to_the_service_unchanged(
    w3id: W3id, path: str, accept: str | None, document: str
) -> None:
    redirect = _redirect(w3id, path, accept)
    assert redirect.status_code == 302
    assert redirect.headers["location"] == f"{w3id.service}/{path}"
    final = _follow(w3id, path, accept)
    assert str(final.url) == f"{w3id.service}/{document}"


def test_the_root_and_the_sparql_endpoint_pass_through(w3id: W3id) -> None:
    assert _redirect(w3id, "", BROWSER).headers["location"] == f"{w3id.service}/"
    query = "sparql?query=ASK%7B%7D"
    assert _redirect(w3id, query, None).headers["location"] == f"{w3id.service}/{query}"
    answer = _follow(w3id, query, "application/sparql-results+json")
    assert json.loads(answer.text)["boolean"] is True
