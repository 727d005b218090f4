"""Hypothesis against /sparql on a real server: valid, mutated and hostile queries and requests.

Every answer must be 2xx, or 4xx with a message, or 503 saying the query timeout was reached;
never a crash, a 500, a stack trace or an internal path. Afterwards the service still answers a
known query correctly. Examples per test: IACAI_FUZZ_EXAMPLES (default 30) times a factor.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import pytest
from clean_answers import assert_clean
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from service_process import CHALLENGES, ServiceProcess

from iacai.named_queries import catalogue
from iacai.namespaces import IACAI

EXAMPLES = int(os.environ.get("IACAI_FUZZ_EXAMPLES", "30"))
FUZZ = settings(
    max_examples=EXAMPLES * 3,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

# A small SPARQL grammar: patterns over the data's own terms, so that many queries have answers.
NODES = st.sampled_from(
    [
        "?s", "?o", "?x", f"<{IACAI}Challenge>", f"<{IACAI}Benefit>", "iacai:Category",
        '"data"', '"data"@en', "42", "true", "<https://w3id.org/iacai/id/nothing>",
    ]
)  # fmt: skip
PREDICATES = st.sampled_from(
    ["?p", "a", f"<{IACAI}addresses>", f"<{IACAI}hasCategory>", "rdfs:label", "rdfs:label|a"]
)
VARIABLES = st.sampled_from(["?s", "?p", "?o", "?x"])
TRIPLES = st.tuples(NODES, PREDICATES, NODES).map(" ".join)
TEMPLATES = st.tuples(NODES, st.sampled_from(["?p", "a", "rdfs:label"]), NODES).map(" ".join)
FILTERS = st.sampled_from(
    [
        "",
        "FILTER(isIRI(?s))",
        'FILTER(CONTAINS(STR(?o), "a"))',
        "FILTER(?o > 3)",
        "FILTER NOT EXISTS { ?s a ?x }",
        'FILTER(REGEX(STR(?s), "^h"))',
        "BIND(STRLEN(STR(?o)) AS ?n)",
    ]
)


@st.composite
def group(draw: st.DrawFn, depth: int = 0) -> str:
    parts = [draw(TRIPLES) + " ." for _ in range(draw(st.integers(1, 3)))]
    parts.append(draw(FILTERS))
    if depth < 2 and draw(st.booleans()):
        kind = draw(st.sampled_from(["OPTIONAL", "UNION", "MINUS", "GRAPH ?g"]))
        inner = draw(group(depth + 1))
        parts.append(
            f"{{ {inner} }} UNION {{ {inner} }}" if kind == "UNION" else f"{kind} {{ {inner} }}"
        )
    return " ".join(parts)


@st.composite
def valid_queries(draw: st.DrawFn) -> str:
    where = draw(group())
    form = draw(st.sampled_from(["SELECT", "SELECT DISTINCT", "ASK", "CONSTRUCT", "DESCRIBE"]))
    if form == "ASK":
        head = "ASK"
    elif form == "CONSTRUCT":
        head = f"CONSTRUCT {{ {draw(TEMPLATES)} }}"
    elif form == "DESCRIBE":
        head = f"DESCRIBE {draw(VARIABLES)}"
    else:
        head = f"{form} {' '.join(draw(st.lists(VARIABLES, min_size=1, max_size=3, unique=True)))}"
    tail = draw(st.sampled_from(["", "LIMIT 5", "ORDER BY ?s LIMIT 3", "OFFSET 2 LIMIT 2"]))
    return f"{head} WHERE {{ {where} }} {tail if form != 'ASK' else ''}"


NAMED_QUERY_TEXTS = [named.text for named in catalogue().values()]


@st.composite
def mutated_queries(draw: st.DrawFn) -> str:
    """A valid query with a few characters cut, inserted, doubled or replaced."""
    text = draw(st.one_of(valid_queries(), st.sampled_from(NAMED_QUERY_TEXTS)))
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        operation = draw(st.sampled_from(["cut", "insert", "double", "bracket"]))
        if operation == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 20)) :]
        elif operation == "insert":
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
        elif operation == "double":
            text = text[:at] + text[at : at + 30] + text[at:]
        else:
            text = text[:at] + draw(st.sampled_from("(){}[]<>\"'#\\")) + text[at:]
    return text


@st.composite
def nested_queries(draw: st.DrawFn) -> str:
    """Brackets of every kind nested up to thousands deep: the engine's parser-stack killer."""
    depth = draw(st.integers(1, 6000))
    opener, closer = draw(st.sampled_from([("(", ")"), ("{", "}"), ("[", "]")]))
    core = {"(": "1", "{": "?s ?p ?o", "[": "?p ?o"}[opener]
    inner = opener * depth + core + closer * draw(st.sampled_from([depth, 0, depth // 2]))
    return (
        f"SELECT * WHERE {{ BIND({inner} AS ?x) }}" if opener == "(" else f"SELECT * WHERE {inner}"
    )


HUGE_LITERAL = st.integers(1_000, 160_000).map(
    lambda size: f'SELECT * WHERE {{ ?s ?p "{"x" * size}" }}'
)

ODD_ACCEPT = st.one_of(
    st.sampled_from(
        [
            "",
            "*/*",
            "text/html",
            "application/sparql-results+json;q=0",
            "image/png",
            "application/*;q=0.1, text/*",
            "*/*;q=abc",
            ";;;,,,",
            "text/turtle;q=1.5",
            "application/sparql-results+xml, */*;q=0.0001",
            "x" * 5000,
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60).map(
        str.strip
    ),
)
ODD_CONTENT_TYPE = st.one_of(
    st.sampled_from(
        [
            "",
            "application/sparql-query",
            "application/sparql-query; charset=latin-1",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded; charset=x",
            "application/sparql-update",
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/json",
            "application/sparql-query;;charset=",
            "APPLICATION/SPARQL-QUERY",
        ]
    ),
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40).map(
        str.strip
    ),
)


@pytest.fixture(scope="module")
def http(served: ServiceProcess) -> Iterator[httpx.Client]:
    with served.client() as client:
        yield client
    assert served.count_challenges() == CHALLENGES


def checked(response: httpx.Response) -> httpx.Response:
    note(f"{response.status_code}: {response.text[:200]!r}")
    assert_clean(response, timeout_allowed=True)
    return response


@FUZZ
@given(query=valid_queries())
def test_valid_queries_are_answered(http: httpx.Client, query: str) -> None:
    response = checked(http.get("/sparql", params={"query": query}))
    assert response.status_code == 200 or "timeout reached" in response.text, response.text


@FUZZ
@given(query=st.one_of(mutated_queries(), nested_queries(), HUGE_LITERAL))
def test_broken_queries_get_a_client_error_or_an_answer(http: httpx.Client, query: str) -> None:
    checked(http.post("/sparql", data={"query": query}))


@FUZZ
@given(body=st.binary(max_size=2_000), content_type=ODD_CONTENT_TYPE)
def test_random_bytes_as_a_body(http: httpx.Client, body: bytes, content_type: str) -> None:
    checked(http.post("/sparql", content=body, headers={"Content-Type": content_type}))


@FUZZ
@given(raw=st.binary(min_size=1, max_size=500), where=st.sampled_from(["query", "format", "x"]))
def test_invalid_utf8_in_the_query_string(http: httpx.Client, raw: bytes, where: str) -> None:
    target = f"/sparql?{where}={quote(raw, safe='')}"
    if where != "query":
        target += "&query=" + quote("ASK {}")
    checked(http.get(target))


@FUZZ
@given(query=st.one_of(valid_queries(), mutated_queries()), accept=ODD_ACCEPT)
def test_odd_accept_headers(http: httpx.Client, query: str, accept: str) -> None:
    checked(http.get("/sparql", params={"query": query}, headers={"Accept": accept}))


@FUZZ
@given(query=valid_queries(), content_type=ODD_CONTENT_TYPE, accept=ODD_ACCEPT)
def test_odd_content_types(http: httpx.Client, query: str, content_type: str, accept: str) -> None:
    checked(
        http.post(
            "/sparql",
            content=query.encode(),
            headers={"Content-Type": content_type, "Accept": accept},
        )
    )
