"""Sensitivity, audience and redaction: the one rule, in one place.

Every read model a page or a report consumes is built for an ``Audience`` by a
``Redactor``. Content whose ``Sensitivity`` is above the audience never reaches
a template: it is replaced by a ``Redacted`` marker (kind and level only, never
its text or length) and the withheld item is written to the ``RedactionLog``.

Free text is Markdown with inline spans that carry their own sensitivity::

    The pilot went well. [[members: Two boroughs want to extend.]]
    [[participants: Supplier X quoted £1.2m.]]

A span is removed from lower audiences and replaced by a marker. Spans do not
nest; an unclosed ``[[members:`` is treated as covering the rest of the text, so
a typo can only ever hide more, never reveal more.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from functools import lru_cache
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape


class Sensitivity(IntEnum):
    """How widely a piece of content may be shown. Ordered: public < members < participants."""

    PUBLIC = 0
    MEMBERS = 1
    PARTICIPANTS = 2

    @property
    def slug(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return {0: "Public", 1: "Members only", 2: "Participants only"}[self.value]

    @classmethod
    def parse(cls, value: str | int | Sensitivity) -> Sensitivity:
        if isinstance(value, Sensitivity):
            return value
        if isinstance(value, int):
            return cls(value)
        name = value.strip()
        for level in cls:  # its label too, as spreadsheets show it ("Members only")
            if name.casefold() == level.label.casefold():
                return level
        try:
            return cls[name.upper()]
        except KeyError as exc:
            raise ValueError(f"Unknown sensitivity {value!r}") from exc

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(level.slug, level.label) for level in cls]


class Audience(IntEnum):
    """Who a page or an export is for. Content is shown when its sensitivity ≤ the audience."""

    PUBLIC = 0
    MEMBERS = 1
    PARTICIPANTS = 2

    @property
    def slug(self) -> str:
        return self.name.lower()

    @property
    def label(self) -> str:
        return {0: "Public", 1: "Members", 2: "Participants"}[self.value]

    @property
    def marking(self) -> str:
        """The protective marking printed on every page of an export for this audience."""
        return {
            0: "PUBLIC",
            1: "MEMBERS ONLY",
            2: "PARTICIPANTS ONLY — COMMERCIAL IN CONFIDENCE",
        }[self.value]

    def permits(self, sensitivity: Sensitivity | int) -> bool:
        return int(sensitivity) <= int(self)

    @classmethod
    def parse(cls, value: str | int | Audience) -> Audience:
        if isinstance(value, Audience):
            return value
        if isinstance(value, int):
            return cls(value)
        try:
            return cls[value.strip().upper()]
        except KeyError as exc:
            raise ValueError(
                f"Unknown audience {value!r}: choose public, members or participants"
            ) from exc


@dataclass(frozen=True)
class Redacted:
    """What a template receives instead of withheld content: kind and level, nothing else."""

    kind: str
    level: Sensitivity

    @property
    def label(self) -> str:
        return (
            "Redacted: members only"
            if self.level == Sensitivity.MEMBERS
            else ("Redacted: participants only")
        )

    def __str__(self) -> str:
        return f"[{self.label}]"

    def __html__(self) -> str:
        return f'<span class="procure-redacted redacted">{escape(self.label)}</span>'

    def __bool__(self) -> bool:
        # Templates often write ``{% if value %}``; a marker must still render.
        return True


def is_redacted(value: Any) -> bool:
    return isinstance(value, Redacted)


@dataclass(frozen=True)
class WithheldItem:
    """One line of a redaction log: what was withheld, never its content."""

    kind: str
    id: int | str | None
    level: Sensitivity

    def as_dict(self) -> dict[str, Any]:
        return {"type": self.kind, "id": self.id, "level": self.level.slug}


@dataclass
class RedactionLog:
    items: list[WithheldItem] = field(default_factory=list)

    def withheld(self, kind: str, id: int | str | None, level: Sensitivity) -> None:
        item = WithheldItem(kind, id, level)
        if item not in self.items:
            self.items.append(item)

    def as_list(self) -> list[dict[str, Any]]:
        return [item.as_dict() for item in self.items]


# --- inline spans ------------------------------------------------------------

SPAN_RE = re.compile(r"\[\[(members|participants):\s?(.*?)(?:\]\]|\Z)", re.DOTALL | re.IGNORECASE)
# A private-use character cannot be typed into a form by accident and survives
# Markdown rendering and sanitising untouched, so markers are put back afterwards.
_MARK = "\ue000"
_MARK_RE = re.compile(_MARK + r"([12])" + _MARK)
# Around a span the reader may see, for its author: where it opens and closes.
_OPEN, _CLOSE = "\ue001", "\ue002"
_OPEN_RE = re.compile(_OPEN + r"([12])" + _OPEN)


@dataclass(frozen=True)
class Span:
    text: str
    level: Sensitivity


def split_spans(text: str) -> list[Span]:
    """Split free text into runs with their own sensitivity (the base text is public)."""
    spans: list[Span] = []
    pos = 0
    for match in SPAN_RE.finditer(text or ""):
        if match.start() > pos:
            spans.append(Span(text[pos : match.start()], Sensitivity.PUBLIC))
        spans.append(Span(match.group(2), Sensitivity.parse(match.group(1))))
        pos = match.end()
    if pos < len(text or ""):
        spans.append(Span(text[pos:], Sensitivity.PUBLIC))
    return spans


def highest_level(text: str | None, base: Sensitivity = Sensitivity.PUBLIC) -> Sensitivity:
    """The highest sensitivity anywhere in ``text`` (its spans and its base level)."""
    levels = [base] + [span.level for span in split_spans(text or "")]
    return max(levels)


def _apply_spans(
    text: str, audience: Audience, base: Sensitivity, mark_spans: bool = False
) -> tuple[str, list[Sensitivity]]:
    """Return text with withheld spans swapped for placeholders, and the withheld levels.
    ``mark_spans``: spans shown are bracketed by placeholders for visible labels."""
    out: list[str] = []
    withheld: list[Sensitivity] = []
    for span in split_spans(text):
        level = max(span.level, base)
        if audience.permits(level):
            if mark_spans and span.level > base:
                out.append(f"{_OPEN}{int(span.level)}{_OPEN}{span.text}{_CLOSE}")
            else:
                out.append(span.text)
        else:
            withheld.append(level)
            out.append(f"{_MARK}{int(level)}{_MARK}")
    return "".join(out), withheld


def plain_text(text: str | None, audience: Audience, base: Sensitivity = Sensitivity.PUBLIC) -> str:
    """Free text for plain contexts (titles, metadata, CSV): spans resolved, markers in brackets."""
    if not text:
        return ""
    if not audience.permits(base):
        return str(Redacted("text", base))
    resolved, _ = _apply_spans(text, audience, base)
    return _MARK_RE.sub(lambda m: str(Redacted("text", Sensitivity(int(m.group(1))))), resolved)


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable("image")  # images in notes could fetch URLs; links are enough.

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h3", "h4", "h5", "h6", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

# Headings in user text are pushed below the page's own h1/h2 so the outline stays sound.
_HEADING_SHIFT = re.compile(r"<(/?)h([1-6])>")


def _shift_heading(match: re.Match[str]) -> str:
    level = min(6, int(match.group(2)) + 2)
    return f"<{match.group(1)}h{level}>"


def sanitise_html(html: str) -> str:
    """Allow-list sanitising with nh3 (ammonia): no scripts, styles, images or event handlers."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


# Pure in (text, audience, base): list pages render the same texts on every request,
# so keep recent results (bounded) instead of parsing and sanitising them again.
@lru_cache(maxsize=32768)
def render_markdown(
    text: str | None,
    audience: Audience,
    base: Sensitivity = Sensitivity.PUBLIC,
    mark_spans: bool = False,
) -> Markup:
    """Markdown → sanitised HTML for ``audience``, with withheld spans shown as markers.

    ``mark_spans`` (for the text's authors): spans the audience may read are bracketed by
    visible labels ("Members only:" … "end"), so an author sees what others will not."""
    if not text:
        return Markup("")
    if not audience.permits(base):
        return Markup(Redacted("text", base).__html__())  # noqa: S704 - sanitised by nh3 / a fixed marker
    resolved, _ = _apply_spans(text, audience, base, mark_spans)
    html = _markdown.render(resolved)
    html = _HEADING_SHIFT.sub(_shift_heading, html)
    clean = sanitise_html(html)
    clean = _MARK_RE.sub(lambda m: Redacted("text", Sensitivity(int(m.group(1)))).__html__(), clean)
    if mark_spans:
        clean = _OPEN_RE.sub(lambda m: _span_label(Sensitivity(int(m.group(1)))), clean)
        clean = clean.replace(_CLOSE, '<span class="procure-span-label">end</span>')
    return Markup(clean)  # noqa: S704 - sanitised by nh3 / fixed labels


def _span_label(level: Sensitivity) -> str:
    return f'<span class="procure-span-label">{escape(level.label)}:</span> '


class Redactor:
    """Builds read-model values for one audience and logs everything it withholds."""

    def __init__(
        self, audience: Audience, log: RedactionLog | None = None, *, mark_spans: bool = False
    ) -> None:
        self.audience = audience
        self.log = log if log is not None else RedactionLog()
        # For authors' views: spans they can read are labelled with their level.
        self.mark_spans = mark_spans

    def permits(self, level: Sensitivity | int) -> bool:
        return self.audience.permits(level)

    def value(self, value: Any, level: Sensitivity | int, kind: str, id: int | str | None) -> Any:
        """A field whose sensitivity is ``level``: the value itself, or a ``Redacted`` marker."""
        level = Sensitivity(int(level))
        if self.audience.permits(level):
            return value
        self.log.withheld(kind, id, level)
        return Redacted(kind, level)

    def markdown(
        self, text: str | None, kind: str, id: int | str | None, base: Sensitivity | int = 0
    ) -> Markup:
        """Free text as sanitised HTML, spans above the audience replaced by markers."""
        base = Sensitivity(int(base))
        self._log_spans(text, kind, id, base)
        return render_markdown(text, self.audience, base, self.mark_spans)

    def text(
        self, text: str | None, kind: str, id: int | str | None, base: Sensitivity | int = 0
    ) -> str:
        """Free text as plain text (titles, spreadsheets, PDF metadata)."""
        base = Sensitivity(int(base))
        self._log_spans(text, kind, id, base)
        return plain_text(text, self.audience, base)

    def visible(self, items: Iterable[Any], level_of, kind: str, id_of=lambda i: i.id) -> list[Any]:
        """Drop whole items above the audience (logging each one)."""
        kept = []
        for item in items:
            level = Sensitivity(int(level_of(item)))
            if self.audience.permits(level):
                kept.append(item)
            else:
                self.log.withheld(kind, id_of(item), level)
        return kept

    def _log_spans(
        self, text: str | None, kind: str, id: int | str | None, base: Sensitivity
    ) -> None:
        if not text:
            return
        if not self.audience.permits(base):
            self.log.withheld(kind, id, base)
            return
        for span in split_spans(text):
            level = max(span.level, base)
            if not self.audience.permits(level):
                self.log.withheld(kind, id, level)


# --- collapsed redaction ------------------------------------------------------
# A table or list shows *that* something is withheld, once, rather than a marker per
# cell: consecutive withheld rows become one line, a withheld column one note.

_LEVEL_WORDS = {Sensitivity.MEMBERS: "members-only", Sensitivity.PARTICIPANTS: "participants-only"}


def withheld_note(levels: Iterable[Sensitivity | int], singular: str, plural: str = "") -> str:
    """One sentence for a run of withheld things, by level: "12 members-only rows withheld"
    or "3 members-only and 1 participants-only reasons withheld". Empty when none."""
    counts: dict[Sensitivity, int] = {}
    for level in levels:
        level = Sensitivity(int(level))
        counts[level] = counts.get(level, 0) + 1
    if not counts:
        return ""
    plural = plural or f"{singular}s"
    parts = [f"{counts[level]} {_LEVEL_WORDS[level]}" for level in sorted(counts)]
    noun = singular if sum(counts.values()) == 1 else plural
    return f"{' and '.join(parts)} {noun} withheld"


@dataclass(frozen=True)
class WithheldRun:
    """Consecutive withheld rows of a table, standing in for all of them."""

    levels: tuple[Sensitivity, ...]
    note: str

    @property
    def count(self) -> int:
        return len(self.levels)


def collapse_withheld(rows: Iterable[Any], level_of, singular: str, plural: str = "") -> list[Any]:
    """``rows`` with every run of consecutive withheld rows (``level_of(row)`` gives the
    ``Sensitivity`` a row was withheld at, or None for a row shown) replaced by one
    ``WithheldRun``."""
    out: list[Any] = []
    run: list[Sensitivity] = []
    for row in rows:
        level = level_of(row)
        if level is None:
            if run:
                out.append(WithheldRun(tuple(run), withheld_note(run, singular, plural)))
                run = []
            out.append(row)
        else:
            run.append(Sensitivity(int(level)))
    if run:
        out.append(WithheldRun(tuple(run), withheld_note(run, singular, plural)))
    return out


def is_withheld_run(value: Any) -> bool:
    return isinstance(value, WithheldRun)
