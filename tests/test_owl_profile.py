"""The ontology modules are OWL 2 DL by the OWL API's own profile check, and consistent by a DL
reasoner: the verdicts of the reference tools, run for real (Debian's libowlapi-java and a JDK,
and Konclude; `scripts/test` installs them).

The check (tests/owl/OwlProfileCheck.java) loads each module with its imports resolved from the
files here, never from the network, then all modules together. As a control, the 0.1.0 core must
still show the 52 violations the OWL API found in it (undeclared SKOS annotation properties).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

import pytest

from iacai import resources
from iacai.namespaces import ONTOLOGY_GRAPHS, ONTOLOGY_IRI

CHECK = Path(__file__).parent / "owl" / "OwlProfileCheck.java"
JARS = Path("/usr/share/java")
CLASSPATH = (
    "owlapi-distribution", "atinject-jsr330-api", "caffeine", "commons-codec", "commons-io",
    "commons-logging", "commons-rdf-api", "guava", "hppcrt", "httpclient", "httpcore",
    "jackson-annotations", "jackson-core", "jackson-databind", "jsr305", "slf4j-api",
    "slf4j-nop", "xz",
)
"""libowlapi-java's jar and those of the Debian packages it depends on (with every rdf4j jar)."""


def modules() -> dict[str, Path]:
    """Each ontology module's IRI and its file."""
    folder = resources.ontology_dir()
    return {iri: folder / name for name, iri in ONTOLOGY_GRAPHS.items()}


@cache
def classpath() -> str:
    jars = [JARS / f"{name}.jar" for name in CLASSPATH]
    jars += sorted(jar for jar in JARS.glob("rdf4j-*.jar") if not jar.stem[-1].isdigit())
    return ":".join(str(jar) for jar in jars)


@cache
def compiled() -> Path:
    """The check, compiled once per session (javac is the slow part)."""
    javac = shutil.which("javac")
    assert javac, "a JDK is needed (scripts/test installs default-jdk-headless)"
    folder = Path(tempfile.mkdtemp(prefix="iacai-owl-check-"))
    done = subprocess.run(
        [javac, "-cp", classpath(), "-d", str(folder), str(CHECK)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return folder


def run_check(files: dict[str, Path], *extra: str) -> dict[str, list[str]]:
    """The violations per checked ontology ("MODULE <iri>" or "ALL"), as the OWL API words them."""
    arguments = [f"{iri}={path}" for iri, path in files.items()]
    done = subprocess.run(
        ["java", "-cp", f"{compiled()}:{classpath()}", CHECK.stem, *arguments, *extra],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report: dict[str, list[str]] = {}
    name = ""
    for line in done.stdout.splitlines():
        if line.startswith("  "):
            report[name].append(line.strip())
        else:
            name, _, _count = line.rpartition(" ")
            report[name] = []
    return report


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("owl") / "all-modules.ofn"


@pytest.fixture(scope="module")
def report(merged: Path) -> dict[str, list[str]]:
    return run_check(modules(), "--functional", str(merged))


@pytest.mark.parametrize("iri", ONTOLOGY_GRAPHS.values())
def test_each_module_is_owl2_dl(report: dict[str, list[str]], iri: str) -> None:
    assert report[f"MODULE {iri}"] == []


def test_all_modules_together_are_owl2_dl(report: dict[str, list[str]]) -> None:
    assert set(report) == {*(f"MODULE {iri}" for iri in ONTOLOGY_GRAPHS.values()), "ALL"}
    assert report["ALL"] == []


def test_the_check_finds_the_violations_of_the_0_1_0_core() -> None:
    old = run_check({ONTOLOGY_IRI: resources.ontology_dir() / "0.1.0" / "iacai.ttl"})
    violations = old[f"MODULE {ONTOLOGY_IRI}"]
    assert len(violations) == 52
    assert all("Use of undeclared annotation property" in v for v in violations)


@cache
def konclude() -> str:
    found = shutil.which("Konclude")
    assert found, "a DL reasoner is needed (scripts/test installs konclude)"
    return found


def consistency(ontology: Path) -> str:
    """Konclude's verdict. Two worker threads: its Debian build hangs with one on some inputs."""
    done = subprocess.run(
        [konclude(), "consistency", "-i", str(ontology), "-w", "2"],
        capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL, check=False,
    )
    verdict = [line for line in done.stdout.splitlines() if "consistent" in line]
    assert verdict, done.stdout[-2000:]
    return verdict[-1]


def test_all_modules_together_are_consistent(report: dict[str, list[str]], merged: Path) -> None:
    assert consistency(merged).endswith("is consistent.")


def test_the_reasoner_finds_a_contradiction(
    report: dict[str, list[str]], merged: Path, tmp_path: Path
) -> None:
    """Control: something both a challenge and a benefit contradicts the core's disjointness."""
    text = merged.read_text(encoding="utf-8").rstrip()
    assert text.endswith(")")
    contradiction = (
        "ClassAssertion(<https://w3id.org/iacai/ontology#Challenge> <http://example.org/x>)\n"
        "ClassAssertion(<https://w3id.org/iacai/ontology#Benefit> <http://example.org/x>)\n"
    )
    broken = tmp_path / "contradiction.ofn"
    broken.write_text(text[:-1] + contradiction + ")\n", encoding="utf-8")
    assert consistency(broken).endswith("is inconsistent.")
