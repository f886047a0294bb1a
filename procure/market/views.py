"""Market scan pages: the filterable list, an option's page, add/edit/accept, downloads."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.accounts.models import Organisation
from procure.concurrency import StaleEdit
from procure.experiments.models import Experiment
from procure.experiments.services import experiment_header, load_experiment
from procure.extensions import db
from procure.market import bp, exports
from procure.market.forms import HOSTING_LABELS, KIND_LABELS, STATUS_LABELS, AcceptForm, OptionForm
from procure.market.models import Option
from procure.market.read_models import MarketFilters, build_market_view, build_option_view
from procure.market.services import (
    OPTION_FIELDS,
    MarketError,
    accept_option,
    create_option,
    get_option_or_404,
    update_option,
)
from procure.permissions import audience_for, can
from procure.sensitivity import Redactor, Sensitivity
from procure.templating import Ref

OPTION_LABELS = {
    "kind": "Kind",
    "name": "Name",
    "supplier": "Supplier",
    "summary": "Summary",
    "description": "Description",
    "website": "Website",
    "hosting_model": "Hosting model",
    "standards": "Standards and integrations",
    "evidence": "Evidence and sources",
    "used_by": "Organisations that already use it",
    "timescale": "Typical timescale",
    "constraints": "Constraints",
    "cost_low": "Indicative cost, lower end",
    "cost_high": "Indicative cost, upper end",
    "cost_basis": "Basis of the cost",
    "supplier_remarks": "Supplier remarks",
    "commercial_sensitivity": "Who may see the pricing",
    "sensitivity": "Who may see this option",
    "status": "Status",
    "exclusion_reason": "Reason for excluding it",
}


def page_redactor(experiment: Experiment) -> Redactor:
    return Redactor(audience_for(current_user, experiment))


def saved_values(current: dict[str, Any]) -> dict[str, str]:
    """What a stale-edit panel shows: saved values in words (the editor reads at participants)."""
    shown: dict[str, str] = {}
    for name, value in current.items():
        if isinstance(value, Sensitivity):
            value = value.label
        elif isinstance(value, list):
            value = ", ".join(getattr(v, "name", str(v)) for v in value)
        elif isinstance(value, Decimal):
            value = f"£{value:,.2f}".removesuffix(".00")
        elif name == "kind":
            value = KIND_LABELS.get(value, value)
        elif name == "status":
            value = STATUS_LABELS.get(value, value)
        elif name == "hosting_model":
            value = HOSTING_LABELS.get(value or "", "Not known")
        shown[name] = "" if value is None else str(value)
    return shown


@bp.route("/experiments/<slug>/market")
def index(slug: str):
    experiment = load_experiment(slug)
    may_accept = can(current_user, "option.create", experiment)
    view = build_market_view(
        experiment,
        page_redactor(experiment),
        MarketFilters.from_args(request.args),
        include_proposals=may_accept,
    )
    return render_template(
        "market/index.html", market=view, experiment=experiment_header(experiment)
    )


@bp.route("/experiments/<slug>/market/options/<int:option_id>")
def option(slug: str, option_id: int):
    experiment = load_experiment(slug)
    option = get_option_or_404(experiment, option_id)
    redactor = page_redactor(experiment)
    # An option above the audience, or a proposal not yet accepted, does not exist for them.
    if not redactor.permits(option.sensitivity):
        abort(404)
    may_edit = can(current_user, "option.edit", option)
    is_proposer = current_user.is_authenticated and option.proposed_by_id == current_user.id
    if not option.accepted and not (may_edit or is_proposer):
        abort(404)
    view = build_option_view(option, redactor)
    accept_form = AcceptForm(version=option.version) if may_edit and not option.accepted else None
    return render_template(
        "market/option.html",
        option=view,
        can_edit=may_edit,
        experiment=experiment_header(experiment),
        audience=redactor.audience,
        accept_form=accept_form,
    )


def _organisation_choices(form: OptionForm) -> dict[int, Organisation]:
    organisations = db.session.scalars(sa.select(Organisation).order_by(Organisation.name)).all()
    form.used_by.choices = [(o.id, o.name) for o in organisations]
    return {o.id: o for o in organisations}


def _option_values(form: OptionForm, organisations: dict[int, Organisation]) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in OPTION_FIELDS}
    values["hosting_model"] = values["hosting_model"] or None
    values["used_by"] = [organisations[i] for i in form.used_by.data or [] if i in organisations]
    for name in ("commercial_sensitivity", "sensitivity"):
        values[name] = Sensitivity.parse(values[name])
    for name in OPTION_FIELDS:
        if values[name] is None and name not in ("hosting_model", "cost_low", "cost_high"):
            values[name] = ""
    return values


def _fill_from(form: OptionForm, option: Option) -> None:
    form.version.data = option.version
    form.used_by.data = [o.id for o in option.used_by]
    form.hosting_model.data = option.hosting_model or ""
    form.sensitivity.data = option.sensitivity.slug
    form.commercial_sensitivity.data = option.commercial_sensitivity.slug


@bp.route("/experiments/<slug>/market/options/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    experiment = load_experiment(slug)
    if can(current_user, "option.create", experiment):
        proposing = False
    elif can(current_user, "option.propose", experiment):
        proposing = True
    else:
        abort(403)
    form = OptionForm()
    organisations = _organisation_choices(form)
    if form.validate_on_submit():
        try:
            option = create_option(
                experiment,
                _option_values(form, organisations),
                proposed_by=current_user if proposing else None,
                accepted=not proposing,
                audit_action="option.propose" if proposing else "option.create",
            )
        except MarketError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            flash(
                f"Proposed {option.name}: the lead organisation will review it"
                if proposing
                else f"Added {option.name}",
                "success",
            )
            return redirect(url_for("market.option", slug=slug, option_id=option.id))
    return render_template(
        "market/option_form.html",
        form=form,
        experiment=experiment_header(experiment),
        option=None,
        proposing=proposing,
        conflict=None,
        labels=OPTION_LABELS,
    )


@bp.route("/experiments/<slug>/market/options/<int:option_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, option_id: int):
    experiment = load_experiment(slug)
    option = get_option_or_404(experiment, option_id)
    if not can(current_user, "option.edit", option):
        abort(403)
    form = OptionForm(obj=option)
    organisations = _organisation_choices(form)
    if request.method == "GET":
        _fill_from(form, option)
    conflict = None
    if form.validate_on_submit():
        try:
            update_option(option, _option_values(form, organisations), form.version.data)
        except StaleEdit as exc:
            conflict = saved_values(exc.current)
            form.version.data = option.version
        except MarketError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            flash("Saved your changes", "success")
            return redirect(url_for("market.option", slug=slug, option_id=option.id))
    return (
        render_template(
            "market/option_form.html",
            form=form,
            experiment=experiment_header(experiment),
            option=Ref(option.id, option.name),
            proposing=False,
            conflict=conflict,
            labels=OPTION_LABELS,
        ),
        409 if conflict else 200,
    )


@bp.route("/experiments/<slug>/market/options/<int:option_id>/accept", methods=["POST"])
@login_required
def accept(slug: str, option_id: int):
    experiment = load_experiment(slug)
    option = get_option_or_404(experiment, option_id)
    if not can(current_user, "option.edit", option):
        abort(403)
    form = AcceptForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        accept_option(option, form.version.data)
    except StaleEdit:
        flash("Someone else changed this option first; check it and accept again", "error")
        return redirect(url_for("market.option", slug=slug, option_id=option.id))
    flash(f"Accepted {option.name} into the market scan", "success")
    return redirect(url_for("market.option", slug=slug, option_id=option.id))


@bp.route("/experiments/<slug>/market/export/<any(options, landscape):kind>.<any(csv, xlsx):fmt>")
def export(slug: str, kind: str, fmt: str):
    """A spreadsheet redacted for the person downloading it."""
    experiment = load_experiment(slug)
    redactor = page_redactor(experiment)
    filename = exports.export_filename(kind, experiment, redactor, fmt)
    if fmt == "csv":
        data: bytes = exports.export_csv(kind, experiment, redactor).encode("utf-8-sig")
        mimetype = "text/csv"
    else:
        data = exports.export_xlsx(kind, experiment, redactor)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return Response(
        data,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
