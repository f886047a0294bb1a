"""Landscape pages: each organisation's current contract, and the alignment planner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.accounts.models import Organisation
from procure.concurrency import StaleEdit
from procure.experiments.models import Experiment
from procure.experiments.services import experiment_header
from procure.extensions import db
from procure.market import bp
from procure.market.forms import LandscapeForm
from procure.market.models import Option
from procure.market.read_models import build_landscape_view, parse_span
from procure.market.services import (
    LANDSCAPE_FIELDS,
    MarketError,
    entry_for,
    options_of,
    participating_organisations,
    save_landscape_entry,
)
from procure.market.views import load_experiment, page_redactor, saved_values
from procure.permissions import can
from procure.sensitivity import Sensitivity
from procure.templating import Ref

LANDSCAPE_LABELS = {
    "option_id": "Product in the market scan",
    "product_name": "Product",
    "supplier": "Supplier",
    "contract_start": "Contract start",
    "contract_end": "Contract end",
    "extension_months": "Extension months available",
    "annual_cost": "Annual cost",
    "cost_sensitivity": "Who may see the annual cost",
    "notes": "Notes",
    "sensitivity": "Who may see this contract row",
}


@dataclass(frozen=True)
class OrganisationRow:
    """A landscape row that may not exist yet, for the ``landscape.edit`` rule."""

    experiment: Experiment
    organisation_id: int


def editable_organisations(experiment: Experiment) -> set[int]:
    return {
        o.id
        for o in participating_organisations(experiment)
        if can(current_user, "landscape.edit", OrganisationRow(experiment, o.id))
    }


@bp.route("/experiments/<slug>/landscape")
def landscape(slug: str):
    experiment = load_experiment(slug)
    span_raw = request.args.get("span")
    span, span_error = parse_span(span_raw)
    view = build_landscape_view(experiment, page_redactor(experiment), span)
    return render_template(
        "market/landscape.html",
        landscape=view,
        experiment=experiment_header(experiment),
        span_raw=span_raw if span_raw is not None else str(span),
        span_error=span_error,
        editable=editable_organisations(experiment),
        may_import=bool(editable_organisations(experiment)),
    )


def _landscape_values(form: LandscapeForm) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in LANDSCAPE_FIELDS}
    values["option_id"] = values["option_id"] or None
    values["extension_months"] = values["extension_months"] or 0
    for name in ("product_name", "supplier", "notes"):
        values[name] = values[name] or ""
    for name in ("cost_sensitivity", "sensitivity"):
        values[name] = Sensitivity.parse(values[name])
    return values


@bp.route("/experiments/<slug>/landscape/<int:organisation_id>/edit", methods=["GET", "POST"])
@login_required
def edit_landscape(slug: str, organisation_id: int):
    experiment = load_experiment(slug)
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or organisation not in participating_organisations(experiment):
        abort(404)
    entry = entry_for(experiment, organisation.id)
    if not can(
        current_user, "landscape.edit", entry or OrganisationRow(experiment, organisation.id)
    ):
        abort(403)
    form = LandscapeForm(obj=entry)
    form.option_id.choices = [(0, "Not in the market scan")] + [
        (o.id, o.name) for o in options_of(experiment) if o.accepted
    ]
    if request.method == "GET" and entry is not None:
        form.version.data = entry.version
        form.option_id.data = entry.option_id or 0
        form.sensitivity.data = entry.sensitivity.slug
        form.cost_sensitivity.data = entry.cost_sensitivity.slug
    conflict = None
    if form.validate_on_submit():
        try:
            save_landscape_entry(
                experiment, organisation, _landscape_values(form), form.version.data
            )
        except StaleEdit as exc:
            current = dict(exc.current)
            option = db.session.get(Option, current["option_id"]) if current["option_id"] else None
            current["option_id"] = option.name if option else "Not in the market scan"
            conflict = saved_values(current)
            form.version.data = entry.version if entry else None
        except MarketError as exc:
            getattr(form, exc.field or "contract_end").errors.append(str(exc))
        else:
            flash(f"Saved the contract details of {organisation.name}", "success")
            return redirect(url_for("market.landscape", slug=slug))
    return (
        render_template(
            "market/landscape_form.html",
            form=form,
            experiment=experiment_header(experiment),
            organisation=Ref(organisation.id, organisation.name, organisation.slug),
            conflict=conflict,
            labels=LANDSCAPE_LABELS,
        ),
        409 if conflict else 200,
    )
