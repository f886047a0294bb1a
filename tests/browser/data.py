"""The browser session's data: the demo, plus a few boroughs that still have work to do.

The demo has every scoring borough declared and scored. The journeys need people
who have not: Sutton's lead declares and scores two options (the scoring journey),
Kingston's lead does the same with JavaScript off. Waltham Forest keeps its demo
draft for the keyboard test. Each test owns its own borough, so the tests can run
in any order.
"""

from __future__ import annotations

import sqlalchemy as sa

from procure.accounts.models import Organisation
from procure.demo import SLUG
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.scoring.models import Declaration, Scorecard
from procure.scoring.scorecards import shortlisted_options

JOURNEY_BOROUGH = "sutton"
NO_JS_BOROUGH = "kingston"
KEYBOARD_BOROUGH = "waltham-forest"
WORK_BOROUGH = "islington"  # declared, with its first option left to score (Your work)
JOURNEY_OPTIONS = 2  # the first two shortlisted options, by name


def _clear(experiment: Experiment, org_slug: str, options, *, declaration: bool = True) -> None:
    organisation = db.session.scalar(sa.select(Organisation).where(Organisation.slug == org_slug))
    assert organisation is not None, org_slug
    db.session.execute(
        sa.delete(Declaration).where(
            Declaration.experiment_id == experiment.id,
            Declaration.organisation_id == organisation.id,
            sa.true() if declaration else sa.false(),
        )
    )
    for card in db.session.scalars(
        sa.select(Scorecard).where(
            Scorecard.experiment_id == experiment.id,
            Scorecard.organisation_id == organisation.id,
            Scorecard.option_id.in_([o.id for o in options]),
        )
    ):
        db.session.delete(card)
    db.session.flush()


def prepare_journeys() -> None:
    experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == SLUG))
    assert experiment is not None
    options = shortlisted_options(experiment)
    _clear(experiment, JOURNEY_BOROUGH, options[:JOURNEY_OPTIONS])
    _clear(experiment, NO_JS_BOROUGH, options[:1])
    _clear(experiment, WORK_BOROUGH, options[:1], declaration=False)
