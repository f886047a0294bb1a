"""Demo and canary workshops for the housing-systems experiment.

``load(ctx)`` adds two workshops in the spirit of the seeds (a public show and
tell by the research partner; a members-only scoring moderation workshop whose
notes are mostly for participants). It is idempotent: a workshop is found by
its title and only created when missing. ``canary(ctx)`` plants a token in every
free-text or sensitive field of a workshop.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from procure.extensions import db
from procure.sensitivity import Sensitivity
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

PUB, MEM, PAR = Sensitivity.PUBLIC, Sensitivity.MEMBERS, Sensitivity.PARTICIPANTS
BOROUGHS = ("camden", "hackney", "islington", "kingston", "sutton", "waltham-forest")

SHOW_AND_TELL_PURPOSE = """\
The research partner presents what the market scan found: the **housing management
products** on offer and the **procurement routes** open to boroughs buying together.
Boroughs then talk through which options look practical to take into scoring.

[[members: Boroughs are asked to bring their current contract end dates so cohorts can be
discussed.]]
"""

MODERATION_PURPOSE = """\
Agree consensus scores where boroughs' individual scores for an option differ by three
points or more, and record the reasons, so the scoring results can be trusted by every
borough.
"""


def _names(ctx: Any) -> dict[str, str]:
    names = {slug: user.name for slug, user in ctx.leads.items()}
    names.update({f"{slug}-officer": user.name for slug, user in ctx.officers.items()})
    names["convenor"] = ctx.admin.name
    return names


def _existing(experiment_id: int, title: str) -> Workshop | None:
    return db.session.scalar(
        sa.select(Workshop).where(Workshop.experiment_id == experiment_id, Workshop.title == title)
    )


def _discussable(experiment_id: int) -> tuple[list[Option], list[Requirement]]:
    from procure.market.models import Option
    from procure.requirements.models import Requirement

    options = db.session.scalars(
        sa.select(Option).where(Option.experiment_id == experiment_id).order_by(Option.name)
    ).all()
    requirements = db.session.scalars(
        sa.select(Requirement)
        .where(Requirement.experiment_id == experiment_id)
        .order_by(Requirement.number)
    ).all()
    return list(options), list(requirements)


def _fill(
    workshop: Workshop,
    agenda: list[tuple[str, str, str, Sensitivity]],
    attendees: list[tuple[str, Any, bool]],
    notes: list[tuple[str, str, Sensitivity]],
    decisions: list[tuple[str, Sensitivity]],
    actions: list[tuple[str, Any, date | None, str, Sensitivity]],
) -> None:
    for position, (starts, title, presenter, level) in enumerate(agenda, start=1):
        workshop.agenda_items.append(
            AgendaItem(
                position=position,
                starts=starts,
                title=title,
                presenter=presenter,
                sensitivity=level,
            )
        )
    for name, organisation, attended in attendees:
        workshop.attendees.append(Attendee(name=name, organisation=organisation, attended=attended))
    for position, (heading, body, level) in enumerate(notes, start=1):
        workshop.notes.append(
            NoteSection(position=position, heading=heading, body=body, sensitivity=level)
        )
    for position, (text, level) in enumerate(decisions, start=1):
        workshop.decisions.append(Decision(position=position, text=text, sensitivity=level))
    for text, owner, due_on, status, level in actions:
        workshop.actions.append(
            WorkshopAction(
                text=text, owner_organisation=owner, due_on=due_on, status=status, sensitivity=level
            )
        )


def _link_users(workshop: Workshop, ctx: Any) -> None:
    """Attendees who have a Procure account are linked to it."""
    people = {u.name: u for u in [ctx.admin, *ctx.leads.values(), *ctx.officers.values()]}
    for attendee in workshop.attendees:
        user = people.get(attendee.name)
        if user is not None:
            attendee.user = user


def load(ctx: Any) -> None:
    """Add the two demo workshops to the demo experiment (idempotent)."""
    experiment = ctx.experiment
    orgs = ctx.organisations
    names = _names(ctx)
    options, requirements = _discussable(experiment.id)

    title = "Market scan show and tell"
    if _existing(experiment.id, title) is None:
        workshop = Workshop(
            experiment=experiment,
            title=title,
            starts_at=datetime(2026, 9, 24, 10, 0),
            ends_at=datetime(2026, 9, 24, 12, 0),
            location="",
            online=True,
            stage="market_scan",
            purpose=SHOW_AND_TELL_PURPOSE,
            facilitator=names["convenor"],
            sensitivity=PUB,
        )
        db.session.add(workshop)
        _fill(
            workshop,
            agenda=[
                ("10:00", "Welcome and what the experiment is for", names["convenor"], PUB),
                (
                    "10:10",
                    "What the market offers: housing management products",
                    ctx.leads["public-research"].name,
                    PUB,
                ),
                (
                    "10:45",
                    "Procurement routes open to boroughs buying together",
                    ctx.officers["public-research"].name,
                    PUB,
                ),
                (
                    "11:20",
                    "Round the table: contract end dates and renewal plans",
                    names["camden"],
                    MEM,
                ),
                ("11:50", "Next steps and scoring timetable", names["convenor"], PUB),
            ],
            attendees=[
                (names["convenor"], orgs["loti"], True),
                (ctx.leads["public-research"].name, orgs["public-research"], True),
                (ctx.officers["public-research"].name, orgs["public-research"], True),
                *[(names[slug], orgs[slug], True) for slug in BOROUGHS],
                (names["hackney-officer"], orgs["hackney"], True),
                (names["bexley"], orgs["bexley"], False),
            ],
            notes=[
                (
                    "What the market offers",
                    "PUBLIC found **eleven products** from seven suppliers. Most are moving to "
                    "cloud hosting; two still sell on-premises installations.\n\n"
                    "- Three suppliers cover rents, repairs and tenancies in one product\n"
                    "- Resident portals vary widely in quality\n\n"
                    "[[members: Two suppliers declined to share a product roadmap.]]",
                    PUB,
                ),
                (
                    "Discussion of procurement routes",
                    "Boroughs preferred a call-off from an existing framework over a new open "
                    "procedure, because of the time a new procedure takes.\n\n"
                    "[[participants: Camden and Islington said they could not wait beyond March "
                    "2027 because their current support contracts end then.]]",
                    MEM,
                ),
                (
                    "Commercial signals from suppliers",
                    "One supplier indicated a discount of around 15% for a four-borough cohort. "
                    "Another said its list price would rise at the next renewal.",
                    PAR,
                ),
            ],
            decisions=[
                ("Take the shortlisted products and two procurement routes into scoring.", PUB),
                (
                    "Ask each borough to record its contract end date in the landscape before "
                    "scoring starts.",
                    MEM,
                ),
            ],
            actions=[
                (
                    "Publish the market scan summary on the experiment page.",
                    orgs["loti"],
                    date(2026, 10, 1),
                    "done",
                    PUB,
                ),
                (
                    "Record contract start and end dates in the landscape.",
                    orgs["camden"],
                    date(2026, 10, 8),
                    "open",
                    MEM,
                ),
                (
                    "Check whether the framework allows a joint call-off.",
                    orgs["islington"],
                    date(2026, 10, 15),
                    "open",
                    PAR,
                ),
            ],
        )
        _link_users(workshop, ctx)
        workshop.options = options[:4]
        workshop.requirements = requirements[:2]

    title = "Scoring moderation workshop"
    if _existing(experiment.id, title) is None:
        workshop = Workshop(
            experiment=experiment,
            title=title,
            starts_at=datetime(2026, 11, 12, 14, 0),
            ends_at=datetime(2026, 11, 12, 16, 30),
            location="Committee Room 2, Camden Town Hall, Judd Street",
            online=True,
            stage="scoring",
            purpose=MODERATION_PURPOSE,
            facilitator=names["convenor"],
            sensitivity=MEM,
        )
        db.session.add(workshop)
        _fill(
            workshop,
            agenda=[
                ("14:00", "Where scores disagree: the moderation agenda", names["convenor"], MEM),
                (
                    "14:20",
                    "Feasibility: integration with existing finance systems",
                    names["hackney"],
                    MEM,
                ),
                ("15:00", "Desirability: resident self-service", names["sutton"], MEM),
                ("15:40", "Supplier pricing and cohort discounts", names["camden"], PAR),
                ("16:15", "Agree consensus scores and next steps", names["convenor"], MEM),
            ],
            attendees=[
                (names["convenor"], orgs["loti"], True),
                *[(names[slug], orgs[slug], slug != "kingston") for slug in BOROUGHS],
                (names["kingston-officer"], orgs["kingston"], True),
                (names["bexley-officer"], orgs["bexley"], True),
            ],
            notes=[
                (
                    "How moderation works",
                    "Where individual scores differ by three points or more, boroughs explain "
                    "their reasons and agree a consensus score. Original scores are kept beside "
                    "the consensus.",
                    MEM,
                ),
                (
                    "Integration with finance systems",
                    "Hackney scored one cloud product **1** for integration; Sutton scored it "
                    "**4**. Hackney's score reflected a failed pilot with an older version.\n\n"
                    "[[participants: The supplier has since rebuilt its finance connector; "
                    "Hackney agreed to a consensus score of 3.]]",
                    MEM,
                ),
                (
                    "Pricing and cohorts",
                    "Camden shared indicative pricing from two suppliers. A cohort of four "
                    "boroughs with contracts ending in 2027 would reach the discount threshold.\n\n"
                    "- Camden, Islington, Sutton: ready by March 2027\n"
                    "- Waltham Forest: could extend by twelve months to join",
                    PAR,
                ),
                (
                    "Concerns raised about one supplier",
                    "Two boroughs reported slow responses to support requests and asked that "
                    "service levels be written into the requirements.",
                    PAR,
                ),
            ],
            decisions=[
                ("Consensus scores agreed for the five criteria on the moderation agenda.", MEM),
                (
                    "Form a 2027 cohort of Camden, Islington and Sutton, with Waltham Forest invited.",
                    PAR,
                ),
            ],
            actions=[
                (
                    "Enter the consensus scores and their reasons in Procure.",
                    orgs["loti"],
                    date(2026, 11, 19),
                    "open",
                    MEM,
                ),
                (
                    "Confirm whether a twelve-month extension is possible.",
                    orgs["waltham-forest"],
                    date(2026, 12, 3),
                    "open",
                    PAR,
                ),
                (
                    "Draft service-level requirements for support response times.",
                    orgs["sutton"],
                    date(2026, 12, 10),
                    "open",
                    MEM,
                ),
                ("Re-run the finance integration pilot.", orgs["hackney"], None, "dropped", PAR),
            ],
        )
        _link_users(workshop, ctx)
        workshop.options = options[:3]
        workshop.requirements = requirements[-3:]
    db.session.flush()


def canary(ctx: Any) -> Workshop:
    """A workshop whose every free-text or sensitive field holds a token at its effective level,
    plus a members-only workshop (its title a members token). Stores ``ctx.shared["workshop"]``."""
    t = ctx.token
    orgs = list(ctx.organisations.values())
    org = orgs[0] if orgs else None
    other = orgs[1] if len(orgs) > 1 else org
    facilitator = t(MEM)
    workshop = Workshop(
        experiment=ctx.experiment,
        title=f"Canary workshop {t(PUB)}",
        starts_at=datetime(2026, 10, 5, 10, 0),
        ends_at=datetime(2026, 10, 5, 12, 0),
        location=f"Room {t(PUB)}",
        online=True,
        stage=ctx.experiment.stage,
        purpose=ctx.text(PUB),
        facilitator=f"Facilitator {facilitator}",
        sensitivity=PUB,
    )
    db.session.add(workshop)
    _fill(
        workshop,
        agenda=[
            ("10:00", f"Agenda {t(PUB)}", f"Presenter {t(MEM)}", PUB),
            ("10:30", f"Agenda {t(MEM)}", f"Presenter {t(MEM)}", MEM),
            ("11:00", f"Agenda {t(PAR)}", f"Presenter {t(PAR)}", PAR),
        ],
        attendees=[
            (f"Attendee {t(MEM)}", org, True),
            (f"Attendee {t(MEM)}", other, True),
            (f"Attendee {t(MEM)}", org, False),
        ],
        notes=[
            (f"Note {t(PUB)}", ctx.text(PUB), PUB),
            (f"Note {t(MEM)}", ctx.text(MEM), MEM),
            (f"Note {t(PAR)}", ctx.text(PAR), PAR),
        ],
        decisions=[(ctx.text(level), level) for level in (PUB, MEM, PAR)],
        actions=[
            (ctx.text(level), org, date(2026, 12, 1), "open", level) for level in (PUB, MEM, PAR)
        ],
    )
    hidden = Workshop(
        experiment=ctx.experiment,
        title=f"Members-only canary workshop {t(MEM)}",
        starts_at=datetime(2026, 10, 12, 14, 0),
        location=f"Room {t(MEM)}",
        stage=ctx.experiment.stage,
        purpose=ctx.text(MEM),
        facilitator=f"Facilitator {t(MEM)}",
        sensitivity=MEM,
    )
    db.session.add(hidden)
    _fill(
        hidden,
        agenda=[("14:00", f"Agenda {t(MEM)}", f"Presenter {t(MEM)}", MEM)],
        attendees=[(f"Attendee {t(MEM)}", org, True)],
        notes=[(f"Note {t(PAR)}", ctx.text(PAR), PAR)],
        decisions=[(ctx.text(MEM), MEM)],
        actions=[(ctx.text(MEM), org, None, "open", MEM)],
    )
    if ctx.shared.get("options"):
        workshop.options = list(ctx.shared["options"])
    if ctx.shared.get("requirements"):
        workshop.requirements = list(ctx.shared["requirements"])
        # A requirement names its source workshop by title, which holds spans.
        db.session.flush()
        first = ctx.shared["requirements"][0]
        first.source_kind, first.source_workshop_id = "workshop", workshop.id
    db.session.flush()
    ctx.shared["workshop"] = workshop
    ctx.shared["workshops"] = [workshop, hidden]
    return workshop
