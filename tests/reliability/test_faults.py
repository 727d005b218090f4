"""Faults: a worker killed mid-query, bad data at start-up, a refused write, SIGTERM under load.

Start-up faults run `iacai serve` as a user would and require a clear message, exit status 1
and a port that never opened (nothing half-served). The remote store stopped and restarted
during a test belongs to the store tests (tests/stores/).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest
from service_process import (
    CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH,
    CHALLENGES,
    COUNT_CHALLENGES,
    STOPPED_CLEANLY,
    ServiceProcess,
    is_listening,
    start,
    without_capabilities,
)

from iacai import resources

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
"""A cross product of two patterns: long enough (a fraction of a second) to be caught running."""


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def idle_workers(service: ServiceProcess) -> int:
    return httpx.get(f"{service.url}/healthz", timeout=5).json()["idle_query_workers"]


def busiest(workers: list[psutil.Process]) -> psutil.Process:
    """The worker using the CPU (running the query) over one second."""
    for worker in workers:
        worker.cpu_percent(None)
    time.sleep(1)
    return max(workers, key=lambda worker: worker.cpu_percent(None))


def test_a_worker_killed_mid_query(tmp_path: Path) -> None:
    service = start(
        environment={
            "IACAI_QUERY_WORKERS": "1",
            "IACAI_QUERY_TIMEOUT": "60",
            "IACAI_CACHE_ENTRIES": "0",
        }
    )
    try:
        with service.client() as http, ThreadPoolExecutor(max_workers=1) as background:
            pending = background.submit(http.get, "/sparql", params={"query": RUNAWAY})
            wait_for(lambda: idle_workers(service) == 0, 10, "the query to reach its worker")
            worker = busiest(service.query_workers())
            os.kill(worker.pid, signal.SIGKILL)
            killed = pending.result(timeout=30)
            assert killed.status_code == 503
            assert "restarted" in killed.text, killed.text
            wait_for(lambda: idle_workers(service) == 1, 30, "a replacement worker")
            assert worker.pid not in {w.pid for w in service.query_workers()}
        assert service.count_challenges() == CHALLENGES
    finally:
        assert service.stop() in STOPPED_CLEANLY, service.messages()


def copied_data(folder: Path) -> Path:
    data = folder / "data"
    shutil.copytree(resources.data_dir(), data)
    return data


def refused_start(environment: dict[str, str], **popen: object) -> tuple[int, str]:
    """Run `iacai serve` expecting it to refuse: its exit status and what it printed."""
    service = start(environment=environment, wait=False, **popen)
    try:
        status = service.process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        service.stop()
        pytest.fail(f"iacai serve started on bad data: {service.messages()}")
    assert not is_listening(service.port), "something listens on the port of a refused start"
    return status, service.messages()


def test_a_missing_data_directory_stops_start_up(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder"
    status, message = refused_start({"IACAI_DATA_DIR": str(missing)})
    assert status == 1
    assert f"{missing}: the data directory does not exist" in message
    assert "Traceback" not in message


def test_an_unreadable_data_directory_stops_start_up(tmp_path: Path) -> None:
    data = copied_data(tmp_path)
    data.chmod(0)
    try:
        status, message = refused_start(
            {"IACAI_DATA_DIR": str(data)},
            preexec_fn=without_capabilities(CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH),
        )
    finally:
        data.chmod(0o755)
    assert status == 1
    assert "cannot be read" in message and "Permission denied" in message, message
    assert "Traceback" not in message


CORRUPTIONS = {
    "truncated": lambda text: text[: len(text) // 2],
    "garbage": lambda text: "\x00\x01 <<not turtle>> ;;; " + text,
    "undefined prefix": lambda text: text + "\nnope:thing nope:is nope:bad .\n",
}


@pytest.mark.parametrize("corruption", sorted(CORRUPTIONS))
def test_a_corrupted_data_file_is_named_with_its_problem(tmp_path: Path, corruption: str) -> None:
    data = copied_data(tmp_path)
    table = data / "table-2.ttl"
    table.write_text(CORRUPTIONS[corruption](table.read_text(encoding="utf-8")), encoding="utf-8")
    status, message = refused_start({"IACAI_DATA_DIR": str(data)})
    assert status == 1
    assert f"{table}:" in message, message
    assert "bad syntax" in message or "cannot be read" in message, message
    assert "Traceback" not in message


def test_invalid_utf8_in_a_data_file_is_named(tmp_path: Path) -> None:
    data = copied_data(tmp_path)
    table = data / "table-1.ttl"
    table.write_bytes(table.read_bytes() + b'\n<x:a> <x:b> "\xff\xfe" .\n')
    status, message = refused_start({"IACAI_DATA_DIR": str(data)})
    assert status == 1
    assert f"{table}" in message, message
    assert "Traceback" not in message


def test_a_shacl_violation_stops_start_up_naming_it(tmp_path: Path) -> None:
    data = copied_data(tmp_path)
    with (data / "table-3.ttl").open("a", encoding="utf-8") as table:
        table.write(
            "\n<https://w3id.org/iacai/id/challenge/transparency>\n"
            '    <http://www.w3.org/2000/01/rdf-schema#label> "A second label"@en .\n'
        )
    status, message = refused_start({"IACAI_DATA_DIR": str(data)})
    assert status == 1
    assert "SHACL violation" in message
    assert "https://w3id.org/iacai/id/challenge/transparency" in message
    assert "label" in message
    assert "Traceback" not in message


def _refuse_file_writes() -> None:
    """In the child only: any file grows by at most 1 KiB, as on a full disk (EFBIG, not ENOSPC)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))


def test_a_disk_that_refuses_writes_stops_start_up() -> None:
    """`--workers 2` writes the snapshot every server process loads; a failed write is reported."""
    status, message = refused_start(
        {"IACAI_WORKERS": "2"},
        preexec_fn=_refuse_file_writes,
    )
    assert status == 1
    assert "cannot write the snapshot" in message and "File too large" in message, message
    assert "Traceback" not in message


def test_sigterm_during_requests_finishes_or_fails_them_cleanly() -> None:
    service = start(environment={"IACAI_QUERY_WORKERS": "2", "IACAI_CACHE_ENTRIES": "0"})
    family = service.processes()
    queries = [SLOW if n % 2 else COUNT_CHALLENGES for n in range(24)]
    addresses = [f"127.0.0.{3 + n}" for n in range(len(queries))]  # each query its own client
    https = [service.client(transport=httpx.HTTPTransport(local_address=a)) for a in addresses]
    with ThreadPoolExecutor(max_workers=24) as clients:
        pending = [
            clients.submit(http.get, "/sparql", params={"query": f"{query} # {n}"})
            for n, (http, query) in enumerate(zip(https, queries, strict=True))
        ]
        wait_for(lambda: idle_workers(service) == 0, 10, "queries to be running")
        service.process.send_signal(signal.SIGTERM)
        outcomes = [outcome(future) for future in pending]
    for http in https:
        http.close()
    assert service.process.wait(timeout=60) in STOPPED_CLEANLY, service.messages()
    assert "Traceback" not in service.messages()
    assert set(outcomes) <= {"answered", "refused", "cut cleanly", "unavailable"}, outcomes
    assert "answered" in outcomes, "requests under way when SIGTERM came should be finished"
    wait_for(lambda: not any(p.is_running() for p in family), 30, "every process to end")


def test_sigterm_to_every_process_stops_the_service_without_rebuilding_it() -> None:
    """A process manager that stops the whole group (systemd's default) signals the zygote and
    the workers too: they wait for the server to end them, and no worker is replaced."""
    service = start(environment={"IACAI_CACHE_ENTRIES": "0"})
    family = service.processes()
    for process in family:
        process.send_signal(signal.SIGTERM)
    assert service.process.wait(timeout=60) in STOPPED_CLEANLY, service.messages()
    assert "replaced" not in service.messages(), service.messages()
    assert "starting it again" not in service.messages(), service.messages()
    assert "Traceback" not in service.messages(), service.messages()
    wait_for(lambda: not any(p.is_running() for p in family), 30, "every process to end")


def outcome(future: object) -> str:
    """What became of one request: a whole answer, or a clean failure, never a torn answer."""
    try:
        response: httpx.Response = future.result(timeout=60)  # type: ignore[attr-defined]
    except httpx.ConnectError:
        return "refused"
    except (httpx.RemoteProtocolError, httpx.ReadError):
        return "cut cleanly"
    if response.status_code == 503:
        return "unavailable"
    if response.status_code != 200:
        return f"status {response.status_code}: {response.text[:200]}"
    json.loads(response.text)  # a complete document, or this raises
    return "answered"
