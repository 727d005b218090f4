"""What dataset harvesters and crawlers read (issue 12): the home page's schema.org Dataset (read
back by extruct, validated against schema.org by schema-org-py), robots.txt, a sitemap of every
page, describedby and alternate links, and a complete VoID/DCAT description with its page."""

from __future__ import annotations

import datetime
import xml.etree.ElementTree as ET
from typing import Any

import extruct
import html5lib
import httpx
import pytest
from live_service import RunningService
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, VOID, XSD
from schema_org import Dataset

from iacai.namespaces import BASE, CREATOR_IRI, DATASET_IRI, ESSAY_IRI, ID
from iacai.service.linked_data.dumps import DUMP_SUFFIXES

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
DATASET = URIRef(DATASET_IRI)


@pytest.fixture(scope="module")
def home_dataset(integrated_service: RunningService) -> dict[str, Any]:
    """The schema.org Dataset of the home page, as extruct reads it."""
    page = httpx.get(f"{integrated_service.url}/", timeout=30).text
    found = extruct.extract(page, base_url=integrated_service.url, syntaxes=["json-ld"])
    datasets = [item for item in found["json-ld"] if item.get("@type") == "Dataset"]
    assert len(datasets) == 1
    return datasets[0]


def test_home_page_dataset_has_what_dataset_search_reads(
    home_dataset: dict[str, Any], integrated_service: RunningService
) -> None:
    # Google's Dataset requirements: name, and a description of 50 to 5000 characters
    assert home_dataset["name"].startswith("iacai-kg")
    assert 50 <= len(home_dataset["description"]) <= 5000
    assert "An Essay About the Intersection of Interagency Collaboration" in (
        home_dataset["description"]
    )
    assert home_dataset["@id"] == home_dataset["identifier"] == DATASET_IRI
    assert home_dataset["url"] == f"{integrated_service.url}/"
    assert home_dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert home_dataset["creator"] == {
        "@type": "Organization",
        "@id": CREATOR_IRI,
        "name": "iacai-kg developers",
    }
    assert home_dataset["isBasedOn"]["@id"] == ESSAY_IRI
    assert "public sector" in home_dataset["keywords"]
    assert home_dataset["datePublished"] == "2026-11-28"
    assert datetime.date.fromisoformat(home_dataset["dateModified"]) >= datetime.date(2026, 11, 28)
    assert home_dataset["includedInDataCatalog"]["@type"] == "DataCatalog"


def test_every_dump_is_a_data_download_that_resolves(
    home_dataset: dict[str, Any], client: httpx.Client, integrated_service: RunningService
) -> None:
    downloads = home_dataset["distribution"]
    assert {d["contentUrl"] for d in downloads} == {
        f"{integrated_service.url}/dumps/iacai.{suffix}" for suffix in DUMP_SUFFIXES
    }
    for download in downloads:
        assert download["@type"] == "DataDownload"
        response = client.head(download["contentUrl"])
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == download["encodingFormat"]


def test_home_page_dataset_is_valid_schema_org(home_dataset: dict[str, Any]) -> None:
    """schema-org-py checks every property and value range against schema.org (unknown
    properties and wrong types are refused); JSON-LD's dates are text, its models take dates."""
    described = {key: value for key, value in home_dataset.items() if key != "@context"}
    for key in ("datePublished", "dateModified"):
        described[key] = datetime.date.fromisoformat(described[key])
    dataset = Dataset.model_validate(described)
    assert dataset.name == home_dataset["name"]
    assert len(dataset.distribution or []) == len(DUMP_SUFFIXES)
    with pytest.raises(ValueError, match="contentUrl"):
        wrong = [{"@type": "DataDownload", "contentUrl": 5}]
        Dataset.model_validate({**described, "distribution": wrong})


def test_robots_txt_names_the_sitemap_on_this_host(client: httpx.Client) -> None:
    response = client.get("/robots.txt", headers={"Host": "kg.example.org"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    lines = response.text.splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /sparql?" in lines
    assert "Sitemap: http://kg.example.org/sitemap.xml" in lines


def test_sitemap_lists_every_resource_page(
    client: httpx.Client, integrated_service: RunningService
) -> None:
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    entries = _sitemap(response)
    assert all(lastmod for _, lastmod in entries)
    urls = [url for url, _ in entries]
    assert len(urls) == len(set(urls))
    base = integrated_service.url
    subjects = client.get(
        "/sparql",
        params={
            "query": f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ID}")) }}'
        },
    ).json()["results"]["bindings"]
    resources = {f"{base}/{row['s']['value'][len(BASE):]}.html" for row in subjects}
    assert len(resources) > 500
    assert resources <= set(urls)
    for page in ("/", "/matrix", "/citation-integrity", "/queries", "/ontology.html",
                 "/ontology/alignments.html", "/shapes.html", "/context.html",
                 "/graph/table-1.html", "/.well-known/void",
                 # the index pages (issue 11 trial: they were left out)
                 "/id/challenge/", "/id/benefit/", "/id/category/", "/id/source/", "/id/person/",
                 "/id/issue/"):
        assert f"{base}{page}" in urls
    for url in urls:  # every listed page is there, as HTML
        answer = client.head(url, headers={"Accept": BROWSER_ACCEPT})
        assert answer.status_code == 200, url
        assert answer.headers["content-type"].startswith("text/html"), url


def test_sitemap_urls_are_on_the_host_asked(client: httpx.Client) -> None:
    entries = _sitemap(client.get("/sitemap.xml", headers={"Host": "kg.example.org"}))
    assert entries and all(url.startswith("http://kg.example.org/") for url, _ in entries)


@pytest.mark.parametrize("path", ["/", "/matrix", "/queries", "/id/challenge/bias.html"])
def test_pages_link_to_the_void_and_the_dumps(client: httpx.Client, path: str) -> None:
    response = client.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert response.headers["link"] == '</.well-known/void>; rel="describedby"'
    links = [
        (link.get("rel"), link.get("href"), link.get("type"))
        for link in html5lib.parse(response.text).iter(f"{XHTML}link")
    ]
    assert ("describedby", "/.well-known/void", "text/turtle") in links
    alternates = {href: media_type for rel, href, media_type in links if rel == "alternate"}
    assert alternates["/.well-known/void"] == "text/turtle"
    for suffix in DUMP_SUFFIXES:
        assert f"/dumps/iacai.{suffix}" in alternates


@pytest.fixture(scope="module")
def void(integrated_service: RunningService) -> Graph:
    """The VoID description, asked from another host than the IRIs' own."""
    response = httpx.get(
        f"{integrated_service.url}/.well-known/void",
        headers={"Accept": "text/turtle", "Host": "kg.example.org"},
        timeout=30,
    )
    return Graph().parse(data=response.text, format="turtle")


def test_void_is_a_complete_dcat_description(void: Graph) -> None:
    for kind in (VOID.Dataset, DCAT.Dataset):
        assert (DATASET, RDF.type, kind) in void
    for predicate in (DCTERMS.title, DCTERMS.description):
        value = void.value(DATASET, predicate)
        assert isinstance(value, Literal) and value.language == "en" and len(value) > 20
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    creator = URIRef(CREATOR_IRI)
    assert void.value(DATASET, DCTERMS.creator) == creator
    assert void.value(DATASET, DCTERMS.publisher) == creator
    assert void.value(creator, FOAF.name) == Literal("iacai-kg developers")
    assert void.value(DATASET, DCTERMS.issued) == Literal("2026-11-28", datatype=XSD.date)
    assert void.value(DATASET, DCTERMS.modified).datatype == XSD.date
    assert void.value(DATASET, DCTERMS.source) == URIRef(ESSAY_IRI)
    assert int(void.value(DATASET, VOID.triples)) > 1000
    vocabularies = set(void.objects(DATASET, VOID.vocabulary))
    assert {
        URIRef("https://w3id.org/iacai/ontology"),
        URIRef("http://purl.org/dc/terms/"),
        URIRef("http://purl.org/ontology/bibo/"),
        URIRef("http://www.w3.org/2004/02/skos/core#"),
    } <= vocabularies
    assert URIRef(str(ID)) not in vocabularies


def test_void_dataset_iri_is_the_w3id_one_whatever_the_host(void: Graph) -> None:
    """The dataset keeps its IRI; what the host serves (endpoint, dumps) is on the host."""
    assert set(void.subjects(RDF.type, VOID.Dataset)) == {DATASET}
    assert void.value(DATASET, VOID.sparqlEndpoint) == URIRef("http://kg.example.org/sparql")
    dumps = set(void.objects(DATASET, VOID.dataDump))
    assert dumps == {URIRef(f"http://kg.example.org/dumps/iacai.{s}") for s in DUMP_SUFFIXES}
    assert set(void.objects(DATASET, DCAT.distribution)) == dumps
    assert void.value(DATASET, DCAT.landingPage) == URIRef("http://kg.example.org/")


def test_void_link_opens_a_page_for_browsers_and_rdf_for_programs(client: httpx.Client) -> None:
    home = client.get("/", headers={"Accept": BROWSER_ACCEPT}).text
    assert 'href="/.well-known/void"' in home
    page = client.get("/.well-known/void", headers={"Accept": BROWSER_ACCEPT})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<h1>The dataset: iacai-kg" in page.text
    for suffix in DUMP_SUFFIXES:
        assert f'href="/dumps/iacai.{suffix}"' in page.text
    assert "accept" in page.headers["vary"].lower()
    for accept, media_type in (
        ("text/turtle", "text/turtle"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("application/ld+json", "application/ld+json"),
        ("*/*", "text/turtle"),
    ):
        rdf = client.get("/.well-known/void", headers={"Accept": accept})
        assert rdf.headers["content-type"].split(";")[0] == media_type
    as_turtle = client.get("/.well-known/void", params={"format": "ttl"})
    assert (DATASET, RDF.type, VOID.Dataset) in Graph().parse(data=as_turtle.text)


def _sitemap(response: httpx.Response) -> list[tuple[str, str]]:
    """Each URL of a sitemap and its last modification date."""
    root = ET.fromstring(response.content)  # noqa: S314 (this test's own server, on 127.0.0.1)
    return [
        (entry.findtext(f"{SITEMAP}loc") or "", entry.findtext(f"{SITEMAP}lastmod") or "")
        for entry in root.iter(f"{SITEMAP}url")
    ]
