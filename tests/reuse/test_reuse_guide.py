"""The review passes as a reuser would take it: the guide's examples and commands, broken variants.

docs/reuse.md is run as written: its Python examples as doctests, its `$ iacai ...` lines as
commands. Each broken variant of the review must be caught, on the resource at fault, with a
message that speaks of reviews rather than of the essay's tables.
"""

from __future__ import annotations

import doctest
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from second_review import REPOSITORY, REVIEW, REVIEW_BASE

import iacai


def guide_commands() -> list[str]:
    """Every `$ iacai ...` line of the guide's console blocks."""
    text = (REPOSITORY / "docs" / "reuse.md").read_text(encoding="utf-8")
    return [line[2:] for line in text.splitlines() if line.startswith("$ iacai ")]


@pytest.mark.parametrize("line", guide_commands())
def test_the_guide_commands_run(line: str, tmp_path: Path) -> None:
    example = tmp_path / "docs" / "examples" / REVIEW.name
    example.parent.mkdir(parents=True)
    example.write_bytes(REVIEW.read_bytes())
    done = subprocess.run([sys.executable, "-m", "iacai.cli", *shlex.split(line)[1:]],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    written = [tmp_path / a for a in shlex.split(line) if a.startswith("my-review.")]
    assert all(path.stat().st_size > 0 for path in written)


def test_the_reuse_guide_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    failures, tried = doctest.testfile(
        str(REPOSITORY / "docs" / "reuse.md"), module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
    )
    assert tried >= 5 and failures == 0


BROKEN = {
    "a benefit addressing a category": (
        "", "<benefit/audit-trails> iacai:addresses <category/operations> .",
        "benefit/audit-trails",
    ),
    "a challenge without a category": (
        "iacai:hasMember <challenge/diagnostic-error>, <challenge/automation-bias> .",
        "iacai:hasMember <challenge/diagnostic-error> .", "challenge/automation-bias",
    ),
    "a challenge in a benefit category": (
        "", "<challenge/patient-consent> iacai:hasCategory <category/operations> .",
        "challenge/patient-consent",
    ),
    "a label missing": ('rdfs:label "Automation bias"@en ;', "", "challenge/automation-bias"),
    "a bad year": ('"2021"^^xsd:gYear', '"last year"^^xsd:gYear', "source/okafor-2021"),
    "a dangling IRI": (
        "iacai:supportedBy <source/moreau-2020> .\n\n<challenge/re-identification>",
        "iacai:supportedBy <source/nobody-2019> .\n\n<challenge/re-identification>",
        "challenge/fragmented-records",
    ),
}
"""Broken variants of the review: (text replaced, its replacement, the resource that is wrong)."""


@pytest.mark.parametrize("variant", sorted(BROKEN))
def test_a_broken_review_is_caught_with_a_message_about_reviews(
    variant: str, tmp_path: Path
) -> None:
    old, new, wrong = BROKEN[variant]
    text = REVIEW.read_text(encoding="utf-8")
    assert old in text
    broken = tmp_path / "broken.ttl"
    broken.write_text(text.replace(old, new) if old else f"{text}\n{new}\n", encoding="utf-8")
    report = iacai.validate(iacai.load(broken))
    about = [v for v in report.violations if v.focus_node == f"{REVIEW_BASE}{wrong}"]
    assert about, report.to_text()
    for violation in about:
        assert violation.message and not any(
            word in violation.message for word in ("Table 1", "Table 2", "Table 3", "essay")
        ), violation.message
