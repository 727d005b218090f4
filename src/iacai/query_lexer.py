"""What a query is, read from the SPARQL grammar's own terminals before the engine sees it.

Form, nesting depth, SERVICE calls and calls of functions whose value changes at each
evaluation. The tokens follow the terminals of the SPARQL 1.1 grammar (section 19.8) as the
engine (Oxigraph) reads them: a comment ends at a carriage return or a line feed; strings of all
four kinds hold escapes; an IRI may hold `\\u` escapes; a prefixed name's local part may hold
`\\#`, `\\'` and `%20`; keywords are matched ignoring ASCII case only, and `\\u` escapes do not
spell keywords (the engine expands them only inside IRIs and strings). Where two readings are
possible the scanner takes the one that shows more of the query as code, so that a SERVICE is
never hidden from it. tests/test_query_lexer.py checks each rule against the engine.

It runs on every new query text, so the regex engine steps over what the outline ignores
(strings, variables, IRIs, comments) inside the match of the next name or bracket, and only a
SERVICE's endpoint, which may be a token of any kind, is read from the stream of every token.

Why not a full parser: pyoxigraph does not expose its parser, and another one (rdflib's) reads
the text differently from the engine (it ends a comment at a line feed only, and expands `\\u`
escapes everywhere), which is exactly what an attacker uses; it also costs 20-550 ms a query.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_NONDETERMINISTIC = ("NOW", "RAND", "UUID", "BNODE")
"""Functions whose value differs at each evaluation (STRUUID ends as UUID does): such an answer
is never cached. A name that ends with one counts: the engine needs no space before a keyword."""
_PROLOGUE = frozenset({"PREFIX", "BASE"})

_NAME_CHARS = r"\w\-\u00b7\u0300-\u036f\u203f-\u2040"
_NAME_CHAR = rf"[{_NAME_CHARS}]"
_LOCAL_ESCAPE = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_CHAR = rf"(?:{_NAME_CHAR}|:|{_LOCAL_ESCAPE})"
_COMMENT = r"\#[^\r\n]*"  # to a CR or an LF
# Runs (`++`, `*+`) give back no character once taken, which changes no token: what ends a
# string or an IRI never starts one of its runs, and nothing follows a name.
_SKIPPED = r"""
        \"\"\"(?:(?:"|"")?(?:[^"\\]|\\[\s\S]))*\"\"\"    # long strings
      | '''(?:(?:'|'')?(?:[^'\\]|\\[\s\S]))*'''
      | "(?:[^"\\\r\n]++|\\[^\r\n])*+"                    # short strings
      | '(?:[^'\\\r\n]++|\\[^\r\n])*+'
      | [?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+        # variables
      | @[A-Za-z]+(?:-[A-Za-z0-9]+)*                     # language tags
      | \\[\s\S]                                         # a stray escape: never a string start
"""
_IRI = r"""<(?:[^<>"{}|^`\\\x00-\x20]++|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*+>"""
_NAME = rf"""                                            # keyword or prefixed name
        [^\W\d](?:{_NAME_CHAR}++|\.(?={_NAME_CHAR}))*+
        (?::(?:[{_NAME_CHARS}:]++|{_LOCAL_ESCAPE}|\.(?={_LOCAL_CHAR}))*+)?
      | :(?:[{_NAME_CHARS}:]++|{_LOCAL_ESCAPE}|\.(?={_LOCAL_CHAR}))*+
"""
_CODE = rf"(?P<name>{_NAME}) | (?P<open>[({{\[]) | (?P<close>[)}}\]])"
_TOKENS = re.compile(
    rf"(?P<comment>{_COMMENT}) | (?P<skip>{_SKIPPED}) | (?P<iri>{_IRI}) | {_CODE}", re.VERBOSE
)
"""Every token, for a text where SERVICE may be followed by a token of any kind.

Each kind starts with characters of its own, so at an offset at most one kind matches."""
_CODE_TOKENS = re.compile(
    rf"""
    (?:
        [^\w\#"'?$@\\<(){{}}\[\]:]+ | \d+                  # characters that start no token
      | {_SKIPPED} | {_IRI} | {_COMMENT}
      | [<"'?$@\\]                                       # a token's start with no token: move on
    )*+
    (?:{_CODE})?
    """,
    re.VERBOSE,
)
"""The names and brackets of `_TOKENS`' stream, each matched with all that comes before it.

The possessive run steps over what `_TOKENS` skips or reads as another kind, as it reads it (the
kinds' first characters differ), so that the regex engine does not try every kind again at each
space, and the loop sees only what it reads. It stops only before a name, a bracket or the end:
the last match, at the end, holds no token."""


@dataclass(frozen=True)
class QueryOutline:
    """The lexical facts the protocol layer decides on."""

    form: str | None
    """SELECT, ASK, CONSTRUCT, DESCRIBE, an update keyword, or None when none was found."""
    nesting: int
    """The deepest nesting of brackets of any kind."""
    services: tuple[str, ...]
    """The endpoint of each SERVICE: an <IRI>, a prefixed name or a variable, as written."""
    declares_dataset: bool
    """Whether the query names its own dataset with FROM or FROM NAMED."""
    nondeterministic: bool = False
    """Whether it calls NOW, RAND, UUID, STRUUID or BNODE (its answer changes every time)."""
    form_start: int | None = None
    """Where the form keyword starts in the text (None with the form)."""

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def outline(query: str) -> QueryOutline:
    """Read the form, the nesting depth, the SERVICE endpoints and the changing functions."""
    form: str | None = None
    form_start: int | None = None
    depth = deepest = 0
    services: list[str] = []
    read_to = 0  # the end of the tokens `_endpoint` read: not read again
    declares_dataset = nondeterministic = False
    # str.upper maps each character on its own, so the upper case of a name is part of the
    # text's: with no SERVICE there, no name holds one.
    may_call = "SERVICE" in query.upper()
    for match in _CODE_TOKENS.finditer(query):
        kind = match.lastgroup
        if read_to and kind is not None and match.start(kind) < read_to:
            continue
        if kind == "name":
            text = match.group(kind)
            if may_call and (glued := _after_service_keyword(text)) is not None:
                endpoint, read_to = (glued, read_to) if glued else _endpoint(query, match.end())
                services.append(endpoint)
            if (keyword := _keyword(text)) is not None:
                if form is None and keyword not in _PROLOGUE:
                    form, form_start = keyword, match.start(kind)
                declares_dataset = declares_dataset or keyword == "FROM"
                nondeterministic = nondeterministic or keyword.endswith(_NONDETERMINISTIC)
        elif kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth -= 1
    return QueryOutline(
        form, deepest, tuple(services), declares_dataset, nondeterministic, form_start
    )


def undeclared_prefix(query: str, declared: Iterable[str]) -> tuple[str, int] | None:
    """The first prefixed name whose prefix neither the query's PREFIX lines nor `declared`
    (the prefixes the service declares for every query) declare: its prefix and offset.

    Read from the tokens as the engine reads them, so that a name-like text in a string, an IRI
    or a comment is not taken for one. Only for a query the engine refused: it names the cause
    the engine's own message hides (the engine lists every character it expected)."""
    known = set(declared)
    after_prefix = False
    for match in _TOKENS.finditer(query):
        if match.lastgroup != "name":
            continue
        name = match.group()
        prefix, colon, _ = name.partition(":")
        if after_prefix:
            known.add(prefix)
        elif colon and prefix not in known:
            return prefix, match.start()
        after_prefix = _keyword(name) == "PREFIX"
    return None


def _endpoint(query: str, start: int) -> tuple[str, int]:
    """The token after a SERVICE that ends at `start` (SILENT and comments passed), and its end.

    It may be of any kind. At the very end of the query it is empty: the engine refuses that
    query, and so do we."""
    for match in _TOKENS.finditer(query, start):
        kind = match.lastgroup
        if kind != "comment" and (kind != "name" or _keyword(match.group()) != "SILENT"):
            return match.group(), match.end()
    return "", len(query)


def _keyword(name: str) -> str | None:
    """The keyword a name token spells (ASCII letters, any case, as the engine reads them)."""
    return name.upper() if name.isascii() and name.isalpha() else None


def _after_service_keyword(name: str) -> str | None:
    """What follows SERVICE (and SILENT) in a name token that holds it, else None.

    The engine needs no space around a keyword: `SERVICESILENT<...>`, `SERVICEx:e`, and
    `trueSERVICE` or `1e3SERVICE` after an object are calls. So SERVICE anywhere before a
    name's colon counts (a prefix named like `myservice:` is refused too: it is never needed).
    """
    position = name.split(":", 1)[0].upper().find("SERVICE")
    if position < 0:
        return None
    rest = name[position + 7 :]
    if rest[:6].upper() == "SILENT":
        rest = rest[6:]
    return rest


def where_group_start(query: str) -> int | None:
    """The offset just inside the `{` that opens the query's WHERE group (None if there is none).

    For CONSTRUCT the first group is the template, so the group after the WHERE keyword counts;
    for the other forms the first `{` outside any bracket does (WHERE is optional there).
    """
    form: str | None = None
    depth = 0
    after_where = False
    for match in _CODE_TOKENS.finditer(query):
        kind = match.lastgroup
        keyword = _keyword(match.group(kind)) if kind == "name" else None
        if keyword is not None and depth == 0:
            if form is None and keyword not in _PROLOGUE:
                form = keyword
            after_where = after_where or keyword == "WHERE"
        elif kind == "open":
            if depth == 0 and match.group(kind) == "{" and (form != "CONSTRUCT" or after_where):
                return match.end()
            depth += 1
        elif kind == "close":
            depth -= 1
    return None
