"""The wheel carries the ontology, data, shapes and queries, and `iacai` finds them from there.

The wheel is built offline (no build isolation) and installed without dependencies into a fresh
virtual environment that borrows the test environment's third-party packages through a .pth
file, so nothing is downloaded and `iacai` can only come from the wheel.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv holding the freshly built wheel."""
    root = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(root / "dist"),
         str(REPOSITORY)],
        check=True, capture_output=True, timeout=300,
    )
    (wheel,) = (root / "dist").glob("iacai-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True, timeout=300)
    bin_dir = root / "venv" / "bin"
    subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         str(wheel)],
        check=True, timeout=300,
    )
    where_packages = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    site_packages = subprocess.run(
        [str(bin_dir / "python"), "-c", where_packages],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    # Third-party packages from the test environment, after the venv's own (a plain path line:
    # the test environment's editable install of iacai is not activated by it).
    (Path(site_packages) / "borrowed-dependencies.pth").write_text(
        sysconfig.get_paths()["purelib"] + "\n"
    )
    return bin_dir


def run_installed(bin_dir: Path, *argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "iacai"), *argv], capture_output=True, text=True, cwd=cwd, timeout=300
    )


def test_iacai_comes_from_the_wheel_with_its_resources(installed: Path, tmp_path: Path) -> None:
    where = subprocess.run(
        [str(installed / "python"), "-c",
         "import iacai, iacai.resources as r; print(iacai.__file__); print(r.resource_root())"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout.splitlines()
    venv = installed.parent
    assert Path(where[0]).is_relative_to(venv)
    assert Path(where[1]) == Path(where[0]).parent / "resources"
    for folder in ("ontology", "data", "shapes", "queries"):
        assert any((Path(where[1]) / folder).iterdir()), folder


def test_installed_validate_passes_on_the_shipped_graph(installed: Path, tmp_path: Path) -> None:
    result = run_installed(installed, "validate", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("Conforms: yes (0 violation(s)")


def test_installed_named_query(installed: Path, tmp_path: Path) -> None:
    result = run_installed(
        installed, "query", "challenges-ranked-by-benefits", "--format", "csv", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert (rows[0]["challengeLabel"], rows[0]["benefits"]) == ("Operation in silos", "8")
    assert len(rows) == 15
