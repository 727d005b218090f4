"""The service keeps one answer cache, with one bound: `cache-entries` answers in all.

The answer-cache middleware and the Answerer each kept a cache of up to `cache-entries` answers
(and `cache-bytes`), so the settings allowed twice the memory they say. /healthz now reports the
one cache: what it holds and its bounds, which repeated distinct queries never pass.
"""

from __future__ import annotations

import httpx
from uvicorn_factory import CACHE_ENTRIES, Factory


def test_distinct_queries_never_pass_the_one_bound(factory: Factory) -> None:
    with httpx.Client(base_url=factory.url, timeout=60) as http:
        for limit in range(1, 2 * CACHE_ENTRIES + 2):
            query = f"SELECT ?s WHERE {{ ?s ?p ?o }} LIMIT {limit}"
            asked = http.get("/sparql", params={"query": query})
            asked_again = http.post("/sparql", data={"query": query})  # the same, another way
            assert (asked.status_code, asked_again.status_code) == (200, 200), asked.text
            cache = http.get("/healthz").json()["answer_cache"]
            assert cache["most_entries"] == CACHE_ENTRIES
            assert 0 < cache["entries"] <= CACHE_ENTRIES, cache
            assert 0 < cache["bytes"] <= cache["most_bytes"], cache
