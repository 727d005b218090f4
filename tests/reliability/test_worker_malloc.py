"""The query workers' malloc (`--worker-malloc`): jemalloc by default, preloaded into the zygote
and so into every worker, never into the server process; a library that cannot be loaded leaves
the system's malloc, said in the log and in /healthz, and the service answers as before.
"""

from __future__ import annotations

import ctypes.util
import resource
import subprocess
import sys
from pathlib import Path

import psutil
import pytest
from service_process import CHALLENGES, STOPPED_CLEANLY, ServiceProcess, command, start

from iacai.service.engine.zygote import ZYGOTE_NAME
from iacai.service.settings import Settings

JEMALLOC_FILE = "libjemalloc.so.2"
MIB = 1 << 20
PRINT_MALLOC_IN_USE = "from iacai.service.engine import allocator; print(allocator.in_use())"


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


def test_the_worker_memory_bound_counts_no_address_space_jemalloc_keeps(
    default_served: ServiceProcess,
) -> None:
    """A worker's RLIMIT_DATA is what it held when forked plus --worker-memory; jemalloc, which
    by default keeps the address space it freed (230 MiB after the zygote loaded the store),
    would have raised it by that much (`retain:false`)."""
    zygote = next(p for p in default_served.processes() if p.name() == ZYGOTE_NAME)
    beyond = Settings().worker_memory * MIB
    for worker in default_served.query_workers():
        data_limit, _ = worker.rlimit(resource.RLIMIT_DATA)
        assert data_limit - beyond <= zygote.memory_info().rss, (data_limit, beyond)


@pytest.mark.parametrize(
    ("preloaded", "malloc"),
    [("", "system"), (JEMALLOC_FILE, JEMALLOC_FILE), ("libm.so.6", "system")],
)
def test_the_malloc_in_use_is_the_one_the_loader_chose(preloaded: str, malloc: str) -> None:
    """What `in_use` reports is where malloc comes from, not what was asked: a preloaded
    library that provides no malloc (libm) leaves the C library's."""
    run = subprocess.run(
        [sys.executable, "-c", PRINT_MALLOC_IN_USE],
        env={"LD_PRELOAD": preloaded, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert run.stdout.strip() == malloc, run.stderr


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
        assert f"to allocate with {not_a_library} but use the system's malloc" in (
            service.messages()
        )
    finally:
        assert service.stop() in STOPPED_CLEANLY, service.messages()


@pytest.mark.parametrize("setting", ["tcmalloc", "/no/such/libmalloc.so"])
def test_a_setting_that_names_no_malloc_is_refused_at_start(setting: str) -> None:
    run = subprocess.run(
        command("--worker-malloc", setting), capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert f"worker-malloc: {setting!r} is neither jemalloc nor system" in run.stderr


def test_a_library_path_that_ld_preload_would_split_is_refused_at_start(tmp_path: Path) -> None:
    spaced = tmp_path / "my libs" / JEMALLOC_FILE
    spaced.parent.mkdir()
    spaced.write_bytes(b"")
    run = subprocess.run(
        command("--worker-malloc", str(spaced)), capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0
    assert "has a space or a colon" in run.stderr
