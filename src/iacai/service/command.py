"""`iacai serve`: validate the knowledge graph, then serve it over SPARQL with uvicorn."""

from __future__ import annotations

import argparse
import os
import sys

import uvicorn

from iacai.service import settings
from iacai.service.snapshot import GraphRefusedError, validated_snapshot

HELP = "serve the knowledge graph as a SPARQL 1.1 endpoint (with a query page and OpenAPI docs)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags of `iacai serve`: one per setting (each also an IACAI_* variable)."""
    parser.description = (
        "Validate the knowledge graph with its SHACL shapes (refusing to start on a violation), "
        "then serve it: SPARQL 1.1 Protocol at /sparql, named queries at /queries, VoID at "
        "/.well-known/void, OpenAPI at /docs, health at /healthz."
    )
    settings.add_arguments(parser)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; exit 1 when the graph has violations, 2 on a bad setting."""
    try:
        config = settings.from_sources(args)
    except ValueError as error:
        print(f"iacai serve: {error}", file=sys.stderr)
        return 2
    try:
        snapshot = validated_snapshot()
    except GraphRefusedError as error:
        print(f"iacai serve: {error}", file=sys.stderr)
        return 1
    print(
        f"iacai serve: graph valid (data version {snapshot.version}); "
        f"listening on http://{config.host}:{config.port}/sparql",
        file=sys.stderr,
    )
    if config.workers == 1:
        from iacai.service.app import create_app

        uvicorn.run(
            create_app(config, snapshot),
            host=config.host,
            port=config.port,
            log_level=config.log_level,
        )
    else:
        os.environ.update(config.to_environment())
        uvicorn.run(
            "iacai.service.app:app_from_environment",
            factory=True,
            host=config.host,
            port=config.port,
            workers=config.workers,
            log_level=config.log_level,
        )
    return 0
