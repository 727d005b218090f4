"""Reading a resource page's answers as a reader sees them: its summary and its answer tables."""

from __future__ import annotations

from xml.etree.ElementTree import Element

import html5lib

_NS = "{http://www.w3.org/1999/xhtml}"


def parsed(page: str) -> Element:
    return html5lib.parse(page)


def text(element: Element) -> str:
    """The element's text with its whitespace collapsed; the items of a list joined by " | "."""
    items = [item for item in element.iter(f"{_NS}li") if item is not element]
    if items:
        return " | ".join(text(item) for item in items)
    return " ".join("".join(element.itertext()).split())


def summary(document: Element) -> dict[str, str]:
    """The page's summary list (Kind, Category, Source...), each term with its text."""
    found = document.find(f".//{_NS}dl[@class='summary']")
    assert found is not None, "the page has no summary"
    return {text(pair.find(f"{_NS}dt")): text(pair.find(f"{_NS}dd"))  # type: ignore[arg-type]
            for pair in found.iter(f"{_NS}div")}


def answer_rows(document: Element, relation: str) -> list[list[str]]:
    """The rows of one answer table (by its relation: addressed-by, member, row...), as texts."""
    section = next(
        (s for s in document.iter(f"{_NS}section")
         if s.get("aria-labelledby") == f"answer-{relation}"),
        None,
    )
    assert section is not None, f"the page has no {relation} answer"
    body = section.find(f".//{_NS}tbody")
    assert body is not None
    return [[text(cell) for cell in row] for row in body.iter(f"{_NS}tr")]


def heading(document: Element, relation: str) -> str:
    found = document.find(f".//{_NS}h2[@id='answer-{relation}']")
    assert found is not None, f"the page has no {relation} heading"
    return text(found)


def list_items(document: Element, css_class: str) -> list[str]:
    found = document.find(f".//{_NS}ol[@class='{css_class}']")
    assert found is not None, f"the page has no list {css_class}"
    return [text(item) for item in found.iter(f"{_NS}li")]
