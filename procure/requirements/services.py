"""Requirements and endorsements: propose, edit, agree, withdraw, endorse.

Services flush and never commit; the request (or the CLI command) commits once.
References (``REQ-001``) come from ``Experiment.requirement_counter``, read and
bumped under a row lock so two simultaneous proposals never share a number, and
never handed out twice, even after a withdrawal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import raiseload, selectinload

from procure import audit
from procure.accounts.models import Organisation, User
from procure.concurrency import check_version
from procure.experiments.models import Experiment, Participation
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.requirements.models import (
    POSITIONS,
    PRIORITIES,
    SOURCE_KINDS,
    Endorsement,
    Requirement,
)
from procure.sensitivity import Sensitivity

# Changing any of these is a new revision: endorsements of the old one become stale.
REVISED_FIELDS = [
    "title",
    "statement",
    "acceptance_criteria",
    "category",
    "priority",
    "sensitivity",
]
EDITABLE_FIELDS = [*REVISED_FIELDS, "source_kind", "source_id"]
ENDORSEMENT_FIELDS = ["position", "comment", "comment_sensitivity"]
ENDORSING_ROLES = ("lead", "participant")
FIELD_LABELS = {
    "title": "Title",
    "statement": "Statement",
    "acceptance_criteria": "Acceptance criteria",
    "category": "Category",
    "priority": "Priority",
    "sensitivity": "Sensitivity",
    "source": "Source",
    "source_kind": "Source",
    "source_id": "Source",
    "status": "Status",
    "withdrawn_reason": "Reason for withdrawal",
    "revision": "Revision",
    "position": "Position",
    "comment": "Comment",
    "comment_sensitivity": "Who may read the comment",
}


def readable(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Changes with sensitivities as their names (``audit`` would store the numbers)."""
    for name in ("sensitivity", "comment_sensitivity"):
        if name in changes:
            changes[name] = [
                None if v is None else Sensitivity.parse(v).slug for v in changes[name]
            ]
    return changes


class RequirementError(ValueError):
    """A rule about requirements was broken; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RequirementInput:
    """What a person (or an import row) gives for a requirement, already cleaned."""

    title: str
    statement: str
    acceptance_criteria: list[str]
    category: str
    priority: str
    sensitivity: Sensitivity
    source_kind: str = "other"
    source_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in EDITABLE_FIELDS}


_BULLET = re.compile(r"^[-*•]\s+")


def split_criteria(text: str | None) -> list[str]:
    """Acceptance criteria typed one per line (leading bullets ignored)."""
    lines = []
    for line in (text or "").splitlines():
        line = _BULLET.sub("", line.strip()).strip()
        if line:
            lines.append(line)
    return lines


def lock_experiment(experiment: Experiment) -> Experiment:
    """The experiment row, re-read under ``SELECT … FOR UPDATE`` (a no-op lock on SQLite).

    Later writers wait here until the first commits, then read its counter.
    """
    locked = db.session.scalar(
        sa.select(Experiment)
        .where(Experiment.id == experiment.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert locked is not None
    return locked


def allocate_number(experiment: Experiment) -> int:
    """The next requirement number of ``experiment``; numbers only grow and are never reused."""
    locked = lock_experiment(experiment)
    locked.requirement_counter = (locked.requirement_counter or 0) + 1
    db.session.flush()
    return locked.requirement_counter


def endorsing_participations(experiment: Experiment) -> list[Participation]:
    """Organisations that endorse requirements: the lead and the participants (not observers)."""
    return list(
        db.session.scalars(
            sa.select(Participation)
            .join(Participation.organisation)
            .where(
                Participation.experiment_id == experiment.id,
                Participation.role.in_(ENDORSING_ROLES),
            )
            .options(selectinload(Participation.organisation))
            .order_by(Organisation.name)
        )
    )


def _requirements(experiment: Experiment, *options: Any) -> list[Requirement]:
    return list(
        db.session.scalars(
            sa.select(Requirement)
            .where(Requirement.experiment_id == experiment.id)
            .options(selectinload(Requirement.source_organisation), *options)
            .order_by(Requirement.number)
        )
    )


def requirements_of(experiment: Experiment) -> list[Requirement]:
    """Every requirement with its endorsements, their organisations and authors."""
    return _requirements(
        experiment,
        selectinload(Requirement.endorsements).selectinload(Endorsement.organisation),
        selectinload(Requirement.endorsements).selectinload(Endorsement.endorsed_by),
    )


class Position(NamedTuple):
    """An organisation's position on a requirement, without its comment or author.

    The list, the matrix and the task list show only these; loading them as plain
    rows keeps a city-scale experiment (300 requirements × 33 boroughs) quick.
    """

    organisation_id: int
    position: str
    revision: int


def requirements_light(experiment: Experiment) -> list[Requirement]:
    """Every requirement of the experiment, its endorsements not loaded (touching them raises)."""
    return _requirements(experiment, raiseload(Requirement.endorsements))


def positions_of(
    requirement_ids: list[int], organisation_ids: list[int] | None = None
) -> dict[int, list[Position]]:
    """Each requirement's positions (optionally of some organisations only), in one query."""
    positions: dict[int, list[Position]] = {rid: [] for rid in requirement_ids}
    if not requirement_ids:
        return positions
    query = sa.select(
        Endorsement.requirement_id,
        Endorsement.organisation_id,
        Endorsement.position,
        Endorsement.revision,
    ).where(Endorsement.requirement_id.in_(requirement_ids))
    if organisation_ids is not None:
        query = query.where(Endorsement.organisation_id.in_(organisation_ids))
    for requirement_id, organisation_id, position, revision in db.session.execute(query):
        positions[requirement_id].append(Position(organisation_id, position, revision))
    return positions


class PositionCounts(NamedTuple):
    """How the organisations taking part stand on one requirement, counted by the database."""

    adopt: int = 0
    adopt_with_changes: int = 0
    not_needed: int = 0
    stale: int = 0
    endorsed: int = 0


def position_counts(
    experiment: Experiment, organisation_ids: list[int]
) -> dict[int, PositionCounts]:
    """Per requirement of the experiment: positions of ``organisation_ids`` counted, and
    how many were given to an earlier revision. One grouped query, whatever the size."""
    stale = sa.case((Endorsement.revision != Requirement.revision, 1), else_=0)
    rows = db.session.execute(
        sa.select(
            Endorsement.requirement_id,
            Endorsement.position,
            sa.func.count(Endorsement.id),
            sa.func.sum(stale),
        )
        .join(Requirement, Requirement.id == Endorsement.requirement_id)
        .where(
            Requirement.experiment_id == experiment.id,
            Endorsement.organisation_id.in_(organisation_ids),
        )
        .group_by(Endorsement.requirement_id, Endorsement.position)
    )
    counts: dict[int, dict[str, int]] = {}
    for requirement_id, position, count, stale_count in rows:
        c = counts.setdefault(requirement_id, {"stale": 0, "endorsed": 0})
        c[position] = int(count)
        c["stale"] += int(stale_count or 0)
        c["endorsed"] += int(count)
    return {rid: PositionCounts(**c) for rid, c in counts.items()}


def get_requirement(experiment: Experiment, number: int) -> Requirement | None:
    return db.session.scalar(
        sa.select(Requirement)
        .where(Requirement.experiment_id == experiment.id, Requirement.number == number)
        .options(
            selectinload(Requirement.endorsements).selectinload(Endorsement.endorsed_by),
            selectinload(Requirement.endorsements).selectinload(Endorsement.organisation),
        )
    )


def source_choices(experiment: Experiment) -> list[tuple[str, str, Sensitivity]]:
    """``(value, label, level)`` for each possible source: workshops, options, organisations."""
    from procure.market.models import Option
    from procure.workshops.models import Workshop

    choices: list[tuple[str, str, Sensitivity]] = []
    for w in db.session.scalars(
        sa.select(Workshop)
        .where(Workshop.experiment_id == experiment.id)
        .order_by(Workshop.starts_at)
    ):
        choices.append((f"workshop:{w.id}", f"Workshop: {w.title}", w.sensitivity))
    for o in db.session.scalars(
        sa.select(Option).where(Option.experiment_id == experiment.id).order_by(Option.name)
    ):
        choices.append((f"option:{o.id}", f"Option: {o.name}", o.sensitivity))
    for p in endorsing_participations(experiment):
        choices.append(
            (f"organisation:{p.organisation_id}", p.organisation.name, Sensitivity.PUBLIC)
        )
    return choices


def _check(experiment: Experiment, data: RequirementInput) -> None:
    if not data.title.strip():
        raise RequirementError("Enter a title", "title")
    if not data.statement.strip():
        raise RequirementError("Enter the requirement statement", "statement")
    if data.category not in experiment.requirement_categories:
        raise RequirementError(
            f"Choose a category from the list: {', '.join(experiment.requirement_categories)}",
            "category",
        )
    if data.priority not in PRIORITIES:
        raise RequirementError("Choose a priority: must, should, could or won't", "priority")
    if data.source_kind not in SOURCE_KINDS:
        raise RequirementError("Choose a source from the list", "source")
    if data.source_kind != "other":
        valid = {value for value, _label, _level in source_choices(experiment)}
        if f"{data.source_kind}:{data.source_id}" not in valid:
            raise RequirementError("Choose a source from the list", "source")


def _current_source(req: Requirement) -> tuple[str, int | None]:
    return req.source_kind, {
        "workshop": req.source_workshop_id,
        "option": req.source_option_id,
        "organisation": req.source_organisation_id,
    }.get(req.source_kind)


def _set_source(req: Requirement, kind: str, source_id: int | None) -> None:
    req.source_kind = kind
    req.source_workshop_id = source_id if kind == "workshop" else None
    req.source_option_id = source_id if kind == "option" else None
    req.source_organisation_id = source_id if kind == "organisation" else None


def propose_requirement(
    experiment: Experiment,
    data: RequirementInput,
    actor: User | None,
    *,
    status: str = "draft",
) -> Requirement:
    """A new requirement with the next reference; audited with every field it set."""
    _check(experiment, data)
    number = allocate_number(experiment)
    req = Requirement(
        experiment_id=experiment.id,
        number=number,
        title=data.title.strip(),
        statement=data.statement.strip(),
        acceptance_criteria=list(data.acceptance_criteria),
        category=data.category,
        priority=data.priority,
        sensitivity=data.sensitivity,
        status=status,
        revision=1,
        proposed_by_id=actor.id if actor else None,
    )
    _set_source(req, data.source_kind, data.source_id)
    db.session.add(req)
    bump_content_version(experiment)
    db.session.flush()
    audit.record(
        "requirement.propose",
        req,
        summary=f"Proposed {req.reference}",
        changes=readable(
            {
                name: [None, audit._jsonable(value)]
                for name, value in {**data.as_dict(), "status": status}.items()
            }
        ),
        actor=actor,
    )
    return req


def update_requirement(
    req: Requirement, data: RequirementInput, version: int | None, actor: User | None = None
) -> dict[str, list[Any]]:
    """Apply an edit made from ``version``; refused with ``StaleEdit`` if someone saved since.

    Returns the field changes. A change to a revised field bumps the revision.
    """
    check_version(
        req,
        version,
        [
            "title",
            "statement",
            "acceptance_criteria",
            "category",
            "priority",
            "sensitivity",
            "status",
        ],
    )
    _check(req.experiment, data)
    current_kind, current_id = _current_source(req)
    values = data.as_dict()
    values["title"], values["statement"] = data.title.strip(), data.statement.strip()
    before = {name: getattr(req, name) for name in REVISED_FIELDS}
    changes = readable(
        audit.diff(_SourceView(req, current_kind, current_id, before), EDITABLE_FIELDS, values)
    )
    if not changes:
        return changes
    for name in REVISED_FIELDS:
        if name in changes:
            setattr(req, name, values[name])
    if "source_kind" in changes or "source_id" in changes:
        _set_source(req, data.source_kind, data.source_id)
    if any(name in changes for name in REVISED_FIELDS):
        changes["revision"] = [req.revision, req.revision + 1]
        req.revision += 1
    bump_content_version(req.experiment)
    db.session.flush()
    audit.record(
        "requirement.update", req, summary=f"Edited {req.reference}", changes=changes, actor=actor
    )
    return changes


class _SourceView:
    """The requirement's fields as ``audit.diff`` compares them (source as kind and id)."""

    def __init__(self, req: Requirement, kind: str, source_id: int | None, values: dict) -> None:
        self.source_kind, self.source_id = kind, source_id
        for name, value in values.items():
            setattr(self, name, value)


def agree_requirement(req: Requirement, version: int | None, actor: User | None = None) -> None:
    check_version(req, version, ["status"])
    if req.status != "draft":
        raise RequirementError(f"{req.reference} is {req.status}; only a draft can be agreed")
    req.status = "agreed"
    bump_content_version(req.experiment)
    db.session.flush()
    audit.record(
        "requirement.agree",
        req,
        summary=f"Agreed {req.reference}",
        changes={"status": ["draft", "agreed"]},
        actor=actor,
    )


def withdraw_requirement(
    req: Requirement, reason: str, version: int | None, actor: User | None = None
) -> None:
    """Withdraw with a reason. The reference stays taken: it is never handed out again."""
    check_version(req, version, ["status", "withdrawn_reason"])
    if not (reason or "").strip():
        raise RequirementError("Enter the reason for withdrawing this requirement", "reason")
    if req.status == "withdrawn":
        raise RequirementError(f"{req.reference} is already withdrawn")
    changes = {"status": [req.status, "withdrawn"], "withdrawn_reason": ["", reason.strip()]}
    req.status = "withdrawn"
    req.withdrawn_reason = reason.strip()
    bump_content_version(req.experiment)
    db.session.flush()
    audit.record(
        "requirement.withdraw",
        req,
        summary=f"Withdrew {req.reference}",
        changes=changes,
        actor=actor,
    )


def add_category(experiment: Experiment, name: str, actor: User | None = None) -> None:
    name = " ".join((name or "").split())
    if not name:
        raise RequirementError("Enter the name of the category", "name")
    if len(name) > 100:
        raise RequirementError("Category must be 100 characters or fewer", "name")
    existing = {c.casefold() for c in experiment.requirement_categories}
    if name.casefold() in existing:
        raise RequirementError(f"“{name}” is already a category", "name")
    before = list(experiment.requirement_categories)
    experiment.requirement_categories = [*before, name]
    bump_content_version(experiment)
    db.session.flush()
    audit.record(
        "requirement.category_add",
        experiment,
        summary=f"Added requirement category {name}",
        changes={"requirement_categories": [before, experiment.requirement_categories]},
        actor=actor,
    )


def endorsement_for(req: Requirement, organisation_id: int) -> Endorsement | None:
    return db.session.scalar(
        sa.select(Endorsement).where(
            Endorsement.requirement_id == req.id, Endorsement.organisation_id == organisation_id
        )
    )


def endorse(
    req: Requirement,
    organisation: Organisation,
    position: str,
    comment: str,
    comment_sensitivity: Sensitivity,
    version: int | None,
    actor: User | None = None,
) -> Endorsement:
    """Record (or renew) ``organisation``'s position on the current revision of ``req``.

    ``version`` is the endorsement's version the form was built from (``0`` or
    ``None`` when there was none); a mismatch raises ``StaleEdit``.
    """
    if req.status != "agreed":
        raise RequirementError(f"{req.reference} is not agreed, so it cannot be endorsed yet")
    if position not in POSITIONS:
        raise RequirementError("Choose adopt, adopt with changes or not needed", "position")
    comment = (comment or "").strip()
    if position != "adopt" and not comment:
        raise RequirementError(
            "Explain the changes you need"
            if position == "adopt_with_changes"
            else "Explain why your organisation does not need this requirement",
            "comment",
        )
    endorsement = endorsement_for(req, organisation.id)
    values = {"position": position, "comment": comment, "comment_sensitivity": comment_sensitivity}
    if endorsement is None:
        if version:
            # The form was built from an endorsement that has since gone: treat as stale.
            from procure.concurrency import StaleEdit

            raise StaleEdit(req, {})
        endorsement = Endorsement(
            requirement=req,
            organisation_id=organisation.id,
            revision=req.revision,
            endorsed_by_id=actor.id if actor else None,
            **values,
        )
        db.session.add(endorsement)
        changes = readable({name: [None, audit._jsonable(v)] for name, v in values.items()})
        changes["revision"] = [None, req.revision]
        action = "endorsement.create"
    else:
        check_version(endorsement, version, [*ENDORSEMENT_FIELDS, "revision"])
        changes = readable(
            audit.diff(
                endorsement,
                [*ENDORSEMENT_FIELDS, "revision"],
                {**values, "revision": req.revision},
            )
        )
        for name in ENDORSEMENT_FIELDS:
            setattr(endorsement, name, values[name])
        endorsement.revision = req.revision
        endorsement.endorsed_by_id = actor.id if actor else None
        action = "endorsement.update"
    bump_content_version(req.experiment)
    db.session.flush()
    audit.record(
        action,
        endorsement,
        experiment_id=req.experiment_id,
        summary=f"{organisation.name}: {position.replace('_', ' ')} {req.reference} "
        f"(revision {req.revision})",
        changes=changes,
        actor=actor,
    )
    return endorsement
