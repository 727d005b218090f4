"""A query's syntax checked by the engine's own parser without running the query, and a parse
error said the one way the protocol says it (line and column, then what the engine expected).

The query page needs it: a browser (or a crawler, or a reader without JavaScript) that opens
/sparql?query=... with a query that does not parse gets a 400 page showing the error, not an
editor that only shows it once a script has run the query. pyoxigraph exposes no parser; a
SELECT, CONSTRUCT or DESCRIBE handed to an empty store is parsed at once and evaluated only when
read, which this never does. An ASK is evaluated at once, so it is parsed as the CONSTRUCT with an
empty template that has the same grammar after its keyword, written so that every line and
column after the keyword stay where they were.
"""

from __future__ import annotations

import re
from typing import Final

from pyoxigraph import Store

from iacai.namespaces import PREFIXES
from iacai.query_lexer import QueryOutline, undeclared_prefix

_POSITION: Final = re.compile(r"^error at (\d+):(\d+):\s*")
_ASK: Final = "ASK"
_AS_CONSTRUCT: Final = "CONSTRUCT{}\n"


def syntax_message(text: str, engine_message: str, moved_lines: int = 0) -> str:
    """The engine's parse error ('error at 3:17: ...') as the 400 says it:
    'Syntax error in the query: line 3, column 17: ...'; for a prefix the query uses without
    declaring it, where it stands and what to do, in place of the engine's words (a list of
    every character it expected, or a keyword further on)."""
    undeclared = undeclared_prefix(text, PREFIXES)
    if undeclared is not None:
        prefix, offset = undeclared
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return (
            f"Syntax error in the query: line {line}, column {column}: the prefix '{prefix}:' "
            f"is not declared. Declare it (PREFIX {prefix}: <...>) or use one this endpoint "
            f"declares for every query: {', '.join(f'{name}:' for name in PREFIXES)}."
        )
    match = _POSITION.match(engine_message)
    if not match:
        return f"Syntax error in the query: {engine_message}"
    line = int(match[1]) - moved_lines
    return (f"Syntax error in the query: line {line}, column {match[2]}: "
            f"{engine_message[match.end():]}")


def syntax_error(text: str, outline: QueryOutline) -> str | None:
    """What is wrong with the query's syntax, or None when the engine parses it."""
    parsed, keyword_line = text, None
    start = outline.form_start
    if outline.form == _ASK and start is not None and text[start:start + 3].upper() == _ASK:
        line_start = text.rfind("\n", 0, start) + 1
        keyword_line = text.count("\n", 0, start) + 1
        padding = " " * (start + len(_ASK) - line_start)
        parsed = text[:start] + _AS_CONSTRUCT + padding + text[start + len(_ASK):]
    try:
        Store().query(parsed, prefixes=dict(PREFIXES))
    except SyntaxError as error:
        return syntax_message(text, str(error), _moved_lines(str(error), keyword_line))
    except Exception:  # not a parse error: the engine says it when the query is run
        return None
    return None


def _moved_lines(engine_message: str, keyword_line: int | None) -> int:
    """1 when the error stands after the ASK keyword's line break added for parsing, else 0."""
    match = _POSITION.match(engine_message)
    return 1 if keyword_line is not None and match and int(match[1]) > keyword_line else 0
