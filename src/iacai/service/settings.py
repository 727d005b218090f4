"""Every setting of the SPARQL service, in one frozen dataclass, from flags and IACAI_* variables.

Each field carries its own help text and environment variable, so `--help`, the environment and
the code can never disagree about a setting.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from uvicorn.config import LOG_LEVELS

from iacai.service.engine import allocator
from iacai.service.http.client_identity import parse_networks
from iacai.stores.location import StoreLocation

ENV_PREFIX = "IACAI_"


def _setting(default: Any, help_text: str) -> Any:
    return field(default=default, metadata={"help": help_text})


@dataclass(frozen=True)
class Settings:
    """How the service listens, how hard it works for one query, and what it lets through."""

    host: str = _setting("127.0.0.1", "address to listen on")
    port: int = _setting(8000, "TCP port to listen on")
    store: str = _setting(
        "memory",
        "where the graph is queried: memory, disk:PATH (Oxigraph on disk, loaded once) or the URL "
        "of a SPARQL 1.1 query endpoint (loaded with `iacai load`)",
    )
    data_dir: str = _setting(
        "",
        "folder holding the essay's data files under their shipped names (older: --data FILE "
        "takes files of any name); empty = shipped",
    )
    workers: int = _setting(1, "uvicorn worker processes (each with its own query workers)")
    query_workers: int = _setting(
        4, "query-engine processes per server process (all but two may run long queries)"
    )
    fast_lane_seconds: float = _setting(
        0.5,
        "seconds after which a running query is long: run at low CPU priority, one per client, "
        "in a lane that leaves two workers to short queries (429 with Retry-After beyond); "
        "until then a client's other queries wait, clients taking turns",
    )
    trusted_proxies: tuple[str, ...] = _setting(
        (),
        "addresses or networks of reverse proxies whose X-Forwarded-For names the client "
        "(comma-separated; empty = the peer address is the client)",
    )
    query_timeout: float = _setting(
        10.0, "seconds a query may run before its worker is killed and 503 is answered"
    )
    max_query_bytes: int = _setting(
        100_000, "largest query text or request body accepted, in bytes (413 beyond)"
    )
    max_rows: int = _setting(
        10_000, "most result rows (or triples) returned; a header says when the cap was reached"
    )
    max_answer_bytes: int = _setting(
        8 << 20, "largest query answer, in bytes of its terms; rows beyond are cut as at max-rows"
    )
    worker_malloc: str = _setting(
        "jemalloc",
        "the query workers' malloc: jemalloc (when installed, Debian's libjemalloc2; else the "
        "system's, with a warning), system, or the path of a malloc library to preload",
    )
    worker_memory: int = _setting(
        192,
        "MiB of memory each query worker may use beyond the store it shares (RLIMIT_DATA); a "
        "query needing more is answered 503 and its worker replaced (0 = unbounded)",
    )
    max_header_bytes: int = _setting(
        400_000,
        "largest request head (request line and headers) in bytes, 431 (414 for the request "
        "line alone) and closed beyond; room for a GET query of max-query-bytes, percent-encoded",
    )
    max_header_fields: int = _setting(
        100, "most header fields in a request (431 and closed beyond)"
    )
    max_header_field_bytes: int = _setting(
        16_384, "largest header field, name and value, in bytes (431 and closed beyond)"
    )
    timeout_keep_alive: int = _setting(
        5, "seconds a connection may stay idle, or take to send a request's head, until closed"
    )
    body_timeout: float = _setting(
        5.0, "seconds a request body may take to arrive in full (in total; 408 and closed beyond)"
    )
    limit_concurrency: int = _setting(
        256,
        "most requests being answered at once, each counted once its body has arrived; "
        "requests beyond are answered 503",
    )
    max_connections: int = _setting(
        256,
        "most open connections; beyond, the one waiting longest for its client (idle, or "
        "still sending) is closed, else the new one is refused with 503",
    )
    max_client_connections: int = _setting(
        64,
        "most open connections from one address (trusted proxies exempt); beyond, its "
        "connection waiting longest is closed, else the new one is refused with 429",
    )
    write_timeout: float = _setting(
        20.0,
        "seconds a client may take to read an answer's bytes waiting beyond 64 KiB before the "
        "connection is dropped",
    )
    max_buffered_bytes: int = _setting(
        128 << 20,
        "bytes of answers waiting for slow readers, all connections together; beyond, the "
        "connection with the most waiting is dropped",
    )
    max_nesting: int = _setting(
        64, "deepest nesting of ( { [ accepted in a query (400 beyond; guards the parser stack)"
    )
    service_allowlist: tuple[str, ...] = _setting(
        (), "endpoint IRI prefixes that federated SERVICE may call (comma-separated; empty = off)"
    )
    cors_origins: tuple[str, ...] = _setting(
        ("*",), "origins allowed to read answers cross-origin (comma-separated; empty = none)"
    )
    cache_entries: int = _setting(
        512, "answers kept in the in-memory response cache (0 turns the cache off)"
    )
    cache_bytes: int = _setting(
        32 << 20, "bytes of answers the answer cache keeps at most (answers over 1 MiB never)"
    )
    cache_max_age: int = _setting(
        60, "seconds clients may reuse an answer (Cache-Control max-age; 0 = revalidate)"
    )
    log_level: str = _setting("info", "uvicorn log level: " + ", ".join(LOG_LEVELS))

    @property
    def store_location(self) -> StoreLocation:
        return StoreLocation.parse(self.store)

    def to_environment(self) -> dict[str, str]:
        """These settings as IACAI_* variables: how they reach uvicorn's worker processes."""
        return {_env_name(f.name): _to_text(getattr(self, f.name)) for f in fields(self)}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """One flag per setting; its help names the environment variable and the default."""
    for setting in fields(Settings):
        flag = "--" + setting.name.replace("_", "-")
        parser.add_argument(
            flag,
            dest=setting.name,
            default=None,
            type=str,
            metavar=_metavar(setting.default),
            help=f"{setting.metadata['help']} [env {_env_name(setting.name)}; "
            f"default {_to_text(setting.default) or 'empty'}]",
        )


def from_sources(
    arguments: argparse.Namespace | None = None, environment: Mapping[str, str] | None = None
) -> Settings:
    """Settings from the defaults, overridden by IACAI_* variables, overridden by flags."""
    environment = os.environ if environment is None else environment
    values: dict[str, Any] = {}
    for setting in fields(Settings):
        text = environment.get(_env_name(setting.name))
        flag_value = getattr(arguments, setting.name, None) if arguments is not None else None
        if flag_value is not None:
            text = flag_value
        if text is not None:
            values[setting.name] = _parse(setting.name, setting.default, text)
    return _checked(replace(Settings(), **values))


def _checked(settings: Settings) -> Settings:
    positive = (
        "port",
        "workers",
        "query_workers",
        "max_query_bytes",
        "max_rows",
        "max_answer_bytes",
        "max_buffered_bytes",
        "max_nesting",
        "max_header_bytes",
        "max_header_fields",
        "max_header_field_bytes",
        "timeout_keep_alive",
        "limit_concurrency",
        "max_connections",
        "max_client_connections",
    )
    for name in positive:
        if getattr(settings, name) < 1:
            raise ValueError(f"{name.replace('_', '-')} must be at least 1")
    if min(
        settings.query_timeout,
        settings.write_timeout,
        settings.fast_lane_seconds,
        settings.body_timeout,
    ) <= 0:
        raise ValueError(
            "query-timeout, write-timeout, fast-lane-seconds and body-timeout must be positive "
            "numbers of seconds"
        )
    try:
        parse_networks(settings.trusted_proxies)
    except ValueError as error:
        raise ValueError(f"trusted-proxies: {error}") from error
    if min(settings.cache_entries, settings.cache_max_age, settings.cache_bytes) < 0:
        raise ValueError("cache-entries, cache-bytes and cache-max-age cannot be negative")
    if settings.worker_memory < 0:
        raise ValueError("worker-memory cannot be negative (0 means unbounded)")
    StoreLocation.parse(settings.store)
    allocator.check(settings.worker_malloc)
    if settings.log_level not in LOG_LEVELS:
        raise ValueError(f"log-level: {settings.log_level!r} is not one of {', '.join(LOG_LEVELS)}")
    return settings


def _parse(name: str, default: Any, text: str) -> Any:
    try:
        if isinstance(default, tuple):
            return tuple(part.strip() for part in text.split(",") if part.strip())
        return type(default)(text)
    except ValueError as error:
        raise ValueError(f"{name.replace('_', '-')}: cannot read {text!r}: {error}") from error


def _to_text(value: Any) -> str:
    return ",".join(value) if isinstance(value, tuple) else str(value)


def _metavar(default: Any) -> str:
    kinds = {int: "N", float: "SECONDS", tuple: "LIST"}
    return kinds.get(type(default), "TEXT")


def _env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()
