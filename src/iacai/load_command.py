"""`iacai load --into URL`: put the validated knowledge graph into a remote SPARQL 1.1 store.

Each named graph is replaced as a whole, so loading twice leaves the store as loading once;
afterwards each graph is counted in the store and compared with what was sent.
"""

from __future__ import annotations

import argparse
import sys

from iacai.stores.loading import LoadError, LoadTarget, load
from iacai.stores.remote import PASSWORD_VARIABLE, USER_VARIABLE

HELP = "load (replace) the knowledge graph's named graphs in a remote SPARQL store"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Validate the knowledge graph, then replace each of its named graphs in a SPARQL 1.1 "
        "store: through the Graph Store Protocol (--graph-store, one PUT per graph) or else "
        "SPARQL Update (--update; default: the --into URL). Counts every graph afterwards. "
        f"Credentials from {USER_VARIABLE} and {PASSWORD_VARIABLE} (Digest or Basic, as the "
        "store asks). Virtuoso: --graph-store http://HOST:8890/sparql-graph-crud-auth."
    )
    parser.add_argument("--into", required=True, metavar="URL",
                        help="the store's SPARQL query endpoint (where the service will query)")
    parser.add_argument("--graph-store", metavar="URL",
                        help="its Graph Store Protocol endpoint (PUT ?graph=IRI)")
    parser.add_argument("--update", metavar="URL", help="its SPARQL Update endpoint")


def run(args: argparse.Namespace) -> int:
    """0 when every graph is in the store with its count; 1 on violations or a failed load."""
    from iacai.snapshot import GraphRefusedError, validated_snapshot

    try:
        snapshot = validated_snapshot(args.data)
    except GraphRefusedError as error:
        print(f"iacai load: {error}", file=sys.stderr)
        return 1
    target = LoadTarget(args.into, args.graph_store, args.update)
    try:
        counts = load(target, snapshot.nquads, report=lambda line: print(line, file=sys.stderr))
    except LoadError as error:
        print(f"iacai load: {error}", file=sys.stderr)
        return 1
    for name, count in counts.items():
        print(f"{count}\t{name}")
    print(
        f"iacai load: {len(counts)} graphs, {sum(counts.values())} triples in {args.into} "
        f"(data version {snapshot.version})",
        file=sys.stderr,
    )
    return 0
