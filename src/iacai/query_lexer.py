"""What a query is, read lexically before the engine sees it: form, nesting depth, SERVICE calls.

One regular-expression pass that skips strings, IRIs and comments, so that `"SERVICE"` in a
literal or `<http://x/(>` in an IRI count for nothing. It lets the protocol layer refuse updates,
federated calls and parser-crashing nesting, and pick the answer formats, without parsing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_PROLOGUE = frozenset({"PREFIX", "BASE"})

_TOKENS = re.compile(
    r"""
    (?P<skip>
        \#[^\n]*                                    # comment
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"         # long strings
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\n]|\\.)*"                         # short strings
      | '(?:[^'\\\n]|\\.)*'
      | [?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+   # variables
    )
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<name>[^\W\d][\w.-]*(?::[\w.%:-]*)?|:[\w.%:-]*)  # keyword or prefixed name
    """,
    re.VERBOSE,
)


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

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS

    @property
    def returns_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def outline(query: str) -> QueryOutline:
    """Read the form, the nesting depth and the SERVICE endpoints of a query."""
    form: str | None = None
    depth = deepest = 0
    services: list[str] = []
    after_service = False
    declares_dataset = False
    for match in _TOKENS.finditer(query):
        kind = match.lastgroup
        text = match.group()
        if after_service:
            if kind != "name" or text.upper() != "SILENT":
                services.append(text)
                after_service = False
            continue
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth -= 1
        elif kind == "name":
            keyword = text.upper()
            if form is None and keyword not in _PROLOGUE and ":" not in text:
                form = keyword
            after_service = keyword == "SERVICE"
            declares_dataset = declares_dataset or keyword == "FROM"
    return QueryOutline(form, deepest, tuple(services), declares_dataset)


def where_group_start(query: str) -> int | None:
    """The offset just inside the `{` that opens the query's WHERE group (None if there is none).

    For CONSTRUCT the first group is the template, so the group after the WHERE keyword counts;
    for the other forms the first `{` outside any bracket does (WHERE is optional there).
    """
    form: str | None = None
    depth = 0
    after_where = False
    for match in _TOKENS.finditer(query):
        kind = match.lastgroup
        if kind == "name" and depth == 0:
            keyword = match.group().upper()
            if form is None and keyword not in _PROLOGUE and ":" not in keyword:
                form = keyword
            after_where = after_where or keyword == "WHERE"
        elif kind == "open":
            if depth == 0 and match.group() == "{" and (form != "CONSTRUCT" or after_where):
                return match.end()
            depth += 1
        elif kind == "close":
            depth -= 1
    return None
