"""Read models of workshops, built for one audience. Pages and print sections receive only these.

Levels: every part of a workshop is at least as sensitive as the workshop itself
(a members-only workshop keeps all of its agenda, notes and actions from the
public). Personal names — attendees, the facilitator, presenters — are members
level: the public sees the person's organisation (taken from the attendee list)
or a marker, never the name. A withheld item becomes a ``Redacted`` marker: its
kind and level only, never its text or length.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from markupsafe import Markup

from procure.experiments.models import STAGE_LABELS, Experiment
from procure.sensitivity import Audience, Redacted, Redactor, Sensitivity
from procure.workshops.forms import ACTION_STATUS_LABELS
from procure.workshops.models import Workshop

EMPTY = Markup("")  # an immutable default for Markdown fields


@dataclass(frozen=True)
class WorkshopRef:
    """The workshop an edit page is about: its id and date only."""

    id: int
    starts_at: datetime | None = None


@dataclass(frozen=True)
class AgendaItemView:
    id: int
    marker: Redacted | None
    starts: str = ""
    title: str = ""
    presenter: str | Redacted = ""
    level: Sensitivity = Sensitivity.PUBLIC


@dataclass(frozen=True)
class AttendeeView:
    id: int
    name: str
    organisation: str
    attended: bool
    has_account: bool


@dataclass(frozen=True)
class NoteView:
    id: int
    marker: Redacted | None
    heading: str = ""
    body: Markup = EMPTY
    level: Sensitivity = Sensitivity.MEMBERS


@dataclass(frozen=True)
class DecisionView:
    id: int
    marker: Redacted | None
    text: Markup = EMPTY
    level: Sensitivity = Sensitivity.MEMBERS


@dataclass(frozen=True)
class ActionView:
    id: int
    marker: Redacted | None
    text: Markup = EMPTY
    owner: str = ""
    due_on: date | None = None
    status: str = ""
    status_label: str = ""
    level: Sensitivity = Sensitivity.MEMBERS


@dataclass(frozen=True)
class DiscussedView:
    id: int
    label: str


@dataclass(frozen=True)
class WorkshopView:
    """One workshop as ``audience`` may see it. ``marker`` is set when the whole workshop is withheld."""

    id: int
    experiment_slug: str
    experiment_title: str
    audience: Audience
    marker: Redacted | None
    title: str | Redacted
    page_title: str
    level: Sensitivity = Sensitivity.PUBLIC
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    stage_label: str = ""
    purpose: Markup = EMPTY
    facilitator: str | Redacted = ""
    agenda: tuple[AgendaItemView, ...] = ()
    # Named attendees: empty at the public audience, which sees organisations only.
    attendees: tuple[AttendeeView, ...] = ()
    organisations_attending: tuple[str, ...] = ()
    names_shown: bool = False
    notes: tuple[NoteView, ...] = ()
    decisions: tuple[DecisionView, ...] = ()
    actions: tuple[ActionView, ...] = ()
    options: tuple[DiscussedView, ...] = ()
    requirements: tuple[DiscussedView, ...] = ()


@dataclass(frozen=True)
class WorkshopSummary:
    """A row of the workshops list. A withheld workshop has no id, title or date: a marker only."""

    id: int | None
    marker: Redacted | None
    title: str = ""
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    place: str = ""
    stage_label: str = ""
    level: Sensitivity = Sensitivity.PUBLIC


def place_of(workshop: Workshop) -> str:
    if workshop.location and workshop.online:
        return f"{workshop.location} and online"
    return workshop.location or ("Online" if workshop.online else "")


def _level(*levels: Sensitivity | int) -> Sensitivity:
    return Sensitivity(max(int(level) for level in levels))


def _person(
    name: str, level: Sensitivity, kind: str, id: int, orgs_by_name: dict[str, str], r: Redactor
) -> str | Redacted:
    """A person's name, or below members their organisation (if the attendee list knows it),
    or a marker. Callers only ask for people in items the audience may already see."""
    if not name:
        return ""
    name_level = _level(level, Sensitivity.MEMBERS)
    if r.permits(name_level):
        return name
    organisation = orgs_by_name.get(name.strip().casefold())
    if organisation:
        r.log.withheld(kind, id, name_level)
        return organisation
    return r.value(name, name_level, kind, id)


def build_workshop_view(workshop: Workshop, redactor: Redactor) -> WorkshopView:
    """The workshop as ``redactor.audience`` may see it; withheld items are logged."""
    r = redactor
    base = workshop.sensitivity
    experiment = workshop.experiment
    common = {
        "id": workshop.id,
        "experiment_slug": experiment.slug,
        "experiment_title": redactor.text(experiment.title, "experiment.title", experiment.id),
        "audience": r.audience,
    }
    if not r.permits(base):
        marker = r.value(None, base, "workshop", workshop.id)
        return WorkshopView(
            **common, marker=marker, title=marker, page_title="Workshop (redacted)", level=base
        )

    orgs_by_name = {
        a.name.strip().casefold(): a.organisation.name for a in workshop.attendees if a.organisation
    }
    title = r.text(workshop.title, "workshop.title", workshop.id, base=base)

    agenda = []
    for item in workshop.agenda_items:
        level = _level(item.sensitivity, base)
        if not r.permits(level):
            agenda.append(AgendaItemView(item.id, r.value(None, level, "agenda_item", item.id)))
            continue
        agenda.append(
            AgendaItemView(
                id=item.id,
                marker=None,
                starts=item.starts,
                title=r.text(item.title, "agenda_item.title", item.id, base=level),
                presenter=_person(
                    item.presenter, level, "agenda_item.presenter", item.id, orgs_by_name, r
                ),
                level=level,
            )
        )

    names_level = _level(base, Sensitivity.MEMBERS)
    names_shown = r.permits(names_level)
    attendees: list[AttendeeView] = []
    if names_shown:
        attendees = [
            AttendeeView(
                id=a.id,
                name=a.name,
                organisation=a.organisation.name if a.organisation else "",
                attended=a.attended,
                has_account=a.user_id is not None,
            )
            for a in workshop.attendees
        ]
    else:
        for a in workshop.attendees:
            r.log.withheld("attendee.name", a.id, names_level)
    organisations = sorted(
        {a.organisation.name for a in workshop.attendees if a.attended and a.organisation}
    )

    notes = []
    for note in workshop.notes:
        level = _level(note.sensitivity, base)
        if not r.permits(level):
            notes.append(NoteView(note.id, r.value(None, level, "note_section", note.id)))
            continue
        notes.append(
            NoteView(
                id=note.id,
                marker=None,
                heading=r.text(note.heading, "note_section.heading", note.id, base=level),
                body=r.markdown(note.body, "note_section.body", note.id, base=level),
                level=level,
            )
        )

    decisions = []
    for decision in workshop.decisions:
        level = _level(decision.sensitivity, base)
        if not r.permits(level):
            decisions.append(
                DecisionView(decision.id, r.value(None, level, "decision", decision.id))
            )
            continue
        decisions.append(
            DecisionView(
                id=decision.id,
                marker=None,
                text=r.markdown(decision.text, "decision", decision.id, base=level),
                level=level,
            )
        )

    actions = []
    for action in workshop.actions:
        level = _level(action.sensitivity, base)
        if not r.permits(level):
            actions.append(ActionView(action.id, r.value(None, level, "action", action.id)))
            continue
        actions.append(
            ActionView(
                id=action.id,
                marker=None,
                text=r.markdown(action.text, "action", action.id, base=level),
                owner=action.owner_organisation.name if action.owner_organisation else "",
                due_on=action.due_on,
                status=action.status,
                status_label=ACTION_STATUS_LABELS.get(action.status, action.status),
                level=level,
            )
        )

    options = [
        DiscussedView(o.id, r.text(o.name, "option.name", o.id, base=_level(o.sensitivity, base)))
        for o in r.visible(
            sorted(workshop.options, key=lambda o: o.name),
            lambda o: _level(o.sensitivity, base),
            "option",
        )
    ]
    requirements = [
        DiscussedView(
            q.id,
            f"{q.reference} "
            + r.text(q.title, "requirement.title", q.id, base=_level(q.sensitivity, base)),
        )
        for q in r.visible(
            sorted(workshop.requirements, key=lambda q: q.number),
            lambda q: _level(q.sensitivity, base),
            "requirement",
        )
    ]

    return WorkshopView(
        **common,
        marker=None,
        title=title,
        page_title=title,
        level=base,
        starts_at=workshop.starts_at,
        ends_at=workshop.ends_at,
        place=r.text(place_of(workshop), "workshop.place", workshop.id, base=base),
        stage_label=STAGE_LABELS.get(workshop.stage, workshop.stage),
        purpose=r.markdown(workshop.purpose, "workshop.purpose", workshop.id, base=base),
        facilitator=_person(
            workshop.facilitator, base, "workshop.facilitator", workshop.id, orgs_by_name, r
        ),
        agenda=tuple(agenda),
        attendees=tuple(attendees),
        organisations_attending=tuple(organisations),
        names_shown=names_shown,
        notes=tuple(notes),
        decisions=tuple(decisions),
        actions=tuple(actions),
        options=tuple(options),
        requirements=tuple(requirements),
    )


def build_workshop_list(experiment: Experiment, redactor: Redactor) -> list[WorkshopSummary]:
    """Every workshop of ``experiment``, earliest first; withheld ones as markers only."""
    from procure.workshops.services import list_workshops

    rows = []
    for workshop in list_workshops(experiment):
        level = workshop.sensitivity
        if not redactor.permits(level):
            rows.append(WorkshopSummary(None, redactor.value(None, level, "workshop", workshop.id)))
            continue
        rows.append(
            WorkshopSummary(
                id=workshop.id,
                marker=None,
                title=redactor.text(workshop.title, "workshop.title", workshop.id, base=level),
                starts_at=workshop.starts_at,
                ends_at=workshop.ends_at,
                place=redactor.text(place_of(workshop), "workshop.place", workshop.id, base=level),
                stage_label=STAGE_LABELS.get(workshop.stage, workshop.stage),
                level=level,
            )
        )
    return rows


def discussed_ids(workshop: Workshop) -> tuple[list[int], list[int]]:
    """Ids of the options and requirements the workshop discussed (for the reports engineer,
    who builds those sections from the market and requirements read models, redacted there)."""
    return (
        sorted(o.id for o in workshop.options),
        sorted(q.id for q in workshop.requirements),
    )
