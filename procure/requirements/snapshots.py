"""A published specification version, read for one audience.

Pages, downloads (CSV, XLSX, JSON) and the PDF all read a version through
``build_specification_view``: requirements above the audience are dropped (and
logged as withheld), spans and comments above it become markers, and person
names never reach the public. Nothing here writes to the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from markupsafe import Markup

from procure.experiments.models import Experiment
from procure.requirements.models import POSITION_LABELS, PRIORITY_LABELS, SpecificationVersion
from procure.requirements.versions import COMPARED_FIELDS, level, source_name
from procure.sensitivity import Audience, Redacted, Redactor, Sensitivity

CHANGE_FIELD_LABELS = {
    "title": "Title",
    "statement": "Statement",
    "acceptance_criteria": "Acceptance criteria",
    "category": "Category",
    "priority": "Priority",
    "sensitivity": "Sensitivity",
    "source": "Source",
}
CHANGE_KIND_LABELS = {"added": "Added", "changed": "Changed", "withdrawn": "Withdrawn"}


@dataclass(frozen=True)
class EndorsementTotals:
    adopt: int = 0
    adopt_with_changes: int = 0
    not_needed: int = 0
    stale: int = 0
    not_yet: int = 0

    @property
    def summary(self) -> str:
        parts = [
            f"{self.adopt} adopt",
            f"{self.adopt_with_changes} adopt with changes",
            f"{self.not_needed} not needed",
        ]
        if self.not_yet:
            parts.append(f"{self.not_yet} not yet endorsed")
        if self.stale:
            parts.append(f"{self.stale} out of date")
        return ", ".join(parts)


@dataclass(frozen=True)
class SpecRequirement:
    reference: str
    number: int
    title: str
    statement: Markup
    statement_text: str
    acceptance_criteria: tuple[Markup, ...]
    acceptance_criteria_text: tuple[str, ...]
    category: str
    priority: str
    priority_label: str
    status: str
    sensitivity: Sensitivity
    revision: int
    source_kind: str
    source: str | Redacted | None
    totals: EndorsementTotals


@dataclass(frozen=True)
class SpecEndorsement:
    reference: str
    organisation: str
    position: str
    position_label: str
    comment: Markup
    comment_text: str
    comment_sensitivity: Sensitivity
    revision: int
    stale: bool
    endorsed_by: str | Redacted | None


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class ChangeEntry:
    kind: str  # added | changed | withdrawn
    kind_label: str
    reference: str
    title: str
    reason: str = ""
    fields: tuple[FieldChange, ...] = ()


@dataclass(frozen=True)
class CategoryGroup:
    name: str
    anchor: str
    requirements: tuple[SpecRequirement, ...]


@dataclass(frozen=True)
class SpecificationView:
    """One version of the specification as an audience may read it."""

    experiment_slug: str
    experiment_title: str
    number: str | None  # None: the live, unpublished state
    published_at: datetime | None
    published_by: str | Redacted | None
    release_notes: Markup
    release_notes_text: str
    audience: Audience
    requirements: tuple[SpecRequirement, ...]
    endorsements: tuple[SpecEndorsement, ...]
    changes: tuple[ChangeEntry, ...]
    organisations: tuple[str, ...]
    groups: tuple[CategoryGroup, ...]
    withheld: tuple[dict[str, Any], ...]

    @property
    def filename_stem(self) -> str:
        return f"{self.experiment_slug}-spec-{self.number or 'draft'}"

    def filename(self, extension: str) -> str:
        return f"{self.filename_stem}-{self.audience.slug}.{extension}"

    @property
    def change_counts(self) -> dict[str, int]:
        return {k: sum(1 for c in self.changes if c.kind == k) for k in CHANGE_KIND_LABELS}


def _anchor(name: str) -> str:
    return "category-" + "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")


def _value_text(name: str, value: Any, redactor: Redactor, ref: str, base: Sensitivity) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if name == "priority":
        return PRIORITY_LABELS.get(value, str(value))
    if name == "sensitivity":
        return level(value).label
    if name == "category":
        return str(value)
    if isinstance(value, list):
        return "\n".join(redactor.text(str(v), "requirement.change", ref, base=base) for v in value)
    return redactor.text(str(value), "requirement.change", ref, base=base)


def _changes(changelog: dict[str, Any], redactor: Redactor) -> tuple[ChangeEntry, ...]:
    entries: list[ChangeEntry] = []
    for kind in ("added", "changed", "withdrawn"):
        for item in changelog.get(kind, []):
            ref = item["reference"]
            item_level = level(item.get("sensitivity"))
            if not redactor.permits(item_level):
                redactor.log.withheld("requirement", ref, item_level)
                continue
            title = redactor.text(item.get("title", ""), "requirement.title", ref, base=item_level)
            fields: list[FieldChange] = []
            if kind == "changed":
                before_level = max(level(item.get("previous_sensitivity")), Sensitivity.PUBLIC)
                for name in COMPARED_FIELDS:
                    if name not in item.get("fields", {}):
                        continue
                    old, new = item["fields"][name]
                    fields.append(
                        FieldChange(
                            field=name,
                            label=CHANGE_FIELD_LABELS[name],
                            before=_value_text(name, old, redactor, ref, before_level),
                            after=_value_text(name, new, redactor, ref, item_level),
                        )
                    )
            reason = ""
            if kind == "withdrawn":
                reason = redactor.text(
                    item.get("reason", ""), "requirement.withdrawn_reason", ref, base=item_level
                )
            entries.append(
                ChangeEntry(kind, CHANGE_KIND_LABELS[kind], ref, title, reason, tuple(fields))
            )
    return tuple(entries)


def _source(source: dict[str, Any] | None, req_level: Sensitivity, redactor: Redactor, ref: str):
    if not source:
        return None
    src_level = max(level(source.get("sensitivity")), req_level)
    return source_name(source.get("name", ""), src_level, redactor, ref)


def build_specification_view(
    experiment: Experiment,
    snapshot: dict[str, Any],
    changelog: dict[str, Any],
    redactor: Redactor,
    *,
    number: str | None = None,
    published_at: datetime | None = None,
    published_by: str | None = None,
    release_notes: str = "",
    with_endorsements: bool = True,
) -> SpecificationView:
    """A snapshot (published or live) redacted for ``redactor.audience``.

    ``with_endorsements=False`` keeps the totals but builds no endorsement rows (their
    comments are the bulk of the work at city scale): for pages that show only totals.
    """
    records = snapshot.get("requirements", [])
    visible = redactor.visible(
        records, lambda r: level(r.get("sensitivity")), "requirement", lambda r: r["reference"]
    )
    visible_refs = {r["reference"] for r in visible}
    organisations = tuple(o["name"] for o in snapshot.get("organisations", []))
    endorsements: list[SpecEndorsement] = []
    by_ref: dict[str, list[dict[str, Any]]] = {}
    for e in snapshot.get("endorsements", []):
        if e["reference"] not in visible_refs:
            continue
        by_ref.setdefault(e["reference"], []).append(e)
        if not with_endorsements:
            continue
        comment_level = level(e.get("comment_sensitivity"))
        kind = "endorsement.comment"
        endorsements.append(
            SpecEndorsement(
                reference=e["reference"],
                organisation=e["organisation"]["name"],
                position=e["position"],
                position_label=POSITION_LABELS.get(e["position"], e["position"]),
                comment=redactor.markdown(
                    e.get("comment", ""), kind, e["reference"], base=comment_level
                ),
                comment_text=redactor.text(
                    e.get("comment", ""), kind, e["reference"], base=comment_level
                ),
                comment_sensitivity=comment_level,
                revision=e.get("revision", 0),
                stale=bool(e.get("stale")),
                endorsed_by=(
                    redactor.value(e["endorsed_by"], Sensitivity.MEMBERS, "person", e["reference"])
                    if e.get("endorsed_by")
                    else None
                ),
            )
        )
    requirements: list[SpecRequirement] = []
    for r in visible:
        ref, req_level = r["reference"], level(r.get("sensitivity"))
        mine = by_ref.get(ref, [])
        counts = {p: sum(1 for e in mine if e["position"] == p) for p in POSITION_LABELS}
        criteria = [str(c) for c in r.get("acceptance_criteria", [])]
        requirements.append(
            SpecRequirement(
                reference=ref,
                number=int(r.get("number", 0)),
                title=redactor.text(r["title"], "requirement.title", ref, base=req_level),
                statement=redactor.markdown(
                    r["statement"], "requirement.statement", ref, base=req_level
                ),
                statement_text=redactor.text(
                    r["statement"], "requirement.statement", ref, base=req_level
                ),
                acceptance_criteria=tuple(
                    redactor.markdown(c, "requirement.criterion", ref, base=req_level)
                    for c in criteria
                ),
                acceptance_criteria_text=tuple(
                    redactor.text(c, "requirement.criterion", ref, base=req_level) for c in criteria
                ),
                category=r["category"],
                priority=r["priority"],
                priority_label=PRIORITY_LABELS.get(r["priority"], r["priority"]),
                status=r.get("status", "agreed"),
                sensitivity=req_level,
                revision=int(r.get("revision", 1)),
                source_kind=(r.get("source") or {}).get("kind", "other"),
                source=_source(r.get("source"), req_level, redactor, ref),
                totals=EndorsementTotals(
                    adopt=counts["adopt"],
                    adopt_with_changes=counts["adopt_with_changes"],
                    not_needed=counts["not_needed"],
                    stale=sum(1 for e in mine if e.get("stale")),
                    not_yet=max(0, len(organisations) - len(mine)),
                ),
            )
        )
    order = list(snapshot.get("categories", []))
    order += sorted({r.category for r in requirements} - set(order))
    groups = tuple(
        CategoryGroup(name, _anchor(name), tuple(r for r in requirements if r.category == name))
        for name in order
        if any(r.category == name for r in requirements)
    )
    changes = _changes(changelog or {}, redactor)
    notes_kind = "specification.release_notes"
    return SpecificationView(
        experiment_slug=experiment.slug,
        experiment_title=redactor.text(experiment.title, "experiment.title", experiment.id),
        number=number,
        published_at=published_at,
        published_by=(
            redactor.value(published_by, Sensitivity.MEMBERS, "person", number)
            if published_by
            else None
        ),
        release_notes=redactor.markdown(release_notes, notes_kind, number),
        release_notes_text=redactor.text(release_notes, notes_kind, number),
        audience=redactor.audience,
        requirements=tuple(requirements),
        endorsements=tuple(endorsements),
        changes=changes,
        organisations=organisations,
        groups=groups,
        withheld=tuple(redactor.log.as_list()),
    )


T = TypeVar("T")
#: Read models of published versions, which never change: keyed by everything they show.
_VERSION_VIEWS: OrderedDict[tuple, Any] = OrderedDict()
_VERSION_VIEWS_MAX = 24
_VERSION_VIEWS_LOCK = threading.Lock()


def _version_key(version: SpecificationVersion, audience: Audience, kind: str) -> tuple:
    """A published version's snapshot, change log and notes are immutable; what can
    change around it (the experiment's title, the publisher's name) is in the key."""
    experiment = version.experiment
    return (
        kind,
        version.id,
        version.number,
        version.published_at,
        experiment.id,
        experiment.slug,
        experiment.title,
        version.published_by.name if version.published_by else None,
        audience,
    )


def _cached(key: tuple, build: Callable[[], T]) -> T:
    with _VERSION_VIEWS_LOCK:
        if key in _VERSION_VIEWS:
            _VERSION_VIEWS.move_to_end(key)
            return _VERSION_VIEWS[key]
    value = build()
    with _VERSION_VIEWS_LOCK:
        _VERSION_VIEWS[key] = value
        while len(_VERSION_VIEWS) > _VERSION_VIEWS_MAX:
            _VERSION_VIEWS.popitem(last=False)
    return value


def view_of_version(
    version: SpecificationVersion, redactor: Redactor, *, with_endorsements: bool = True
) -> SpecificationView:
    """The version for ``redactor.audience``. Without endorsements (the version page)
    the view is kept in memory and reused: the redactor's log then stays empty, so
    downloads and reports, which record what they withheld, always build afresh."""

    def build() -> SpecificationView:
        return build_specification_view(
            version.experiment,
            version.snapshot or {},
            version.changelog or {},
            redactor,
            number=version.number,
            published_at=version.published_at,
            published_by=version.published_by.name if version.published_by else None,
            release_notes=version.release_notes,
            with_endorsements=with_endorsements,
        )

    if with_endorsements:
        return build()
    return _cached(_version_key(version, redactor.audience, "page"), build)


@dataclass(frozen=True)
class VersionSummary:
    """A version as the list of versions shows it: no requirement or endorsement rows."""

    number: str
    published_at: datetime
    requirement_count: int
    change_counts: dict[str, int]
    release_notes: Markup


def summary_of_version(version: SpecificationVersion, redactor: Redactor) -> VersionSummary:
    """The list's summary of a version for ``redactor.audience`` (kept in memory and reused)."""

    def build() -> VersionSummary:
        records = (version.snapshot or {}).get("requirements", [])
        visible = redactor.visible(
            records, lambda r: level(r.get("sensitivity")), "requirement", lambda r: r["reference"]
        )
        changes = _changes(version.changelog or {}, redactor)
        return VersionSummary(
            number=version.number,
            published_at=version.published_at,
            requirement_count=len(visible),
            change_counts={k: sum(1 for c in changes if c.kind == k) for k in CHANGE_KIND_LABELS},
            release_notes=redactor.markdown(
                version.release_notes, "specification.release_notes", version.number
            ),
        )

    return _cached(_version_key(version, redactor.audience, "summary"), build)
