"""The matrix of any review served: the essay's, and the second review's (docs/examples/
my-review.ttl, which gives no row or column order). The SVG is well-formed XML, names every
category, challenge and benefit, and no text reaches past the picture (each text's extent
estimated from its length, position, anchor and rotation); each mark, in the SVG and on the page,
names its benefit, its challenge and both their sources.
"""

from __future__ import annotations

import html
import math
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from live_service import RunningService, free_port, serve_in_thread

from iacai.dataset import load_data
from iacai.service.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "reuse"))
from second_review import REVIEW

SVG = "{http://www.w3.org/2000/svg}"
CHARACTER_EM = 0.6
"""A sans-serif character's width at most, on average over a label (in em)."""
ASCENT_EM, DESCENT_EM = 0.75, 0.22
_PLACED = re.compile(r"translate\(([-\d.]+),([-\d.]+)\)\s*rotate\(([-\d.]+)\)")
_TIP = re.compile(r'<span class="tip">(.*?)</span></a>', re.S)
PAIRS = """
PREFIX iacai: <https://w3id.org/iacai/ontology#>
SELECT ?benefit ?challenge ?benefitSource ?challengeSource WHERE {
  ?b iacai:addresses ?c ; rdfs:label ?benefit ; iacai:supportedBy/rdfs:label ?benefitSource .
  ?c rdfs:label ?challenge ; iacai:supportedBy/rdfs:label ?challengeSource .
}"""
LABELS = """
PREFIX iacai: <https://w3id.org/iacai/ontology#>
SELECT DISTINCT ?label WHERE {
  VALUES ?kind { iacai:Challenge iacai:Benefit iacai:ChallengeCategory iacai:BenefitCategory }
  ?item a ?kind ; rdfs:label ?label .
}"""


@pytest.fixture(scope="module")
def review_service() -> Iterator[RunningService]:
    yield from serve_in_thread(Settings(port=free_port(), query_workers=1), load_data([REVIEW]))


@pytest.fixture(params=["essay", "second review"])
def served(request: pytest.FixtureRequest) -> RunningService:
    name = "pages_service" if request.param == "essay" else "review_service"
    service: RunningService = request.getfixturevalue(name)
    return service


def _select(http: httpx.Client, query: str) -> list[dict[str, str]]:
    answer = http.get("/sparql", params={"query": query},
                      headers={"Accept": "application/sparql-results+json"})
    assert answer.status_code == 200, answer.text
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def _extent(text: ET.Element, size: float) -> list[tuple[float, float]]:
    """The corners of the box a text estimatedly covers, in the picture's coordinates."""
    width = len(text.text or "") * CHARACTER_EM * size
    start = {"middle": -width / 2, "end": -width}.get(text.get("text-anchor", "start"), 0.0)
    x, y = float(text.get("x", 0)), float(text.get("y", 0))
    placed = _PLACED.fullmatch(text.get("transform", "translate(0,0) rotate(0)"))
    assert placed, text.get("transform")
    dx, dy, angle = (float(v) for v in placed.groups())
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    return [
        (dx + (x + u) * cos - (y + v) * sin, dy + (x + u) * sin + (y + v) * cos)
        for u in (start, start + width) for v in (-ASCENT_EM * size, DESCENT_EM * size)
    ]


def test_the_svg_names_everything_and_no_text_leaves_it(served: RunningService) -> None:
    with served.client() as http:
        answer = http.get("/matrix.svg")
        labels = {row["label"] for row in _select(http, LABELS)}
        pairs = _select(http, PAIRS)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("image/svg")
    svg = ET.fromstring(answer.text)  # noqa: S314 (our own answer: well-formed, labels escaped)
    width, height = (float(v) for v in svg.get("viewBox", "").split()[2:])
    size = float(svg.get("font-size", 0))
    texts = list(svg.iter(f"{SVG}text"))
    outside = [t.text for t in texts
               if any(not (0 <= x <= width and 0 <= y <= height) for x, y in _extent(t, size))]
    assert outside == []
    shown = " | ".join(t.text or "" for t in texts)
    assert labels and not [label for label in labels if label not in shown]
    linked = (a.findtext(f"{SVG}title") or "" for a in svg.iter(f"{SVG}a"))
    titles = [title for title in linked if " addresses " in title]
    assert len(titles) == len({(p["benefit"], p["challenge"]) for p in pairs})
    for pair in pairs:
        assert any(all(pair[k] in title for k in pair) for title in titles), pair


def test_each_mark_of_the_page_names_both_and_their_sources(served: RunningService) -> None:
    with served.client() as http:
        page = http.get("/matrix", headers={"Accept": "text/html"})
        pairs = _select(http, PAIRS)
    assert page.status_code == 200
    tips = [html.unescape(re.sub(r"<[^>]+>", "", tip)) for tip in _TIP.findall(page.text)]
    assert len(tips) == len({(p["benefit"], p["challenge"]) for p in pairs}) > 0
    for pair in pairs:
        assert any(all(pair[k] in tip for k in pair) for tip in tips), pair
    assert all(tip.count("source") >= 2 and " addresses " in tip for tip in tips)
