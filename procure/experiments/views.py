from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.accounts.models import Organisation, User
from procure.concurrency import StaleEdit
from procure.experiments import bp
from procure.experiments.forms import ExperimentForm, ParticipantForm, PublishForm, StageForm
from procure.experiments.lifecycle import StageError, gates, move_stage, next_stage, transitions
from procure.experiments.lifecycle import gate_into as gates_for_next
from procure.experiments.models import STAGE_LABELS, STAGES, Participation
from procure.experiments.read_models import (
    HEADER_ACTIONS,
    build_experiment_header,
    build_experiment_view,
    participant_row,
    transition_rows,
)
from procure.experiments.services import (
    EDITABLE_FIELDS,
    ExperimentError,
    add_participant,
    create_experiment,
    get_experiment_or_404,
    load_experiment,
    participations,
    remove_participant,
    set_published,
    update_experiment,
    visible_experiments,
)
from procure.extensions import db
from procure.forms import ProcureForm
from procure.permissions import audience_for, can
from procure.sensitivity import Audience, Redactor


@bp.route("/")
def index():
    experiments = [
        build_experiment_header(e, current_user, actions=())
        for e in visible_experiments(current_user)
    ]
    return render_template("experiments/index.html", experiments=experiments)


@bp.route("/accessibility")
def accessibility():
    return render_template("accessibility.html")


@bp.route("/experiments/new", methods=["GET", "POST"])
@login_required
def create():
    if not can(current_user, "experiment.create"):
        abort(403)
    form = ExperimentForm()
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in EDITABLE_FIELDS}
        try:
            experiment = create_experiment(values)
        except ExperimentError as exc:
            getattr(form, exc.field or "title").errors.append(str(exc))
        else:
            flash(f"Created {experiment.title}", "success")
            return redirect(url_for("experiments.show", slug=experiment.slug))
    return render_template("experiments/form.html", form=form, experiment=None)


@bp.route("/experiments/<slug>")
def show(slug: str):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    allowed = frozenset(a for a in HEADER_ACTIONS if can(current_user, a, experiment))
    view = build_experiment_view(experiment, participations(experiment), redactor, allowed)
    upcoming = next_stage(experiment.stage)
    # What the next gate needs is working detail for the people running the experiment.
    gate = None
    if upcoming and redactor.audience == Audience.PARTICIPANTS:
        gate = (STAGE_LABELS[upcoming], gates_for_next(experiment, upcoming))
    return render_template("experiments/show.html", experiment=view, gate=gate)


@bp.route("/experiments/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.edit", experiment):
        abort(403)
    form = ExperimentForm(obj=experiment)
    if request.method == "GET":
        form.version.data = experiment.version
    conflict = None
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in EDITABLE_FIELDS}
        try:
            update_experiment(experiment, values, form.version.data)
        except StaleEdit as exc:
            conflict = exc.current
        except ExperimentError as exc:
            getattr(form, exc.field or "title").errors.append(str(exc))
        else:
            flash("Saved your changes", "success")
            return redirect(url_for("experiments.show", slug=experiment.slug))
    status = 409 if conflict else 200
    if conflict:
        # The person re-applies on top of the current version: the form now carries it.
        form.version.data = experiment.version
    return (
        render_template(
            "experiments/form.html",
            form=form,
            experiment=build_experiment_header(experiment, current_user),
            conflict=conflict,
        ),
        status,
    )


@bp.route("/experiments/<slug>/participants", methods=["GET", "POST"])
@login_required
def manage_participants(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.manage_participants", experiment):
        abort(403)
    form = ParticipantForm()
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    form.organisation_id.choices = [(o.id, o.name) for o in orgs]
    people = db.session.scalars(
        sa.select(User).where(User.organisation_id.is_not(None)).order_by(User.name)
    ).all()
    form.procurement_lead_id.choices = [(0, "Not nominated yet")] + [
        (u.id, f"{u.name} ({u.organisation.name})") for u in people
    ]
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        lead = (
            db.session.get(User, form.procurement_lead_id.data)
            if form.procurement_lead_id.data
            else None
        )
        if organisation is None:
            abort(400)
        try:
            add_participant(experiment, organisation, form.role.data, lead)
        except ExperimentError as exc:
            getattr(form, exc.field or "organisation_id").errors.append(str(exc))
        else:
            flash(f"Added {organisation.name}", "success")
            return redirect(url_for("experiments.manage_participants", slug=slug))
    return render_template(
        "experiments/participants.html",
        experiment=build_experiment_header(experiment, current_user),
        form=form,
        parts=[participant_row(p) for p in participations(experiment)],
        remove_form=ProcureForm(),
        publish_form=PublishForm(publish=experiment.is_published, version=experiment.version),
    )


@bp.route("/experiments/<slug>/participants/<int:participation_id>/remove", methods=["POST"])
@login_required
def remove(slug: str, participation_id: int):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.manage_participants", experiment):
        abort(403)
    part = db.session.get(Participation, participation_id)
    if part is None or part.experiment_id != experiment.id:
        abort(404)
    if not ProcureForm().validate_on_submit():
        abort(400)
    name = part.organisation.name
    remove_participant(part)
    flash(f"Removed {name}", "success")
    return redirect(url_for("experiments.manage_participants", slug=slug))


@bp.route("/experiments/<slug>/publish", methods=["POST"])
@login_required
def publish(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.publish", experiment):
        abort(403)
    form = PublishForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        set_published(experiment, bool(form.publish.data), form.version.data)
    except StaleEdit:
        flash(
            "Someone else changed this experiment first; check the setting and save again", "error"
        )
        return redirect(url_for("experiments.manage_participants", slug=slug))
    flash(
        "Published: visitors can now read the public content"
        if form.publish.data
        else "No longer published",
        "success",
    )
    return redirect(url_for("experiments.show", slug=slug))


@bp.route("/experiments/<slug>/stage", methods=["GET", "POST"])
@login_required
def stage(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.move_stage", experiment):
        abort(403)
    form = StageForm()
    form.to_stage.choices = [(s, STAGE_LABELS[s]) for s in STAGES if s != experiment.stage]
    if request.method == "GET":
        form.to_stage.data = next_stage(experiment.stage) or STAGES[0]
    missing: list = []
    if form.validate_on_submit():
        try:
            move_stage(
                experiment,
                form.to_stage.data,
                reason=form.reason.data or "",
                override=bool(form.override.data),
            )
        except StageError as exc:
            missing = exc.missing
            target = form.reason if "reason" in str(exc).lower() else form.to_stage
            target.errors.append(str(exc))
        else:
            flash(f"Moved to {STAGE_LABELS[experiment.stage]}", "success")
            return redirect(url_for("experiments.show", slug=slug))
    return render_template(
        "experiments/stage.html",
        experiment=build_experiment_header(experiment, current_user),
        form=form,
        gates=gates(experiment),
        missing=missing,
        history=transition_rows(
            transitions(experiment), Redactor(audience_for(current_user, experiment))
        ),
        labels=STAGE_LABELS,
    )
