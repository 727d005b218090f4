"""A browser's query that does not parse (issue 11 trial): /sparql answers 400 with the query page
showing the protocol's own error message and the query in the editor, without JavaScript."""

from __future__ import annotations

import html

import httpx
import pytest

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("SELEC * WHERE { ?s ?p ?o }", "line 1, column"),
        ("ASK {\n  ?s ?p ?o .\n  FILTER( }", "line 3, column 12"),  # ASK parsed, never run
    ],
)
@pytest.mark.parametrize("editor", ["", "plain"])
def test_a_query_that_does_not_parse_is_a_400_page_with_the_error(
    client: httpx.Client, query: str, where: str, editor: str
) -> None:
    params = {"query": query, **({"editor": editor} if editor else {})}
    page = client.get("/sparql", params=params, headers={"Accept": BROWSER})
    program = client.get("/sparql", params={"query": query}, headers={"Accept": "*/*"})
    assert page.status_code == program.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    message = program.text.strip()  # the engine's own error, said by the protocol
    assert message.startswith("Syntax error in the query: ") and where in message
    assert f'<p class="error-message" role="alert">{html.escape(message)}</p>' in page.text
    if editor == "plain":
        assert f">{html.escape(query)}</textarea>" in page.text
        assert 'data-run-at-once="false"' in page.text


def test_a_query_that_parses_is_the_editor_page_run_at_once(client: httpx.Client) -> None:
    query = "SELECT ?s WHERE { ?s a iacai:Challenge } LIMIT 1"
    page = client.get("/sparql", params={"query": query, "editor": "plain"},
                      headers={"Accept": BROWSER})
    assert page.status_code == 200
    assert 'role="alert"' not in page.text and 'data-run-at-once="true"' in page.text
