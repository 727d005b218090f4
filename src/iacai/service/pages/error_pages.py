"""Errors for people: a browser that asks for HTML gets a page that says what went wrong and
where to go next (home, search, the indexes); programs keep the plain-text answer.

Wraps the plain-text handlers of `service.http.errors`, so the message, status and headers are
decided in one place and only the rendering differs; since `Accept` chooses the rendering, every
error, page or plain text, says `Vary: Accept`. The page says what went wrong once: its
heading names the failure, its message what was not found, its list where to go; a request that
matched no route has no message of ours, so the page names the path it asked for.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Final

from fastapi import Request, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from iacai.service.http.negotiation import HTML, Format, Kind, choose
from iacai.service.pages.query_pages import templates

PLAIN_TEXT: Final = Format("text", "text/plain", Kind.PAGE, ("text",))
ErrorHandler = Callable[[Request, Exception], Awaitable[Response]]

_TITLES: Final = {
    400: "The request could not be understood",
    404: "Not found",
    405: "Not allowed here",
    406: "Not available in the format asked for",
    412: "A condition of the request does not hold",
    413: "Too large",
    415: "Unsupported content type",
    429: "Too many requests",
    503: "Temporarily unavailable",
}


def wants_a_page(request: Request) -> bool:
    """Whether the client prefers HTML to plain text (a browser does; `*/*` does not)."""
    return choose(request.headers.get("accept"), (PLAIN_TEXT, HTML)) is HTML


def for_people(plain: ErrorHandler) -> ErrorHandler:
    """The plain handler's answer, rendered as an HTML page when the client is a browser."""

    async def handle(request: Request, error: Exception) -> Response:
        answer = await plain(request, error)
        _vary_on_accept(answer)  # which of the two it is depends on Accept, for every error
        if not wants_a_page(request) or request.method == "HEAD":
            return answer
        message = bytes(answer.body).decode("utf-8").strip()
        if isinstance(error, StarletteHTTPException) and answer.status_code == 404:
            message = f"There is no page at {request.url.path}."
        headers = {
            name: value for name, value in answer.headers.items()
            if name.lower() not in ("content-length", "content-type")
        }
        return templates.TemplateResponse(
            request,
            "error.html",
            {
                "status": answer.status_code,
                "title": _TITLES.get(answer.status_code, "Something went wrong"),
                "message": message,
            },
            status_code=answer.status_code,
            headers=headers,
        )

    return handle


def _vary_on_accept(answer: Response) -> None:
    """Add `Accept` to the answer's `Vary` (once: a 406 names it already), so that a cache
    never hands the page a browser got to a program, or the plain text to a browser."""
    vary = answer.headers.get("vary")
    if vary is None:
        answer.headers["Vary"] = "Accept"
    elif "accept" not in (field.strip().lower() for field in vary.split(",")):
        answer.headers["Vary"] = f"{vary}, Accept"
