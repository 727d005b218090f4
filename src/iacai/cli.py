"""The `iacai` command: validate, query, export and serve the knowledge graph of the essay.

Exit status: 0 success; 1 the graph has SHACL violations; 2 a usage error, or an input (RDF file,
query, parameter) that cannot be used, reported in one line without a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from iacai import __version__
from iacai.dataset import ESSAY, DataFileError, load_data
from iacai.export import EXPORT_FORMATS, export
from iacai.named_queries import (
    NamedQuery,
    ParameterError,
    QueryFileError,
    catalogue,
    read_query,
)
from iacai.query_engine import run, store_from
from iacai.results import RESULT_FORMATS, ResultFormatError, write_result
from iacai.validation import validate

SERVICE_COMMAND_MODULE = "iacai.service.command"
"""Where `iacai serve` lives: `add_arguments(parser)` and `run(args) -> int`."""


class UsageError(Exception):
    """Something the user asked for that cannot be done; its message says what and where."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status instead of exiting, so tests can call it."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(with_service=bool(arguments) and arguments[0] == "serve")
    try:
        args = parser.parse_args(arguments)
        command: Callable[[argparse.Namespace], int] = args.command
        return command(args)
    except SystemExit as exit_:  # argparse exits on --help, --version and usage errors
        return exit_.code if isinstance(exit_.code, int) else 2
    except (UsageError, DataFileError, ParameterError, QueryFileError, ResultFormatError) as error:
        print(f"iacai: error: {error}", file=sys.stderr)
        return 2


def build_parser(with_service: bool = False) -> argparse.ArgumentParser:
    """The argument parser; the service's options are only imported when `serve` is asked for."""
    parser = argparse.ArgumentParser(
        prog="iacai",
        description="The essay on interagency collaboration and AI in the public sector, "
        "as a knowledge graph: validate it, query it, export it, serve it.",
    )
    parser.add_argument("--version", action="version", version=f"iacai {__version__}")
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")
    _add_validate(commands)
    _add_query(commands)
    _add_export(commands)
    _add_load(commands)
    _add_serve(commands, with_service)
    for command in commands.choices.values():
        add_data_argument(command)
    return parser


def add_data_argument(parser: argparse.ArgumentParser) -> None:
    """`--data FILE`, the same for every command: whose data it works on."""
    parser.add_argument(
        "--data", action="append", default=[], metavar="FILE",
        help=f"an RDF file to use (repeatable; any syntax rdflib reads: .ttl, .trig, .nq, .nt, "
        f".jsonld, .rdf...), each in its own named graph; the word {ESSAY!r} names the essay's "
        "graphs (the default without --data)",
    )


def _add_validate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    validate_parser = commands.add_parser(
        "validate",
        help="check RDF against the SHACL shapes (exit 1 on violations)",
        description="Validate the essay's knowledge graph, or your own RDF files together with "
        "the iacai ontology, against the iacai SHACL shapes. Warnings do not fail.",
    )
    validate_parser.add_argument("files", nargs="*", metavar="FILE",
                                 help="RDF files, as with --data (default: the essay)")
    validate_parser.add_argument("--format", choices=("text", "turtle", "json"), default="text",
                                 help="report as readable text, a SHACL report in Turtle, or JSON")
    validate_parser.set_defaults(command=_validate)


def _add_query(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    try:
        named = f"Named queries: {', '.join(catalogue())}."
    except QueryFileError as error:  # reported when a named query is run; other commands go on
        named = f"The named queries cannot be read: {error}."
    query_parser = commands.add_parser(
        "query",
        help="run a named query or a SPARQL file",
        description="Run a SPARQL query over the knowledge graph (default graph: the union of "
        f"the named graphs). {named}",
    )
    query_parser.add_argument("query", metavar="NAME|FILE.rq",
                              help="a named query, or a file holding a SPARQL query")
    query_parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                              help="bind a parameter declared in the query's header (repeatable)")
    query_parser.add_argument("--format", choices=RESULT_FORMATS, default=None,
                              help="table (default), json, csv, tsv; turtle for CONSTRUCT/DESCRIBE")
    query_parser.set_defaults(command=_query)


def _add_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    export_parser = commands.add_parser(
        "export",
        help="write a dump of the whole graph (same bytes every run)",
        description="Write the knowledge graph (data and ontology) in one RDF format: "
        + "; ".join(f"{name}: {what}" for name, what in EXPORT_FORMATS.items()) + ".",
    )
    export_parser.add_argument("--format", choices=tuple(EXPORT_FORMATS), default="ttl")
    export_parser.add_argument("-o", "--output", type=Path, metavar="FILE",
                               help="write here instead of standard output")
    export_parser.set_defaults(command=_export)


def _add_load(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from iacai import load_command as load

    load_parser = commands.add_parser("load", help=load.HELP)
    load.add_arguments(load_parser)
    load_parser.set_defaults(command=load.run)


def _add_serve(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], with_service: bool
) -> None:
    serve_parser = commands.add_parser(
        "serve", help="serve the SPARQL endpoint and linked data over HTTP"
    )
    if not with_service:
        serve_parser.set_defaults(command=_service_missing)
        return
    try:
        service = importlib.import_module(SERVICE_COMMAND_MODULE)
    except ModuleNotFoundError as error:
        if error.name is None or not SERVICE_COMMAND_MODULE.startswith(error.name):
            raise
        serve_parser.set_defaults(command=_service_missing)
        return
    service.add_arguments(serve_parser)
    serve_parser.set_defaults(command=service.run)


def _validate(args: argparse.Namespace) -> int:
    report = validate(load_data([*args.files, *args.data]))
    rendered = {"text": report.to_text, "turtle": report.to_turtle, "json": report.to_json}
    sys.stdout.write(rendered[args.format]())
    return 0 if report.conforms else 1


def _query(args: argparse.Namespace) -> int:
    query = _named_or_file(args.query)
    substitutions = query.oxigraph_substitutions(dict(_name_value(p) for p in args.param))
    try:
        result = run(store_from(load_data(args.data)), query.text, substitutions)
    except (SyntaxError, RuntimeError) as error:  # pyoxigraph: bad syntax, or cannot evaluate
        raise UsageError(f"{query.path}: {error}") from error
    sys.stdout.buffer.write(write_result(result, args.format))
    return 0


def _export(args: argparse.Namespace) -> int:
    dump = export(load_data(args.data), args.format)
    if args.output is None:
        sys.stdout.buffer.write(dump)
    else:
        args.output.write_bytes(dump)
    return 0


def _service_missing(args: argparse.Namespace) -> int:
    raise UsageError(f"the SPARQL service is not in this installation ({SERVICE_COMMAND_MODULE})")


def _named_or_file(name_or_path: str) -> NamedQuery:
    """A query file as given, else a named query (which needs the catalogue to be readable)."""
    path = Path(name_or_path)
    if path.suffix in (".rq", ".sparql") and path.is_file():
        return read_query(path)
    named = catalogue()
    if name_or_path in named:
        return named[name_or_path]
    raise UsageError(
        f"no named query or query file {name_or_path!r}; named queries: {', '.join(named)}"
    )


def _name_value(parameter: str) -> tuple[str, str]:
    name, equals, value = parameter.partition("=")
    if not equals or not name:
        raise UsageError(f"--param takes NAME=VALUE, got {parameter!r}")
    return name.strip(), value


if __name__ == "__main__":
    sys.exit(main())
