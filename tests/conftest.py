"""Shared fixtures: the shipped knowledge graph, loaded once, a way to ask it a named query, and
the service that serves it to the suites that only read it."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Dataset

from iacai.dataset import load_dataset
from iacai.named_queries import catalogue
from iacai.query_engine import run, store_from
from iacai.service.settings import Settings
from store_backends import Virtuoso, running_virtuoso

sys.path.insert(0, str(Path(__file__).resolve().parent / "service"))
from live_service import RunningService, free_port, serve_in_thread

Answer = list[dict[str, str]]


@pytest.fixture(scope="session")
def shipped_dataset() -> Dataset:
    """The shipped graph: every data file and the ontology, each in its named graph."""
    return load_dataset()


@pytest.fixture(scope="session")
def shipped_store(shipped_dataset: Dataset) -> pyoxigraph.Store:
    return store_from(shipped_dataset)


@pytest.fixture(scope="session")
def shipped_service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    """The shipped graph in memory, one query worker, default limits: one real uvicorn for every
    suite that asks for exactly this and changes nothing in it (browser, integrators, linked
    data, references, w3id, stores), instead of one started per suite."""
    yield from serve_in_thread(Settings(port=free_port(), query_workers=1), shipped_dataset)


@pytest.fixture(scope="session")
def ask(shipped_store: pyoxigraph.Store) -> Callable[..., Answer]:
    """Run a named query with text parameters; each solution as {variable: value}, in order."""

    def answer(name: str, **parameters: str) -> Answer:
        query = catalogue()[name]
        solutions = run(shipped_store, query.text, query.oxigraph_substitutions(parameters))
        names = [variable.value for variable in solutions.variables]
        return [
            {n: s[n].value for n in names if s[n] is not None} for s in solutions
        ]

    return answer


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """Virtuoso 7 on 127.0.0.1, loaded with `iacai load`, shared by every remote-store test."""
    yield from running_virtuoso(tmp_path_factory.mktemp("virtuoso"))
