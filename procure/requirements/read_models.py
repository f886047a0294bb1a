"""Read models of the live requirements, built for one audience. Templates receive only these."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from procure.audit import AuditEvent
from procure.experiments.models import Experiment, Participation
from procure.extensions import db
from procure.paging import Paged, paginate
from procure.requirements.models import (
    POSITION_LABELS,
    PRIORITIES,
    PRIORITY_LABELS,
    REQUIREMENT_STATUSES,
    Requirement,
)
from procure.requirements.services import FIELD_LABELS, Position, PositionCounts
from procure.requirements.snapshots import EndorsementTotals, FieldChange
from procure.requirements.versions import _source, level, source_name
from procure.sensitivity import Redacted, Redactor, Sensitivity

LIST_PAGE_SIZE = 50
MATRIX_PAGE_SIZE = 50
STATUS_LABELS = {"draft": "Draft", "agreed": "Agreed", "withdrawn": "Withdrawn"}
ENDORSEMENT_STATES = {
    "not_endorsed": "Waiting for endorsements",
    "stale": "Has out-of-date endorsements",
    "complete": "Endorsed by every organisation",
}


@dataclass(frozen=True)
class Filters:
    """The list page's GET parameters, cleaned: unknown values are ignored."""

    priority: str = ""
    status: str = ""
    category: str = ""
    endorsement: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: Any, categories: list[str]) -> Filters:
        def pick(name: str, allowed) -> str:
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            priority=pick("priority", PRIORITIES),
            status=pick("status", REQUIREMENT_STATUSES),
            category=pick("category", categories),
            endorsement=pick("endorsement", ENDORSEMENT_STATES),
            q=" ".join((args.get("q") or "").split())[:200],
        )

    @property
    def active(self) -> bool:
        return any((self.priority, self.status, self.category, self.endorsement, self.q))

    def as_args(self) -> dict[str, str]:
        """The filters in force, as query parameters for the page links."""
        return {k: v for k, v in self.__dict__.items() if v}


@dataclass(frozen=True)
class EndorsementCell:
    organisation_id: int
    organisation_slug: str
    organisation: str
    position: str | None  # None: not endorsed yet
    label: str
    stale: bool
    revision: int | None
    comment: Markup = field(default_factory=Markup)
    endorsed_by: str | Redacted | None = None
    version: int = 0


@dataclass(frozen=True)
class RequirementRef:
    """The requirement an edit page is about: its number and reference only."""

    number: int
    reference: str


@dataclass(frozen=True)
class RequirementRow:
    id: int
    number: int
    reference: str
    title: str
    statement: Markup
    acceptance_criteria: tuple[Markup, ...]
    category: str
    priority: str
    priority_label: str
    status: str
    status_label: str
    sensitivity: Sensitivity
    revision: int
    source: str | Redacted | None
    withdrawn_reason: Markup
    totals: EndorsementTotals
    endorsements: tuple[EndorsementCell, ...]
    endorsement_state: str  # "" for drafts and withdrawn requirements
    search_text: str = field(default="", repr=False)


@dataclass(frozen=True)
class RequirementGroup:
    category: str
    requirements: tuple[RequirementRow, ...]


@dataclass(frozen=True)
class RequirementListView:
    groups: tuple[RequirementGroup, ...]
    total: int
    shown: int
    paged: Paged[RequirementRow]
    filters: Filters
    categories: tuple[str, ...]
    organisations: tuple[str, ...]


@dataclass(frozen=True)
class HistoryEntry:
    occurred_at: datetime
    who: str | Redacted
    organisation: str
    summary: str
    changes: tuple[FieldChange, ...]


def _position_cells(
    req: Requirement, parts: list[Participation], positions: list[Position]
) -> list[EndorsementCell]:
    """Cells from bare positions: no comments or authors (the list, matrix and task list)."""
    by_org = {e.organisation_id: e for e in positions}
    cells = []
    for p in parts:
        e = by_org.get(p.organisation_id)
        org = p.organisation
        if e is None:
            cells.append(
                EndorsementCell(
                    p.organisation_id, org.slug, org.name, None, "Not yet endorsed", False, None
                )
            )
        else:
            cells.append(
                EndorsementCell(
                    p.organisation_id,
                    org.slug,
                    org.name,
                    e.position,
                    POSITION_LABELS[e.position],
                    e.revision != req.revision,
                    e.revision,
                )
            )
    return cells


def _cells(
    req: Requirement,
    parts: list[Participation],
    redactor: Redactor,
    positions: list[Position] | None = None,
) -> list[EndorsementCell]:
    if positions is not None:
        return _position_cells(req, parts, positions)
    by_org = {e.organisation_id: e for e in req.endorsements}
    cells = []
    for p in parts:
        e = by_org.get(p.organisation_id)
        if e is None:
            cells.append(
                EndorsementCell(
                    p.organisation_id,
                    p.organisation.slug,
                    p.organisation.name,
                    None,
                    "Not yet endorsed",
                    False,
                    None,
                )
            )
            continue
        stale = e.revision != req.revision
        cells.append(
            EndorsementCell(
                organisation_id=p.organisation_id,
                organisation_slug=p.organisation.slug,
                organisation=p.organisation.name,
                position=e.position,
                label=POSITION_LABELS[e.position],
                stale=stale,
                revision=e.revision,
                comment=redactor.markdown(
                    e.comment, "endorsement.comment", e.id, base=e.comment_sensitivity
                ),
                endorsed_by=(
                    redactor.value(
                        e.endorsed_by.name, Sensitivity.MEMBERS, "person", e.endorsed_by_id
                    )
                    if e.endorsed_by
                    else None
                ),
                version=e.version,
            )
        )
    return cells


def _endorsement_state(status: str, stale: int, not_yet: int) -> str:
    """The list's endorsement filter value; "" for drafts and withdrawn requirements."""
    if status != "agreed":
        return ""
    return "stale" if stale else "not_endorsed" if not_yet else "complete"


def _totals(cells: list[EndorsementCell]) -> EndorsementTotals:
    endorsed = [c for c in cells if c.position]
    return EndorsementTotals(
        adopt=sum(1 for c in endorsed if c.position == "adopt"),
        adopt_with_changes=sum(1 for c in endorsed if c.position == "adopt_with_changes"),
        not_needed=sum(1 for c in endorsed if c.position == "not_needed"),
        stale=sum(1 for c in endorsed if c.stale),
        not_yet=len(cells) - len(endorsed),
    )


def build_requirement_row(
    req: Requirement,
    parts: list[Participation],
    redactor: Redactor,
    positions: list[Position] | None = None,
    *,
    counts: PositionCounts | None = None,
) -> RequirementRow:
    """One requirement as ``redactor.audience`` may see it (the caller checked its level).

    With ``positions`` (from ``positions_of``) the endorsement cells carry
    positions only; without, they are built from ``req.endorsements`` with comments.
    With ``counts`` (from ``position_counts``) the row has totals but no cells: the list
    page needs no more.
    """
    lvl, rid = req.sensitivity, req.id
    criteria = [str(c) for c in req.acceptance_criteria or []]
    if counts is not None:
        cell_list: list[EndorsementCell] = []
        totals = EndorsementTotals(
            adopt=counts.adopt,
            adopt_with_changes=counts.adopt_with_changes,
            not_needed=counts.not_needed,
            stale=counts.stale,
            not_yet=len(parts) - counts.endorsed,
        )
    else:
        cell_list = _cells(req, parts, redactor, positions)
        totals = _totals(cell_list)
    state = _endorsement_state(req.status, totals.stale, totals.not_yet)
    source = _source(req)
    title = redactor.text(req.title, "requirement.title", rid, base=lvl)
    search = " ".join(
        [req.reference, title, redactor.text(req.statement, "requirement.statement", rid, base=lvl)]
        + [redactor.text(c, "requirement.criterion", rid, base=lvl) for c in criteria]
    )
    return RequirementRow(
        id=rid,
        number=req.number,
        reference=req.reference,
        title=title,
        statement=redactor.markdown(req.statement, "requirement.statement", rid, base=lvl),
        acceptance_criteria=tuple(
            redactor.markdown(c, "requirement.criterion", rid, base=lvl) for c in criteria
        ),
        category=req.category,
        priority=req.priority,
        priority_label=PRIORITY_LABELS[req.priority],
        status=req.status,
        status_label=STATUS_LABELS[req.status],
        sensitivity=lvl,
        revision=req.revision,
        source=(
            source_name(source["name"], max(level(source["sensitivity"]), lvl), redactor, rid)
            if source
            else None
        ),
        withdrawn_reason=redactor.markdown(
            req.withdrawn_reason, "requirement.withdrawn_reason", rid, base=lvl
        ),
        totals=totals,
        endorsements=tuple(cell_list),
        endorsement_state=state,
        search_text=search.casefold(),
    )


def visible_rows(
    reqs: list[Requirement],
    parts: list[Participation],
    redactor: Redactor,
    positions: dict[int, list[Position]] | None = None,
    *,
    counts: dict[int, PositionCounts] | None = None,
) -> list[RequirementRow]:
    """Rows of the requirements ``redactor.audience`` may see: cells from ``positions``,
    or totals only from ``counts``, or (neither given) cells with comments from the ORM."""
    kept = redactor.visible(reqs, lambda r: r.sensitivity, "requirement")
    if counts is not None:
        none = PositionCounts()
        return [
            build_requirement_row(r, parts, redactor, counts=counts.get(r.id, none)) for r in kept
        ]
    if positions is not None:
        return [build_requirement_row(r, parts, redactor, positions[r.id]) for r in kept]
    return [build_requirement_row(r, parts, redactor) for r in kept]


def _passes(filters: Filters, priority: str, status: str, category: str, state: str) -> bool:
    return (
        (not filters.priority or priority == filters.priority)
        and (not filters.status or status == filters.status)
        and (not filters.category or category == filters.category)
        and (not filters.endorsement or state == filters.endorsement)
    )


def build_requirement_list(
    experiment: Experiment,
    reqs: list[Requirement],
    parts: list[Participation],
    redactor: Redactor,
    filters: Filters,
    counts: dict[int, PositionCounts],
    page: int = 1,
) -> RequirementListView:
    """The list page: requirements grouped by category, filtered, searched in visible text
    only, then one page of ``LIST_PAGE_SIZE`` in category order.

    Without a search, the filters need only the requirements' own fields and the counts,
    so rows (with their redacted text) are built for the page shown, not for every one.
    """
    words = filters.q.casefold().split()
    kept = redactor.visible(reqs, lambda r: r.sensitivity, "requirement")
    shown: list[Any]
    if words:
        rows = visible_rows(kept, parts, redactor, counts=counts)
        shown = [
            r
            for r in rows
            if _passes(filters, r.priority, r.status, r.category, r.endorsement_state)
            and all(w in r.search_text for w in words)
        ]
    else:
        none = PositionCounts()

        def state(r: Requirement) -> str:
            c = counts.get(r.id, none)
            return _endorsement_state(r.status, c.stale, len(parts) - c.endorsed)

        shown = [r for r in kept if _passes(filters, r.priority, r.status, r.category, state(r))]
    categories = list(experiment.requirement_categories)
    categories += sorted({r.category for r in kept} - set(categories))
    order = {c: i for i, c in enumerate(categories)}
    shown.sort(key=lambda r: (order[r.category], r.number))
    paged = paginate(shown, page, LIST_PAGE_SIZE)
    if not words:
        paged = replace(
            paged, items=visible_rows(list(paged.items), parts, redactor, counts=counts)
        )
    groups = tuple(
        RequirementGroup(c, tuple(r for r in paged.items if r.category == c))
        for c in categories
        if any(r.category == c for r in paged.items)
    )
    return RequirementListView(
        groups=groups,
        total=len(kept),
        shown=len(shown),
        paged=paged,
        filters=filters,
        categories=tuple(categories),
        organisations=tuple(p.organisation.name for p in parts),
    )


def _history_value(name: str, value: Any, redactor: Redactor, rid: int, base: Sensitivity) -> str:
    if value is None or value == "" or value == []:
        return "(none)"
    if name == "priority":
        return PRIORITY_LABELS.get(value, str(value))
    if name in ("sensitivity", "comment_sensitivity"):
        return level(value).label
    if name == "status":
        return STATUS_LABELS.get(value, str(value))
    if name in ("category", "revision", "position", "source"):
        return str(value)
    if isinstance(value, list):
        return "\n".join(
            redactor.text(str(v), "requirement.history", rid, base=base) for v in value
        )
    return redactor.text(str(value), "requirement.history", rid, base=base)


def _source_label(kind: str | None, ident: Any, redactor: Redactor, base: Sensitivity) -> str:
    """A source as the reader may see it: its name, or a marker if it is above them."""
    from procure.accounts.models import Organisation
    from procure.market.models import Option
    from procure.workshops.models import Workshop

    model = {"workshop": Workshop, "option": Option, "organisation": Organisation}.get(kind or "")
    if model is None or ident is None:
        return ""
    obj = db.session.get(model, ident)
    if obj is None:
        return f"{kind} (removed)"
    name = getattr(obj, "title", None) or obj.name
    item_level = max(getattr(obj, "sensitivity", Sensitivity.PUBLIC), base)
    return str(source_name(f"{kind.capitalize()}: {name}", item_level, redactor, ident))


def build_history(req: Requirement, redactor: Redactor) -> tuple[HistoryEntry, ...]:
    """Who changed what and when, from the requirement's audit events.

    Old values are redacted at the highest sensitivity the requirement has ever
    had, so lowering its sensitivity never exposes what it said before.
    """
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == "Requirement", AuditEvent.object_id == req.id)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    ).all()
    base = req.sensitivity
    for ev in events:
        for value in (ev.changes or {}).get("sensitivity", []):
            if value:
                base = max(base, level(value))
    entries = []
    for ev in events:
        recorded = dict(ev.changes or {})
        if "source_kind" in recorded or "source_id" in recorded:
            kinds = recorded.pop("source_kind", None) or [req.source_kind] * 2
            ids = recorded.pop("source_id", None) or [None, None]
            recorded["source"] = [
                _source_label(kinds[0], ids[0], redactor, base),
                _source_label(kinds[1], ids[1], redactor, base),
            ]
        changes = tuple(
            FieldChange(
                field=name,
                label=FIELD_LABELS.get(name, name.replace("_", " ").capitalize()),
                before=_history_value(name, pair[0], redactor, req.id, base),
                after=_history_value(name, pair[1], redactor, req.id, base),
            )
            for name, pair in recorded.items()
            if isinstance(pair, list) and len(pair) == 2
        )
        who: str | Redacted = "Procure"
        if ev.actor is not None:
            who = redactor.value(ev.actor.name, Sensitivity.MEMBERS, "person", ev.actor_id)
        entries.append(
            HistoryEntry(
                occurred_at=ev.occurred_at,
                who=who,
                organisation=ev.organisation.name if ev.organisation else "",
                summary=ev.summary,
                changes=changes,
            )
        )
    return tuple(entries)


@dataclass(frozen=True)
class TaskList:
    organisation: str
    organisation_slug: str
    not_endorsed: tuple[RequirementRow, ...]
    stale: tuple[RequirementRow, ...]
    done: int


def build_task_list(
    rows: list[RequirementRow], organisation_id: int, name: str, slug: str
) -> TaskList:
    """What an organisation still has to do: agreed requirements not endorsed, or out of date."""
    not_endorsed, stale, done = [], [], 0
    for r in rows:
        if r.status != "agreed":
            continue
        cell = next((c for c in r.endorsements if c.organisation_id == organisation_id), None)
        if cell is None:
            continue
        if cell.position is None:
            not_endorsed.append(r)
        elif cell.stale:
            stale.append(r)
        else:
            done += 1
    return TaskList(name, slug, tuple(not_endorsed), tuple(stale), done)
