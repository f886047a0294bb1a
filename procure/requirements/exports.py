"""Downloads of a specification version: CSV, XLSX and JSON, redacted for an audience.

Every format is written from a ``SpecificationView`` (so from redacted data
only); spreadsheet cells that a spreadsheet would run as formulas are
neutralised by ``procure.tabular``. The JSON layout is documented in
``docs/specification-json.md`` and versioned by its ``schema`` field.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from procure import audit
from procure.requirements.models import SpecificationVersion
from procure.requirements.snapshots import SpecificationView, view_of_version
from procure.sensitivity import Audience, Redactor, Sensitivity
from procure.tabular import Sheet, write_csv, write_xlsx

SCHEMA = "procure.specification/1"
FORMATS = ("csv", "xlsx", "json")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
}
REQUIREMENT_COLUMNS = [
    "Reference",
    "Title",
    "Statement",
    "Acceptance criteria",
    "Category",
    "Priority",
    "Status",
    "Sensitivity",
    "Source",
    "Revision",
]
ENDORSEMENT_COLUMNS = [
    "Reference",
    "Organisation",
    "Position",
    "Comment",
    "Endorsed revision",
    "Out of date",
    "Endorsed by",
]
CHANGE_COLUMNS = ["Change", "Reference", "Title", "Field", "Before", "After", "Reason"]
WITHHELD_COLUMNS = ["Type", "Identifier", "Level"]


@dataclass(frozen=True)
class SpecFile:
    data: bytes
    filename: str
    mimetype: str


def _text(value: object) -> str:
    return "" if value is None else str(value)


def requirement_rows(view: SpecificationView, labels: bool = False) -> list[list[object]]:
    """One row per requirement; ``labels``: words for people ("Agreed", "Members only")
    rather than the values an import reads back ("agreed", "members")."""
    return [
        [
            r.reference,
            r.title,
            r.statement_text,
            "\n".join(r.acceptance_criteria_text),
            r.category,
            r.priority_label,
            r.status.capitalize() if labels else r.status,
            r.sensitivity.label if labels else r.sensitivity.slug,
            _text(r.source),
            r.revision,
        ]
        for r in view.requirements
    ]


def endorsement_rows(view: SpecificationView, labels: bool = False) -> list[list[object]]:
    return [
        [
            e.reference,
            e.organisation,
            e.position_label,
            e.comment_text,
            e.revision,
            ("Yes" if e.stale else "No") if labels else ("yes" if e.stale else "no"),
            _text(e.endorsed_by),
        ]
        for e in view.endorsements
    ]


def change_rows(view: SpecificationView) -> list[list[object]]:
    rows: list[list[object]] = []
    for c in view.changes:
        if c.fields:
            rows += [
                [c.kind_label, c.reference, c.title, f.label, f.before, f.after, ""]
                for f in c.fields
            ]
        else:
            rows.append([c.kind_label, c.reference, c.title, "", "", "", c.reason])
    return rows


MATRIX_FIXED_COLUMNS = ["Reference", "Title", "Priority"]


def matrix_sheet(view: SpecificationView) -> Sheet:
    """Requirements × organisations: each cell the organisation's position on the
    requirement ("Adopt", "Not needed (out of date)"), blank where it has none."""
    positions = {
        (e.reference, e.organisation): e.position_label + (" (out of date)" if e.stale else "")
        for e in view.endorsements
    }
    organisations = list(view.organisations)
    for e in view.endorsements:
        if e.organisation not in organisations:
            organisations.append(e.organisation)
    rows = [
        [r.reference, r.title, r.priority_label]
        + [positions.get((r.reference, org), "") for org in organisations]
        for r in view.requirements
    ]
    return Sheet("Endorsement matrix", MATRIX_FIXED_COLUMNS + organisations, rows)


def to_csv(view: SpecificationView) -> bytes:
    return write_csv(REQUIREMENT_COLUMNS, requirement_rows(view)).encode("utf-8-sig")


def to_xlsx(view: SpecificationView, withheld: list[dict[str, Any]]) -> bytes:
    return write_xlsx(
        [
            Sheet("Requirements", REQUIREMENT_COLUMNS, requirement_rows(view, labels=True)),
            matrix_sheet(view),
            Sheet("Endorsements", ENDORSEMENT_COLUMNS, endorsement_rows(view, labels=True)),
            Sheet("Change log", CHANGE_COLUMNS, change_rows(view)),
            Sheet(
                "Withheld",
                WITHHELD_COLUMNS,
                [
                    [w["type"], _text(w["id"]), Sensitivity.parse(w["level"]).label]
                    for w in withheld
                ],
            ),
        ],
        marking=view.audience.marking,
    )


def to_document(view: SpecificationView, withheld: list[dict[str, Any]]) -> dict[str, Any]:
    """The JSON document (schema ``procure.specification/1``)."""
    return {
        "schema": SCHEMA,
        "experiment": {"slug": view.experiment_slug, "title": view.experiment_title},
        "version": view.number,
        "published_at": view.published_at.isoformat(timespec="seconds") + "Z"
        if view.published_at
        else None,
        "audience": view.audience.slug,
        "release_notes": view.release_notes_text,
        "organisations": list(view.organisations),
        "requirements": [
            {
                "reference": r.reference,
                "title": r.title,
                "statement": r.statement_text,
                "acceptance_criteria": [c for c in r.acceptance_criteria_text],
                "category": r.category,
                "priority": r.priority,
                "status": r.status,
                "sensitivity": r.sensitivity.slug,
                "source": None
                if r.source is None
                else {"kind": r.source_kind, "name": str(r.source)},
                "revision": r.revision,
                "endorsements": {
                    "adopt": r.totals.adopt,
                    "adopt_with_changes": r.totals.adopt_with_changes,
                    "not_needed": r.totals.not_needed,
                    "not_yet": r.totals.not_yet,
                    "stale": r.totals.stale,
                },
            }
            for r in view.requirements
        ],
        "endorsements": [
            {
                "reference": e.reference,
                "organisation": e.organisation,
                "position": e.position,
                "comment": e.comment_text,
                "revision": e.revision,
                "stale": e.stale,
                "endorsed_by": None if e.endorsed_by is None else str(e.endorsed_by),
            }
            for e in view.endorsements
        ],
        "changelog": [
            {
                "change": c.kind,
                "reference": c.reference,
                "title": c.title,
                "reason": c.reason,
                "fields": [
                    {"field": f.field, "before": f.before, "after": f.after} for f in c.fields
                ],
            }
            for c in view.changes
        ],
        "withheld": withheld,
    }


def to_json(view: SpecificationView, withheld: list[dict[str, Any]]) -> bytes:
    return (json.dumps(to_document(view, withheld), ensure_ascii=False, indent=2) + "\n").encode()


def export_version(version: SpecificationVersion, audience: Audience, fmt: str) -> SpecFile:
    """The file of ``version`` in ``fmt`` for ``audience``, with the download audited."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown format {fmt!r}: choose {', '.join(FORMATS)}")
    redactor = Redactor(audience)
    view = view_of_version(version, redactor)
    withheld = redactor.log.as_list()
    if fmt == "csv":
        data = to_csv(view)
    elif fmt == "xlsx":
        data = to_xlsx(view, withheld)
    else:
        data = to_json(view, withheld)
    spec = SpecFile(data, view.filename(fmt), MIMETYPES[fmt])
    log_download(version, fmt, audience, data)
    return spec


def log_download(
    version: SpecificationVersion,
    fmt: str,
    audience: Audience,
    data: bytes = b"",
    *,
    sha256: str | None = None,
) -> None:
    audit.record(
        "specification.download",
        version,
        summary=f"Downloaded specification {version.number} as {fmt.upper()} "
        f"({audience.label.lower()})",
        changes={
            "format": fmt,
            "audience": audience.slug,
            "sha256": sha256 or hashlib.sha256(data).hexdigest(),
        },
    )
