"""Where things are on this server: the base URL a client reached, the path of a project IRI.

Every IRI under https://w3id.org/iacai/ is answered at the same path here (`/id/challenge/bias`);
pages link to those paths (root-relative), while the data keeps its canonical IRIs. Descriptions
that name this server (the service description, VoID, the SVG matrix) use the base URL the client
reached, so they hold wherever the service is deployed.
"""

from __future__ import annotations

from fastapi import Request

from iacai.namespaces import BASE


def base_url(request: Request) -> str:
    """This server's address as the client reached it, without a trailing slash."""
    return str(request.base_url).rstrip("/")


def served_path(iri: str) -> str | None:
    """The path this service answers an IRI of the project at (`/id/challenge/bias`), else None."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else None
