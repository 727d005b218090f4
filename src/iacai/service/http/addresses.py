"""Where things are on this server: the base URL a client reached, the path of a project IRI.

Every IRI under https://w3id.org/iacai/ is answered at the same path here (`/id/challenge/bias`);
pages link to those paths (root-relative), while the data keeps its canonical IRIs; any other IRI
of the data is shown at `/describe?iri=IRI`. Descriptions
that name this server (the service description, VoID, the SVG matrix) use the base URL the client
reached, so they hold wherever the service is deployed.
"""

from __future__ import annotations

from typing import Final
from urllib.parse import urlencode

from fastapi import Request

from iacai.namespaces import BASE

DESCRIBE_PATH: Final = "/describe"
"""Where any IRI of the data outside https://w3id.org/iacai/ is shown: `/describe?iri=IRI`."""


def base_url(request: Request) -> str:
    """This server's address as the client reached it, without a trailing slash."""
    return str(request.base_url).rstrip("/")


def served_path(iri: str) -> str | None:
    """The path this service answers an IRI of the project at (`/id/challenge/bias`), else None."""
    return "/" + iri[len(BASE) :] if iri.startswith(BASE) else None


def page_path(iri: str, format_suffix: str | None = None) -> str:
    """Where this service shows any IRI: the project's at their own path, others by `/describe`.

    With a format suffix (`ttl`, `jsonld`...), the document in that format instead of the page.
    """
    path = served_path(iri)
    if path is not None:
        return f"{path}.{format_suffix}" if format_suffix else path
    parameters = {"iri": iri, **({"format": format_suffix} if format_suffix else {})}
    return f"{DESCRIBE_PATH}?{urlencode(parameters)}"
