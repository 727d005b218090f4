"""A broken file in `queries/` is reported in one line, and only by what needs the catalogue.

The parser of `iacai query` listed the named queries while every command was being set up, so
one query file with a bad header (or not UTF-8) made `iacai --version`, `validate` and all the
others end in a traceback. Here a checkout of the project with such a file is run as a user would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from iacai import resources

BAD_HEADER = "# title: Broken\n# param: who person  Not a parameter type\nSELECT ?who {}\n"
GOOD_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?c a <https://w3id.org/iacai/ontology#Challenge> }"
RUN_CLI = (
    "import sys, iacai.cli; print(iacai.cli.__file__, file=sys.stderr); sys.exit(iacai.cli.main())"
)


def checkout_with(tmp_path: Path, name: str, content: bytes) -> Path:
    """A copy of the project (package, ontology, data, shapes, queries) plus one query file."""
    root = resources.resource_root()
    package = Path(__import__("iacai").__file__).parent
    shutil.copytree(
        package, tmp_path / "src" / "iacai", ignore=shutil.ignore_patterns("__pycache__")
    )
    for folder in ("ontology", "data", "shapes", "queries"):
        shutil.copytree(root / folder, tmp_path / folder)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'iacai'\n")
    (tmp_path / "queries" / name).write_bytes(content)
    return tmp_path


def iacai(checkout: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    """The `iacai` command of that checkout, in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-c", RUN_CLI, *argv],
        env={**os.environ, "PYTHONPATH": str(checkout / "src")},
        capture_output=True, text=True, timeout=120, cwd=checkout,
    )


@pytest.mark.parametrize(
    ("content", "problem"),
    [(BAD_HEADER.encode(), "should read 'NAME TYPE  DESCRIPTION'"),
     (b"# title: Caf\xe9\nSELECT * {}\n", "not UTF-8 text")],
    ids=["bad-header", "not-utf-8"],
)
def test_a_broken_query_file_fails_only_what_needs_the_catalogue(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    checkout = checkout_with(tmp_path, "broken.rq", content)
    (checkout / "mine.rq").write_text(GOOD_QUERY)

    version = iacai(checkout, "--version")
    assert str(checkout) in version.stderr.splitlines()[0]  # the checkout's own package ran
    assert (version.returncode, "Traceback" in version.stderr) == (0, False), version.stderr

    own_file = iacai(checkout, "query", "mine.rq", "--format", "csv")
    assert own_file.returncode == 0, own_file.stderr
    assert own_file.stdout.splitlines() == ["n", "15"]

    for argv, status in ((("query", "challenges-by-category"), 2), (("serve", "--port", "1"), 1)):
        failed = iacai(checkout, *argv)
        errors = failed.stderr.splitlines()[1:]
        assert failed.returncode == status, failed.stderr
        assert len(errors) == 1 and "broken.rq" in errors[0] and problem in errors[0], errors
