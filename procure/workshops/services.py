"""Workshops: create, edit and remove a workshop and its parts; record what was discussed.

Services flush, never commit (the request commits once). Every change is audited
and bumps the experiment's content version, so cached report files are not reused.
Audit summaries name records by id, never by their text: the audit trail must not
become a way round redaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from procure import audit
from procure.accounts.models import Organisation, User
from procure.concurrency import check_version
from procure.experiments.models import Experiment, Participation
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.workshops.models import (
    AgendaItem,
    Attendee,
    Decision,
    NoteSection,
    Workshop,
    WorkshopAction,
)

if TYPE_CHECKING:  # imported lazily: market and requirements import workshops' tables
    from procure.market.models import Option
    from procure.requirements.models import Requirement

WORKSHOP_FIELDS = [
    "title",
    "starts_at",
    "ends_at",
    "location",
    "online",
    "stage",
    "purpose",
    "facilitator",
    "sensitivity",
]


class WorkshopError(ValueError):
    """A rule about workshops was broken; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Part:
    """One kind of thing a workshop holds, edited with its own small form."""

    key: str  # URL segment and page anchor
    model: type
    fields: tuple[str, ...]
    noun: str
    versioned: bool = False
    positioned: bool = False


PARTS: dict[str, Part] = {
    "agenda": Part(
        "agenda",
        AgendaItem,
        ("starts", "title", "presenter", "sensitivity"),
        "agenda item",
        positioned=True,
    ),
    "attendees": Part(
        "attendees", Attendee, ("name", "organisation_id", "user_id", "attended"), "attendee"
    ),
    "notes": Part(
        "notes",
        NoteSection,
        ("heading", "body", "sensitivity"),
        "notes section",
        versioned=True,
        positioned=True,
    ),
    "decisions": Part("decisions", Decision, ("text", "sensitivity"), "decision", positioned=True),
    "actions": Part(
        "actions",
        WorkshopAction,
        ("text", "owner_organisation_id", "due_on", "status", "sensitivity"),
        "action",
    ),
}


def part_or_404(key: str) -> Part:
    part = PARTS.get(key)
    if part is None:
        abort(404)
    return part


# --- loading -----------------------------------------------------------------


def list_workshops(experiment: Experiment) -> list[Workshop]:
    """The experiment's workshops, earliest first."""
    return list(
        db.session.scalars(
            sa.select(Workshop)
            .where(Workshop.experiment_id == experiment.id)
            .order_by(Workshop.starts_at, Workshop.id)
        )
    )


def get_workshop_or_404(experiment: Experiment, workshop_id: int) -> Workshop:
    # Every part in one query per collection, so the page's queries do not grow with it.
    workshop = db.session.get(
        Workshop,
        workshop_id,
        options=[
            selectinload(Workshop.agenda_items),
            selectinload(Workshop.attendees).selectinload(Attendee.organisation),
            selectinload(Workshop.notes),
            selectinload(Workshop.decisions),
            selectinload(Workshop.actions).selectinload(WorkshopAction.owner_organisation),
            selectinload(Workshop.options),
            selectinload(Workshop.requirements),
        ],
    )
    if workshop is None or workshop.experiment_id != experiment.id:
        abort(404)
    return workshop


def get_item_or_404(workshop: Workshop, part: Part, item_id: int) -> Any:
    item = db.session.get(part.model, item_id)
    if item is None or item.workshop_id != workshop.id:
        abort(404)
    return item


def organisation_choices(experiment: Experiment) -> list[Organisation]:
    """Organisations taking part first (they are who attends), then every other one."""
    taking_part = set(
        db.session.scalars(
            sa.select(Participation.organisation_id).where(
                Participation.experiment_id == experiment.id
            )
        )
    )
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    return sorted(orgs, key=lambda o: (o.id not in taking_part, o.name))


def people_choices() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User).where(User.organisation_id.is_not(None)).order_by(User.name)
        )
    )


def discussable(experiment: Experiment) -> tuple[list[Option], list[Requirement]]:
    """The options and requirements of the experiment a workshop may link to."""
    from procure.market.models import Option
    from procure.requirements.models import Requirement

    options = db.session.scalars(
        sa.select(Option).where(Option.experiment_id == experiment.id).order_by(Option.name)
    ).all()
    requirements = db.session.scalars(
        sa.select(Requirement)
        .where(Requirement.experiment_id == experiment.id)
        .order_by(Requirement.number)
    ).all()
    return list(options), list(requirements)


# --- the workshop itself -------------------------------------------------------


def create_workshop(experiment: Experiment, values: dict[str, Any]) -> Workshop:
    workshop = Workshop(experiment=experiment, **{k: values[k] for k in WORKSHOP_FIELDS})
    db.session.add(workshop)
    bump_content_version(experiment)
    db.session.flush()
    audit.record("workshop.create", workshop, summary=f"Added workshop {workshop.id}")
    return workshop


def update_workshop(workshop: Workshop, values: dict[str, Any], version: int | None) -> Workshop:
    """Save the workshop's details; ``StaleEdit`` if someone saved since ``version``."""
    check_version(workshop, version, WORKSHOP_FIELDS)
    changes = audit.diff(workshop, WORKSHOP_FIELDS, values)
    for name in changes:
        setattr(workshop, name, values[name])
    if changes:
        bump_content_version(workshop.experiment)
        db.session.flush()
        audit.record(
            "workshop.update", workshop, summary=f"Edited workshop {workshop.id}", changes=changes
        )
    return workshop


def delete_workshop(workshop: Workshop) -> None:
    audit.record("workshop.delete", workshop, summary=f"Removed workshop {workshop.id}")
    bump_content_version(workshop.experiment)
    db.session.delete(workshop)
    db.session.flush()


# --- parts: agenda, attendees, notes, decisions, actions ------------------------


def _check_links(workshop: Workshop, part: Part, values: dict[str, Any]) -> None:
    """Ids chosen in selects must exist; an account must belong to the chosen organisation."""
    for name in ("organisation_id", "owner_organisation_id"):
        if values.get(name) and db.session.get(Organisation, values[name]) is None:
            raise WorkshopError("Choose an organisation from the list", name)
    if part.key == "attendees" and values.get("user_id"):
        user = db.session.get(User, values["user_id"])
        if user is None:
            raise WorkshopError("Choose a person from the list", "user_id")
        if values.get("organisation_id") is None:
            values["organisation_id"] = user.organisation_id
        elif user.organisation_id != values["organisation_id"]:
            raise WorkshopError(
                "That account belongs to another organisation: choose the attendee's "
                "organisation, or leave the account empty",
                "user_id",
            )


def people_not_attending(workshop: Workshop) -> list[User]:
    """People with an account (in an organisation) who are not yet on ``workshop``'s list."""
    listed = {a.user_id for a in workshop.attendees if a.user_id}
    return [u for u in people_choices() if u.id not in listed]


def add_attendees(workshop: Workshop, user_ids: list[int]) -> list[Any]:
    """Add each chosen person as an attendee (with their organisation, as attending); a
    person already listed or unknown is refused, naming nobody."""
    offered = {u.id: u for u in people_not_attending(workshop)}
    unknown = [i for i in user_ids if i not in offered]
    if unknown:
        raise WorkshopError("Choose people from the list", "user_ids")
    part = PARTS["attendees"]
    return [
        add_item(
            workshop,
            part,
            {
                "name": offered[i].name,
                "organisation_id": offered[i].organisation_id,
                "user_id": i,
                "attended": True,
            },
        )
        for i in dict.fromkeys(user_ids)
    ]


def add_item(workshop: Workshop, part: Part, values: dict[str, Any]) -> Any:
    """Append an agenda item, attendee, notes section, decision or action to ``workshop``."""
    values = dict(values)
    _check_links(workshop, part, values)
    item = part.model(workshop_id=workshop.id, **{k: values[k] for k in part.fields})
    if part.positioned:
        last = db.session.scalar(
            sa.select(sa.func.max(part.model.position)).where(part.model.workshop_id == workshop.id)
        )
        item.position = (last or 0) + 1
    db.session.add(item)
    bump_content_version(workshop.experiment)
    db.session.flush()
    db.session.expire(workshop, [_relationship_of(part)])
    audit.record(
        f"workshop.{part.key}.add",
        item,
        experiment_id=workshop.experiment_id,
        summary=f"Added {part.noun} {item.id} to workshop {workshop.id}",
    )
    return item


def update_item(
    workshop: Workshop, part: Part, item: Any, values: dict[str, Any], version: int | None = None
) -> Any:
    """Save a part; notes sections refuse a stale ``version`` with ``StaleEdit``."""
    if part.versioned:
        check_version(item, version, list(part.fields))
    values = dict(values)
    _check_links(workshop, part, values)
    changes = audit.diff(item, list(part.fields), values)
    for name in changes:
        setattr(item, name, values[name])
    if changes:
        bump_content_version(workshop.experiment)
        db.session.flush()
        audit.record(
            f"workshop.{part.key}.update",
            item,
            experiment_id=workshop.experiment_id,
            summary=f"Edited {part.noun} {item.id} of workshop {workshop.id}",
            changes=changes,
        )
    return item


def remove_item(workshop: Workshop, part: Part, item: Any) -> None:
    audit.record(
        f"workshop.{part.key}.remove",
        item,
        experiment_id=workshop.experiment_id,
        summary=f"Removed {part.noun} {item.id} from workshop {workshop.id}",
    )
    bump_content_version(workshop.experiment)
    db.session.delete(item)
    db.session.flush()
    db.session.expire(workshop, [_relationship_of(part)])


def _relationship_of(part: Part) -> str:
    return {"agenda": "agenda_items"}.get(part.key, part.key)


# --- what was discussed --------------------------------------------------------


def set_discussed(
    workshop: Workshop, option_ids: list[int], requirement_ids: list[int]
) -> Workshop:
    """Link the workshop to options and requirements of its own experiment (others refused)."""
    options, requirements = discussable(workshop.experiment)
    by_option = {o.id: o for o in options}
    by_requirement = {r.id: r for r in requirements}
    if any(i not in by_option for i in option_ids):
        raise WorkshopError("Choose options discussed from the list", "option_ids")
    if any(i not in by_requirement for i in requirement_ids):
        raise WorkshopError("Choose requirements discussed from the list", "requirement_ids")
    before = (sorted(o.id for o in workshop.options), sorted(r.id for r in workshop.requirements))
    after = (sorted(set(option_ids)), sorted(set(requirement_ids)))
    if before == after:
        return workshop
    workshop.options = [by_option[i] for i in after[0]]
    workshop.requirements = [by_requirement[i] for i in after[1]]
    bump_content_version(workshop.experiment)
    db.session.flush()
    audit.record(
        "workshop.discussed",
        workshop,
        summary=f"Changed what workshop {workshop.id} discussed",
        changes={
            "option_ids": [before[0], after[0]],
            "requirement_ids": [before[1], after[1]],
        },
    )
    return workshop
