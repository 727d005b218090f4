"""One path to the data: the service's own queries, and what happens when one outgrows the caps."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from live_service import RunningService, free_port, serve_in_thread
from pyoxigraph import Store
from rdflib import Dataset

from iacai import resources
from iacai.named_queries import catalogue
from iacai.service.settings import Settings


def test_every_internal_query_has_a_header_and_parses() -> None:
    queries = catalogue(resources.internal_queries_dir())
    assert {"resource-links", "entry-triples", "labels", "statistics"} <= set(queries)
    for query in queries.values():
        assert query.title != query.name and query.description, query.name
        Store().query(query.text)  # a syntax error would raise here, naming the line


@pytest.fixture(scope="module")
def capped_service(shipped_dataset: Dataset) -> Iterator[RunningService]:
    settings = Settings(port=free_port(), query_workers=1, max_rows=200, cache_entries=0)
    yield from serve_in_thread(settings, shipped_dataset)


def test_a_document_over_the_row_cap_is_an_error_never_cut(capped_service: RunningService) -> None:
    with capped_service.client() as http:
        small = http.get("/graph/table-3.nt")
        large = http.get("/graph/references.nt")
    assert small.status_code == 200
    assert len(small.text.splitlines()) == 120
    assert large.status_code == 500
    assert large.headers["content-type"].startswith("text/plain")
    assert "row cap of 200 rows (setting max-rows)" in large.text
