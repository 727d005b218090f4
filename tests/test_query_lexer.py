"""The query lexer reads SERVICE as the engine does: every call the engine makes, it reports.

Each query is run on pyoxigraph itself beside a listener on 127.0.0.2 (another port of
127.0.0.1 where that address is missing): whenever the engine connects, the lexer must have
found a SERVICE. Written forms from the red team's report, then generated ones.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from federated_forms import written_forms
from iacai.query_lexer import _CODE_TOKENS, _TOKENS, outline, where_group_start


class CountingListener:
    """Counts the connections made to it (and closes each at once)."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        try:
            self._socket.bind(("127.0.0.2", 0))
        except OSError:
            self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(64)
        host, port = self._socket.getsockname()
        self.base = f"http://{host}:{port}"
        self.connections = 0
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._socket.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[CountingListener]:
    watching = CountingListener()
    yield watching
    watching.close()


def _store_matching_every_pattern() -> pyoxigraph.Store:
    """A store in which each triple pattern before the SERVICE matches, so the call is made."""
    store = pyoxigraph.Store()
    store.load(
        b"""@prefix x: <http://x/> .
        x:s x:p true, 1e3, 1.5E-2, "a'b", 'a"b', "a''b", 'a""b', "x"@en, 1 ;
            x:a\\# "o" ; x:a\\' "o" ; x:a%20b "o" ; <http://x/a#b> "o" .""",
        format=pyoxigraph.RdfFormat.TURTLE,
    )
    return store


STORE = _store_matching_every_pattern()


def engine_connects(listener: CountingListener, query: str) -> bool:
    """Whether pyoxigraph, running the query, connected to the listener."""
    before = listener.connections
    try:
        result = STORE.query(query)
        if not isinstance(result, pyoxigraph.QueryBoolean):
            list(result)
    except (SyntaxError, OSError, RuntimeError):
        pass
    return listener.connections > before


@pytest.mark.parametrize("form", list(written_forms("http://h")))
def test_every_written_form_of_service_is_found(listener: CountingListener, form: str) -> None:
    query = written_forms(listener.base)[form]
    assert outline(query).services, f"{form}: the lexer missed the SERVICE in {query!r}"
    if form != "variable endpoint":
        assert engine_connects(listener, query), f"{form}: not a call the engine makes"


def test_service_in_strings_comments_iris_and_names_is_no_call() -> None:
    for query in (
        "SELECT * { ?s ?p 'SERVICE <http://e/> {}' }",
        'SELECT * { ?s ?p """SERVICE\n<http://e/> {}""" }',
        "SELECT * { ?s ?p ?o } # SERVICE <http://e/> {}",
        "SELECT * { ?s <http://x/SERVICE> ?service }",
        "PREFIX iacai: <https://w3id.org/iacai/ontology#> SELECT * { ?s iacai:publicService ?o }",
        "SELECT * { _:service ?p ?o }",
        "SELECT * { ?s ?p 'x'@service }",
    ):
        assert outline(query).services == (), query


SEPARATORS = st.sampled_from(["", " ", "\t", "\n", "\r", "\r\n", "#c\r", "#c\n", "#\r#\n"])
BEFORE = st.sampled_from(
    [
        "?s ?p ?o .",
        "?s ?p true",
        "?s ?p 1e3",
        "?s ?p 1.5E-2",
        "?s ?p 'a\\'b'",
        '?s ?p "a\\"b"',
        "?s ?p '''a''b'''",
        '?s ?p """a""b"""',
        "?s ?p 'x'@en",
        "?s ?p '1'^^<http://www.w3.org/2001/XMLSchema#integer>",
        "?s <http://x/a\\u0023b> ?o",
        "?s x:a\\# ?o",
        "?s x:a\\' ?o",
        "?s x:a%20b ?o",
        "FILTER(1<2)",
        "BIND(1 AS ?x)",
        "",
    ]
)
KEYWORD = st.sampled_from(["SERVICE", "service", "Service", "SERVICE SILENT", "SERVICESILENT"])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    before=BEFORE,
    gap1=SEPARATORS,
    keyword=KEYWORD,
    gap2=SEPARATORS,
    endpoint=st.sampled_from(["iri", "e:", ":"]),
)
def test_generated_calls_the_engine_makes_are_all_found(
    listener: CountingListener, before: str, gap1: str, keyword: str, gap2: str, endpoint: str
) -> None:
    iri = {"iri": f"<{listener.base}/sparql>", "e:": "e:sparql", ":": ":sparql"}[endpoint]
    query = (
        f"PREFIX x: <http://x/> PREFIX e: <{listener.base}/> PREFIX : <{listener.base}/> "
        f"SELECT * WHERE {{ {before}{gap1}{keyword}{gap2}{iri} {{ ?a ?b ?c }} }}"
    )
    note(repr(query))
    if engine_connects(listener, query):
        assert outline(query).services, f"the lexer missed a call the engine made: {query!r}"


@pytest.mark.parametrize(
    ("query", "services", "nesting"),
    [
        ("SELECT * { SERVICE #c\r SILENT #c\n <http://e/> { ?s ?p ?o } }", ("<http://e/>",), 2),
        ("SELECT * { SERVICE silent ?e { ?s ?p ?o } }", ("?e",), 2),
        ("SELECT * { SERVICE 'e' { ?s ?p ?o } }", ("'e'",), 2),
        ("SELECT * { SERVICE SILENT SILENT x:e { ?s ?p ?o } }", ("x:e",), 2),
        ("SELECT * { SERVICE { ?s ?p ?o } }", ("{",), 1),  # the endpoint, not a group
        ("SELECT * { SERVICE SERVICE <http://e/> {} }", ("SERVICE",), 2),
        ("SELECT * { ?service x:service ?o } # SERVICE <http://e/>", (), 1),
        ("SELECT * { ?s ?p ?o SERVICE #c", ("",), 1),
    ],
)
def test_the_token_after_service_is_its_endpoint(
    query: str, services: tuple[str, ...], nesting: int
) -> None:
    """Whatever its kind, the next token (past comments and SILENT) is the endpoint, read once."""
    read = outline(query)
    assert (read.services, read.nesting, read.form) == (services, nesting, "SELECT")


FRAGMENTS = st.sampled_from(
    [
        *["SELECT", "ASK", "WHERE", "FROM", "SERVICE", "\u017fervice", "NOW", "x:a", ":", "a.b"],
        *"(){}[]<>\"'?$@\\#:.%;\u00e9\u0663\u00b2\r\n\t ",
        *["\\u0041", "\\\n", "%2", "1e3", "x:a\\#", "'{'", '"(["', "'''{'''", '"""a""b"""'],
        *["#{\r", "#(\n", "<a{b>", "<http://x/a>", "@en"],
    ]
)
"""Pieces of queries: code, and strings, IRIs and comments holding what looks like code."""


@settings(max_examples=300, deadline=None)
@given(st.lists(FRAGMENTS, max_size=30).map("".join))
def test_names_and_brackets_are_those_of_the_stream_of_every_token(query: str) -> None:
    """The outline steps over strings, IRIs and comments as the stream of every token reads them."""
    code = [(m.lastgroup, m.group(), m.start()) for m in _TOKENS.finditer(query)
            if m.lastgroup in ("name", "open", "close")]
    read = [(m.lastgroup, m[m.lastgroup], m.start(m.lastgroup))
            for m in _CODE_TOKENS.finditer(query) if m.lastgroup is not None]
    assert read == code


@pytest.mark.parametrize("run", [" " * 200_000 + ".", "a " + " " * 200_000, "<" * 100_000])
def test_long_runs_are_read_in_linear_time(run: str) -> None:
    """A run the tokens skip costs its length once, not once for each offset in it."""
    started = time.perf_counter()
    outline(run)
    where_group_start(run)
    assert time.perf_counter() - started < 2, "quadratic scanning"
