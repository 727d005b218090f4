"""The reuse tests: the second review through every tool, alone and beside the essay."""

from __future__ import annotations

import sys

import pytest
from rdflib import Dataset
from second_review import REPOSITORY, REVIEW

from iacai.dataset import load_data

sys.path.insert(0, str(REPOSITORY / "tests" / "reliability"))  # service_process, test_security
sys.path.insert(0, str(REPOSITORY / "tests" / "pages"))  # answer_sections


@pytest.fixture(scope="session")
def review() -> Dataset:
    """The review, loaded as every tool loads it (inverses completed, with the ontology)."""
    return load_data([REVIEW])
