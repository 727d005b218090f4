"""The query workers' malloc (`--worker-malloc`): jemalloc by default, preloaded into the zygote
and so into every worker, never into the server process; a library that cannot be loaded leaves
the system's malloc, said in the log and in /healthz, and the service answers as before.
"""

from __future__ import annotations

import ctypes.util
import subprocess
from pathlib import Path

import psutil
import pytest
from service_process import CHALLENGES, STOPPED_CLEANLY, ServiceProcess, command, start

from iacai.service.engine.zygote import ZYGOTE_NAME

JEMALLOC_FILE = "libjemalloc.so.2"


def _maps(process: psutil.Process, name: str) -> bool:
    """Whether the process has a file of this name mapped (a library it loaded)."""
    return any(Path(region.path).name == name for region in process.memory_maps(grouped=True))


def _malloc_in_health(service: ServiceProcess) -> str:
    with service.client() as http:
        health = http.get("/healthz").json()
    return str(health["query_worker_malloc"])


def test_query_workers_run_on_jemalloc_and_the_server_on_the_system_malloc(
    default_served: ServiceProcess,
) -> None:
    assert ctypes.util.find_library("jemalloc") == JEMALLOC_FILE, (
        "jemalloc is not installed; scripts/test installs Debian's libjemalloc2"
    )
    assert default_served.count_challenges() == CHALLENGES  # workers answer
    workers = default_served.query_workers()
    zygotes = [p for p in default_served.processes() if p.name() == ZYGOTE_NAME]
    assert workers and len(zygotes) == 1
    assert all(_maps(process, JEMALLOC_FILE) for process in [*zygotes, *workers])
    assert not _maps(psutil.Process(default_served.process.pid), JEMALLOC_FILE)
    assert _malloc_in_health(default_served) == JEMALLOC_FILE


def test_a_library_that_cannot_be_loaded_leaves_the_system_malloc_and_says_so(
    tmp_path: Path,
) -> None:
    not_a_library = tmp_path / "libnot-malloc.so"
    not_a_library.write_text("not an ELF file\n")
    service = start(environment={"IACAI_WORKER_MALLOC": str(not_a_library)})
    try:
        assert service.count_challenges() == CHALLENGES
        assert _malloc_in_health(service) == "system"
        assert not any(_maps(worker, not_a_library.name) for worker in service.query_workers())
        assert "could not be preloaded; they use the system's" in service.messages()
    finally:
        assert service.stop() in STOPPED_CLEANLY, service.messages()


@pytest.mark.parametrize("setting", ["tcmalloc", "/no/such/libmalloc.so"])
def test_a_setting_that_names_no_malloc_is_refused_at_start(setting: str) -> None:
    run = subprocess.run(
        command("--worker-malloc", setting), capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert f"worker-malloc: {setting!r} is neither jemalloc nor system" in run.stderr
