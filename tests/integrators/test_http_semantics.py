"""HTTP as integrators' tools expect it, on a real server: HEAD, Allow, validators and 304, gzip,
byte ranges, headers exposed to scripts (issue 12)."""

from __future__ import annotations

import gzip
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import quote

import httpx
import pytest

from iacai.service.http.representations import COMPRESS_FROM, gzip_accepted

CHALLENGE = "<https://w3id.org/iacai/ontology#Challenge>"
SELECT = quote(f"SELECT ?c WHERE {{ ?c a {CHALLENGE} }} ORDER BY ?c")
CONSTRUCT = quote(f"CONSTRUCT {{ ?c ?p ?o }} WHERE {{ ?c a {CHALLENGE} ; ?p ?o }}")

EVERY_ROUTE_KIND = [
    "/",
    "/matrix",
    "/matrix.svg",
    "/citation-integrity",
    "/sparql",
    f"/sparql?query={SELECT}",
    "/queries",
    "/queries/challenges-by-category",
    "/id/challenge/bias",
    "/id/challenge/bias.ttl",
    "/id/challenge/bias.jsonld",
    "/id/challenge/bias.html",
    "/graph/table-1",
    "/graph/table-1.nt",
    "/ontology",
    "/ontology.ttl",
    "/ontology.html",
    "/shapes.html",
    "/context",
    "/context.jsonld",
    "/context.html",
    "/dumps/iacai.nq",
    "/.well-known/void",
    "/healthz",
    "/static/query.css",
    "/docs",
    "/openapi.json",
]
"""One path of every kind the service answers a GET on (pages, SPARQL, resources, vocabularies,
the context, dumps, VoID, health, static files, API docs)."""

DOCUMENTS = [
    "/",
    "/matrix",
    "/citation-integrity",
    "/queries",
    "/id/challenge/bias.ttl",
    "/id/challenge/bias.jsonld",
    "/id/challenge/bias.html",
    "/id/challenge/bias.nt",
    "/id/challenge/bias.rdf",
    "/graph/table-1.ttl",
    "/graph/table-1.html",
    "/ontology.ttl",
    "/ontology.html",
    "/shapes.ttl",
    "/shapes.html",
    "/context.jsonld",
    "/context.html",
    "/.well-known/void",
    "/dumps/iacai.ttl",
    f"/sparql?query={SELECT}",
    "/queries/challenges-by-category",
]
"""Every kind of document: each must carry validators and revalidate to a 304."""


@pytest.mark.parametrize("path", EVERY_ROUTE_KIND)
def test_head_answers_wherever_get_does(client: httpx.Client, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code, path
    assert got.status_code in (200, 303)
    assert head.content == b""
    for name in ("content-type", "content-length", "location", "etag", "allow"):
        if name == "etag" and path == "/healthz":
            continue
        assert head.headers.get(name) == got.headers.get(name), (path, name)


@pytest.mark.parametrize(
    ("path", "allowed"),
    [
        ("/sparql", "GET, HEAD, POST, OPTIONS"),
        ("/id/challenge/bias", "GET, HEAD, OPTIONS"),
        ("/dumps/iacai.nq", "GET, HEAD, OPTIONS"),
        ("/.well-known/void", "GET, HEAD, OPTIONS"),
        ("/static/query.css", "GET, HEAD, OPTIONS"),
        ("/", "GET, HEAD, OPTIONS"),
    ],
)
def test_allow_lists_the_methods_a_path_takes(
    client: httpx.Client, path: str, allowed: str
) -> None:
    refused = client.request("DELETE", path)
    assert refused.status_code == 405
    assert refused.headers["allow"] == allowed
    assert refused.headers["content-type"].startswith("text/plain")
    options = client.options(path)
    assert options.status_code == 204
    assert options.headers["allow"] == allowed


def test_post_where_only_get_is_served_is_405(client: httpx.Client) -> None:
    response = client.post("/id/challenge/bias.ttl", content=b"x")
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_document_revalidates_by_either_validator(client: httpx.Client, path: str) -> None:
    first = client.get(path)
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert "max-age=" in first.headers["cache-control"]
    by_tag = client.get(path, headers={"If-None-Match": etag})
    assert by_tag.status_code == 304 and by_tag.content == b""
    assert by_tag.headers["etag"] == etag
    by_date = client.get(path, headers={"If-Modified-Since": modified})
    assert by_date.status_code == 304
    later = formatdate(parsedate_to_datetime(modified).timestamp() + 3600, usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": later}).status_code == 304
    earlier = formatdate(parsedate_to_datetime(modified).timestamp() - 1, usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110, 13.2.2)
    other_tag = {"If-None-Match": '"another"', "If-Modified-Since": modified}
    assert client.get(path, headers=other_tag).status_code == 200
    assert client.head(path, headers={"If-None-Match": etag}).status_code == 304


def test_health_is_never_cached(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_the_icon_is_at_favicon_ico_as_the_static_file_and_cached_as_one(
    client: httpx.Client,
) -> None:
    """Tester's report: no icon, so browsers got a 404 for /favicon.ico with every page."""
    icon = client.get("/favicon.ico")
    static = client.get("/static/favicon.svg")
    assert icon.status_code == static.status_code == 200
    assert icon.headers["content-type"] == static.headers["content-type"] == "image/svg+xml"
    assert icon.content == static.content and icon.content.startswith(b"<svg ")
    for name in ("etag", "last-modified", "cache-control"):
        assert icon.headers[name] == static.headers[name], name
    assert icon.headers["cache-control"] == client.get("/static/query.css").headers["cache-control"]
    held = client.get("/favicon.ico", headers={"If-None-Match": icon.headers["etag"]})
    assert held.status_code == 304


def test_documents_in_different_formats_have_different_etags(client: httpx.Client) -> None:
    tags = {client.get(f"/id/challenge/bias.{s}").headers["etag"] for s in ("ttl", "nt", "html")}
    assert len(tags) == 3


@pytest.mark.parametrize(
    ("header", "accepted"),
    [
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("deflate, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("GZIP;Q=0.001", True),
        ("*", True),
        ("*;q=0", False),
        ("br, *;q=0.1", True),
        ("br, *;q=0.1, gzip;q=0", False),
        ("identity", False),
        ("", False),
        ("x-gzip", True),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_q_values(header: str, accepted: bool) -> None:
    assert gzip_accepted(header) is accepted


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/id/challenge/bias.ttl",
        "/id/challenge/bias.jsonld",
        "/ontology.html",
        "/.well-known/void",
        "/context.jsonld",
        f"/sparql?query={SELECT}",
        f"/sparql?query={CONSTRUCT}",
        "/matrix.svg",
        "/static/query.css",
    ],
)
def test_text_answers_are_gzipped_when_asked(client: httpx.Client, path: str) -> None:
    plain = client.get(path)
    assert len(plain.content) >= COMPRESS_FROM
    assert "content-encoding" not in plain.headers
    assert "accept-encoding" in plain.headers["vary"].lower()
    zipped, raw = _raw(client, path, "gzip, deflate")
    assert zipped.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped.headers["vary"].lower()
    assert int(zipped.headers["content-length"]) == len(raw) < len(plain.content)
    assert gzip.decompress(raw) == plain.content
    refused, raw = _raw(client, path, "gzip;q=0, identity")
    assert "content-encoding" not in refused.headers and raw == plain.content
    # the gzipped answer is another representation: its validator is weak, and revalidates
    assert zipped.headers["etag"].startswith("W/")
    assert zipped.headers["etag"].removeprefix("W/") == plain.headers["etag"].removeprefix("W/")
    again = client.get(
        path, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.headers["etag"] == zipped.headers["etag"]


def test_small_answers_are_not_compressed(client: httpx.Client) -> None:
    response, raw = _raw(client, "/healthz", "gzip")
    assert len(raw) < COMPRESS_FROM
    assert "content-encoding" not in response.headers


def test_dumps_are_served_gzipped_once_made(client: httpx.Client) -> None:
    plain = client.get("/dumps/iacai.nq")
    first, raw = _raw(client, "/dumps/iacai.nq", "gzip")
    _, raw_again = _raw(client, "/dumps/iacai.nq", "gzip")
    assert first.headers["content-encoding"] == "gzip"
    assert raw == raw_again  # the same bytes, made once
    assert gzip.decompress(raw) == plain.content
    assert len(raw) * 5 < len(plain.content)
    assert first.headers["etag"] == "W/" + plain.headers["etag"]


def test_dumps_serve_byte_ranges(client: httpx.Client) -> None:
    whole = client.get("/dumps/iacai.nq")
    size = len(whole.content)
    etag = whole.headers["etag"]
    assert whole.headers["accept-ranges"] == "bytes"
    assert not etag.startswith("W/")  # a strong validator, as If-Range needs
    part = client.get("/dumps/iacai.nq", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{size}"
    assert part.content == whole.content[100:200]
    tail = client.get("/dumps/iacai.nq", headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == whole.content[-50:]
    rest = client.get("/dumps/iacai.nq", headers={"Range": f"bytes={size - 10}-"})
    assert rest.content == whole.content[-10:]
    beyond = client.get("/dumps/iacai.nq", headers={"Range": f"bytes={size}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{size}"
    same = client.get("/dumps/iacai.nq", headers={"Range": "bytes=0-9", "If-Range": etag})
    assert same.status_code == 206 and same.content == whole.content[:10]
    changed = client.get("/dumps/iacai.nq", headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert changed.status_code == 200 and changed.content == whole.content
    several = client.get("/dumps/iacai.nq", headers={"Range": "bytes=0-9,20-29"})
    assert several.status_code == 200 and several.content == whole.content
    # a range is of the plain bytes, even for a client that accepts gzip
    zipped_client_part = client.get(
        "/dumps/iacai.nq", headers={"Range": "bytes=0-9", "Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in zipped_client_part.headers
    assert zipped_client_part.content == whole.content[:10]


def test_pages_do_not_serve_ranges(client: httpx.Client) -> None:
    response = client.get("/", headers={"Range": "bytes=0-9"})
    assert response.status_code == 200
    assert "accept-ranges" not in response.headers


def test_scripts_may_read_the_link_and_validator_headers(client: httpx.Client) -> None:
    response = client.get("/id/challenge/bias.ttl", headers={"Origin": "https://example.org"})
    listed = response.headers["access-control-expose-headers"]
    exposed = {name.strip().lower() for name in listed.split(",")}
    wanted = {"link", "etag", "last-modified", "content-location", "x-iacai-result-truncated"}
    assert wanted <= exposed
    preflight = client.options(
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "HEAD"},
    )
    assert preflight.status_code == 200
    assert "HEAD" in preflight.headers["access-control-allow-methods"]


def _raw(client: httpx.Client, path: str, accept_encoding: str) -> tuple[httpx.Response, bytes]:
    """The answer and its bytes as sent (not decoded), for the given Accept-Encoding."""
    with client.stream("GET", path, headers={"Accept-Encoding": accept_encoding}) as response:
        return response, b"".join(response.iter_raw())
