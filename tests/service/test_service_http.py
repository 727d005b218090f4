"""HTTP behaviour around the protocol: negotiation, limits, SERVICE, CORS, ETag and 304."""

from __future__ import annotations

import httpx
import pytest

from iacai.service.http.negotiation import FORMATS, Kind, choose, formats_of

SELECT = "SELECT ?c WHERE { ?c a <https://w3id.org/iacai/ontology#Challenge> } LIMIT 1"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "json"),
        ("*/*", "json"),
        ("text/csv;q=0.5, application/sparql-results+xml", "xml"),
        ("text/*", "csv"),
        ("text/*;q=0.1, text/tab-separated-values", "tsv"),
        ("application/json", "json"),
        (BROWSER_ACCEPT, "html"),
        ("image/png", None),
        ("application/sparql-results+json;q=0", None),
    ],
)
def test_accept_header_choice_for_results(accept: str | None, chosen: str | None) -> None:
    offered = (*formats_of(Kind.RESULTS), next(f for f in FORMATS if f.kind is Kind.PAGE))
    answer = choose(accept, offered)
    assert (answer.name if answer else None) == chosen


def test_client_listing_several_types_gets_the_best_offered(client: httpx.Client) -> None:
    response = client.get(
        "/sparql",
        params={"query": SELECT},
        headers={
            "Accept": "application/x-unknown, text/tab-separated-values;q=0.8, text/csv;q=0.9"
        },
    )
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


def test_nothing_acceptable_is_406(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text


def test_format_parameter_overrides_accept(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": SELECT, "format": "tsv"}, headers={"Accept": "text/csv"}
    )
    assert response.headers["content-type"] == "text/tab-separated-values; charset=utf-8"


def test_format_parameter_that_does_not_fit_is_406(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": SELECT, "format": "ttl"})
    assert response.status_code == 406


@pytest.mark.parametrize("name", ["js", "son", "x", "ml"])
def test_format_parameter_matches_whole_names_only(client: httpx.Client, name: str) -> None:
    """A part of a name selects nothing: the unknown value is ignored and Accept decides."""
    response = client.get(
        "/sparql", params={"query": SELECT, "format": name}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


def test_browser_gets_the_query_page_with_its_query(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": SELECT}, headers={"Accept": BROWSER_ACCEPT})
    assert response.headers["content-type"].startswith("text/html")
    assert "LIMIT 1" in response.text


def test_query_over_the_size_limit_is_413(client: httpx.Client, service: object) -> None:
    limit = service.settings.max_query_bytes  # type: ignore[attr-defined]
    long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * limit
    direct = client.post(
        "/sparql", content=long_query, headers={"Content-Type": "application/sparql-query"}
    )
    assert direct.status_code == 413
    form = client.post("/sparql", data={"query": long_query})
    assert form.status_code == 413


def test_federated_query_is_refused_without_an_allowlist(client: httpx.Client) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "Federated queries (SERVICE) are turned off" in response.text


def test_service_inside_a_string_or_comment_is_not_federation(client: httpx.Client) -> None:
    query = 'SELECT ("SERVICE <http://x/>" AS ?text) WHERE { } # SERVICE <http://y/>'
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["text"]["value"] == "SERVICE <http://x/>"


def test_simple_cross_origin_read_is_allowed(client: httpx.Client) -> None:
    response = client.get(
        "/sparql", params={"query": SELECT}, headers={"Origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers


def test_cors_preflight_for_a_post(client: httpx.Client) -> None:
    response = client.options(
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert "POST" in response.headers["access-control-allow-methods"]


def test_etag_and_304(client: httpx.Client) -> None:
    first = client.get("/sparql", params={"query": SELECT})
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = client.get("/sparql", params={"query": SELECT}, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag
    assert again.content == b""
    other_format = client.get(
        "/sparql", params={"query": SELECT, "format": "csv"}, headers={"If-None-Match": etag}
    )
    assert other_format.status_code == 200
    assert other_format.headers["etag"] != etag


def test_error_answers_are_plain_text(client: httpx.Client) -> None:
    response = client.get("/sparql", params={"query": "SELECT WHERE"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "Traceback" not in response.text
