"""Anyone's data through the command line and the Python API: loading, validating, querying."""

# ruff: noqa: S608 (SPARQL built from strings: the graphs asked for)
from __future__ import annotations

import csv
import doctest
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Dataset, URIRef
from rdflib.namespace import RDF
from second_review import (
    BENEFIT,
    CATEGORY,
    CHALLENGE,
    NAMED_QUERY_ROWS,
    PARAMETERS,
    REVIEW,
    REVIEW_BASE,
    REVIEW_COUNTS,
    REVIEW_GRAPH,
)

import iacai
from iacai import api
from iacai.cli import main
from iacai.dataset import (
    FILE_GRAPHS,
    DataFileError,
    complete_inverses,
    data_files,
    load_data,
    parse_file,
)
from iacai.named_queries import catalogue
from iacai.namespaces import GRAPH, IACAI


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_a_link_stated_once_is_completed_in_the_graph_that_states_it(review: Dataset) -> None:
    graph = review.graph(REVIEW_GRAPH)
    assert (BENEFIT, IACAI.addresses, CHALLENGE) in graph
    assert (CHALLENGE, IACAI.isAddressedBy, BENEFIT) in graph  # the review states only addresses
    assert (CATEGORY, IACAI.hasMember, CHALLENGE) in graph
    assert (CHALLENGE, IACAI.hasCategory, CATEGORY) in graph  # ... and only hasMember


def test_the_essay_states_both_directions_already_so_it_is_unchanged() -> None:
    essay = load_data()
    assert complete_inverses(essay) == 0
    for path, graph in data_files().items():  # each graph holds exactly its file's triples
        assert len(essay.graph(graph)) == len(parse_file(path)), path.name


def test_each_file_is_its_own_graph_and_trig_keeps_its_graphs(tmp_path: Path) -> None:
    trig = tmp_path / "Mine 2.trig"
    trig.write_text(
        "<https://example.org/g> { <https://example.org/a> <https://example.org/p> 1 . }\n"
        "<https://example.org/b> <https://example.org/p> 2 .\n"
    )
    dataset = load_data(["essay", REVIEW, trig], include_ontology=False)
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    assert {f"{GRAPH}table-1", str(REVIEW_GRAPH), "https://example.org/g",
            f"{FILE_GRAPHS}mine-2"} <= names
    assert len(dataset.graph(URIRef(f"{FILE_GRAPHS}mine-2"))) == 1


def test_two_files_with_one_name_are_refused_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    copy = tmp_path / "a" / "my-review.ttl"
    copy.write_bytes(REVIEW.read_bytes())
    with pytest.raises(DataFileError, match="same graph"):
        load_data([REVIEW, copy])


def test_the_cli_takes_data_in_every_command(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status, out, _ = run_cli(capsys, "query", "challenges-by-category", "--data", str(REVIEW),
                             "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert status == 0 and len(rows) == 5
    assert [r["challengeLabel"] for r in rows] == sorted(r["challengeLabel"] for r in rows)
    dump = tmp_path / "dump.nq"
    status, _, _ = run_cli(capsys, "export", "--data", str(REVIEW), "--format", "nq",
                           "-o", str(dump))
    assert status == 0 and f"<{REVIEW_GRAPH}>" in dump.read_text()
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?c a iacai:Challenge }"
    (tmp_path / "count.rq").write_text(count)
    for data, expected in (((), 15), (("--data", str(REVIEW)), 5),
                           (("--data", "essay", "--data", str(REVIEW)), 20)):
        status, out, _ = run_cli(capsys, "query", str(tmp_path / "count.rq"), *data,
                                 "--format", "json")
        assert int(json.loads(out)["results"]["bindings"][0]["n"]["value"]) == expected


def test_a_missing_data_file_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run_cli(capsys, "query", "find-by-label", "--param", "text=x",
                               "--data", "no-such-file.ttl")
    assert (status, out) == (2, "") and "no-such-file.ttl: no such file" in err


def test_the_cli_honours_from_as_the_endpoint_does(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    counts = {}
    for graph in ("table-1", "table-2"):
        query = tmp_path / f"{graph}.rq"
        query.write_text(
            f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}{graph}> WHERE {{ ?c a iacai:Challenge }}"
        )
        _, out, _ = run_cli(capsys, "query", str(query), "--format", "json")
        counts[graph] = int(json.loads(out)["results"]["bindings"][0]["n"]["value"])
    assert counts == {"table-1": 15, "table-2": 0}  # the union would give 15 for both


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_every_named_query_answers_on_the_review(review: Dataset, name: str) -> None:
    rows = iacai.query(name, review, **PARAMETERS.get(name, {}))
    assert isinstance(rows, list)
    assert len(rows) == NAMED_QUERY_ROWS.get(name, 0), rows


def test_the_api_loads_validates_and_queries_a_review() -> None:
    data = iacai.load(REVIEW)
    assert data.default_union
    challenges = set(data.subjects(RDF.type, IACAI.Challenge))  # the default graph: the union
    assert len(challenges) == REVIEW_COUNTS["Challenge"]
    assert iacai.query("ASK { ?b iacai:addresses ?c }", data) is True
    described = iacai.query(f"DESCRIBE <{CHALLENGE}>", data)
    assert (CHALLENGE, IACAI.isAddressedBy, BENEFIT) in described
    with pytest.raises(TypeError, match="only named queries take parameters"):
        iacai.query("SELECT * { ?s ?p ?o }", data, text="x")


def test_a_named_query_through_the_api_answers_on_the_essay() -> None:
    rows = iacai.query("challenges-ranked-by-benefits", iacai.dataset())
    assert len(rows) == 15


def test_importing_iacai_loads_no_heavy_library_and_keeps_its_names() -> None:
    code = ("import sys, iacai, iacai.dataset; "
            "print(sorted(m for m in ('pyshacl', 'pyoxigraph', 'pyld') if m in sys.modules)); "
            "import iacai.load_command; print(callable(iacai.dataset), callable(iacai.load))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout
    assert loaded.split() == ["[]", "True", "True"]


def test_the_api_examples_run() -> None:
    failures, tried = doctest.testmod(api, optionflags=doctest.ELLIPSIS)
    assert tried >= 5 and failures == 0


def test_findings_with_and_without_a_path_on_one_resource_sort(tmp_path: Path) -> None:
    """A challenge put in a benefit category: findings with a path and without, one report."""
    challenge = f"{REVIEW_BASE}challenge/patient-consent"
    broken = tmp_path / "broken.ttl"
    broken.write_text(
        REVIEW.read_text(encoding="utf-8")
        + f"\n<{challenge}> iacai:hasCategory <category/operations> .\n",
        encoding="utf-8",
    )
    report = iacai.validate(iacai.load(broken))  # sorting these raised TypeError
    assert [v for v in report.violations if v.focus_node == challenge]
    assert "challenge/patient-consent" in report.to_text()
