"""What a query worker may do, set by the worker on itself before it opens the store.

Network: a seccomp filter makes `socket(2)` fail with EACCES for every family but AF_UNIX (the
worker talks to its server over a Unix socketpair), and `io_uring_setup(2)` (which can open
sockets too) with ENOSYS; it covers every thread of the process and every child, and cannot be
lifted. Chosen over a network namespace (`unshare(CLONE_NEWNET)`), which needs privileges the
service does not have, and over libseccomp's Python binding, which is not on PyPI: the filter is
nine BPF instructions, written here with ctypes. It is skipped when a SERVICE allowlist is set
or the store is remote, since the worker must then connect out.

Memory: RLIMIT_DATA bounds the worker's private writable memory (the engine's and Python's
heaps), so a query that would need more fails in the worker (which is then replaced) instead of
taking the machine's memory. The limit is set beyond what the worker holds when it starts (the
store and interpreter it shares with the zygote, counted by RLIMIT_DATA though not copied), so
`--worker-memory` means the same on a graph of any size.
"""

from __future__ import annotations

import ctypes
import os
import platform
import resource
import socket
import struct
from pathlib import Path

_ARCHITECTURES = {
    # machine: (AUDIT_ARCH_*, socket, io_uring_setup, seccomp)
    "x86_64": (0xC000003E, 41, 425, 317),
    "aarch64": (0xC00000B7, 198, 425, 277),
}
_X32_SYSCALL_BIT = 0x40000000

_LOAD_WORD = 0x20  # BPF_LD | BPF_W | BPF_ABS
_JUMP_IF_EQUAL = 0x15  # BPF_JMP | BPF_JEQ | BPF_K
_JUMP_IF_AT_LEAST = 0x35  # BPF_JMP | BPF_JGE | BPF_K
_RETURN = 0x06  # BPF_RET | BPF_K
_ALLOW = 0x7FFF0000  # SECCOMP_RET_ALLOW
_ERRNO = 0x00050000  # SECCOMP_RET_ERRNO | errno
_NR, _ARCH, _FIRST_ARGUMENT = 0, 4, 16  # offsets in struct seccomp_data (little-endian)

_PR_SET_NO_NEW_PRIVS = 38
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1


class _Program(ctypes.Structure):
    _fields_ = [("length", ctypes.c_ushort), ("filter", ctypes.c_char_p)]


def _instruction(code: int, true_jump: int, false_jump: int, value: int) -> bytes:
    return struct.pack("=HBBI", code, true_jump, false_jump, value)


def _network_filter(audit_arch: int, socket_call: int, io_uring_setup: int) -> bytes:
    """socket(family != AF_UNIX) -> EACCES, io_uring_setup -> ENOSYS, another ABI -> EPERM."""
    denied = _ERRNO | 13  # EACCES
    return b"".join(
        [
            _instruction(_LOAD_WORD, 0, 0, _ARCH),
            _instruction(_JUMP_IF_EQUAL, 1, 0, audit_arch),
            _instruction(_RETURN, 0, 0, _ERRNO | 1),  # EPERM: no syscalls of another ABI
            _instruction(_LOAD_WORD, 0, 0, _NR),
            _instruction(_JUMP_IF_AT_LEAST, 7, 0, _X32_SYSCALL_BIT),  # x32 ABI: denied
            _instruction(_JUMP_IF_EQUAL, 0, 1, io_uring_setup),
            _instruction(_RETURN, 0, 0, _ERRNO | 38),  # ENOSYS
            _instruction(_JUMP_IF_EQUAL, 1, 0, socket_call),
            _instruction(_RETURN, 0, 0, _ALLOW),
            _instruction(_LOAD_WORD, 0, 0, _FIRST_ARGUMENT),
            _instruction(_JUMP_IF_EQUAL, 0, 1, socket.AF_UNIX),
            _instruction(_RETURN, 0, 0, _ALLOW),
            _instruction(_RETURN, 0, 0, denied),
        ]
    )


def forbid_network() -> str | None:
    """Install the filter on this process; None when it holds, else why it could not be."""
    if platform.system() != "Linux":
        return f"seccomp is a Linux facility; this is {platform.system()}"
    numbers = _ARCHITECTURES.get(platform.machine())
    if numbers is None:
        return f"no seccomp filter is written for the {platform.machine()} architecture"
    audit_arch, socket_call, io_uring_setup, seccomp_call = numbers
    code = _network_filter(audit_arch, socket_call, io_uring_setup)
    program = _Program(len(code) // 8, code)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
        return f"prctl(PR_SET_NO_NEW_PRIVS) failed: {os.strerror(ctypes.get_errno())}"
    flags = _SECCOMP_FILTER_FLAG_TSYNC
    if libc.syscall(seccomp_call, _SECCOMP_SET_MODE_FILTER, flags, ctypes.byref(program)) != 0:
        return f"the kernel refused the seccomp filter: {os.strerror(ctypes.get_errno())}"
    return None


def limit_memory(extra_bytes: int) -> str | None:
    """Cap the process's data segment (RLIMIT_DATA) at what it holds now plus `extra_bytes`;
    None when set, else why it could not be."""
    limit = _data_bytes() + extra_bytes
    try:
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    except (ValueError, OSError) as error:
        return f"RLIMIT_DATA could not be set: {error}"
    return None


def _data_bytes() -> int:
    """The data segment's size now (VmData, in bytes), as RLIMIT_DATA counts it; 0 if unknown."""
    try:
        status = Path("/proc/self/status").read_text(encoding="ascii")
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1]) << 10
    return 0
