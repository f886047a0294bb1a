"""Print sections of a workshop, for the workshop pack (composed by the reports feature).

``pack_sections`` turns a workshop into ``ReportSection``s built only from the
redacted read model; ``discussed_ids`` tells the pack which options and
requirements to add through their own features' read models.
"""

from __future__ import annotations

from procure.reports.document import ReportSection
from procure.sensitivity import Redactor
from procure.workshops.models import Workshop
from procure.workshops.read_models import (
    WorkshopView,
    build_workshop_view,
    discussed_ids,
    place_of,
)

__all__ = ["SECTION_ANCHORS", "discussed_ids", "pack_sections", "place_of", "sections_for_view"]

# (anchor, heading, partial) in pack order.
SECTION_ANCHORS = (
    ("purpose", "Purpose and agenda", "_workshop_purpose.html"),
    ("attendees", "Attendees", "_workshop_attendees.html"),
    ("notes", "Notes", "_workshop_notes.html"),
    ("decisions", "Decisions", "_workshop_decisions.html"),
    ("actions", "Actions", "_workshop_actions.html"),
)


def sections_for_view(view: WorkshopView) -> list[ReportSection]:
    """The print sections of an already built (redacted) workshop view."""
    return [
        ReportSection(anchor=anchor, heading=heading, template=template, context={"workshop": view})
        for anchor, heading, template in SECTION_ANCHORS
    ]


def pack_sections(workshop: Workshop, redactor: Redactor) -> list[ReportSection]:
    """Purpose and agenda, attendees, notes, decisions and actions, for ``redactor.audience``.

    Each section's template is a ``reports/_workshop_*.html`` partial whose context
    is ``workshop`` (a ``WorkshopView``); rendered by ``render_section`` it also gets
    ``anchor`` and ``heading`` and prints ``<h2 id=anchor>`` itself (see
    ``reports/_sections.html`` and ``reports/_workshop_preview.html``).

    Withheld items are written to ``redactor.log`` for the export's redaction log.
    """
    return sections_for_view(build_workshop_view(workshop, redactor))
