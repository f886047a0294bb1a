"""Requirements pages: the list, one requirement, proposing, editing, agreeing, endorsing."""

from __future__ import annotations

from types import SimpleNamespace

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.concurrency import StaleEdit
from procure.deadlines import due, utc_now
from procure.experiments.models import Experiment
from procure.experiments.services import experiment_header, load_experiment
from procure.extensions import db
from procure.paging import page_number, paginate, with_items
from procure.permissions import audience_for, can, is_admin, participation_of
from procure.requirements import bp
from procure.requirements.forms import (
    AgreeForm,
    CategoryForm,
    EndorsementForm,
    RequirementForm,
    WithdrawForm,
)
from procure.requirements.models import PRIORITY_LABELS, Requirement
from procure.requirements.read_models import (
    ENDORSEMENT_STATES,
    MATRIX_PAGE_SIZE,
    STATUS_LABELS,
    Filters,
    RequirementRef,
    build_history,
    build_requirement_list,
    build_requirement_row,
    build_task_list,
    visible_rows,
)
from procure.requirements.services import (
    FIELD_LABELS,
    RequirementError,
    RequirementInput,
    add_category,
    agree_requirement,
    endorse,
    endorsement_for,
    endorsing_participations,
    get_requirement,
    position_counts,
    positions_of,
    propose_requirement,
    requirements_light,
    source_choices,
    split_criteria,
    update_requirement,
    withdraw_requirement,
)
from procure.sensitivity import Redactor, Sensitivity
from procure.templating import Ref


def load_requirement(experiment: Experiment, number: int, redactor: Redactor) -> Requirement:
    """A requirement the reader may see; one above their audience does not exist for them."""
    req = get_requirement(experiment, number)
    if req is None or not redactor.permits(req.sensitivity):
        abort(404)
    return req


def endorsement_target(experiment: Experiment, organisation_id: int) -> SimpleNamespace:
    """What the ``endorsement.edit`` rule inspects, for an endorsement that may not exist yet."""
    return SimpleNamespace(experiment=experiment, organisation_id=organisation_id)


@bp.route("/experiments/<slug>/requirements")
def index(slug: str):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    filters = Filters.from_args(request.args, list(experiment.requirement_categories))
    parts = endorsing_participations(experiment)
    view = build_requirement_list(
        experiment,
        requirements_light(experiment),
        parts,
        redactor,
        filters,
        position_counts(experiment, [p.organisation_id for p in parts]),
        page=page_number(request.args),
    )
    return render_template(
        "requirements/index.html",
        experiment=experiment_header(experiment),
        view=view,
        audience=redactor.audience,
        priorities=PRIORITY_LABELS,
        statuses=STATUS_LABELS,
        endorsement_states=ENDORSEMENT_STATES,
        category_options=[(c, c) for c in view.categories],
        my_participation=participation_of(current_user, experiment) is not None,
    )


@bp.route("/experiments/<slug>/requirements/matrix")
def matrix(slug: str):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    parts = endorsing_participations(experiment)
    agreed = redactor.visible(
        [r for r in requirements_light(experiment) if r.status == "agreed"],
        lambda r: r.sensitivity,
        "requirement",
    )
    paged = paginate(agreed, page_number(request.args), MATRIX_PAGE_SIZE)
    positions = positions_of([r.id for r in paged.items])
    rows = visible_rows(list(paged.items), parts, redactor, positions)
    return render_template(
        "requirements/matrix.html",
        experiment=experiment_header(experiment),
        rows=rows,
        paged=with_items(paged, rows),
        organisations=[short_name(p.organisation.name) for p in parts],
    )


def short_name(name: str) -> str:
    """ "London Borough of Camden" → "Camden", so a matrix of boroughs fits a screen."""
    for prefix in ("London Borough of ", "Royal Borough of ", "City of "):
        if name.startswith(prefix):
            return name.removeprefix(prefix)
    return name


@bp.route("/experiments/<slug>/requirements/tasks")
@login_required
def tasks(slug: str):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    parts = endorsing_participations(experiment)
    wanted = request.args.get("organisation", "")
    part = next((p for p in parts if p.organisation.slug == wanted), None)
    if part is None:
        mine = participation_of(current_user, experiment)
        part = next((p for p in parts if mine is not None and p.id == mine.id), None)
    if part is None and is_admin(current_user) and parts:
        part = parts[0]
    if part is None:
        abort(404)
    if part.organisation_id != current_user.organisation_id and not is_admin(current_user):
        abort(403)
    # Only this organisation's cells: the task list shows nothing about the others.
    reqs = requirements_light(experiment)
    positions = positions_of([r.id for r in reqs], [part.organisation_id])
    rows = visible_rows(reqs, [part], redactor, positions)
    tasks_view = build_task_list(
        rows, part.organisation_id, part.organisation.name, part.organisation.slug
    )
    return render_template(
        "requirements/tasks.html",
        experiment=experiment_header(experiment),
        tasks=tasks_view,
        endorsements_due=due(experiment.endorsements_due_on, utc_now()),
        organisations=[
            Ref(p.organisation_id, p.organisation.name, p.organisation.slug) for p in parts
        ]
        if is_admin(current_user)
        else [],
        can_endorse=can(
            current_user, "endorsement.edit", endorsement_target(experiment, part.organisation_id)
        ),
    )


def _requirement_form(experiment: Experiment, redactor: Redactor, **kwargs) -> RequirementForm:
    form = RequirementForm(**kwargs)
    form.category.choices = [("", "Choose a category")] + [
        (c, c) for c in experiment.requirement_categories
    ]
    form.source.choices = [("other", "Not recorded")] + [
        (value, label)
        for value, label, level in source_choices(experiment)
        if redactor.permits(level)
    ]
    return form


def _input(form: RequirementForm) -> RequirementInput:
    kind, _, ident = (form.source.data or "other").partition(":")
    return RequirementInput(
        title=form.title.data or "",
        statement=form.statement.data or "",
        acceptance_criteria=split_criteria(form.acceptance_criteria.data),
        category=form.category.data or "",
        priority=form.priority.data or "",
        sensitivity=Sensitivity.parse(form.sensitivity.data or "public"),
        source_kind=kind if ident.isdigit() else "other",
        source_id=int(ident) if ident.isdigit() else None,
    )


@bp.route("/experiments/<slug>/requirements/new", methods=["GET", "POST"])
@login_required
def propose(slug: str):
    experiment = load_experiment(slug)
    if not can(current_user, "requirement.propose", experiment):
        abort(403)
    redactor = Redactor(audience_for(current_user, experiment))
    form = _requirement_form(experiment, redactor)
    if form.validate_on_submit():
        try:
            req = propose_requirement(experiment, _input(form), current_user)
        except RequirementError as exc:
            getattr(form, exc.field or "title").errors.append(str(exc))
        else:
            flash(f"Proposed {req.reference}. It is a draft until it is agreed.", "success")
            return redirect(url_for("requirements.show", slug=slug, number=req.number))
    return render_template(
        "requirements/form.html", experiment=experiment_header(experiment), form=form, req=None
    )


@bp.route("/experiments/<slug>/requirements/<ref:number>")
def show(slug: str, number: int):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    req = load_requirement(experiment, number, redactor)
    parts = endorsing_participations(experiment)
    row = build_requirement_row(req, parts, redactor)
    editable_orgs = {
        p.organisation_id
        for p in parts
        if can(current_user, "endorsement.edit", endorsement_target(experiment, p.organisation_id))
    }
    return render_template(
        "requirements/show.html",
        experiment=experiment_header(experiment),
        can_edit=can(current_user, "requirement.edit", req),
        req=row,
        history=build_history(req, redactor),
        editable_orgs=editable_orgs,
        agree_form=AgreeForm(version=req.version),
    )


def _conflict_values(current: dict, req: Requirement, redactor: Redactor) -> dict[str, str]:
    """The saved values, as the reader may see them, for the conflict panel."""
    shown = {}
    for name, value in current.items():
        if name == "acceptance_criteria":
            value = "; ".join(str(v) for v in value or [])
        elif name == "sensitivity":
            value = Sensitivity.parse(value).label
        elif name == "priority":
            value = PRIORITY_LABELS.get(value, value)
        if name in ("title", "statement", "acceptance_criteria", "withdrawn_reason"):
            value = redactor.text(str(value), "requirement." + name, req.id, base=req.sensitivity)
        shown[name] = value
    return shown


@bp.route("/experiments/<slug>/requirements/<ref:number>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, number: int):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    req = load_requirement(experiment, number, redactor)
    if not can(current_user, "requirement.edit", req):
        abort(403)
    if req.status == "withdrawn":
        flash(f"{req.reference} is withdrawn and can no longer be edited", "error")
        return redirect(url_for("requirements.show", slug=slug, number=number))
    form = _requirement_form(experiment, redactor)
    if request.method == "GET":
        form.version.data = req.version
        form.title.data, form.statement.data = req.title, req.statement
        form.acceptance_criteria.data = "\n".join(req.acceptance_criteria or [])
        form.category.data, form.priority.data = req.category, req.priority
        form.sensitivity.data = req.sensitivity.slug
        ident = req.source_workshop_id or req.source_option_id or req.source_organisation_id
        form.source.data = f"{req.source_kind}:{ident}" if ident else "other"
    conflict = None
    if form.validate_on_submit():
        try:
            changes = update_requirement(req, _input(form), form.version.data, current_user)
        except StaleEdit as exc:
            conflict = _conflict_values(exc.current, req, redactor)
        except RequirementError as exc:
            getattr(form, exc.field or "title").errors.append(str(exc))
        else:
            message = "Saved your changes" if changes else "Nothing changed"
            if "revision" in changes:
                message += f": now revision {req.revision}; earlier endorsements are out of date"
            flash(message, "success")
            return redirect(url_for("requirements.show", slug=slug, number=number))
    if conflict:
        form.version.data = req.version
    return (
        render_template(
            "requirements/form.html",
            experiment=experiment_header(experiment),
            form=form,
            req=RequirementRef(req.number, req.reference),
            conflict=conflict,
            labels=FIELD_LABELS,
        ),
        409 if conflict else 200,
    )


@bp.route("/experiments/<slug>/requirements/<ref:number>/agree", methods=["POST"])
@login_required
def agree(slug: str, number: int):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    req = load_requirement(experiment, number, redactor)
    if not can(current_user, "requirement.edit", req):
        abort(403)
    form = AgreeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        agree_requirement(req, form.version.data, current_user)
    except StaleEdit:
        flash("Someone else changed this requirement first: check it and agree again", "error")
        return redirect(url_for("requirements.show", slug=slug, number=number))
    except RequirementError as exc:
        flash(str(exc), "error")
    else:
        flash(f"{req.reference} is agreed: organisations can now endorse it", "success")
    return redirect(url_for("requirements.show", slug=slug, number=number))


@bp.route("/experiments/<slug>/requirements/<ref:number>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw(slug: str, number: int):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    req = load_requirement(experiment, number, redactor)
    if not can(current_user, "requirement.edit", req):
        abort(403)
    form = WithdrawForm()
    if request.method == "GET":
        form.version.data = req.version
    conflict = None
    if form.validate_on_submit():
        try:
            withdraw_requirement(req, form.reason.data, form.version.data, current_user)
        except StaleEdit as exc:
            conflict = _conflict_values(exc.current, req, redactor)
            form.version.data = req.version
        except RequirementError as exc:
            form.reason.errors.append(str(exc))
        else:
            flash(f"Withdrew {req.reference}. Its reference will not be used again.", "success")
            return redirect(url_for("requirements.show", slug=slug, number=number))
    row = build_requirement_row(req, [], redactor)
    return (
        render_template(
            "requirements/withdraw.html",
            experiment=experiment_header(experiment),
            form=form,
            req=row,
            conflict=conflict,
            labels=FIELD_LABELS,
        ),
        409 if conflict else 200,
    )


@bp.route(
    "/experiments/<slug>/requirements/<ref:number>/endorse/<org_slug>", methods=["GET", "POST"]
)
@login_required
def endorse_requirement(slug: str, number: int, org_slug: str):
    experiment = load_experiment(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    req = load_requirement(experiment, number, redactor)
    part = next(
        (p for p in endorsing_participations(experiment) if p.organisation.slug == org_slug), None
    )
    if part is None:
        abort(404)
    if not can(
        current_user, "endorsement.edit", endorsement_target(experiment, part.organisation_id)
    ):
        abort(403)
    if req.status != "agreed":
        flash(f"{req.reference} is not agreed, so it cannot be endorsed yet", "error")
        return redirect(url_for("requirements.show", slug=slug, number=number))
    existing = endorsement_for(req, part.organisation_id)
    form = EndorsementForm()
    if request.method == "GET":
        form.version.data = existing.version if existing else 0
        if existing is not None:
            form.position.data = existing.position
            form.comment.data = existing.comment
            form.comment_sensitivity.data = existing.comment_sensitivity.slug
    conflict = None
    if form.validate_on_submit():
        try:
            endorse(
                req,
                part.organisation,
                form.position.data,
                form.comment.data or "",
                Sensitivity.parse(form.comment_sensitivity.data),
                form.version.data,
                current_user,
            )
        except StaleEdit as exc:
            conflict = {
                "position": exc.current.get("position", ""),
                "comment": redactor.text(
                    exc.current.get("comment", ""),
                    "endorsement.comment",
                    existing.id if existing else None,
                    base=exc.current.get("comment_sensitivity", Sensitivity.MEMBERS),
                ),
            }
            current = endorsement_for(req, part.organisation_id)
            form.version.data = current.version if current else 0
        except RequirementError as exc:
            getattr(form, exc.field or "position").errors.append(str(exc))
        else:
            flash(f"Saved {part.organisation.name}’s endorsement of {req.reference}", "success")
            return redirect(url_for("requirements.show", slug=slug, number=number))
    row = build_requirement_row(req, [part], redactor)
    return (
        render_template(
            "requirements/endorse.html",
            experiment=experiment_header(experiment),
            form=form,
            req=row,
            organisation=Ref(part.organisation_id, part.organisation.name, part.organisation.slug),
            existing=row.endorsements[0],
            conflict=conflict,
            labels=FIELD_LABELS,
        ),
        409 if conflict else 200,
    )


@bp.route("/experiments/<slug>/requirements/categories", methods=["GET", "POST"])
@login_required
def categories(slug: str):
    experiment = load_experiment(slug)
    if not can(current_user, "requirement.manage_categories", experiment):
        abort(403)
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            add_category(experiment, form.name.data, current_user)
        except RequirementError as exc:
            form.name.errors.append(str(exc))
        else:
            flash(f"Added the category “{form.name.data}”", "success")
            return redirect(url_for("requirements.categories", slug=slug))
    counts = dict(
        db.session.execute(
            sa.select(Requirement.category, sa.func.count())
            .where(Requirement.experiment_id == experiment.id)
            .group_by(Requirement.category)
        ).all()
    )
    return render_template(
        "requirements/categories.html",
        experiment=experiment_header(experiment),
        form=form,
        counts=counts,
    )


from procure.requirements import views_spec  # noqa: E402, F401 - version and import routes
