"""The app factory uvicorn calls reads the configured data dir and checks a remote store.

`uvicorn iacai.service.app:app_from_environment --factory` (how a process manager may start
the service) served the shipped data whatever IACAI_DATA_DIR said, and started on a remote
store that did not hold the graph, where `iacai serve` refuses to.
"""

from __future__ import annotations

import subprocess

import httpx
from uvicorn_factory import Factory, factory_process, free_port

from iacai.namespaces import ID

TRANSPARENCY_LABEL = f"SELECT ?label WHERE {{ <{ID}challenge/transparency> rdfs:label ?label }}"


def test_the_factory_serves_the_configured_data_dir(factory: Factory) -> None:
    answer = httpx.get(
        f"{factory.url}/sparql", params={"query": TRANSPARENCY_LABEL, "format": "csv"}, timeout=30
    )
    assert answer.status_code == 200, answer.text
    assert answer.text.splitlines()[1:] == ["Relabelled Transparency"]


def test_the_factory_refuses_a_remote_store_without_the_graph() -> None:
    nowhere = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with factory_process({"IACAI_STORE": nowhere}) as factory:
        try:
            status = factory.process.wait(timeout=120)
        except subprocess.TimeoutExpired:
            status = None
        messages = factory.messages()
    assert status not in (0, None), f"the factory served a store without the graph: {messages}"
    assert f"iacai load --into {nowhere}" in messages, messages
