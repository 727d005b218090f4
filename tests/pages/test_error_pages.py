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
    assert str(escape(program.text.strip())) in page.text  # the same message, escaped


def test_a_program_without_accept_gets_plain_text(client: httpx.Client) -> None:
    answer = client.get("/id/challenge/no-such-challenge", headers={"Accept": ""})
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("text/plain")
