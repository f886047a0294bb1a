"""Demo workshops: idempotent, with content at every level, names from the demo people."""

from __future__ import annotations

import sqlalchemy as sa

from procure.demo import ORGANISATIONS, PEOPLE, DemoContext
from procure.extensions import db
from procure.sensitivity import Audience, Redactor, Sensitivity
from procure.workshops import demo
from procure.workshops.models import Workshop
from procure.workshops.read_models import build_workshop_view
from tests.factories import (
    AdminFactory,
    ExperimentFactory,
    OptionFactory,
    OrganisationFactory,
    UserFactory,
)


def _context() -> DemoContext:
    orgs = {
        slug: OrganisationFactory(slug=f"demo-{slug}", name=f"{name} (test)", is_member=member)
        for slug, name, _kind, member, _role in ORGANISATIONS
    }
    leads = {s: UserFactory(name=PEOPLE[s][0], organisation=o) for s, o in orgs.items()}
    officers = {s: UserFactory(name=PEOPLE[s][1], organisation=o) for s, o in orgs.items()}
    experiment = ExperimentFactory(stage="scoring", is_published=True)
    return DemoContext(
        experiment=experiment,
        admin=AdminFactory(name="Genta Okafor (test)", organisation=orgs["loti"]),
        organisations=orgs,
        leads=leads,
        officers=officers,
    )


def _workshops(experiment) -> list[Workshop]:
    return list(
        db.session.scalars(
            sa.select(Workshop).where(Workshop.experiment_id == experiment.id).order_by(Workshop.id)
        )
    )


def test_demo_load_is_idempotent_and_rich(app_ctx):
    ctx = _context()
    options = [OptionFactory(experiment=ctx.experiment) for _ in range(5)]
    demo.load(ctx)
    demo.load(ctx)
    show, moderation = _workshops(ctx.experiment)
    assert show.title == "Market scan show and tell" and show.sensitivity == Sensitivity.PUBLIC
    assert moderation.sensitivity == Sensitivity.MEMBERS
    for workshop in (show, moderation):
        assert workshop.agenda_items and workshop.decisions and workshop.actions
        assert {n.sensitivity for n in workshop.notes} >= {Sensitivity.PARTICIPANTS}
        assert any("[[participants:" in n.body for n in workshop.notes)
        assert all(a.due_on or a.status == "dropped" for a in workshop.actions)
        assert any(a.user_id for a in workshop.attendees)
    assert any("[[members:" in n.body for n in show.notes)
    assert {a.name for a in show.attendees} >= {PEOPLE["camden"][0], PEOPLE["public-research"][0]}
    assert len(show.options) == 4 and len(moderation.options) == 3
    assert {o.id for o in show.options} <= {o.id for o in options}
    public = build_workshop_view(show, Redactor(Audience.PUBLIC))
    assert ctx.organisations["camden"].name in public.organisations_attending
    assert ctx.organisations["bexley"].name not in public.organisations_attending  # apologies
    assert public.attendees == ()
    assert public.facilitator == ctx.organisations["loti"].name
    hidden = build_workshop_view(moderation, Redactor(Audience.PUBLIC))
    assert hidden.marker is not None


def test_demo_load_without_options_or_requirements(app_ctx):
    ctx = _context()
    demo.load(ctx)
    assert all(w.options == [] for w in _workshops(ctx.experiment))
