"""pyoxigraph's writers, typed as what they return when asked for bytes.

pyoxigraph's stubs give each `serialize` the one return type `bytes | None` (None when it writes
to a file); asked for no file, it returns bytes, which these functions state once for every caller.
Imports only pyoxigraph, so the query workers use it too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from pyoxigraph import (
    Quad,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Triple,
    serialize,
)


def rdf_bytes(
    statements: Iterable[Triple] | Iterable[Quad],
    format: RdfFormat,
    prefixes: Mapping[str, str] | None = None,
) -> bytes:
    """Triples or quads in an RDF format."""
    return _written(
        serialize(statements, format=format, prefixes=None if prefixes is None else dict(prefixes))
    )


def results_bytes(results: QuerySolutions | QueryBoolean, format: QueryResultsFormat) -> bytes:
    """A SELECT or ASK answer in a SPARQL results format."""
    return _written(results.serialize(format=format))


def _written(written: bytes | None) -> bytes:
    if written is None:
        raise TypeError("pyoxigraph returned no bytes although no output file was given")
    return written
