"""Errors for people and for programs: a browser gets an HTML page that leads somewhere, a program
the plain-text message, with the same status and message either way."""

from __future__ import annotations

import httpx
import pytest
from markupsafe import escape

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

ERRORS = [
    ("/id/challenge/no-such-challenge", {}, 404),
    ("/no/such/page", {}, 404),
    ("/sparql", {"default-graph-uri": "not an IRI", "query": "ASK {}"}, 400),
    ("/queries/no-such-query", {}, 404),
    ("/.well-known/void", {"format": "csv"}, 406),
]


@pytest.mark.parametrize(("path", "params", "status"), ERRORS)
def test_a_browser_gets_an_error_page_linking_home_search_and_indexes(
    client: httpx.Client, path: str, params: dict[str, str], status: int
) -> None:
    page = client.get(path, params=params, headers={"Accept": BROWSER})
    program = client.get(path, params=params, headers={"Accept": "*/*"})
    assert page.status_code == program.status_code == status
    assert page.headers["content-type"].startswith("text/html")
    assert program.headers["content-type"].startswith("text/plain")
    for link in ('href="/"', 'href="/search"', 'href="/id/challenge/"', 'href="/id/source/"'):
        assert link in page.text
    if path != "/no/such/page":  # no route: the page names the path (the test below)
        assert str(escape(program.text.strip())) in page.text  # the same message, escaped


def test_a_program_without_accept_gets_plain_text(client: httpx.Client) -> None:
    answer = client.get("/id/challenge/no-such-challenge", headers={"Accept": ""})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    ("path", "said"),
    [
        ("/no/such/page", "There is no page at /no/such/page."),
        ("/id/challenge/no-such-challenge",
         "https://w3id.org/iacai/id/challenge/no-such-challenge is not in this knowledge graph."),
    ],
)
def test_the_404_page_says_what_was_not_found_and_where_to_go_once(
    client: httpx.Client, path: str, said: str
) -> None:
    """Issue 11 trial: "Nothing here" as heading, then "Nothing here; / lists the entry points."."""
    page = client.get(path, headers={"Accept": BROWSER})
    assert page.status_code == 404
    main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<h1>Not found</h1>" in main
    assert f'role="alert">{escape(said)}</p>' in main
    assert main.count("Nothing here") == 0 and main.count("entry points") == 0
    assert main.count(path) == 1  # named once, in the message
    assert main.count("Where to go from here") == 1


SELECT = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
EVERY_KIND_OF_ERROR = [
    ("GET", "/no/such/page", {}, {}, 404),
    ("GET", "/id/challenge/no-such-challenge", {}, {}, 404),
    ("GET", "/sparql", {"default-graph-uri": "not an IRI", "query": "ASK {}"}, {}, 400),
    ("GET", "/.well-known/void", {"format": "csv"}, {}, 406),
    ("POST", "/sparql", {"query": SELECT}, {"If-None-Match": "*"}, 412),
    ("POST", "/sparql", {"query": "#" * 200_000}, {}, 413),
]


ERRORS_AS_ASKED = [
    (accept, *error)
    for accept in (BROWSER, "*/*", "application/sparql-results+json")
    for error in EVERY_KIND_OF_ERROR
    if accept != BROWSER or error[-1] != 412  # a browser's POSTed query gets the query page
]


@pytest.mark.parametrize(
    ("accept", "method", "path", "fields", "headers", "status"), ERRORS_AS_ASKED
)
def test_every_error_varies_on_accept_which_decides_page_or_plain_text(
    client: httpx.Client,
    accept: str,
    method: str,
    path: str,
    fields: dict[str, str],
    headers: dict[str, str],
    status: int,
) -> None:
    """Tester's report: errors carried `Vary: Origin` only, so a cache could hand the HTML
    page a browser got to a program asking the same URL (or the plain text to a browser)."""
    sent = {**headers, "Accept": accept, "Origin": "https://example.org"}
    if method == "GET":
        answer = client.get(path, params=fields, headers=sent)
    else:
        answer = client.post(path, data=fields, headers=sent)
    assert answer.status_code == status
    varies_on = {field.strip().lower() for field in answer.headers.get("vary", "").split(",")}
    assert "accept" in varies_on, answer.headers
