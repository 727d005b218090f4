"""The second review (docs/examples/my-review.ttl, AI in healthcare) and what it holds.

Invented for docs/reuse.md and these tests: 5 challenges, 4 benefits, 2 categories of each,
3 sources with title and year, each link stated in one direction only.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from iacai.dataset import FILE_GRAPHS

REPOSITORY = Path(__file__).resolve().parents[2]
REVIEW = REPOSITORY / "docs" / "examples" / "my-review.ttl"
REVIEW_BASE = "https://example.org/ai-health/"
REVIEW_COUNTS = {"Challenge": 5, "Benefit": 4, "ChallengeCategory": 2, "BenefitCategory": 2,
                 "Source": 3}
ESSAY_COUNTS = {"Challenge": 15, "Benefit": 21, "ChallengeCategory": 4, "BenefitCategory": 5}
REVIEW_GRAPH = URIRef(f"{FILE_GRAPHS}my-review")
"""The graph the review is loaded into: named after its file."""
CHALLENGE = URIRef(f"{REVIEW_BASE}challenge/diagnostic-error")
BENEFIT = URIRef(f"{REVIEW_BASE}benefit/second-reader")
CATEGORY = URIRef(f"{REVIEW_BASE}category/clinical-risk")

NAMED_QUERY_ROWS = {
    "benefits-addressing-no-challenge": 0,
    "benefits-by-category": 4,
    "benefits-for-challenge": 2,
    "category-links": 2,
    "challenges-by-category": 5,
    "challenges-for-benefit": 2,
    "challenges-ranked-by-benefits": 5,
    "find-by-label": 1,
    "sources-with-citations": 3,
    "table-3-matrix": 5,
}
"""Rows each named query answers on the review; the others ask for the essay's own terms."""
PARAMETERS = {
    "benefits-for-challenge": {"challenge": str(CHALLENGE)},
    "challenges-for-benefit": {"benefit": str(BENEFIT)},
    "find-by-label": {"text": "bias"},
    "reference-by-position": {"position": "1"},
}


