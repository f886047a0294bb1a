"""The convenor's Progress page: organisations × tasks, who is behind, in fixed queries."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from procure.deadlines import london_day, utc_now
from procure.extensions import db
from procure.work.progress import build_progress
from tests import factories as f
from tests.scoring.helpers import declare, scorecard


def test_states_and_who_is_behind(world):
    w = world
    w.experiment.scoring_closes_on = london_day(utc_now()) - timedelta(days=1)
    declare(w, w.lead1)
    scorecard(w.option_a, w.org1, {c: 3 for c in w.criteria})
    scorecard(w.option_b, w.org1, {c: 3 for c in w.criteria})
    scorecard(w.option_a, w.org2, {c: 3 for c in w.criteria})
    f.WorkshopActionFactory(
        workshop_id=f.WorkshopFactory(experiment=w.experiment).id,
        owner_organisation=w.org3,
        due_on=london_day(utc_now()) + timedelta(days=2),
    )
    db.session.flush()
    progress = build_progress(w.experiment)
    rows = {r.organisation_slug: r for r in progress.rows}
    assert set(rows) == {"zeta", "alpha", "mu"}  # not the observer
    assert rows["zeta"].scorecards.label == "2 of 2" and rows["zeta"].scorecards.state == "done"
    assert rows["zeta"].declaration.state == "done" and not rows["zeta"].behind
    assert rows["alpha"].scorecards.state == "late" and rows["alpha"].behind
    assert rows["mu"].scorecards.label == "0 of 2" and rows["mu"].declaration.state == "late"
    assert rows["mu"].actions.state == "not started"
    assert progress.behind == 2 and progress.scoring_due.overdue


def test_page_for_the_convenor_only(as_user, world):
    w = world
    html = as_user(w.admin).get("/experiments/housing/progress").get_data(as_text=True)
    assert "Alpha Borough" in html and "No organisation is behind" in html
    assert as_user(w.lead1).get("/experiments/housing/progress").status_code == 403


def test_queries_do_not_grow_with_organisations(world):
    w = world
    engine = db.session.get_bind()
    counts = []
    for extra in (0, 5):
        for _ in range(extra):
            f.ParticipationFactory(experiment=w.experiment, organisation=f.OrganisationFactory())
        db.session.flush()
        db.session.expire_all()
        statements: list[str] = []

        def count(_conn, _cursor, statement, *_args, statements=statements):
            statements.append(statement)

        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            rows = build_progress(w.experiment).rows
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        counts.append((len(rows), len(statements)))
    assert counts[1][0] == counts[0][0] + 5
    assert counts[0][1] == counts[1][1], counts
