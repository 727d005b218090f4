"""`iacai serve`: validate the knowledge graph, prepare the store, then serve it with uvicorn."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import uvicorn

from iacai import named_queries
from iacai.dataset import DataFileError
from iacai.service import settings
from iacai.service.http.server import enough_file_descriptors, uvicorn_options
from iacai.snapshot import (
    SNAPSHOT_FILE_VARIABLE,
    GraphRefusedError,
    Snapshot,
    validated_snapshot,
    write_snapshot,
)
from iacai.stores import opening

HELP = "serve the knowledge graph as a SPARQL 1.1 endpoint (with a query page and OpenAPI docs)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `iacai serve`: one per setting (each also an IACAI_* variable)."""
    parser.description = (
        "Validate the knowledge graph with its SHACL shapes (refusing to start on a violation), "
        "then serve it: SPARQL 1.1 Protocol at /sparql, named queries at /queries, VoID at "
        "/.well-known/void, OpenAPI at /docs, health at /healthz. The store is in memory by "
        "default; disk:PATH keeps it on disk (loaded once per data version); a URL serves from "
        "a remote SPARQL store loaded with `iacai load --into URL` (credentials from "
        "IACAI_REMOTE_USER and IACAI_REMOTE_PASSWORD)."
    )
    settings.add_arguments(parser)


NOT_SERVABLE = (
    GraphRefusedError,
    DataFileError,
    opening.StoreNotReadyError,
    named_queries.QueryFileError,
)
"""What `servable_snapshot` raises: each says in one line why the service cannot start."""


def servable_snapshot(config: settings.Settings, data: Sequence[str] = ()) -> Snapshot:
    """The data (`--data` files, else the data dir or the essay), validated, with the store
    prepared and checked, before listening.

    The named queries are read too, so that a broken query file stops start-up with its name.
    """
    named_queries.catalogue()
    snapshot = validated_snapshot(data, Path(config.data_dir) if config.data_dir else None)
    opening.prepare(config.store_location, snapshot.nquads, snapshot.version)
    opening.check_remote(config.store_location, snapshot.nquads)
    return snapshot


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; exit 1 when the graph or store cannot serve, 2 on a bad setting."""
    try:
        config = settings.from_sources(args)
        if config.data_dir and args.data:
            raise ValueError("give --data or --data-dir, not both")
    except ValueError as error:
        print(f"iacai serve: {error}", file=sys.stderr)
        return 2
    try:
        snapshot = servable_snapshot(config, args.data)
    except NOT_SERVABLE as error:
        print(f"iacai serve: {error}", file=sys.stderr)
        return 1
    if shortage := enough_file_descriptors(config):
        print(f"iacai serve: warning: {shortage}", file=sys.stderr)
    print(
        f"iacai serve: graph valid (data version {snapshot.version}), store {config.store}; "
        f"listening on http://{config.host}:{config.port}/sparql",
        file=sys.stderr,
    )
    if config.workers == 1:
        from iacai.service.app import create_app

        uvicorn.run(create_app(config, snapshot), **uvicorn_options(config))
        return 0
    with tempfile.TemporaryDirectory(prefix="iacai-serve-") as folder:
        snapshot_file = Path(folder) / "snapshot.nq"
        try:
            write_snapshot(snapshot, snapshot_file)
        except OSError as error:
            print(
                f"iacai serve: cannot write the snapshot the server processes share: {error}",
                file=sys.stderr,
            )
            return 1
        os.environ.update(config.to_environment())
        os.environ[SNAPSHOT_FILE_VARIABLE] = str(snapshot_file)
        uvicorn.run(
            "iacai.service.app:app_from_environment",
            factory=True,
            workers=config.workers,
            **uvicorn_options(config),
        )
    return 0
