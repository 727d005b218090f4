"""Content negotiation: the one table of answer formats, and the one reader of `Accept`.

Every format the service writes is a row of FORMATS: its media type, the other media types that
select it, the names the `format` parameter takes, and its W3C format IRI for the service
description. Which rows fit an answer depends on its kind: SPARQL results (SELECT, ASK), an RDF
graph (CONSTRUCT, DESCRIBE, the service description), the HTML page, or a reference (a source of
the essay for a reference manager, negotiated as DOI content negotiation does). `negotiate` is the
one place that turns a request's `format` values and `Accept` header into a row, or a 406.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from iacai.service.http.errors import NotAcceptableError


class Kind(Enum):
    """What an answer is, which decides the formats it can be written in."""

    RESULTS = "results"
    GRAPH = "graph"
    PAGE = "page"
    REFERENCE = "reference"


@dataclass(frozen=True, eq=False)
class Format:
    """One answer format: compared and hashed as the one object it is (each format is made
    once, a row of FORMATS or a constant of its own), which keeps negotiation's cache keys
    (tuples of formats) cheap to look up."""

    name: str
    media_type: str
    kind: Kind
    parameter_names: tuple[str, ...]
    also_selected_by: tuple[str, ...] = ()
    w3c_iri: str | None = None
    suffix: str | None = None
    """The file suffix of a document in this format (`/id/challenge/bias.ttl`), if it has one."""

    @property
    def content_type(self) -> str:
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.also_selected_by)


_W3C = "http://www.w3.org/ns/formats/"

# fmt: off
FORMATS: tuple[Format, ...] = (
    # name       media type                          kind          ?format= names (first: shown)
    #            other media types that select it    W3C format IRI               file suffix
    Format("json", "application/sparql-results+json", Kind.RESULTS, ("json",),
           ("application/json",), f"{_W3C}SPARQL_Results_JSON"),
    Format("xml", "application/sparql-results+xml", Kind.RESULTS, ("xml",),
           ("application/xml",), f"{_W3C}SPARQL_Results_XML"),
    Format("csv", "text/csv", Kind.RESULTS, ("csv",),
           (), f"{_W3C}SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", Kind.RESULTS, ("tsv",),
           (), f"{_W3C}SPARQL_Results_TSV"),
    # N3 is a superset of Turtle, so an N3 reader reads Turtle (rdflib and SPARQLWrapper ask n3)
    Format("turtle", "text/turtle", Kind.GRAPH, ("ttl", "turtle", "n3"),
           ("application/x-turtle", "text/n3"), f"{_W3C}Turtle", "ttl"),
    # text/plain is what rdflib and older clients call N-Triples
    Format("ntriples", "application/n-triples", Kind.GRAPH, ("nt", "ntriples"),
           ("text/plain",), f"{_W3C}N-Triples", "nt"),
    Format("rdfxml", "application/rdf+xml", Kind.GRAPH,
           ("rdfxml", "rdf/xml", "rdf+xml", "rdf", "xml"),
           ("application/xml", "text/xml"), f"{_W3C}RDF_XML", "rdf"),
    Format("jsonld", "application/ld+json", Kind.GRAPH, ("jsonld", "json-ld", "json"),
           ("application/json",), f"{_W3C}JSON-LD", "jsonld"),
    Format("trig", "application/trig", Kind.GRAPH, ("trig",),
           (), f"{_W3C}TriG", "trig"),
    Format("nquads", "application/n-quads", Kind.GRAPH, ("nq", "nquads"),
           (), f"{_W3C}N-Quads", "nq"),
    Format("html", "text/html", Kind.PAGE, ("html",),
           ("application/xhtml+xml",), None, "html"),
    Format("bibtex", "application/x-bibtex", Kind.REFERENCE, ("bibtex", "bib"),
           ("text/x-bibtex",), None, "bib"),
    Format("ris", "application/x-research-info-systems", Kind.REFERENCE, ("ris",),
           (), None, "ris"),
    Format("csljson", "application/vnd.citationstyles.csl+json", Kind.REFERENCE,
           ("csl-json", "csljson", "csl"), (), None, "csl.json"),
    Format("bibliography", "text/x-bibliography", Kind.REFERENCE, ("bibliography", "citation"),
           (), None, "txt"),
)
# fmt: on
"""Within a kind, the order is the server's preference when a client accepts several equally."""

HTML = next(f for f in FORMATS if f.kind is Kind.PAGE)


def formats_of(kind: Kind) -> tuple[Format, ...]:
    """The formats an answer of this kind can be written in, preferred first."""
    return _FORMATS_OF[kind]


_FORMATS_OF = {kind: tuple(f for f in FORMATS if f.kind is kind) for kind in Kind}


@dataclass(frozen=True)
class MediaRange:
    """One entry of an Accept header."""

    type: str
    subtype: str
    quality: float
    position: int

    def specificity(self, media_type: str) -> int:
        """How closely this range matches the media type: 2 exact, 1 type/*, 0 */*, -1 not."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


MAX_MEDIA_RANGES = 32
"""Media ranges read from an Accept header, and parameters from each; the rest is ignored, so
that a hostile header (35,000 q-values) costs no more than an ordinary one."""


def parse_accept(header: str | None) -> list[MediaRange]:
    """The media ranges of an Accept header with their q-values; no header accepts anything."""
    ranges = []
    items = (header or "*/*").split(",", MAX_MEDIA_RANGES)[:MAX_MEDIA_RANGES]
    for position, item in enumerate(items):
        parts = item.split(";", MAX_MEDIA_RANGES)[:MAX_MEDIA_RANGES]
        media, *parameters = (part.strip() for part in parts)
        kind, slash, sub = media.lower().partition("/")
        if not slash or not kind or not sub:
            continue
        quality = 1.0
        for parameter in parameters:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(MediaRange(kind, sub, quality, position))
    return ranges


def choose(header: str | None, offered: Sequence[Format]) -> Format | None:
    """The offered format the client prefers: by q-value, then by the client's order, then ours.

    Each format takes the q-value of the most specific range that matches it (so
    `text/*;q=0.1, text/csv` still prefers CSV); None when nothing acceptable is offered.
    """
    if header is not None and len(header) > LONGEST_KEPT_CHOICE:
        return _choice(header, tuple(offered))
    return _kept_choice(header, tuple(offered))


CHOICES_KEPT = 512
LONGEST_KEPT_CHOICE = 512
"""Choices for Accept headers up to this many characters are kept (at most 256 KiB of them):
clients send the same few headers again and again, and parsing one costs more than the rest
of the negotiation (a pure function of the header and the formats offered)."""


@functools.lru_cache(maxsize=CHOICES_KEPT)
def _kept_choice(header: str | None, offered: tuple[Format, ...]) -> Format | None:
    return _choice(header, offered)


def _choice(header: str | None, offered: tuple[Format, ...]) -> Format | None:
    ranges = parse_accept(header)
    best: tuple[float, int, int] | None = None
    chosen = None
    for preference, candidate in enumerate(offered):
        matched = _best_range(ranges, candidate)
        if matched is None or matched.quality <= 0:
            continue
        rank = (-matched.quality, matched.position, preference)
        if best is None or rank < best:
            best, chosen = rank, candidate
    return chosen


def negotiate(
    format_values: Sequence[str], accept: str | None, offered: Sequence[Format], what: str
) -> Format:
    """The answer's format: by `format`, else by `Accept`, else a 406 naming what is offered.

    Every answer the service negotiates comes through here; `what` names the answer in the 406
    message ("this query", "the VoID description", an IRI). As Fuseki and Virtuoso do: the first
    `format` value that names an offered format wins; a value naming no format at all is ignored
    (SPARQLWrapper sends its own guesses, such as `rdf+xml` or `n3`, beside a good Accept), while
    one naming a format that does not fit this answer is refused. Else `Accept` decides, and a
    client accepting only formats of the other kind (rdflib asking a CONSTRUCT with
    `application/sparql-results+json`) gets this answer's default format rather than a 406.
    """
    for value in format_values:
        chosen = by_parameter(value, offered)
        if chosen is not None:
            return chosen
        if by_parameter(value, FORMATS) is not None:
            raise _not_acceptable(f"format={value!r} is not offered for {what}", offered)
    chosen = choose(accept, offered) or _default_for_the_other_kind(accept, offered)
    if chosen is None:
        raise _not_acceptable(f"None of the accepted media types is offered for {what}", offered)
    return chosen


def _default_for_the_other_kind(accept: str | None, offered: Sequence[Format]) -> Format | None:
    """The offered SPARQL answer's default format, when Accept names only the other kind's."""
    default = next((f for f in offered if f.kind is not Kind.PAGE), None)
    if default is None or default not in FORMATS or default.kind not in (Kind.GRAPH, Kind.RESULTS):
        return None
    other = Kind.RESULTS if default.kind is Kind.GRAPH else Kind.GRAPH
    return default if choose(accept, formats_of(other)) is not None else None


def _not_acceptable(reason: str, offered: Sequence[Format]) -> NotAcceptableError:
    """The 406, listing what is offered both ways, each `format` value whole (`format=rdfxml`),
    so that no name reads as a media type or as the next item of the list."""
    types = ", ".join(f.media_type for f in offered)
    names = ", ".join(f"format={f.parameter_names[0]}" for f in offered)
    return NotAcceptableError(
        f"{reason}. Available: the media types {types} (in Accept), or {names} (as a parameter)."
    )


def by_parameter(value: str, offered: Sequence[Format]) -> Format | None:
    """The offered format named by a `format` parameter (a short name or a media type)."""
    wanted = value.strip().lower()
    for candidate in offered:
        if wanted in candidate.parameter_names or wanted in candidate.media_types:
            return candidate
    return None


def by_suffix(suffix: str, offered: Sequence[Format]) -> Format | None:
    """The offered format whose documents end in `.suffix` (`ttl`, `jsonld`, `html`, ...)."""
    return next((f for f in offered if f.suffix == suffix.lower()), None)


def split_suffix(file_name: str, offered: Sequence[Format]) -> tuple[str, Format] | None:
    """A file name as its stem and the offered format its suffix names (`x.csl.json`), or None."""
    for candidate in sorted(offered, key=lambda f: -len(f.suffix or "")):
        ending = f".{candidate.suffix}"
        if candidate.suffix and file_name.lower().endswith(ending) and len(file_name) > len(ending):
            return file_name[: -len(ending)], candidate
    return None


def _best_range(ranges: Sequence[MediaRange], candidate: Format) -> MediaRange | None:
    best: tuple[int, MediaRange] | None = None
    for media_type in candidate.media_types:
        for media_range in ranges:
            specificity = media_range.specificity(media_type)
            if specificity >= 0 and (best is None or specificity > best[0]):
                best = (specificity, media_range)
    return best[1] if best else None
