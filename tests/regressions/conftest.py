"""One service started by uvicorn from the app factory, shared by the regression tests that need
a running service (each start validates the graph and spawns workers: seconds on a busy machine).

It serves a copy of the data with one label changed (IACAI_DATA_DIR), keeps at most
CACHE_ENTRIES answers, and no test before the dumps test asks for a dump.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from uvicorn_factory import CACHE_ENTRIES, Factory, factory_process

from health import wait_until_healthy
from iacai import resources

SHIPPED_LABEL = 'rdfs:label "Transparency"@en'
CHANGED_LABEL = 'rdfs:label "Relabelled Transparency"@en'


@pytest.fixture(scope="session")
def relabelled_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped data files, with the label of the challenge Transparency changed."""
    data = tmp_path_factory.mktemp("relabelled") / "data"
    shutil.copytree(resources.data_dir(), data)
    table = data / "table-1.ttl"
    text = table.read_text(encoding="utf-8")
    assert SHIPPED_LABEL in text
    table.write_text(text.replace(SHIPPED_LABEL, CHANGED_LABEL), encoding="utf-8")
    return data


@pytest.fixture(scope="session")
def factory(relabelled_data: Path) -> Iterator[Factory]:
    environment = {
        "IACAI_DATA_DIR": str(relabelled_data),
        "IACAI_CACHE_ENTRIES": str(CACHE_ENTRIES),
        "IACAI_QUERY_WORKERS": "1",
    }
    with factory_process(environment) as running:
        wait_until_healthy(running.url, running.running, 120)
        yield running
