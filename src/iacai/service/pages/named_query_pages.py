"""A named query for people: its question, a form whose IRI parameters are chosen from labels,
the answer as a table linked to local pages, and downloads in the formats that fit its form.

A value may be given as an IRI, a prefixed name (`id:challenge/bias`) or a label (`Bias`, any
case): a label is turned into the IRI of the one resource of the parameter's class that bears it,
a prefixed name into its IRI, so the form shows the same choice selected either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse

from iacai import query_lexer
from iacai.named_queries import NamedQuery, ParameterError, QueryParameter
from iacai.namespaces import IACAI
from iacai.service.http.negotiation import Kind, formats_of
from iacai.service.pages.answer_tables import labelled_answer_table
from iacai.service.pages.index_pages import resources_of
from iacai.service.pages.query_pages import templates
from iacai.service.sparql.answerer import Answerer, QueryRequest
from iacai.service.sparql.internal_queries import asked_for


@dataclass
class Field:
    """One parameter on the form: its choices (for an IRI) and the value given."""

    parameter: QueryParameter
    value: str
    choices: list[tuple[str, str]] = field(default_factory=list)


async def named_query_page(
    request: Request, named: NamedQuery, values: dict[str, str]
) -> HTMLResponse:
    """The page of one named query, answered when every parameter has a value."""
    fields = [
        Field(p, values.get(p.name, ""), await _choices(request, p)) for p in named.parameters
    ]
    for form_field in fields:
        form_field.value = _iri_of(form_field)
    given = {f.parameter.name: f.value for f in fields if f.value}
    outline = query_lexer.outline(named.text)
    kind = Kind.GRAPH if outline.returns_graph else Kind.RESULTS
    context: dict[str, Any] = {
        "query": named,
        "fields": fields,
        "table": None,
        "truncated": False,
        "error": None,
        "downloads": [],
    }
    status = 200
    if len(given) == len(fields) and kind is not Kind.GRAPH:
        try:
            substitutions = named.oxigraph_substitutions(given)
        except ParameterError as error:
            context["error"] = str(error)
            status = 400
        else:
            answerer: Answerer = request.app.state.answerer
            bound = tuple(sorted((v.value, term) for v, term in substitutions.items()))
            results, truncated = await answerer.solutions(
                request, QueryRequest(named.text, outline, substitutions=bound)
            )
            context["table"] = await labelled_answer_table(asked_for(request), results)
            context["truncated"] = truncated
    if status == 200 and len(given) == len(fields):
        context["downloads"] = [
            (f, "?" + urlencode({**given, "format": f.parameter_names[0]}))
            for f in formats_of(kind)
        ]
    return templates.TemplateResponse(
        request, "named_query.html", context, status_code=status, headers={"Vary": "Accept"}
    )


async def _choices(request: Request, parameter: QueryParameter) -> list[tuple[str, str]]:
    """(IRI, label) of every resource of the class the parameter names (`challenge`)."""
    if parameter.type != "iri":
        return []
    class_iri = f"{IACAI}{parameter.name[:1].upper()}{parameter.name[1:]}"
    rows = await resources_of(request, class_iri)
    return sorted(((row["item"], row.get("label") or row["item"]) for row in rows),
                  key=lambda choice: choice[1].lower())


def _iri_of(form_field: Field) -> str:
    """The IRI a value stands for, so that the form selects it whichever way it was given: the one
    choice whose label it is (case blind), or the expansion of a prefixed name; else the value."""
    wanted = form_field.value.strip().casefold()
    matches = [iri for iri, label in form_field.choices if label.casefold() == wanted]
    if len(matches) == 1:
        return matches[0]
    if form_field.parameter.type == "iri" and form_field.value:
        try:
            return str(form_field.parameter.term(form_field.value.strip()))
        except ParameterError:
            pass
    return form_field.value
