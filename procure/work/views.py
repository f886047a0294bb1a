"""Your work, and the convenor's deadlines page (with scoring reopened per organisation)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from procure.concurrency import StaleEdit
from procure.deadlines import due, utc_now
from procure.experiments.services import experiment_header, load_experiment
from procure.permissions import audience_for
from procure.scoring.scorecards import scoring_organisation_or_none
from procure.scoring.window import reopen_scoring, scoring_closed
from procure.sensitivity import Redactor
from procure.work import bp
from procure.work.forms import DeadlinesForm, ReopenScoringForm
from procure.work.progress import build_progress
from procure.work.services import DEADLINE_FIELDS, set_deadlines, window_rows, work_for


@bp.route("/work")
@login_required
def index():
    return render_template("work/index.html", items=work_for(current_user))


@bp.route("/experiments/<slug>/deadlines", methods=["GET", "POST"])
@login_required
def deadlines(slug: str):
    experiment = load_experiment(slug, "experiment.set_deadlines")
    form = DeadlinesForm()
    conflict = None
    if form.validate_on_submit():
        try:
            set_deadlines(experiment, {n: form[n].data for n in DEADLINE_FIELDS}, form.version.data)
        except StaleEdit as exc:
            conflict = exc.current
        else:
            flash("Saved the deadlines", "success")
            return redirect(url_for("work.deadlines", slug=slug))
    if not form.is_submitted() or conflict is not None:
        for name in DEADLINE_FIELDS:
            form[name].data = getattr(experiment, name)
    form.version.data = experiment.version
    now = utc_now()
    redactor = Redactor(audience_for(current_user, experiment))
    return (
        render_template(
            "work/deadlines.html",
            experiment=experiment_header(experiment),
            form=form,
            conflict=conflict,
            closes=due(experiment.scoring_closes_on, now),
            endorsements=due(experiment.endorsements_due_on, now),
            closed=scoring_closed(experiment, now),
            rows=window_rows(experiment, redactor),
        ),
        409 if conflict else 200,
    )


@bp.route("/experiments/<slug>/deadlines/reopen/<org_slug>", methods=["GET", "POST"])
@login_required
def reopen(slug: str, org_slug: str):
    experiment = load_experiment(slug, "scoring.reopen_window")
    organisation = scoring_organisation_or_none(experiment, org_slug)
    if organisation is None:
        abort(404)
    form = ReopenScoringForm()
    if form.validate_on_submit():
        try:
            reopen_scoring(experiment, organisation, form.reason.data, current_user)
        except ValueError as exc:
            form.reason.errors.append(str(exc))
        else:
            flash(f"Reopened scoring for {organisation.name}", "success")
            return redirect(url_for("work.deadlines", slug=slug))
    return render_template(
        "work/reopen.html",
        experiment=experiment_header(experiment),
        form=form,
        organisation_name=organisation.name,
    )


@bp.route("/experiments/<slug>/progress")
@login_required
def progress(slug: str):
    experiment = load_experiment(slug, "experiment.view_progress")
    return render_template(
        "work/progress.html",
        experiment=experiment_header(experiment),
        progress=build_progress(experiment),
    )
