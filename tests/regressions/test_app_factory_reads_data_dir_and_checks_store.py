"""The app factory uvicorn calls reads the configured data dir and checks a remote store.

`uvicorn iacai.service.app:app_from_environment --factory` (how a process manager may start
the service) served the shipped data whatever IACAI_DATA_DIR said, and started on a remote
store that did not hold the graph, where `iacai serve` refuses to.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx
from uvicorn_factory import factory_process, free_port

from health import wait_until_healthy
from iacai import resources
from iacai.namespaces import ID

TRANSPARENCY_LABEL = f"SELECT ?label WHERE {{ <{ID}challenge/transparency> rdfs:label ?label }}"


def test_the_factory_serves_the_configured_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(resources.data_dir(), data)
    table = data / "table-1.ttl"
    shipped = 'rdfs:label "Transparency"@en'
    assert shipped in table.read_text(encoding="utf-8")
    table.write_text(
        table.read_text(encoding="utf-8").replace(shipped, shipped.replace('"T', '"Relabelled T')),
        encoding="utf-8",
    )
    with factory_process({"IACAI_DATA_DIR": str(data)}) as factory:
        wait_until_healthy(factory.url, factory.running, 90)
        answer = httpx.get(
            f"{factory.url}/sparql",
            params={"query": TRANSPARENCY_LABEL, "format": "csv"},
            timeout=30,
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
