"""Conditional requests (RFC 9110, 13): `If-None-Match` read one strict way, and what it yields.

Every layer that evaluates it reads it here: the answer cache in front, the handlers that know
an answer's ETag before making it (a query is not run for a client that holds its answer), and
the representation middleware (every other answer).

- The field is `*` or a comma-separated list of entity tags (`"x"`, `W/"x"`). Any other value
  (`W/*`, an unquoted tag, `*` beside tags, a lowercase `w/`) is ignored, as if not sent: a
  condition that cannot be read is not evaluated (RFC 9110, 5.5), so the client gets the answer.
- Tags are compared weakly (13.1.2): `W/"x"` matches `"x"`; `*` matches any answer.
- When it matches, a GET or HEAD is answered 304 and any other method 412 (13.1.2), without
  performing it: a query sent by POST is not answered 304, since POST is not revalidated.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from fastapi import Request, Response

from iacai.service.http.errors import PreconditionFailedError

REVALIDATED_METHODS: Final = ("GET", "HEAD")
"""The methods a matching If-None-Match turns into a 304 (every other gets a 412)."""

_ENTITY_TAG: Final = r'(?:W/)?"[\x21\x23-\x7e\x80-\xff]*"'
_ELEMENT: Final = rf"[ \t]*(?:{_ENTITY_TAG}[ \t]*)?"
"""A list element, possibly empty (RFC 9110, 5.6.1.2); the spaces around a tag are matched one
way only, so a long malformed value fails in linear time."""
_TAG_LIST: Final = re.compile(rf"{_ELEMENT}(?:,{_ELEMENT})*")
_TAG: Final = re.compile(_ENTITY_TAG)


@dataclass(frozen=True)
class IfNoneMatch:
    """A readable If-None-Match: `*`, or the entity tags it lists, each as sent (`W/` or not)."""

    anything: bool
    tags: frozenset[str]

    def matches(self, etag: str) -> bool:
        """Weak comparison: the same opaque tag, W/ or not; `*` matches any answer."""
        opaque = etag.removeprefix("W/")
        return self.anything or opaque in self.tags or "W/" + opaque in self.tags

    def names_only_weak(self, etag: str) -> bool:
        """Whether the client holds this strong tag in its weak form only (a gzipped answer's)."""
        return etag not in self.tags and "W/" + etag in self.tags


def read_if_none_match(value: str | None) -> IfNoneMatch | None:
    """The field as read; None when absent or not `*` or a list of entity tags."""
    if value is None:
        return None
    if value.strip(" \t") == "*":
        return IfNoneMatch(True, frozenset())
    if not _TAG_LIST.fullmatch(value):
        return None
    tags = frozenset(_TAG.findall(value))
    return IfNoneMatch(False, tags) if tags else None


def etag_matches(etag: str, if_none_match: str | None) -> bool:
    """Whether an If-None-Match field (None: not sent) names the answer tagged `etag`."""
    condition = read_if_none_match(if_none_match)
    return condition is not None and condition.matches(etag)


def not_modified(
    request: Request, etag: str, headers: Mapping[str, str], media_type: str
) -> Response | None:
    """For a handler that knows its answer's ETag before making it: the 304 when the client
    holds the answer, None to make it; a 412 error (raised) when the method is not GET or HEAD.

    The 304 names the media type the 200 has, for the representation middleware only: it gives
    the 304 the 200's `Vary` (Accept-Encoding for a compressible type), then drops it."""
    if not etag_matches(etag, request.headers.get("if-none-match")):
        return None
    if request.method not in REVALIDATED_METHODS:
        raise PreconditionFailedError(
            f"If-None-Match names this answer ({etag}), so a {request.method} is refused "
            "(RFC 9110, 13.1.2): only GET and HEAD are revalidated (304). Send the query by "
            "GET to revalidate it, or without If-None-Match to have the answer."
        )
    return Response(status_code=304, headers=dict(headers), media_type=media_type)
