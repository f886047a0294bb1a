"""Declarations, a borough's task list and its scorecards."""

from __future__ import annotations

from types import SimpleNamespace
from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.concurrency import StaleEdit
from procure.deadlines import due, utc_now
from procure.experiments.services import experiment_header, get_experiment_or_404
from procure.permissions import audience_for, can, is_admin, participation_of
from procure.scoring import bp
from procure.scoring.detail_read_models import build_declaration_register
from procure.scoring.forms import (
    CheckAnswersForm,
    DeclarationForm,
    ReopenForm,
    borough_weights_form_class,
    scorecard_form_class,
)
from procure.scoring.read_models import criterion_views
from procure.scoring.scorecards import (
    NEW_VERSION,
    SCORING_ROLES,
    ScorecardLocked,
    ScoreEntry,
    ScoringClosed,
    get_shortlisted_option_or_none,
    missing_items,
    reopen_scorecard,
    save_scorecard,
    scorecard_of,
    scoring_organisation_or_none,
    scoring_participations,
    shortlisted_options,
    submission_counts,
    submit_scorecard,
    task_list,
)
from procure.scoring.services import (
    ScoringError,
    borough_weights_of,
    criteria_of,
    declaration_of,
    declarations,
    save_borough_weights,
    save_declaration,
)
from procure.sensitivity import Audience, Redactor, Sensitivity
from procure.templating import Ref


def _safe_next(target: str | None, fallback: str) -> str:
    """Only a path on this site: never another host, never a scheme."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def _needs_declaration(experiment):
    """A redirect to the declaration page when the person has not declared yet."""
    if declaration_of(experiment, current_user) is not None:
        return None
    flash("Make your conflict-of-interest declaration before you score", "error")
    return redirect(url_for("scoring.declaration", slug=experiment.slug, next=request.path))


def _editable_organisation(experiment, org_slug: str):
    organisation = scoring_organisation_or_none(experiment, org_slug)
    if organisation is None:
        abort(404)
    if not can(
        current_user,
        "scorecard.edit",
        SimpleNamespace(experiment=experiment, organisation_id=organisation.id),
    ):
        abort(403)
    return organisation


@bp.route("/experiments/<slug>/scoring/declaration", methods=["GET", "POST"])
@login_required
def declaration(slug: str):
    experiment = get_experiment_or_404(slug)
    if audience_for(current_user, experiment) < Audience.PARTICIPANTS:
        abort(403)
    existing = declaration_of(experiment, current_user)
    form = DeclarationForm()
    if request.method == "GET":
        form.version.data = existing.version if existing else 0
        if existing:
            form.has_interest.data = "yes" if existing.has_interest else "no"
            form.interest.data = existing.interest
    next_url = _safe_next(
        request.args.get("next"), url_for("scoring.tasks_index", slug=experiment.slug)
    )
    conflict = None
    if form.validate_on_submit():
        try:
            save_declaration(
                experiment,
                current_user,
                form.has_interest.data == "yes",
                form.interest.data or "",
                form.version.data,
            )
        except StaleEdit as exc:
            conflict = exc.current
            form.version.data = existing.version if existing else 0
        except ScoringError as exc:
            getattr(form, exc.field or "interest").errors.append(str(exc))
        else:
            flash("Saved your declaration", "success")
            return redirect(next_url)
    return (
        render_template(
            "scoring/declaration.html",
            experiment=experiment_header(experiment),
            form=form,
            existing=existing is not None,
            conflict=conflict,
        ),
        409 if conflict else 200,
    )


@bp.route("/experiments/<slug>/scoring/declarations")
@login_required
def declarations_register(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "declarations.view", experiment):
        abort(403)
    redactor = Redactor(audience_for(current_user, experiment))
    rows = build_declaration_register(
        declarations(experiment), scoring_participations(experiment), redactor
    )
    return render_template(
        "scoring/declarations.html", experiment=experiment_header(experiment), rows=rows
    )


@bp.route("/experiments/<slug>/scoring/tasks")
@login_required
def tasks_index(slug: str):
    experiment = get_experiment_or_404(slug)
    part = participation_of(current_user, experiment)
    if (
        part is not None
        and part.role in SCORING_ROLES
        and can(
            current_user,
            "scorecard.edit",
            SimpleNamespace(experiment=experiment, organisation_id=part.organisation_id),
        )
    ):
        return redirect(url_for("scoring.tasks", slug=slug, org_slug=part.organisation.slug))
    if not is_admin(current_user):
        abort(403)
    counts = submission_counts(experiment)
    parts = scoring_participations(experiment)
    total = len(shortlisted_options(experiment))
    return render_template(
        "scoring/tasks_index.html",
        experiment=experiment_header(experiment),
        rows=[
            (
                Ref(p.organisation_id, p.organisation.name, p.organisation.slug),
                counts.get(p.organisation_id, 0),
            )
            for p in parts
        ],
        total=total,
    )


@bp.route("/experiments/<slug>/scoring/tasks/<org_slug>")
@login_required
def tasks(slug: str, org_slug: str):
    experiment = get_experiment_or_404(slug)
    organisation = _editable_organisation(experiment, org_slug)
    # The convenor reads a borough's task list without declaring; its lead declares first.
    if not is_admin(current_user) and (needed := _needs_declaration(experiment)) is not None:
        return needed
    criteria = criteria_of(experiment)
    return render_template(
        "scoring/tasks.html",
        experiment=experiment_header(experiment),
        tasks=task_list(experiment, organisation, criteria),
        closes=due(experiment.scoring_closes_on, utc_now()),
    )


def _populate(form, scorecard, criteria) -> None:
    form.version.data = scorecard.version if scorecard else NEW_VERSION
    saved = {s.criterion_id: s for s in scorecard.scores} if scorecard else {}
    for criterion in criteria:
        score = saved.get(criterion.id)
        form[f"score_{criterion.id}"].data = (
            str(score.score) if score and score.score is not None else None
        )
        form[f"reason_{criterion.id}"].data = score.reason if score else ""
        form[f"sensitivity_{criterion.id}"].data = (
            score.reason_sensitivity.slug if score else Sensitivity.MEMBERS.slug
        )


def _entries(form, criteria) -> dict[int, ScoreEntry]:
    entries = {}
    for criterion in criteria:
        raw = form[f"score_{criterion.id}"].data
        entries[criterion.id] = ScoreEntry(
            int(raw) if raw not in (None, "") else None,
            form[f"reason_{criterion.id}"].data or "",
            Sensitivity.parse(form[f"sensitivity_{criterion.id}"].data or "members"),
        )
    return entries


def _submitted_entries(scorecard, criteria, redactor):
    saved = {s.criterion_id: s for s in scorecard.scores}
    meanings = {c.id: c.descriptor_labels for c in criteria}
    rows = []
    for view in criterion_views(criteria, redactor):
        score = saved.get(view.id)
        rows.append(
            {
                "criterion": view,
                "score": score.score if score else None,
                "descriptor": meanings[view.id].get(score.score, "")
                if score and score.score is not None
                else "",
                "reason": redactor.markdown(
                    score.reason, "score.reason", score.id, base=score.reason_sensitivity
                )
                if score
                else "",
                "sensitivity": score.reason_sensitivity if score else None,
            }
        )
    return rows


@bp.route("/experiments/<slug>/scoring/tasks/<org_slug>/<int:option_id>", methods=["GET", "POST"])
@login_required
def scorecard(slug: str, org_slug: str, option_id: int):
    experiment = get_experiment_or_404(slug)
    option = get_shortlisted_option_or_none(experiment, option_id)
    if option is None:
        abort(404)
    organisation = _editable_organisation(experiment, org_slug)
    criteria = criteria_of(experiment)
    card = scorecard_of(option, organisation)
    # Reading is not scoring: the convenor reads any scorecard, and anyone reads a
    # submitted one, without a declaration; saving always needs one.
    reading = request.method == "GET" and (
        is_admin(current_user) or (card is not None and card.status == "submitted")
    )
    if not reading and (needed := _needs_declaration(experiment)) is not None:
        return needed
    redactor = Redactor(audience_for(current_user, experiment))
    form = scorecard_form_class(criteria)()
    if request.method == "GET":
        _populate(form, card, criteria)
    conflict = None
    missing = []
    if card is not None and card.status == "submitted" and request.method == "POST":
        flash(
            "This scorecard has been submitted; an admin must reopen it before it changes", "error"
        )
        return redirect(request.path)
    if form.validate_on_submit():
        submit = bool(form.submit.data)
        try:
            # Continuing saves the draft and checks it is complete; the check page submits.
            card, missing = save_scorecard(
                experiment,
                option,
                organisation,
                criteria,
                _entries(form, criteria),
                form.version.data,
                current_user,
                submit=False,
            )
            if submit:
                missing = missing_items(card, criteria, experiment.reasons_required)
        except StaleEdit as exc:
            conflict = exc.current
            current = scorecard_of(option, organisation)
            form.version.data = current.version if current else NEW_VERSION
        except ScoringClosed as exc:
            # The page is shown again with what the person typed; nothing was saved.
            flash(str(exc), "error")
        except ScorecardLocked as exc:
            flash(str(exc), "error")
            return redirect(request.path)
        else:
            if submit and not missing:
                return redirect(
                    url_for("scoring.check", slug=slug, org_slug=org_slug, option_id=option_id)
                )
            if not missing:
                flash(f"Saved your draft scorecard for {option.name}", "success")
                return redirect(url_for("scoring.tasks", slug=slug, org_slug=org_slug))
            for item in missing:
                form[item.field].errors.append(item.message)
            form.version.data = card.version
    return (
        render_template(
            "scoring/scorecard.html",
            experiment=experiment_header(experiment),
            organisation_name=organisation.name,
            organisation_slug=organisation.slug,
            option_name=option.name,
            option_id=option.id,
            criteria=criterion_views(criteria, redactor),
            form=form,
            status=card.status if card else "not started",
            reopened_reason=card.reopened_reason if card else "",
            submitted=_submitted_entries(card, criteria, redactor)
            if card is not None and card.status == "submitted"
            else None,
            missing=missing,
            conflict=conflict,
            reasons_required=experiment.reasons_required,
        ),
        409 if conflict else 200,
    )


@bp.route(
    "/experiments/<slug>/scoring/tasks/<org_slug>/<int:option_id>/check", methods=["GET", "POST"]
)
@login_required
def check(slug: str, org_slug: str, option_id: int):
    """Check your answers: every criterion's score and reason, with change links, then submit."""
    experiment = get_experiment_or_404(slug)
    option = get_shortlisted_option_or_none(experiment, option_id)
    if option is None:
        abort(404)
    organisation = _editable_organisation(experiment, org_slug)
    if (needed := _needs_declaration(experiment)) is not None:
        return needed
    back = url_for("scoring.scorecard", slug=slug, org_slug=org_slug, option_id=option_id)
    criteria = criteria_of(experiment)
    card = scorecard_of(option, organisation)
    if card is None or card.status == "submitted":
        return redirect(back)
    if missing_items(card, criteria, experiment.reasons_required):
        flash("Complete every criterion before you submit", "error")
        return redirect(back)
    form = CheckAnswersForm()
    if request.method == "GET":
        form.version.data = card.version
    if form.validate_on_submit():
        try:
            missing = submit_scorecard(card, criteria, form.version.data, current_user)
        except StaleEdit:
            flash("This scorecard changed since you opened this page; check it again", "error")
            return redirect(request.path)
        except ScorecardLocked as exc:
            flash(str(exc), "error")
            return redirect(back)
        if missing:
            flash("Complete every criterion before you submit", "error")
            return redirect(back)
        flash(f"Submitted your scorecard for {option.name}", "success")
        return redirect(url_for("scoring.tasks", slug=slug, org_slug=org_slug))
    redactor = Redactor(audience_for(current_user, experiment))
    return render_template(
        "scoring/check.html",
        experiment=experiment_header(experiment),
        organisation_name=organisation.name,
        organisation_slug=organisation.slug,
        option_name=option.name,
        option_id=option.id,
        rows=_submitted_entries(card, criteria, redactor),
        form=form,
        back=back,
    )


@bp.route(
    "/experiments/<slug>/scoring/tasks/<org_slug>/<int:option_id>/reopen", methods=["GET", "POST"]
)
@login_required
def reopen(slug: str, org_slug: str, option_id: int):
    experiment = get_experiment_or_404(slug)
    option = get_shortlisted_option_or_none(experiment, option_id)
    organisation = scoring_organisation_or_none(experiment, org_slug)
    if option is None or organisation is None:
        abort(404)
    card = scorecard_of(option, organisation)
    if card is None or card.status != "submitted":
        abort(404)
    if not can(current_user, "scorecard.reopen", card):
        abort(403)
    form = ReopenForm()
    if request.method == "GET":
        form.version.data = card.version
    if form.validate_on_submit():
        try:
            reopen_scorecard(card, form.reason.data, form.version.data)
        except StaleEdit:
            flash("Someone else changed this scorecard first; check it and try again", "error")
            form.version.data = card.version
        else:
            flash(f"Reopened {organisation.name}'s scorecard for {option.name}", "success")
            return redirect(
                url_for("scoring.scorecard", slug=slug, org_slug=org_slug, option_id=option_id)
            )
    return render_template(
        "scoring/reopen.html",
        experiment=experiment_header(experiment),
        form=form,
        organisation_name=organisation.name,
        option_name=option.name,
        back=url_for("scoring.scorecard", slug=slug, org_slug=org_slug, option_id=option_id),
    )


@bp.route("/experiments/<slug>/scoring/tasks/<org_slug>/weights", methods=["GET", "POST"])
@login_required
def borough_weights(slug: str, org_slug: str):
    """A borough's own criterion weights; blank keeps the shared weight."""
    experiment = get_experiment_or_404(slug)
    organisation = scoring_organisation_or_none(experiment, org_slug)
    if organisation is None:
        abort(404)
    if not can(
        current_user,
        "weights.edit",
        SimpleNamespace(experiment=experiment, organisation_id=organisation.id),
    ):
        abort(403)
    criteria = criteria_of(experiment)
    form = borough_weights_form_class(criteria)()
    if request.method == "GET":
        own = borough_weights_of(experiment).get(organisation.id, {})
        for criterion in criteria:
            form[f"weight_{criterion.id}"].data = own.get(criterion.id)
    if form.validate_on_submit():
        weights = {c.id: form[f"weight_{c.id}"].data for c in criteria}
        try:
            save_borough_weights(experiment, organisation, weights)
        except ScoringError as exc:
            form[exc.field].errors.append(str(exc))
        else:
            flash(f"Saved {organisation.name}’s own weights", "success")
            return redirect(url_for("scoring.dashboard", slug=slug) + "#own-weights")
    redactor = Redactor(audience_for(current_user, experiment))
    return render_template(
        "scoring/weights.html",
        experiment=experiment_header(experiment),
        organisation=Ref(organisation.id, organisation.name, organisation.slug),
        criteria=criterion_views(criteria, redactor),
        form=form,
    )
