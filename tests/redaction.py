"""Redaction checks shared by the whole test suite (a helper, not a test module).

A redaction test renders a report for an audience and then asserts that every token
planted above that audience is absent from EVERYTHING in the file, and that the
public canaries are present (so that an empty or broken file cannot pass)::

    from tests.redaction import assert_redacted

    assert_redacted(pdf, forbidden=member_tokens, required=public_tokens)

:func:`inspect_pdf` reads a PDF through several independent channels:

``text:pypdf`` / ``text:pdfminer``
    Text extracted by two unrelated extractors, page by page. These are the primary
    check: WeasyPrint writes text as glyph ids of subset fonts, so a visible token
    is usually NOT present as ASCII in any content stream.
``metadata:info`` / ``metadata:xmp``
    The Info dictionary and the XMP metadata stream.
``outline``
    Bookmark titles, recursively.
``link:uri`` / ``link:dest`` / ``annotation``
    Link URIs, named destinations used by links, and other annotation text
    (``/Contents``, ``/T``, ``/TU``, ``/NM``).
``alt``
    ``/Alt``, ``/ActualText``, ``/E`` and ``/T`` of every structure element.
``names``
    Keys of the catalog's name trees (``/Dests``, ``/EmbeddedFiles``…) and of
    ``/Dests``.
``objects``
    Every string, name and dictionary key of every indirect object (including the
    ones inside compressed object streams).
``stream``
    The decoded data of EVERY stream object (page contents, ToUnicode CMaps, fonts,
    images, XMP, object streams), searched as ASCII/UTF-8, UTF-16BE with and
    without BOM, and as hex strings of those — a secondary check.
``file``
    The raw bytes of the file, searched the same way.

Matching is case-insensitive (CSS ``text-transform`` changes case). In the text
channels a token also matches when the extractor split it with whitespace, a soft
hyphen or a line-end hyphen (a long token can wrap inside a narrow table cell), after
NFKC normalisation (ligatures).
"""

from __future__ import annotations

import html as html_lib
import io
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pypdf
from pdfminer.high_level import extract_text as pdfminer_extract_text
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    StreamObject,
    TextStringObject,
)

__all__ = [
    "CHANNELS",
    "TEXT_CHANNELS",
    "HtmlInspection",
    "Location",
    "PdfInspection",
    "assert_html_redacted",
    "assert_redacted",
    "inspect_html",
    "inspect_pdf",
]

#: Channels of the text extractors: where required (public) tokens must appear.
TEXT_CHANNELS = ("text:pypdf", "text:pdfminer")
#: Every channel :meth:`PdfInspection.find` searches.
CHANNELS = (
    *TEXT_CHANNELS,
    "metadata:info",
    "metadata:xmp",
    "outline",
    "link:uri",
    "link:dest",
    "annotation",
    "alt",
    "names",
    "objects",
    "stream",
    "file",
)

_STRUCT_TEXT_KEYS = ("/Alt", "/ActualText", "/E", "/T")
_ANNOTATION_TEXT_KEYS = ("/Contents", "/T", "/TU", "/NM")
_SPLITTERS = re.compile(r"[\s\u00ad\u200b\u2060\ufeff]+")
_LINE_END_HYPHEN = re.compile(r"[-\u2010]\s*\n\s*")


@dataclass(frozen=True)
class Location:
    """Where a token was found: channel, a readable place, and the page (1-based)."""

    channel: str
    where: str
    page: int | None = None

    def __str__(self) -> str:
        page = f", page {self.page}" if self.page is not None else ""
        return f"{self.channel}: {self.where}{page}"


# ------------------------------------------------------------------------------------
# Matching


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _compact(text: str) -> str:
    """Folded text without whitespace, soft hyphens or line-end hyphens, so that a
    token wrapped (or hyphenated) across lines still matches."""
    return _SPLITTERS.sub("", _LINE_END_HYPHEN.sub("", _fold(text)))


def _text_match(token: str, text: str) -> str | None:
    """'exact' or 'split' if ``token`` occurs in ``text``, else None."""
    if not token:
        return None
    if _fold(token) in _fold(text):
        return "exact"
    needle = _compact(token)
    if needle and needle in _compact(text):
        return "split by whitespace or hyphen"
    return None


def _byte_needles(token: str) -> list[tuple[str, bytes]]:
    """Encodings of ``token`` to look for in raw bytes (all lower-cased: the haystack
    is lower-cased too, which makes the ASCII letters case-insensitive)."""
    needles: list[tuple[str, bytes]] = []
    utf8 = token.encode("utf-8")
    utf16 = token.encode("utf-16-be")
    needles.append(("utf-8", utf8.lower()))
    needles.append(("utf-16be+bom", (b"\xfe\xff" + utf16).lower()))
    needles.append(("utf-16be", utf16.lower()))
    for variant in dict.fromkeys((token, token.upper(), token.lower())):
        needles.append(("hex utf-8", variant.encode("utf-8").hex().encode()))
        needles.append(
            ("hex utf-16be+bom", ("\ufeff" + variant).encode("utf-16-be").hex().encode())
        )
        needles.append(("hex utf-16be", variant.encode("utf-16-be").hex().encode()))
    return needles


def _bytes_match(token: str, lowered_haystack: bytes) -> list[str]:
    found: list[str] = []
    for label, needle in _byte_needles(token):
        if needle and needle in lowered_haystack:
            # A BOM match is also a no-BOM match: name only the more specific one.
            if label == "utf-16be" and "utf-16be+bom" in found:
                continue
            if label == "hex utf-16be" and "hex utf-16be+bom" in found:
                continue
            if label not in found:
                found.append(label)
    return found


# ------------------------------------------------------------------------------------
# PDF inspection


@dataclass
class PdfInspection:
    """Everything :func:`inspect_pdf` read from one PDF, channel by channel."""

    pdf: bytes
    pypdf_pages: list[str]
    pdfminer_pages: list[str]
    info: dict[str, str]
    xmp: str | None
    outline_titles: list[str]
    link_uris: list[tuple[int, str]]
    link_destinations: list[tuple[int, str]]
    annotation_texts: list[tuple[int, str, str]]
    alt_texts: list[tuple[int | None, str, str]]
    names: list[tuple[str, str]]
    object_strings: list[tuple[str, str]]
    streams: list[tuple[str, int | None, bytes]]
    stream_errors: list[str] = field(default_factory=list)
    catalog: dict = field(default_factory=dict)

    @property
    def page_count(self) -> int:
        return len(self.pypdf_pages)

    @property
    def pypdf_text(self) -> str:
        return "\n".join(self.pypdf_pages)

    @property
    def pdfminer_text(self) -> str:
        return "\n".join(self.pdfminer_pages)

    @property
    def alt_values(self) -> list[str]:
        return [text for _, _, text in self.alt_texts]

    @property
    def uris(self) -> list[str]:
        return [uri for _, uri in self.link_uris]

    def find(self, token: str, channels: Iterable[str] = CHANNELS) -> list[Location]:
        """Every place ``token`` occurs, in the given channels."""
        wanted = set(channels)
        unknown = wanted - set(CHANNELS)
        if unknown:
            raise ValueError(f"unknown channels: {sorted(unknown)}")
        return [loc for loc in self._find_all(token) if loc.channel in wanted]

    def channels_with(self, token: str) -> set[str]:
        return {location.channel for location in self.find(token)}

    def _find_all(self, token: str) -> Iterator[Location]:
        for channel, pages in (
            ("text:pypdf", self.pypdf_pages),
            ("text:pdfminer", self.pdfminer_pages),
        ):
            for number, text in enumerate(pages, start=1):
                if how := _text_match(token, text):
                    yield Location(channel, f"page text ({how})", number)
        for key, value in self.info.items():
            if _text_match(token, key) or _text_match(token, value):
                yield Location("metadata:info", f"Info {key} = {value!r}")
        if self.xmp is not None and (
            _text_match(token, self.xmp) or _text_match(token, html_lib.unescape(self.xmp))
        ):
            yield Location("metadata:xmp", "XMP metadata stream")
        for title in self.outline_titles:
            if _text_match(token, title):
                yield Location("outline", f"bookmark {title!r}")
        for page, uri in self.link_uris:
            if _text_match(token, uri) or _text_match(token, urllib.parse.unquote(uri)):
                yield Location("link:uri", f"URI {uri!r}", page)
        for page, dest in self.link_destinations:
            if _text_match(token, dest):
                yield Location("link:dest", f"destination {dest!r}", page)
        for page, key, text in self.annotation_texts:
            if _text_match(token, text):
                yield Location("annotation", f"annotation {key} = {text!r}", page)
        for page, key, text in self.alt_texts:
            if _text_match(token, text):
                yield Location("alt", f"structure element {key} = {text!r}", page)
        for tree, name in self.names:
            if _text_match(token, name):
                yield Location("names", f"{tree} name {name!r}")
        for where, text in self.object_strings:
            if _text_match(token, text):
                yield Location("objects", f"{where} = {_short(text)!r}")
        for label, page, data in self.streams:
            for encoding in _bytes_match(token, data.lower()):
                yield Location("stream", f"{label} as {encoding}", page)
        for encoding in _bytes_match(token, self.pdf.lower()):
            yield Location("file", f"raw file bytes as {encoding}")


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _as_text(obj: object) -> str | None:
    if isinstance(obj, TextStringObject):
        return str(obj)
    if isinstance(obj, ByteStringObject):
        return bytes(obj).decode("latin-1")
    if isinstance(obj, NameObject):
        return str(obj)
    if isinstance(obj, str):
        return obj
    return None


def _walk_strings(obj: object, path: str, out: list[tuple[str, str]], depth: int = 0) -> None:
    """Collect strings, names and keys of one object without following references."""
    if depth > 64 or isinstance(obj, IndirectObject):
        return
    if isinstance(obj, DictionaryObject):
        for key, value in obj.items():
            out.append((f"{path} key", str(key)))
            _walk_strings(value, f"{path} {key}", out, depth + 1)
    elif isinstance(obj, ArrayObject):
        for index, value in enumerate(obj):
            _walk_strings(value, f"{path}[{index}]", out, depth + 1)
    else:
        text = _as_text(obj)
        if text is not None:
            out.append((path, text))


def _all_object_ids(reader: pypdf.PdfReader) -> list[tuple[int, int]]:
    ids: set[tuple[int, int]] = set()
    for generation, numbers in reader.xref.items():
        ids.update((number, generation) for number in numbers)
    ids.update((number, 0) for number in reader.xref_objStm)
    return sorted(ids)


def _page_index(reader: pypdf.PdfReader) -> dict[int, int]:
    return {
        page.indirect_reference.idnum: number
        for number, page in enumerate(reader.pages, start=1)
        if page.indirect_reference is not None
    }


def _stream_labels(reader: pypdf.PdfReader) -> dict[int, tuple[str, int | None]]:
    """Readable labels (and pages) for the streams we can identify."""
    labels: dict[int, tuple[str, int | None]] = {}
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get("/Contents")
        refs = []
        if isinstance(contents, IndirectObject):
            target = contents.get_object()
            refs = list(target) if isinstance(target, ArrayObject) else [contents]
        elif isinstance(contents, ArrayObject):
            refs = list(contents)
        for ref in refs:
            if isinstance(ref, IndirectObject):
                labels[ref.idnum] = (f"content stream of page {number}", number)
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        fonts = resources.get("/Font") if isinstance(resources, DictionaryObject) else None
        fonts = fonts.get_object() if fonts is not None else None
        if isinstance(fonts, DictionaryObject):
            for font_name, font_ref in fonts.items():
                font = font_ref.get_object()
                base = font.get("/BaseFont", font_name)
                to_unicode = font.raw_get("/ToUnicode") if "/ToUnicode" in font else None
                if isinstance(to_unicode, IndirectObject):
                    labels.setdefault(to_unicode.idnum, (f"ToUnicode CMap of font {base}", None))
    root = reader.trailer["/Root"]
    metadata = root.raw_get("/Metadata") if "/Metadata" in root else None
    if isinstance(metadata, IndirectObject):
        labels[metadata.idnum] = ("XMP metadata stream", None)
    return labels


def _outline_titles(items: Iterable) -> Iterator[str]:
    for item in items:
        if isinstance(item, list):
            yield from _outline_titles(item)
        else:
            title = item.get("/Title")
            if title is not None:
                yield str(title)


def _name_tree_keys(node: object, seen: set[int]) -> Iterator[str]:
    if isinstance(node, IndirectObject):
        if node.idnum in seen:
            return
        seen.add(node.idnum)
        node = node.get_object()
    if not isinstance(node, DictionaryObject):
        return
    names = node.get("/Names")
    if isinstance(names, ArrayObject):
        for index in range(0, len(names), 2):
            key = _as_text(names[index])
            if key is not None:
                yield key
    kids = node.get("/Kids")
    if isinstance(kids, ArrayObject):
        for kid in kids:
            yield from _name_tree_keys(kid, seen)


def _struct_texts(
    reader: pypdf.PdfReader, pages: dict[int, int]
) -> list[tuple[int | None, str, str]]:
    root = reader.trailer["/Root"]
    if "/StructTreeRoot" not in root:
        return []
    found: list[tuple[int | None, str, str]] = []
    seen: set[int] = set()
    stack: list[object] = [root.raw_get("/StructTreeRoot")]
    while stack:
        node = stack.pop()
        if isinstance(node, IndirectObject):
            if node.idnum in seen:
                continue
            seen.add(node.idnum)
            node = node.get_object()
        if isinstance(node, ArrayObject):
            stack.extend(node)
            continue
        if not isinstance(node, DictionaryObject):
            continue
        page_ref = node.raw_get("/Pg") if "/Pg" in node else None
        page = pages.get(page_ref.idnum) if isinstance(page_ref, IndirectObject) else None
        for key in _STRUCT_TEXT_KEYS:
            if key in node:
                text = _as_text(node[key])
                if text is not None:
                    found.append((page, key, text))
        if "/K" in node:
            stack.append(node.raw_get("/K"))
    return found


def inspect_pdf(pdf: bytes) -> PdfInspection:
    """Read ``pdf`` through every channel listed in this module's docstring."""
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=False)
    pages = _page_index(reader)
    root = reader.trailer["/Root"]

    pypdf_pages = [page.extract_text() or "" for page in reader.pages]
    miner_text = pdfminer_extract_text(io.BytesIO(pdf))
    pdfminer_pages = miner_text.split("\f")
    if (
        pdfminer_pages
        and not pdfminer_pages[-1].strip()
        and len(pdfminer_pages) > len(reader.pages)
    ):
        pdfminer_pages = pdfminer_pages[:-1]

    info: dict[str, str] = {}
    raw_info = reader.trailer.get("/Info")
    if raw_info is not None:
        for key, value in raw_info.get_object().items():
            info[str(key)] = _as_text(value.get_object()) or str(value)

    xmp: str | None = None
    if "/Metadata" in root:
        xmp = root["/Metadata"].get_data().decode("utf-8", errors="replace")

    outline_titles = list(_outline_titles(reader.outline)) if "/Outlines" in root else []

    link_uris: list[tuple[int, str]] = []
    link_destinations: list[tuple[int, str]] = []
    annotation_texts: list[tuple[int, str, str]] = []
    for number, page in enumerate(reader.pages, start=1):
        for annotation_ref in page.get("/Annots") or []:
            annotation = annotation_ref.get_object()
            action = annotation.get("/A")
            action = action.get_object() if action is not None else None
            if isinstance(action, DictionaryObject):
                if "/URI" in action:
                    link_uris.append((number, _as_text(action["/URI"]) or str(action["/URI"])))
                if "/D" in action:
                    dest = _as_text(action["/D"])
                    if dest is not None:
                        link_destinations.append((number, dest))
                if "/F" in action:
                    target = _as_text(action["/F"])
                    if target is not None:
                        link_uris.append((number, target))
            if "/Dest" in annotation:
                dest = _as_text(annotation["/Dest"])
                if dest is not None:
                    link_destinations.append((number, dest))
            for key in _ANNOTATION_TEXT_KEYS:
                if key in annotation:
                    text = _as_text(annotation[key])
                    if text is not None:
                        annotation_texts.append((number, key, text))

    names: list[tuple[str, str]] = []
    if "/Names" in root:
        for tree_name, tree in root["/Names"].items():
            names.extend((str(tree_name), key) for key in _name_tree_keys(tree, set()))
    if "/Dests" in root:
        names.extend(("/Dests", str(key)) for key in root["/Dests"])

    alt_texts = _struct_texts(reader, pages)

    labels = _stream_labels(reader)
    object_strings: list[tuple[str, str]] = []
    streams: list[tuple[str, int | None, bytes]] = []
    stream_errors: list[str] = []
    for number, generation in _all_object_ids(reader):
        try:
            obj = reader.get_object(IndirectObject(number, generation, reader))
        except Exception as error:  # a damaged object is reported, not fatal
            stream_errors.append(f"obj {number} {generation}: {type(error).__name__}: {error}")
            continue
        _walk_strings(obj, f"obj {number} {generation}", object_strings)
        if isinstance(obj, StreamObject):
            label, page = labels.get(number, (None, None))
            if label is None:
                if any(key in obj for key in ("/Length1", "/Length2", "/Length3")):
                    label = "embedded font file"
                else:
                    kind = obj.get("/Subtype") or obj.get("/Type")
                    label = f"{kind} stream" if kind else "stream"
            try:
                data = obj.get_data()
            except Exception as error:
                stream_errors.append(f"obj {number} {generation}: {type(error).__name__}: {error}")
                data = bytes(obj._data or b"")
            streams.append((f"obj {number} {generation} ({label})", page, data))

    catalog = {str(key): root[key] for key in root}
    return PdfInspection(
        pdf=pdf,
        pypdf_pages=pypdf_pages,
        pdfminer_pages=pdfminer_pages,
        info=info,
        xmp=xmp,
        outline_titles=outline_titles,
        link_uris=link_uris,
        link_destinations=link_destinations,
        annotation_texts=annotation_texts,
        alt_texts=alt_texts,
        names=names,
        object_strings=object_strings,
        streams=streams,
        stream_errors=stream_errors,
        catalog=catalog,
    )


def _failure_message(
    kind: str,
    found: dict[str, list[Location]],
    missing: dict[str, list[str]],
    limit: int = 12,
) -> str:
    lines: list[str] = []
    if found:
        lines.append(f"{len(found)} forbidden token(s) found in the {kind}:")
        for token, locations in found.items():
            lines.append(f"  {token!r} in {len(locations)} place(s):")
            lines.extend(f"    - {location}" for location in locations[:limit])
            if len(locations) > limit:
                lines.append(f"    - … and {len(locations) - limit} more")
    if missing:
        lines.append(f"{len(missing)} required token(s) missing from the {kind}:")
        for token, channels in missing.items():
            lines.append(f"  {token!r} not found in: {', '.join(channels)}")
    return "\n".join(lines)


def assert_redacted(
    pdf: bytes | PdfInspection,
    *,
    forbidden: Iterable[str],
    required: Iterable[str],
    required_in: Iterable[str] = TEXT_CHANNELS,
) -> PdfInspection:
    """Fail unless no ``forbidden`` token occurs in ANY channel of ``pdf`` and every
    ``required`` token is found in every channel of ``required_in`` (by default the
    text of both extractors). Returns the inspection for further checks."""
    inspection = pdf if isinstance(pdf, PdfInspection) else inspect_pdf(pdf)
    forbidden = [token for token in dict.fromkeys(forbidden)]
    required = [token for token in dict.fromkeys(required)]
    if any(not token for token in (*forbidden, *required)):
        raise ValueError("empty tokens match everything; pass non-empty strings")
    required_in = tuple(required_in)
    found: dict[str, list[Location]] = {}
    for token in forbidden:
        locations = inspection.find(token)
        if locations:
            found[token] = locations
    missing: dict[str, list[str]] = {}
    for token in required:
        channels = inspection.channels_with(token)
        absent = [channel for channel in required_in if channel not in channels]
        if absent:
            missing[token] = absent
    if found or missing:
        raise AssertionError(_failure_message("PDF", found, missing))
    return inspection


# ------------------------------------------------------------------------------------
# HTML


@dataclass
class HtmlInspection:
    """Text nodes, attribute values and comments of an HTML document, with lines."""

    html: str
    texts: list[tuple[int, str, str]] = field(default_factory=list)  # line, element, text
    attributes: list[tuple[int, str, str, str]] = field(
        default_factory=list
    )  # line, tag, name, value
    comments: list[tuple[int, str]] = field(default_factory=list)
    raw_texts: list[tuple[int, str, str]] = field(default_factory=list)  # script/style

    def find(self, token: str) -> list[Location]:
        locations: list[Location] = []
        for line, element, text in self.texts:
            if _text_match(token, text):
                locations.append(Location("html:text", f"text in <{element}>, line {line}"))
        for line, tag, name, value in self.attributes:
            if _text_match(token, value) or _text_match(token, urllib.parse.unquote(value)):
                locations.append(
                    Location("html:attribute", f"attribute {name} of <{tag}>, line {line}")
                )
        for line, text in self.comments:
            if _text_match(token, text):
                locations.append(Location("html:comment", f"comment, line {line}"))
        for line, element, text in self.raw_texts:
            if _text_match(token, text):
                locations.append(Location("html:raw-text", f"<{element}> content, line {line}"))
        source_hits = [
            label
            for label, haystack in (
                ("as written", self.html),
                ("entity-decoded", html_lib.unescape(self.html)),
                ("percent-decoded", urllib.parse.unquote(self.html)),
            )
            if _fold(token) in _fold(haystack)
        ]
        if source_hits:
            locations.append(Location("html:source", "source " + ", ".join(source_hits)))
        return locations


class _Collector(HTMLParser):
    def __init__(self, inspection: HtmlInspection) -> None:
        super().__init__(convert_charrefs=True)
        self.inspection = inspection
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            self.inspection.attributes.append((line, tag, name, value or ""))
            # An attribute name is text too (data-* keys built from content).
            self.inspection.attributes.append((line, tag, "(name)", name))
        if tag not in {"br", "img", "meta", "link", "hr", "input", "col", "source", "wbr"}:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        for name, value in attrs:
            self.inspection.attributes.append((line, tag, name, value or ""))
            self.inspection.attributes.append((line, tag, "(name)", name))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not data.strip():
            return
        element = self.stack[-1] if self.stack else "#document"
        line = self.getpos()[0]
        if element in {"script", "style"}:
            self.inspection.raw_texts.append((line, element, data))
        else:
            self.inspection.texts.append((line, element, data))

    def handle_comment(self, data: str) -> None:
        self.inspection.comments.append((self.getpos()[0], data))


def inspect_html(html: str) -> HtmlInspection:
    inspection = HtmlInspection(html=html)
    collector = _Collector(inspection)
    collector.feed(html)
    collector.close()
    return inspection


def assert_html_redacted(
    html: str, *, forbidden: Iterable[str], required: Iterable[str]
) -> HtmlInspection:
    """Fail unless no ``forbidden`` token occurs anywhere in ``html`` (text, attribute
    values and names, comments, script/style, the source as written, entity-decoded or
    percent-decoded) and every ``required`` token occurs in its text nodes."""
    inspection = inspect_html(html)
    forbidden = [token for token in dict.fromkeys(forbidden)]
    required = [token for token in dict.fromkeys(required)]
    if any(not token for token in (*forbidden, *required)):
        raise ValueError("empty tokens match everything; pass non-empty strings")
    found = {token: locs for token in forbidden if (locs := inspection.find(token))}
    missing: dict[str, list[str]] = {}
    for token in required:
        if not any(loc.channel == "html:text" for loc in inspection.find(token)):
            missing[token] = ["html:text"]
    if found or missing:
        raise AssertionError(_failure_message("HTML", found, missing))
    return inspection
