"""The second review (docs/examples/my-review.ttl, AI in healthcare) and what it holds.

Invented for docs/reuse.md and these tests: 5 challenges, 4 benefits, 2 categories of each,
3 sources with title and year, each link stated in one direction only.
"""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
REVIEW = REPOSITORY / "docs" / "examples" / "my-review.ttl"
REVIEW_BASE = "https://example.org/ai-health/"
REVIEW_COUNTS = {"Challenge": 5, "Benefit": 4, "ChallengeCategory": 2, "BenefitCategory": 2,
                 "Source": 3}
ESSAY_COUNTS = {"Challenge": 15, "Benefit": 21, "ChallengeCategory": 4, "BenefitCategory": 5}
