"""The query workers' malloc: jemalloc where it is installed, preloaded into the zygote.

The engine (Rust) allocates and frees many small blocks for each query. Under glibc's malloc
that took about a fifth of a query worker's CPU at 16 clients (perf: `_int_malloc`, `_int_free`,
`malloc_consolidate`); under jemalloc a worker spent 14% less CPU per query, and the service
answered 9% more uncached queries per second (an A/B on real servers: docs/deploy.md). The zygote
is started with the library in LD_PRELOAD, so it and every worker it forks allocate with it, and
says which malloc it runs on; the server process, whose objects Python's own allocator serves,
keeps the system's.

jemalloc keeps the address space it has freed by default (`retain`): the zygote kept 230 MiB of
it after loading the store, which RLIMIT_DATA counts, so `--worker-memory` (set beyond what a
worker holds when forked) let a worker use that much more. It is started with `retain:false`.
"""

from __future__ import annotations

import ctypes.util
import logging
import os
from collections.abc import Mapping
from pathlib import Path

JEMALLOC = "jemalloc"
SYSTEM = "system"
NAMED = (JEMALLOC, SYSTEM)
"""The `worker-malloc` settings that are names; any other is the path of a library."""
JEMALLOC_OPTIONS = "retain:false"
"""Before any MALLOC_CONF of the user's (jemalloc reads them in order: the user's win)."""

log = logging.getLogger(__name__)


def check(choice: str) -> None:
    """Refuse a `worker-malloc` setting that is neither a name nor an existing file, or whose
    path LD_PRELOAD would split."""
    if choice in NAMED:
        return
    if not Path(choice).is_file():
        raise ValueError(
            f"worker-malloc: {choice!r} is neither {' nor '.join(NAMED)} nor a library file"
        )
    if any(separator in choice for separator in " :"):  # LD_PRELOAD's separators
        raise ValueError(
            f"worker-malloc: {choice!r} has a space or a colon, at which LD_PRELOAD would split "
            "it; link the library from a path without them"
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
                "system's malloc, which costs them about a sixth more CPU per query"
            )
        return found or ""
    return choice


def environment(preloaded: str, inherited: Mapping[str, str]) -> dict[str, str]:
    """The zygote's environment: the server's, with the library after any the user preloads."""
    variables = dict(inherited)
    if preloaded:
        variables["LD_PRELOAD"] = _joined(inherited.get("LD_PRELOAD", ""), preloaded, " ")
        variables["MALLOC_CONF"] = _joined(JEMALLOC_OPTIONS, inherited.get("MALLOC_CONF", ""), ",")
    return variables


def _joined(first: str, second: str, separator: str) -> str:
    return separator.join(part for part in (first, second) if part)


def in_use() -> str:
    """The malloc this process runs on, as the loader chose it: the first library in LD_PRELOAD
    that it loaded and that defines malloc itself (one it could not load, or one without malloc,
    is passed over), else `system`, the C library's."""
    for entry in os.environ.get("LD_PRELOAD", "").replace(":", " ").split():
        try:  # RTLD_NOLOAD: only a library already loaded, never one loaded now
            library = ctypes.CDLL(entry, mode=os.RTLD_NOLOAD | os.RTLD_LAZY)
        except OSError:
            continue
        if _defines_malloc(library, Path(entry).name):
            return Path(entry).name
    return SYSTEM


def _defines_malloc(library: ctypes.CDLL, name: str) -> bool:
    """Whether the library's own malloc is its (dlsym also finds its dependencies')."""
    try:
        address = ctypes.cast(library.malloc, ctypes.c_void_p)
    except AttributeError:
        return False
    found = _SharedObject()
    if not ctypes.CDLL(None).dladdr(address, ctypes.byref(found)) or not found.path:
        return False
    return Path(found.path.decode(errors="replace")).name == name


class _SharedObject(ctypes.Structure):
    """dladdr's `Dl_info`: the object a symbol's address lies in."""

    _fields_ = [
        ("path", ctypes.c_char_p),
        ("base", ctypes.c_void_p),
        ("symbol", ctypes.c_char_p),
        ("symbol_address", ctypes.c_void_p),
    ]
