"""Full-text search over a graph's texts: an SQLite FTS5 index, ranked, blind to case and accents.

The index is built from rows (resource, type, field, text), which the service reads from its
store with `queries/internal/search-documents.rq`. Texts and queries are folded the same way
(lower case, accents and letters such as the dotless i and `ø` reduced to ASCII, as the IRIs'
slugs are), so `natalia` finds `Natália` and `sirmacek` finds Sirmaçek with a dotless i. Ranking
is FTS5's BM25, a label match weighing most. A query that finds nothing is tried again with each
word cut to a stem-like prefix, so `transparência` still finds `Transparency`.
"""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

FIELDS: Final = ("label", "title", "author", "definition", "reference", "note")
"""The indexed fields, in the order of their weight in the ranking."""
_WEIGHTS: Final = (10.0, 6.0, 4.0, 2.0, 1.5, 1.0)
_LETTERS: Final = str.maketrans({"\u0131": "i", "ø": "o", "ł": "l", "đ": "d", "ß": "ss", "æ": "ae",
                                 "œ": "oe", "þ": "th"})
_WORD: Final = re.compile(r"\w+")
_MOST_WORDS: Final = 12
"""Words of a query beyond these are ignored: a search box, not a document."""


def fold(text: str) -> str:
    """Lower case, accents removed, special letters spelt in ASCII."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass(frozen=True)
class SearchRow:
    """One text of one resource: what the internal search query answers, row by row."""

    item: str
    type: str
    field: str
    value: str


@dataclass(frozen=True)
class Hit:
    """A resource found: its IRI, kinds, label, and the text that matched."""

    iri: str
    types: tuple[str, ...]
    label: str
    excerpt: str


class SearchIndex:
    """An in-memory FTS5 index of resources, one document per resource."""

    def __init__(self, rows: Iterable[SearchRow]) -> None:
        texts: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
        types: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            if row.field in FIELDS and row.value not in texts[row.item][row.field]:
                texts[row.item][row.field].append(row.value)
            types[row.item].add(row.type)
        self._documents = [
            (iri, tuple(sorted(types[iri])), fields) for iri, fields in sorted(texts.items())
        ]
        self._database = sqlite3.connect(":memory:", check_same_thread=False)
        columns = ", ".join(FIELDS)
        self._database.execute(f"CREATE VIRTUAL TABLE documents USING fts5({columns})")
        self._database.executemany(
            f"INSERT INTO documents (rowid, {columns}) VALUES (?{', ?' * len(FIELDS)})",  # noqa: S608
            (
                (number, *(fold(" ".join(fields.get(name, []))) for name in FIELDS))
                for number, (_, _, fields) in enumerate(self._documents)
            ),
        )

    def __len__(self) -> int:
        return len(self._documents)

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        """The best matches for the words of `query`, best first; [] when it has no words."""
        words = _WORD.findall(fold(query))[:_MOST_WORDS]
        if not words:
            return []
        hits = self._matching(words, limit)
        if not hits:
            hits = self._matching([_stem(word) for word in words], limit)
        return hits

    def _matching(self, words: Sequence[str], limit: int) -> list[Hit]:
        expression = " ".join(f'"{word}"*' for word in words)
        weights = ", ".join(str(weight) for weight in _WEIGHTS)
        found = self._database.execute(
            f"SELECT rowid FROM documents WHERE documents MATCH ? "  # noqa: S608 (weights are ours)
            f"ORDER BY bm25(documents, {weights}) LIMIT ?",
            (expression, limit),
        ).fetchall()
        return [self._hit(rowid, words) for (rowid,) in found]

    def _hit(self, rowid: int, words: Sequence[str]) -> Hit:
        iri, types, fields = self._documents[rowid]
        labels = fields.get("label") or fields.get("title") or [iri]
        excerpt = ""
        for name in FIELDS[1:]:
            for text in fields.get(name, []):
                if any(word in fold(text) for word in words):
                    excerpt = text
                    break
            if excerpt:
                break
        return Hit(iri, types, labels[0], _shortened(excerpt))


def _stem(word: str) -> str:
    """A prefix that survives inflection and spelling across languages (transparência)."""
    return word if len(word) <= 5 else word[: max(5, len(word) - 3)]


def _shortened(text: str, most: int = 240) -> str:
    return text if len(text) <= most else text[: most - 1].rsplit(" ", 1)[0] + "…"
