"""Regressions for what a red team found against `iacai serve` (issue 13), one test each.

Duplicated headers that read one way for the cache and another for the app; evaluation errors
answered 500; answers of NOW() and the like cached and revalidated; XML results that do not
parse; a traceback logged for every aborted request body.
"""

from __future__ import annotations

import socket
import time
import xml.etree.ElementTree as ET

import pytest
from service_process import CHALLENGES, ServiceProcess

JSON = "application/sparql-results+json"
CSV = "text/csv"


def test_repeated_accept_lines_cannot_poison_the_cache(served: ServiceProcess) -> None:
    query = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o } # accept poisoning"}
    with served.client() as http:
        for first, second in ((CSV, JSON), (JSON, CSV)):
            both = http.get(
                "/sparql", params=query, headers=[("Accept", first), ("Accept", second)]
            )
            assert both.status_code == 200, both.text
        alone_csv = http.get("/sparql", params=query, headers={"Accept": CSV})
        alone_json = http.get("/sparql", params=query, headers={"Accept": JSON})
    assert alone_csv.headers["content-type"].startswith(CSV), alone_csv.headers
    assert alone_csv.text.startswith("n\r\n")
    assert alone_json.headers["content-type"].startswith(JSON), alone_json.headers
    assert "bindings" in alone_json.json()["results"]


def test_a_repeated_content_type_is_refused(served: ServiceProcess) -> None:
    with served.client() as http:
        response = http.post(
            "/sparql",
            content=b"ASK {}",
            headers=[
                ("Content-Type", "application/sparql-query"),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
        )
    assert response.status_code == 400
    assert "more than one Content-Type" in response.text


def test_an_evaluation_error_is_a_400_naming_the_problem(served: ServiceProcess) -> None:
    query = "SELECT (<http://example.com/no-such-function>(1) AS ?x) WHERE {}"
    with served.client() as http:
        response = http.get("/sparql", params={"query": query})
    assert response.status_code == 400, response.text
    assert response.text.startswith("The query could not be evaluated:")
    assert "no-such-function" in response.text


@pytest.mark.parametrize(
    "expression", ["NOW()", "STRUUID()", "RAND()", "UUID()", "BNODE()", "str(now())"]
)
def test_an_answer_that_changes_each_time_is_never_cached_nor_revalidated(
    served: ServiceProcess, expression: str
) -> None:
    query = {"query": f"SELECT ({expression} AS ?v) WHERE {{}}"}
    with served.client() as http:
        first = http.get("/sparql", params=query)
        time.sleep(0.01)  # NOW() counts milliseconds
        second = http.get("/sparql", params=query, headers={"If-None-Match": "*"})
    assert first.status_code == 200 and second.status_code == 200, second.text
    for answer in (first, second):
        assert "etag" not in answer.headers
        assert answer.headers["cache-control"] == "no-store"
    assert first.json() != second.json(), "the second answer was a copy of the first"


@pytest.mark.parametrize("character", ["\\u0000", "\\u0001", "\\u001F", "\\uFFFE"])
def test_a_character_xml_cannot_carry_is_refused_in_xml_only(
    served: ServiceProcess, character: str
) -> None:
    select = f'SELECT ?x WHERE {{ BIND("a{character}b" AS ?x) }}'
    construct = (
        f'CONSTRUCT {{ <http://x/s> <http://x/p> ?x }} WHERE {{ BIND("a{character}" AS ?x) }}'
    )
    with served.client() as http:
        results_xml = http.get("/sparql", params={"query": select, "format": "xml"})
        graph_xml = http.get("/sparql", params={"query": construct, "format": "rdfxml"})
        as_json = http.get("/sparql", params={"query": select, "format": "json"})
    for refused in (results_xml, graph_xml):
        assert refused.status_code == 406, refused.text
        assert "XML 1.0 cannot carry" in refused.text
    assert as_json.status_code == 200
    value = as_json.json()["results"]["bindings"][0]["x"]["value"]
    assert value == "a" + chr(int(character[2:], 16)) + "b"


def test_every_xml_answer_that_is_sent_parses(served: ServiceProcess) -> None:
    select = 'SELECT ?x WHERE { BIND("tab\\t, line\\n, <markup> & \\u00e9 \\uD7FF" AS ?x) }'
    with served.client() as http:
        answer = http.get("/sparql", params={"query": select, "format": "xml"})
    assert answer.status_code == 200
    ET.fromstring(answer.content)  # noqa: S314 (our own answer, the parse is the check)


def test_an_aborted_chunked_post_is_one_log_line(served: ServiceProcess) -> None:
    logged_before = served.messages()
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", served.port), timeout=10) as connection:
            connection.sendall(
                b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n10\r\nSELECT"
            )
            time.sleep(0.2)
    deadline = time.monotonic() + 10
    while served.messages().count("left before its request body ended") < 3:
        assert time.monotonic() < deadline, served.messages()[len(logged_before) :]
        time.sleep(0.1)
    logged = served.messages()[len(logged_before) :]
    assert "Traceback" not in logged
    assert len(logged.splitlines()) == 3, logged
    assert served.count_challenges() == CHALLENGES


def test_forwarded_headers_from_an_untrusted_peer_change_nothing(served: ServiceProcess) -> None:
    """No proxy is trusted by default, the loopback neither: a local process cannot name itself
    another client (X-Forwarded-For) or the endpoint https (X-Forwarded-Proto)."""
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-For": "10.1.1.1",
        "Accept": "application/n-triples",
    }
    with served.client() as http:
        description = http.get("/sparql", headers=forwarded)
    assert description.status_code == 200, description.text
    assert f"<{served.url}/sparql>" in description.text
    assert "https://" + served.url.removeprefix("http://") not in description.text
