"""Scoring pages: dashboard, option and borough views, exports, criteria, moderation."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.concurrency import StaleEdit
from procure.experiments.services import experiment_header, get_experiment_or_404, load_experiment
from procure.paging import page_number, paginate
from procure.permissions import (
    audience_for,
    can,
    is_admin,
    is_procurement_lead,
    participation_of,
)
from procure.scoring import bp
from procure.scoring.blind import blind_for, sees_all_early
from procure.scoring.detail_read_models import build_borough_view, option_details
from procure.scoring.exports import ExportNotAvailable, scores_csv, scores_xlsx
from procure.scoring.forms import ChangeReasonForm, CriterionForm, ModerationForm
from procure.scoring.read_models import (
    agenda_rows,
    build_dashboard,
    close_call_view,
    criterion_views,
    load_scoring_data,
)
from procure.scoring.scorecards import (
    get_shortlisted_option_or_none,
    scoring_organisation_or_none,
)
from procure.scoring.services import (
    CRITERION_FIELDS,
    ScoringError,
    add_criterion,
    add_starter_set,
    criteria_of,
    delete_criterion,
    get_criterion_or_none,
    moderated_score_of,
    save_moderated_score,
    scoring_started,
    update_criterion,
)
from procure.sensitivity import Audience, Redactor

CRITERION_LABELS = {
    "dimension": "Dimension",
    "name": "Name",
    "weight": "Weight",
    "guidance": "Guidance",
    "descriptors": "What each score means",
}
#: Agenda items on the dashboard (the widest disagreements); the agenda page has them all.
AGENDA_PREVIEW = 10
AGENDA_PAGE_SIZE = 50
MODERATION_LABELS = {
    "score": "Score",
    "rationale": "Rationale",
    "rationale_sensitivity": "Who may read it",
}


def _viewable(slug: str):
    return load_experiment(slug)


@bp.route("/experiments/<slug>/scoring")
def dashboard(slug: str):
    experiment = _viewable(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    data = load_scoring_data(experiment, blind=blind_for(current_user, experiment))
    view = build_dashboard(data, redactor, sees_all_early=sees_all_early(current_user, experiment))
    can_score = is_admin(current_user) or is_procurement_lead(current_user, experiment)
    if can_score and not is_admin(current_user):
        # A lead whose borough has submitted every option has nothing left to score.
        own = participation_of(current_user, experiment).organisation_id
        can_score = data.submitted_counts().get(own, 0) < len(data.options)
    return render_template(
        "scoring/dashboard.html",
        view=view,
        experiment=experiment_header(experiment),
        can_score=can_score,
        agenda_preview=AGENDA_PREVIEW,
    )


@bp.route("/experiments/<slug>/scoring/agenda")
def agenda(slug: str):
    """The whole moderation agenda, widest disagreements first, a page at a time."""
    experiment = _viewable(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    blind = blind_for(current_user, experiment)
    rows = agenda_rows(load_scoring_data(experiment, blind=blind), redactor)
    paged = paginate(rows, page_number(request.args), AGENDA_PAGE_SIZE)
    return render_template(
        "scoring/agenda.html", experiment=experiment_header(experiment), paged=paged, blind=blind
    )


@bp.route("/experiments/<slug>/scoring/options/<int:option_id>")
def option(slug: str, option_id: int):
    experiment = _viewable(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    blind = blind_for(current_user, experiment)
    data = load_scoring_data(experiment, option_id=option_id, blind=blind)
    detail = next(iter(option_details(data, redactor, option_id)), None)
    if detail is None:
        abort(404)
    call = close_call_view(data, redactor)
    return render_template(
        "scoring/option.html",
        detail=detail,
        call=call if call and option_id in call.option_ids and not blind else None,
        experiment=experiment_header(experiment),
        blind=blind,
    )


@bp.route("/experiments/<slug>/scoring/boroughs/<org_slug>")
def borough(slug: str, org_slug: str):
    experiment = _viewable(slug)
    audience = audience_for(current_user, experiment)
    # At public, boroughs are anonymised or aggregated: no page is addressed by a name.
    if audience < Audience.MEMBERS:
        abort(404)
    organisation = scoring_organisation_or_none(experiment, org_slug)
    if organisation is None:
        abort(404)
    blind = blind_for(current_user, experiment)
    # A borough still scoring sees no other borough's ranking, its own only.
    if blind is not None and blind.organisation_id != organisation.id:
        abort(403)
    data = load_scoring_data(experiment, blind=blind)
    view = build_borough_view(data, organisation.id, Redactor(audience))
    return render_template(
        "scoring/borough.html", view=view, experiment=experiment_header(experiment), blind=blind
    )


def _download(experiment, fmt: str) -> Response:
    redactor = Redactor(audience_for(current_user, experiment))
    stem = f"{experiment.slug}-scores-{redactor.audience.slug}"
    blind = blind_for(current_user, experiment)
    try:
        if fmt == "csv":
            body: str | bytes = scores_csv(experiment, redactor, blind).encode("utf-8-sig")
            mimetype = "text/csv"
        else:
            body = scores_xlsx(experiment, redactor, blind)
            mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    except ExportNotAvailable:
        abort(404)
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{stem}.{fmt}"'},
    )


@bp.route("/experiments/<slug>/scoring/scores.csv")
def export_csv(slug: str):
    return _download(_viewable(slug), "csv")


@bp.route("/experiments/<slug>/scoring/scores.xlsx")
def export_xlsx(slug: str):
    return _download(_viewable(slug), "xlsx")


# --- criteria ----------------------------------------------------------------------


def _criteria_page(experiment, form, status: int = 200, conflict=None):
    redactor = Redactor(audience_for(current_user, experiment))
    return (
        render_template(
            "scoring/criteria.html",
            experiment=experiment_header(experiment),
            criteria=criterion_views(criteria_of(experiment), redactor),
            form=form,
            started=scoring_started(experiment),
            starter_form=ChangeReasonForm(prefix="starter"),
            conflict=conflict,
        ),
        status,
    )


@bp.route("/experiments/<slug>/scoring/criteria", methods=["GET", "POST"])
@login_required
def criteria(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "criteria.edit", experiment):
        abort(403)
    form = CriterionForm()
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in CRITERION_FIELDS}
        values["guidance"] = values["guidance"] or ""
        values["descriptors"] = values["descriptors"] or ""
        try:
            criterion = add_criterion(experiment, values, form.change_reason.data)
        except ScoringError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            flash(f"Added the criterion {criterion.name}", "success")
            return redirect(url_for("scoring.criteria", slug=slug))
    return _criteria_page(experiment, form)


@bp.route("/experiments/<slug>/scoring/criteria/starter-set", methods=["POST"])
@login_required
def starter_set(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "criteria.edit", experiment):
        abort(403)
    form = ChangeReasonForm(prefix="starter")
    if not form.validate_on_submit():
        abort(400)
    try:
        added = add_starter_set(experiment, form.change_reason.data)
    except ScoringError as exc:
        flash(str(exc), "error")
    else:
        flash(
            f"Added {len(added)} starter criteria" if added else "The starter set is already here",
            "success",
        )
    return redirect(url_for("scoring.criteria", slug=slug))


@bp.route("/experiments/<slug>/scoring/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@login_required
def edit_criterion(slug: str, criterion_id: int):
    experiment = get_experiment_or_404(slug)
    criterion = get_criterion_or_none(experiment, criterion_id)
    if criterion is None:
        abort(404)
    if not can(current_user, "criteria.edit", experiment):
        abort(403)
    form = CriterionForm(obj=criterion)
    if request.method == "GET":
        form.version.data = criterion.version
    conflict = None
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in CRITERION_FIELDS}
        values["guidance"] = values["guidance"] or ""
        values["descriptors"] = values["descriptors"] or ""
        try:
            update_criterion(criterion, values, form.version.data, form.change_reason.data)
        except StaleEdit as exc:
            conflict = exc.current
            form.version.data = criterion.version
        except ScoringError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            flash(f"Saved the criterion {criterion.name}", "success")
            return redirect(url_for("scoring.criteria", slug=slug))
    return (
        render_template(
            "scoring/criterion_form.html",
            experiment=experiment_header(experiment),
            criterion_id=criterion.id,
            form=form,
            conflict=conflict,
            labels=CRITERION_LABELS,
            started=scoring_started(experiment),
            delete_form=ChangeReasonForm(prefix="delete"),
        ),
        409 if conflict else 200,
    )


@bp.route("/experiments/<slug>/scoring/criteria/<int:criterion_id>/delete", methods=["POST"])
@login_required
def remove_criterion(slug: str, criterion_id: int):
    experiment = get_experiment_or_404(slug)
    criterion = get_criterion_or_none(experiment, criterion_id)
    if criterion is None:
        abort(404)
    if not can(current_user, "criteria.edit", experiment):
        abort(403)
    form = ChangeReasonForm(prefix="delete")
    if not form.validate_on_submit():
        abort(400)
    name = criterion.name
    try:
        delete_criterion(criterion, form.change_reason.data)
    except ScoringError as exc:
        flash(str(exc), "error")
        return redirect(url_for("scoring.edit_criterion", slug=slug, criterion_id=criterion_id))
    flash(f"Deleted the criterion {name}", "success")
    return redirect(url_for("scoring.criteria", slug=slug))


# --- moderation --------------------------------------------------------------------


@bp.route(
    "/experiments/<slug>/scoring/moderation/<int:option_id>/<int:criterion_id>",
    methods=["GET", "POST"],
)
@login_required
def moderate(slug: str, option_id: int, criterion_id: int):
    experiment = get_experiment_or_404(slug)
    option_ = get_shortlisted_option_or_none(experiment, option_id)
    criterion = get_criterion_or_none(experiment, criterion_id)
    if option_ is None or criterion is None:
        abort(404)
    if not can(current_user, "scores.moderate", experiment):
        abort(403)
    existing = moderated_score_of(option_, criterion)
    form = ModerationForm(obj=existing)
    if request.method == "GET":
        form.version.data = existing.version if existing else 0
        if existing:
            form.score.data = str(existing.score)
            form.rationale_sensitivity.data = existing.rationale_sensitivity.slug
    conflict = None
    if form.validate_on_submit():
        values = {
            "score": int(form.score.data),
            "rationale": form.rationale.data.strip(),
            "rationale_sensitivity": form.rationale_sensitivity.data,
        }
        try:
            save_moderated_score(
                experiment, option_, criterion, values, form.version.data, current_user
            )
        except StaleEdit as exc:
            conflict = {k: getattr(v, "label", v) for k, v in exc.current.items()}
            form.version.data = existing.version if existing else 0
        except ScoringError as exc:
            getattr(form, exc.field or "score").errors.append(str(exc))
        else:
            flash(f"Recorded the consensus score for {option_.name}: {criterion.name}", "success")
            return redirect(url_for("scoring.agenda", slug=slug))
    redactor = Redactor(audience_for(current_user, experiment))
    data = load_scoring_data(experiment, option_id=option_.id)
    detail = next(iter(option_details(data, redactor, option_.id)))
    scores = next(c for c in detail.criteria if c.criterion.id == criterion.id)
    return (
        render_template(
            "scoring/moderate.html",
            experiment=experiment_header(experiment),
            option_name=detail.row.name,
            scores=scores,
            form=form,
            conflict=conflict,
            labels=MODERATION_LABELS,
        ),
        409 if conflict else 200,
    )
