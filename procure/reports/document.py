"""What a report is before it becomes a PDF: a document built from redacted read models.

Each report kind has a builder ``build_<kind>(experiment, redactor, **params) ->
ReportDocument`` (see ``procure.reports.kinds``). Builders read only redacted read
models; this module turns the document into HTML with a ``reports/`` template and
into PDF with WeasyPrint. Nothing here queries the database.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from procure.config import PROJECT_ROOT
from procure.reports.pdf import render_pdf
from procure.sensitivity import (
    Audience,
    RedactionLog,
    collapse_withheld,
    is_redacted,
    is_withheld_run,
)
from procure.templating import format_date, format_datetime, format_money, redacted_or

REPORT_TEMPLATES = PROJECT_ROOT / "reports"


@dataclass
class ReportSection:
    """One section a pack composes: a ``reports/`` partial and its redacted context."""

    anchor: str
    heading: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


@dataclass
class ReportDocument:
    """A whole report for one audience. Every string in it is already redacted."""

    kind: str
    title: str
    subtitle: str
    experiment_name: str
    audience: Audience
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    sections: list[ReportSection] = field(default_factory=list)
    generated_on: date = field(default_factory=date.today)
    redaction_log: RedactionLog = field(default_factory=RedactionLog)
    filename_stem: str = ""
    # Extra (label, value) facts printed on the cover under the title, already redacted.
    cover_facts: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def audience_marking(self) -> str:
        return self.audience.marking

    @property
    def toc(self) -> list[tuple[str, str]]:
        return [(s.anchor, s.heading) for s in self.sections]

    @property
    def filename(self) -> str:
        stem = self.filename_stem or f"{self.experiment_name}-{self.kind}"
        return f"{slugify(stem)}-{self.audience.slug}.pdf"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:120] or "report"


def collapsed(items: Any, singular: str, plural: str = "") -> list[Any]:
    """Template filter: items whose ``marker`` is set (withheld) collapse, run by run,
    into one ``WithheldRun`` line ("3 participants-only actions withheld")."""
    return collapse_withheld(
        items, lambda item: item.marker.level if item.marker else None, singular, plural
    )


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(REPORT_TEMPLATES)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        date=format_date, datetime=format_datetime, money=format_money, redacted_or=redacted_or
    )
    env.filters["collapsed"] = collapsed
    env.globals.update(
        is_redacted=is_redacted, is_withheld_run=is_withheld_run, render_section=render_section
    )
    return env


_ENV: Environment | None = None


def report_environment() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def render_section(section: ReportSection, document: ReportDocument) -> Markup:
    """A section's partial rendered with its own context (and the document)."""
    template = report_environment().get_template(section.template)
    context = {"anchor": section.anchor, "heading": section.heading, **section.context}
    return Markup(template.render(document=document, **context))  # noqa: S704 - autoescaped template


def render_report_html(document: ReportDocument) -> str:
    template = report_environment().get_template(document.template)
    return template.render(document=document, lang="en-GB", **document.context)


def render_report_pdf(document: ReportDocument) -> bytes:
    """The PDF of ``document``; metadata comes from its (already redacted) title only."""
    html = render_report_html(document)
    with _existing_objects_frozen():
        return render_pdf(
            html,
            static_root=REPORT_TEMPLATES,
            title=document.title,
            author="Procure",
            subject=f"{document.experiment_name}: {document.kind} ({document.audience.label.lower()})",
            keywords=["procurement", document.kind, document.audience.slug],
        )


@contextmanager
def _existing_objects_frozen() -> Iterator[None]:
    """Leave the objects that exist before a render out of the collector's passes.

    WeasyPrint makes millions of short-lived objects, and each full collection during
    the render walked the whole heap besides (the app, the read models, the document):
    about a fifth of a city-scale pack's render time. ``unfreeze`` hands them back
    afterwards, so nothing is kept longer than it would have been.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
