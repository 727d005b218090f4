"""A query worker starts without pySHACL or the rest of the package's API.

Every module of the package runs `iacai/__init__.py` first; when it imported the API with its
heavy libraries, each query worker (and each replacement of a killed one) imported pySHACL and
rdflib's SPARQL engine, a second or more per start, although a worker only answers queries with
pyoxigraph. An API that imports lazily must still keep `iacai.dataset` the function once the
module `iacai.dataset` is imported (which sets it on the package).
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("pyshacl", "owlrl", "rdflib.plugins.sparql", "iacai.validation")


def modules_after_importing(module: str) -> set[str]:
    """The modules a fresh interpreter holds after importing `module`."""
    probe = f"import sys, json, {module}; print(json.dumps(sorted(sys.modules)))"
    output = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    return set(json.loads(output))


def test_the_worker_module_imports_nothing_heavy() -> None:
    loaded = modules_after_importing("iacai.service.engine.worker")
    assert "iacai.service.engine.worker" in loaded
    assert sorted(loaded & set(HEAVY)) == []


def test_the_pool_the_server_starts_workers_from_imports_nothing_heavy() -> None:
    loaded = modules_after_importing("iacai.service.engine.pool")
    assert sorted(loaded & set(HEAVY)) == []


def test_the_api_function_dataset_survives_importing_the_module_dataset() -> None:
    probe = (
        "import iacai, iacai.dataset; from iacai.dataset import load_dataset; "
        "print(callable(iacai.dataset), iacai.ontology_path().name, "
        "len(iacai.dataset(include_ontology=False)) > 0)"
    )
    output = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True, timeout=120
    ).stdout
    assert output.split() == ["True", "iacai.ttl", "True"]
