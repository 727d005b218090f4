"""The query workers' malloc: jemalloc where it is installed, preloaded into the zygote.

The engine (Rust) allocates and frees many small blocks for each query. Under glibc's malloc
that took about a fifth of a query worker's CPU at 16 clients (perf: `_int_malloc`, `_int_free`,
`malloc_consolidate`); under jemalloc a worker spends about a tenth less CPU per query, and the
service answers about 7% more uncached queries per second (bench/RESULTS.md). The zygote is
started with the library in LD_PRELOAD, so it and every worker it forks allocate with it, and
says which malloc it runs on; the server process, whose objects Python's own allocator serves,
keeps the system's.
"""

from __future__ import annotations

import ctypes.util
import logging
from collections.abc import Mapping
from pathlib import Path

JEMALLOC = "jemalloc"
SYSTEM = "system"
NAMED = (JEMALLOC, SYSTEM)
"""The `worker-malloc` settings that are names; any other is the path of a library."""

log = logging.getLogger(__name__)


def check(choice: str) -> None:
    """Refuse a `worker-malloc` setting that is neither a name nor an existing file."""
    if choice not in NAMED and not Path(choice).is_file():
        raise ValueError(
            f"worker-malloc: {choice!r} is neither {' nor '.join(NAMED)} nor a library file"
        )


def library(choice: str) -> str:
    """The library to preload into the zygote for a `worker-malloc` setting: '' for the
    system's malloc, and for jemalloc when it is not installed (Debian: libjemalloc2)."""
    if choice == SYSTEM:
        return ""
    if choice == JEMALLOC:
        found = ctypes.util.find_library(JEMALLOC)
        if found is None:
            log.warning(
                "jemalloc is not installed (Debian: libjemalloc2): the query workers use the "
                "system's malloc, which costs them about a tenth more CPU per query"
            )
        return found or ""
    return choice


def environment(preloaded: str, inherited: Mapping[str, str]) -> dict[str, str]:
    """The zygote's environment: the server's, with the library after any the user preloads."""
    environment = dict(inherited)
    if preloaded:
        environment["LD_PRELOAD"] = " ".join(
            filter(None, (inherited.get("LD_PRELOAD", ""), preloaded))
        )
    return environment


def in_use(preloaded: str) -> str:
    """What this process allocates with: the preloaded library's file name once it is mapped
    (the loader skips one it cannot load, with a line on stderr), else `system`."""
    if not preloaded:
        return SYSTEM
    names = {Path(preloaded).name, Path(preloaded).resolve().name}  # a link's, its file's
    try:
        maps = Path("/proc/self/maps").read_text(encoding="utf-8", errors="replace")
        mapped = {Path(line.rpartition(" ")[2]).name for line in maps.splitlines()}
    except OSError:  # no /proc: not Linux, where LD_PRELOAD means nothing either
        return SYSTEM
    return Path(preloaded).name if names & mapped else SYSTEM
