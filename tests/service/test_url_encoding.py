"""Query strings and form bodies read as the standard library reads them, escapes decoded in C."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl, quote, unquote_to_bytes

from iacai.service.http.url_encoding import form_items, percent_decoded

PIECES = [
    *"abcXYZ019 _-.~!*'();:@$,/?[]{}<>\"\t",
    "%", "%%", "%4", "%41", "%e2%82%ac", "%E2%82%AC", "%zz", "%2", "%0A", "%0d", "%3D", "%25",
    "%20", "%2B", "+", "=", "&", "&&", "==", "\r\n", "\n", "\r", "%\n", "%\r\n", "=\n",
]  # fmt: skip
"""Valid, broken and tricky escapes, separators, and what quoted-printable reads otherwise."""


def _random_texts(count: int) -> list[str]:
    chosen = random.Random(14)
    return ["".join(chosen.choices(PIECES, k=chosen.randint(0, 14))) for _ in range(count)]


def test_the_pairs_are_the_standard_librarys() -> None:
    for text in _random_texts(20_000):
        assert form_items(text.encode()) == parse_qsl(text, keep_blank_values=True), text


def test_escapes_decode_as_the_standard_library_decodes_them() -> None:
    for text in _random_texts(20_000):
        assert percent_decoded(text.encode()) == unquote_to_bytes(text), text


def test_a_query_sent_by_get_reads_back_whole() -> None:
    query = 'SELECT ?s WHERE { ?s rdfs:label "Viés & éxito = 100%" } # +1'
    encoded = f"query={quote(query, safe='')}&format=json".encode()
    assert form_items(encoded) == [("query", query), ("format", "json")]
