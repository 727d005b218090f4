"""A remote SPARQL 1.1 store, queried through the standard protocol, answering as embedded ones do.

The query is first parsed here by pyoxigraph (on an empty store), so a syntax error reads the
same whichever store serves, and so the answer's form and variables are known. It is then sent
as an HTML form POST with the protocol's dataset parameters, its answer asked for as SPARQL XML
results (Virtuoso's JSON has non-standard `typed-literal` terms) or as N-Triples, and parsed
back into pyoxigraph terms, which the worker then writes as it writes an embedded store's.

What is normalised, so every store gives the same answer (docs/deploy.md lists it for users):
- the default graph is the union of the knowledge graph's named graphs and nothing else (an
  engine's own system graphs stay out): their names go as `default-graph-uri`/`named-graph-uri`;
- prefixes the service predeclares are sent as PREFIX lines;
- named-query parameters, which remote engines cannot bind as SEP-0007 substitutions, are sent
  as a VALUES block of N-Triples terms at the start of the WHERE group (never as text);
- the variables of SELECT come in the order the embedded engine gives them;
- blank-node labels (Virtuoso's `nodeID://b10001` is not a valid label) are rewritten to labels
  derived from them, the same in every process.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Generator, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
    parse_query_results,
)

from iacai.query_lexer import where_group_start

USER_VARIABLE = "IACAI_REMOTE_USER"
PASSWORD_VARIABLE = "IACAI_REMOTE_PASSWORD"  # noqa: S105 (the variable's name, not a password)
RESULTS_XML = "application/sparql-results+xml"
N_TRIPLES = "application/n-triples"
CONNECT_TIMEOUT = 5.0
STORE_GRACE = 1.0
"""Seconds past the service's own timeout at which the store is asked to stop the query itself:
the service gives up first (and replaces the worker); the store then frees its CPU soon after,
instead of running an abandoned query to its own limit (Virtuoso's default is minutes)."""
PARTIAL_ANSWER_STATE = "S1TAT"
"""Virtuoso's `X-SQL-State` when a query stopped at its timeout and the answer is incomplete."""
_BNODE = re.compile(rb"<bnode>([^<]*)</bnode>")


class RemoteStoreError(Exception):
    """The remote store is down or answered badly (status 502), or too slowly (504)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class RemoteSolutions:
    """A SELECT answer from the remote store: the variables and, per row, a term or None each."""

    def __init__(self, variables: Sequence[Variable], rows: Iterator[tuple[Any, ...]]) -> None:
        self.variables = list(variables)
        self._rows = rows

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return self._rows


class ChallengedAuth(httpx.Auth):
    """Digest or Basic authentication, whichever the server's first 401 challenge asks for."""

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._chosen: httpx.Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._chosen is None:
            response = yield request
            if response.status_code != 401:
                return
            challenge = response.headers.get("www-authenticate", "")
            self._chosen = self._digest if challenge.lower().startswith("digest") else self._basic
        yield from self._chosen.auth_flow(request)


def credentials(environment: Mapping[str, str] | None = None) -> httpx.Auth | None:
    """Authentication from IACAI_REMOTE_USER and IACAI_REMOTE_PASSWORD, when they are set."""
    environment = os.environ if environment is None else environment
    user = environment.get(USER_VARIABLE)
    if not user:
        return None
    return ChallengedAuth(user, environment.get(PASSWORD_VARIABLE, ""))


class RemoteStore:
    """The query side of a SPARQL 1.1 endpoint, with pyoxigraph's `Store.query` signature."""

    def __init__(
        self,
        url: str,
        graph_names: Sequence[str],
        timeout: float,
        store_timeout: float | None = None,
    ) -> None:
        """`timeout`: how long to wait for the store; `store_timeout`: when the store is asked to
        stop the query itself (by default STORE_GRACE after the service stops waiting)."""
        self.url = url
        self._graph_names = tuple(graph_names)
        self._parser = Store()
        stop_after = timeout + STORE_GRACE if store_timeout is None else store_timeout
        self._store_timeout = str(round(stop_after * 1000))
        self._http = httpx.Client(
            auth=credentials(),
            timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
        )

    def query(
        self,
        query: str,
        *,
        prefixes: Mapping[str, str] | None = None,
        default_graph: Sequence[NamedNode] | None = None,
        named_graphs: Sequence[NamedNode] | None = None,
        use_default_graph_as_union: bool = False,
        substitutions: Mapping[Variable, Any] | None = None,
    ) -> RemoteSolutions | QueryBoolean | list[Triple]:
        """Answer as the embedded store would; raises SyntaxError or RemoteStoreError."""
        parsed = self._parser.query(
            query, prefixes=dict(prefixes or {}), substitutions=dict(substitutions or {})
        )
        text = _with_prefixes(_with_bindings(query, substitutions or {}), prefixes or {})
        form: dict[str, Any] = {"query": text}
        form.update(self._dataset(default_graph, named_graphs, use_default_graph_as_union))
        if isinstance(parsed, QueryBoolean):
            return _parsed_results(self._post(form, RESULTS_XML), QueryBoolean)
        if isinstance(parsed, QuerySolutions):
            answer = _parsed_results(self._post(form, RESULTS_XML), QuerySolutions)
            names = [variable.value for variable in parsed.variables]
            return RemoteSolutions(
                parsed.variables, (tuple(row[name] for name in names) for row in answer)
            )
        body = self._post(form, N_TRIPLES)
        try:
            return [quad.triple for quad in parse(body, format=RdfFormat.N_TRIPLES)]
        except SyntaxError as error:
            raise RemoteStoreError(
                502, f"{self.url} sent N-Triples that do not parse: {error}"
            ) from None

    def graph_sizes(self, graph_names: Sequence[str]) -> dict[str, int]:
        """How many triples each of these named graphs holds in the remote store (0 if absent)."""
        listed = " ".join(f"<{name}>" for name in graph_names)
        query = (
            "SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { "
            + listed
            + " } GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        answer = _parsed_results(self._post({"query": query}, RESULTS_XML), QuerySolutions)
        sizes = dict.fromkeys(graph_names, 0)
        for row in answer:
            sizes[row["g"].value] = int(row["n"].value)
        return sizes

    def close(self) -> None:
        self._http.close()

    def _dataset(
        self,
        default_graph: Sequence[NamedNode] | None,
        named_graphs: Sequence[NamedNode] | None,
        union: bool,
    ) -> dict[str, list[str]]:
        """The protocol's dataset parameters that give the embedded store's dataset."""
        dataset: dict[str, list[str]] = {}
        if default_graph:
            dataset["default-graph-uri"] = [graph.value for graph in default_graph]
        elif union:
            dataset["default-graph-uri"] = list(self._graph_names)
        if named_graphs:
            dataset["named-graph-uri"] = [graph.value for graph in named_graphs]
        elif dataset:
            dataset["named-graph-uri"] = list(self._graph_names)
        return dataset

    def _post(self, form: dict[str, Any], accept: str) -> bytes:
        """The store's answer; `timeout` (milliseconds, as Virtuoso and Stardog read it; a store
        reading seconds waits longer, others ignore it) makes the store stop an abandoned query."""
        form = {**form, "timeout": self._store_timeout}
        try:
            response = self._http.post(self.url, data=form, headers={"Accept": accept})
        except httpx.TimeoutException:
            raise RemoteStoreError(
                504, f"The SPARQL store at {self.url} did not answer in time."
            ) from None
        except httpx.HTTPError as error:
            raise RemoteStoreError(
                502, f"The SPARQL store at {self.url} cannot be reached: {error or type(error)}."
            ) from None
        if response.status_code != 200:
            detail = response.text.strip()[:500]
            raise RemoteStoreError(
                502,
                f"The SPARQL store at {self.url} answered {response.status_code}: {detail}",
            )
        if response.headers.get("x-sql-state") == PARTIAL_ANSWER_STATE:
            raise RemoteStoreError(
                504,
                f"Query timeout reached: the SPARQL store at {self.url} stopped the query at its "
                "timeout and sent an incomplete answer, which is not passed on.",
            )
        return response.content


_Answer = TypeVar("_Answer", QuerySolutions, QueryBoolean)


def _parsed_results(body: bytes, form: type[_Answer]) -> _Answer:
    """The results of the form the query asked for (solutions or a boolean), or 502."""
    try:
        answer = parse_query_results(_BNODE.sub(_stable_label, body), format=QueryResultsFormat.XML)
    except SyntaxError as error:
        raise RemoteStoreError(
            502, f"The SPARQL store sent results that do not parse: {error}"
        ) from None
    if not isinstance(answer, form):
        raise RemoteStoreError(
            502,
            f"The SPARQL store answered {type(answer).__name__}, not {form.__name__}.",
        )
    return answer


def _stable_label(match: re.Match[bytes]) -> bytes:
    """A valid blank-node label derived from the remote one (the same in every process)."""
    return b"<bnode>r" + hashlib.sha256(match[1]).hexdigest()[:24].encode() + b"</bnode>"


def _with_bindings(query: str, substitutions: Mapping[Variable, Any]) -> str:
    """The query with each bound variable given its term by a VALUES block opening the WHERE."""
    if not substitutions:
        return query
    start = where_group_start(query)
    if start is None:
        raise SyntaxError("cannot find the WHERE group to bind the parameters in")
    names = " ".join(str(variable) for variable in substitutions)
    terms = " ".join(str(term) for term in substitutions.values())
    return f"{query[:start]} VALUES ({names}) {{ ({terms}) }} {query[start:]}"


def _with_prefixes(query: str, prefixes: Mapping[str, str]) -> str:
    """PREFIX lines for the predeclared prefixes the query does not declare itself."""
    missing = [
        f"PREFIX {name}: <{iri}>"
        for name, iri in prefixes.items()
        if not re.search(rf"PREFIX\s+{re.escape(name)}\s*:", query, re.IGNORECASE)
    ]
    return "\n".join([*missing, query]) if missing else query
