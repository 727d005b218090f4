"""The home page's "The data served" table tells the truth (issue 11 trial): every graph with
what it holds from its own metadata, the challenges and benefits each speaks of (Table 3's
graph types none but marks them), and triples that add up to the figures' total, ontology too."""

from __future__ import annotations

import re

import httpx
from answer_sections import parsed, text

_NS = "{http://www.w3.org/1999/xhtml}"


def test_every_graph_is_described_counted_and_adds_up(client: httpx.Client) -> None:
    page = client.get("/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    document = parsed(page.text)
    table = document.find(f".//{_NS}table[@class='datasets']")
    assert table is not None
    body = table.find(f"{_NS}tbody")
    assert body is not None
    rows = [[text(cell) for cell in row] for row in body.iter(f"{_NS}tr") if len(row) == 5]
    by_title = {row[0]: row for row in rows}
    assert len(rows) == 7, list(by_title)  # six data graphs, the ontology's three in one
    assert all(row[1] for row in rows), [row[0] for row in rows if not row[1]]
    table_3 = next(row for title, row in by_title.items() if title.startswith("Table 3"))
    assert table_3[3:] == ["15", "13"]  # 8 of Table 2's 21 benefits have no mark
    table_1 = next(row for title, row in by_title.items() if title.startswith("Table 1"))
    assert table_1[3:] == ["15", "0"]
    total = int(re.search(r"<dt>Triples</dt><dd>(\d+)</dd>", page.text).group(1))  # type: ignore[union-attr]
    assert sum(int(row[2]) for row in rows) == total
    assert "(3 graphs: the core and its modules)" in page.text
