"""The `iacai` command line, called in-process through `main(argv)` as the console script does."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from iacai import __version__
from iacai.cli import main

# A user's own statements about the essay's resources, targeted by no shape: they conform.
VALID = """\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://example.org/my-note> rdfs:label "A reader's note on Table 3"@en ;
    rdfs:seeAlso <https://w3id.org/iacai/id/table/3> .
"""

# A benefit that "addresses" a category: a structural error the shapes report as a violation.
BROKEN_MODEL = """\
@prefix iacai: <https://w3id.org/iacai/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .

<https://example.org/benefit> a iacai:Benefit ;
    rdfs:label "A benefit"@en ;
    iacai:addresses <https://example.org/not-a-challenge> .
<https://example.org/not-a-challenge> a iacai:Benefit ;
    rdfs:label "Not a challenge"@en .
"""


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "--version")
    assert (status, out.strip()) == (0, f"iacai {__version__}")


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run_cli(capsys)
    assert status == 2 and "usage: iacai" in err


def test_validate_a_broken_turtle_file_names_file_line_and_problem(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        '@prefix ex: <https://example.org/> .\n\nex:a ex:b "unclosed ;\n    ex:c ex:d .\n'
    )
    status, out, err = run_cli(capsys, "validate", str(broken))
    assert status == 2 and out == ""
    assert err.startswith(f"iacai: error: {broken}:3: bad syntax")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_validate_a_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, _, err = run_cli(capsys, "validate", str(tmp_path / "nowhere.ttl"))
    assert status == 2 and "nowhere.ttl: no such file" in err


def test_validate_user_files_that_conform(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = tmp_path / "good.ttl"
    good.write_text(VALID)
    status, out, _ = run_cli(capsys, "validate", str(good))
    assert status == 0, out
    assert out.startswith("Conforms: yes (0 violation(s)")


def test_validate_reports_violations_with_exit_1(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text(BROKEN_MODEL)
    status, out, _ = run_cli(capsys, "validate", str(bad))
    assert status == 1
    assert out.startswith("Conforms: no")
    assert "Violations (" in out and "https://example.org/benefit" in out

    status, out, _ = run_cli(capsys, "validate", str(bad), "--format", "json")
    report = json.loads(out)
    assert status == 1 and report["conforms"] is False and report["counts"]["Violation"] >= 1
    assert any(
        f["focus_node"] == "https://example.org/benefit"
        and f["result_path"] == "https://w3id.org/iacai/ontology#addresses"
        for f in report["findings"]
    )

    status, out, _ = run_cli(capsys, "validate", str(bad), "--format", "turtle")
    assert status == 1 and "sh:ValidationReport" in out and "sh:conforms false" in out


def test_query_named_as_table(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(capsys, "query", "challenges-ranked-by-benefits")
    lines = out.splitlines()
    assert status == 0
    assert lines[0].split() == ["challenge", "challengeLabel", "categoryLabel", "benefits"]
    assert lines[2].split()[0] == "id:challenge/operation-in-silos" and lines[2].endswith(" 8")
    assert lines[-1] == "(15 rows)"


def test_query_with_a_parameter_as_csv(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(
        capsys, "query", "benefits-for-challenge", "--param", "challenge=id:challenge/skills-gap",
        "--format", "csv",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0
    assert [r["benefitLabel"] for r in rows] == ["New skills and capabilities"]


def test_query_as_sparql_json_and_tsv(capsys: pytest.CaptureFixture[str]) -> None:
    query = "benefits-addressing-no-challenge"
    status, out, _ = run_cli(capsys, "query", query, "--format", "json")
    results = json.loads(out)
    assert status == 0 and len(results["results"]["bindings"]) == 8
    status, out, _ = run_cli(capsys, "query", query, "--format", "tsv")
    assert out.splitlines()[0] == "?benefit\t?benefitLabel\t?categoryLabel"
    assert len(out.splitlines()) == 9


def test_query_from_a_file_construct_as_turtle(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    query = tmp_path / "funding.rq"
    query.write_text(
        "PREFIX iacai: <https://w3id.org/iacai/ontology#>\n"
        "CONSTRUCT { ?benefit iacai:addresses ?challenge }\n"
        "WHERE { ?benefit iacai:addresses ?challenge .\n"
        "  FILTER(?challenge = <https://w3id.org/iacai/id/challenge/funding-for-ai-projects>) }\n"
    )
    status, out, _ = run_cli(capsys, "query", str(query))
    assert status == 0
    assert "access-to-additional-funding-and-resources" in out and "iacai:addresses" in out
    status, _, err = run_cli(capsys, "query", str(query), "--format", "csv")
    assert status == 2 and "turtle" in err


def test_query_ask(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    query = tmp_path / "ask.rq"
    query.write_text("ASK { ?b <https://w3id.org/iacai/ontology#addresses> ?c }\n")
    status, out, _ = run_cli(capsys, "query", str(query))
    assert (status, out) == (0, "true\n")


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (["query", "no-such-query"], "no named query or query file 'no-such-query'"),
        (["query", "benefits-for-challenge"], "needs --param challenge="),
        (["query", "benefits-for-challenge", "--param", "challenge"], "--param takes NAME=VALUE"),
        (["query", "benefits-for-challenge", "--param", "challenge=not an iri"], "absolute IRI"),
        (["query", "reference-by-position", "--param", "position=first"], "needs an integer"),
        (["query", "challenges-ranked-by-benefits", "--format", "turtle"], "not turtle"),
    ],
)
def test_query_errors_are_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], problem: str
) -> None:
    status, _, err = run_cli(capsys, *argv)
    assert status == 2 and problem in err and len(err.strip().splitlines()) == 1


def test_query_syntax_error_names_the_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    query = tmp_path / "bad.rq"
    query.write_text("SELECT ?s WHERE { ?s ?p }\n")
    status, _, err = run_cli(capsys, "query", str(query))
    assert status == 2 and err.startswith(f"iacai: error: {query}:") and "Traceback" not in err


def test_export_to_a_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    target = tmp_path / "dump.nt"
    status, out, _ = run_cli(capsys, "export", "--format", "nt", "-o", str(target))
    lines = target.read_text(encoding="utf-8").splitlines()
    assert status == 0 and out == ""
    assert lines == sorted(lines) and len(lines) > 1000
    assert (
        "<https://w3id.org/iacai/id/benefit/resource-sharing> "
        "<https://w3id.org/iacai/ontology#addresses> "
        "<https://w3id.org/iacai/id/challenge/operation-in-silos> ."
    ) in lines


def test_serve_is_registered(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "serve", "--help")
    assert status == 0 and "usage: iacai serve" in out, err
