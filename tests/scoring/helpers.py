"""Helpers for the scoring tests: CSRF tokens, a small scoring world, scorecards by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from procure.db import utcnow
from procure.sensitivity import Sensitivity
from tests import factories as f

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_VERSION = re.compile(r'name="version"[^>]*value="([^"]*)"')


def csrf(client, url: str) -> str:
    """A CSRF token for the signed-in session, read from the form at ``url``."""
    response = client.get(url)
    match = _CSRF.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1)


def form_state(client, url: str) -> tuple[str, str]:
    """(csrf token, version) read from the form at ``url``."""
    html = client.get(url).get_data(as_text=True)
    token, version = _CSRF.search(html), _VERSION.search(html)
    assert token and version, f"no form on {url}"
    return token.group(1), version.group(1)


def post(client, url: str, data: dict[str, Any], form_url: str | None = None):
    token = csrf(client, form_url or url)
    return client.post(url, data={"csrf_token": token, **data})


@dataclass
class World:
    experiment: Any
    org1: Any
    org2: Any
    org3: Any
    observer_org: Any
    lead1: Any
    lead2: Any
    lead3: Any
    officer1: Any  # an officer of org1, not its procurement lead
    observer_lead: Any
    member: Any  # a member organisation's officer, not taking part
    admin: Any
    f1: Any  # feasibility, weight 2
    f2: Any  # feasibility, weight 1
    d1: Any  # desirability, weight 1
    d2: Any  # desirability, weight 3
    option_a: Any
    option_b: Any
    longlisted: Any

    @property
    def criteria(self) -> list[Any]:
        return [self.f1, self.f2, self.d1, self.d2]


def build_world(db_session, **experiment_kwargs) -> World:
    experiment = f.ExperimentFactory(
        slug="housing",
        title="Housing systems",
        is_published=True,
        stage="scoring",
        **experiment_kwargs,
    )
    # Joined in the order Zeta, Alpha, Mu: anonymised labels follow this, not the alphabet.
    org1 = f.OrganisationFactory(name="Zeta Borough", slug="zeta")
    org2 = f.OrganisationFactory(name="Alpha Borough", slug="alpha")
    org3 = f.OrganisationFactory(name="Mu Borough", slug="mu")
    observer_org = f.OrganisationFactory(name="Watching Borough", slug="watching")
    outsider = f.OrganisationFactory(name="Outside Borough", slug="outside")
    leads = [
        f.UserFactory(organisation=org, name=f"Lead of {org.slug}") for org in (org1, org2, org3)
    ]
    observer_lead = f.UserFactory(organisation=observer_org)
    f.ParticipationFactory(
        experiment=experiment, organisation=org1, role="lead", procurement_lead=leads[0]
    )
    f.ParticipationFactory(experiment=experiment, organisation=org2, procurement_lead=leads[1])
    f.ParticipationFactory(experiment=experiment, organisation=org3, procurement_lead=leads[2])
    f.ParticipationFactory(
        experiment=experiment,
        organisation=observer_org,
        role="observer",
        procurement_lead=observer_lead,
    )
    crit = dict(experiment=experiment)
    world = World(
        experiment=experiment,
        org1=org1,
        org2=org2,
        org3=org3,
        observer_org=observer_org,
        lead1=leads[0],
        lead2=leads[1],
        lead3=leads[2],
        officer1=f.UserFactory(organisation=org1),
        observer_lead=observer_lead,
        member=f.UserFactory(organisation=outsider),
        admin=f.AdminFactory(organisation=None),
        f1=f.CriterionFactory(**crit, dimension="feasibility", name="Cost", weight=2, position=1),
        f2=f.CriterionFactory(
            **crit, dimension="feasibility", name="Timescale", weight=1, position=2
        ),
        d1=f.CriterionFactory(
            **crit, dimension="desirability", name="Residents", weight=1, position=3
        ),
        d2=f.CriterionFactory(**crit, dimension="desirability", name="Data", weight=3, position=4),
        option_a=f.OptionFactory(experiment=experiment, name="Option Apple", status="shortlist"),
        option_b=f.OptionFactory(experiment=experiment, name="Option Banana", status="shortlist"),
        longlisted=f.OptionFactory(
            experiment=experiment, name="Option Longlist", status="longlist"
        ),
    )
    db_session.flush()
    return world


def scorecard(
    option,
    organisation,
    scores: dict[Any, int | None],
    *,
    status: str = "submitted",
    reason: str = "Meets the need.",
    sensitivity: Sensitivity = Sensitivity.MEMBERS,
    reasons: dict[Any, tuple[str, Sensitivity]] | None = None,
):
    """A scorecard with one score per criterion given (criterion → score)."""
    card = f.ScorecardFactory(
        option=option,
        organisation=organisation,
        status=status,
        submitted_at=utcnow() if status == "submitted" else None,
    )
    for criterion, value in scores.items():
        text, level = (reasons or {}).get(criterion, (reason, sensitivity))
        f.ScoreFactory(
            scorecard=card, criterion=criterion, score=value, reason=text, reason_sensitivity=level
        )
    return card


def declare(world: World, user) -> None:
    f.DeclarationFactory(experiment=world.experiment, user=user, organisation=user.organisation)


def hand_example(world: World) -> None:
    """The worked example the wiring tests check (see test_wiring.py for the arithmetic)."""
    w = world
    scorecard(w.option_a, w.org1, {w.f1: 5, w.f2: 2, w.d1: 4, w.d2: 3})
    scorecard(w.option_a, w.org2, {w.f1: 3, w.f2: 3, w.d1: 1, w.d2: 5})
    scorecard(w.option_b, w.org1, {w.f1: 1, w.f2: 1, w.d1: 2, w.d2: 2})
    scorecard(w.option_b, w.org2, {w.f1: 2, w.f2: 4, w.d1: 3, w.d2: 1})
    # Ignored: a draft, a longlisted option's scorecard, and an observer's scorecard.
    scorecard(w.option_a, w.org3, {w.f1: 0, w.f2: 0, w.d1: 0, w.d2: 0}, status="draft")
    scorecard(w.longlisted, w.org1, {w.f1: 5, w.f2: 5, w.d1: 5, w.d2: 5})
    scorecard(w.option_b, w.observer_org, {w.f1: 5, w.f2: 5, w.d1: 5, w.d2: 5})
