from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.concurrency import StaleEdit
from procure.experiments.models import Experiment
from procure.experiments.services import experiment_header, get_experiment_or_404
from procure.forms import ProcureForm
from procure.permissions import audience_for, can
from procure.sensitivity import Redactor, Sensitivity
from procure.workshops import bp
from procure.workshops.forms import PART_FORMS, AttendeesForm, DiscussedForm, WorkshopForm
from procure.workshops.read_models import WorkshopRef, build_workshop_list, build_workshop_view
from procure.workshops.services import (
    WorkshopError,
    add_attendees,
    create_workshop,
    delete_workshop,
    discussable,
    get_item_or_404,
    get_workshop_or_404,
    organisation_choices,
    part_or_404,
    people_choices,
    people_not_attending,
    remove_item,
    set_discussed,
    update_item,
    update_workshop,
)
from procure.workshops.services import add_item as add_part_item

WORKSHOP_LABELS = {
    "title": "Title",
    "starts_at": "Starts",
    "ends_at": "Ends",
    "location": "Place",
    "online": "Online",
    "stage": "Stage",
    "purpose": "Purpose",
    "facilitator": "Facilitator",
    "sensitivity": "Who can see this workshop",
}
NOTE_LABELS = {"heading": "Heading", "body": "Notes", "sensitivity": "Who can read this"}


def _readable(slug: str) -> Experiment:
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.view", experiment):
        abort(403 if current_user.is_authenticated else 404)
    return experiment


def _editable(slug: str) -> Experiment:
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "workshop.edit", experiment):
        abort(403)
    return experiment


def _shown(conflict: dict[str, Any] | None) -> dict[str, Any] | None:
    """Saved values in words for the conflict panel."""
    if not conflict:
        return conflict
    shown = {}
    for name, value in conflict.items():
        if isinstance(value, Sensitivity):
            value = value.label
        elif isinstance(value, bool):
            value = "Yes" if value else "No"
        elif hasattr(value, "strftime"):
            value = value.strftime("%-d %B %Y, %H:%M")
        shown[name] = value
    return shown


@bp.route("/experiments/<slug>/workshops")
def index(slug: str):
    experiment = _readable(slug)
    redactor = Redactor(audience_for(current_user, experiment))
    rows = build_workshop_list(experiment, redactor)
    return render_template(
        "workshops/index.html",
        experiment=experiment_header(experiment),
        rows=rows,
        audience=redactor.audience,
    )


@bp.route("/experiments/<slug>/workshops/<int:workshop_id>")
def show(slug: str, workshop_id: int):
    experiment = _readable(slug)
    workshop = get_workshop_or_404(experiment, workshop_id)
    editable = can(current_user, "workshop.edit", experiment)
    # Its authors see which parts of the text are members or participants only.
    redactor = Redactor(audience_for(current_user, experiment), mark_spans=editable)
    view = build_workshop_view(workshop, redactor)
    return render_template(
        "workshops/show.html",
        experiment=experiment_header(experiment),
        workshop=view,
        editable=editable,
        exportable=can(current_user, "experiment.export", experiment),
    )


@bp.route("/experiments/<slug>/workshops/new", methods=["GET", "POST"])
@login_required
def create(slug: str):
    experiment = _editable(slug)
    form = WorkshopForm()
    if request.method == "GET":
        form.stage.data = experiment.stage
    if form.validate_on_submit():
        workshop = create_workshop(experiment, form.values())
        flash("Added the workshop", "success")
        return redirect(url_for("workshops.show", slug=slug, workshop_id=workshop.id))
    return render_template(
        "workshops/form.html", experiment=experiment_header(experiment), form=form, workshop=None
    )


@bp.route("/experiments/<slug>/workshops/<int:workshop_id>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str, workshop_id: int):
    experiment = _editable(slug)
    workshop = get_workshop_or_404(experiment, workshop_id)
    form = WorkshopForm()
    if request.method == "GET":
        form.fill(workshop)
    conflict = None
    if form.validate_on_submit():
        try:
            update_workshop(workshop, form.values(), form.version.data)
        except StaleEdit as exc:
            conflict = _shown(exc.current)
        else:
            flash("Saved the workshop details", "success")
            return redirect(url_for("workshops.show", slug=slug, workshop_id=workshop.id))
    if conflict:
        # The person re-applies on top of the current version: the form now carries it.
        form.version.data = workshop.version
    return (
        render_template(
            "workshops/form.html",
            experiment=experiment_header(experiment),
            form=form,
            workshop=WorkshopRef(workshop.id, workshop.starts_at),
            conflict=conflict,
            labels=WORKSHOP_LABELS,
        ),
        409 if conflict else 200,
    )


@bp.route("/experiments/<slug>/workshops/<int:workshop_id>/delete", methods=["GET", "POST"])
@login_required
def delete(slug: str, workshop_id: int):
    experiment = _editable(slug)
    workshop = get_workshop_or_404(experiment, workshop_id)
    form = ProcureForm()
    if form.validate_on_submit():
        delete_workshop(workshop)
        flash("Removed the workshop", "success")
        return redirect(url_for("workshops.index", slug=slug))
    return render_template(
        "workshops/confirm_remove.html",
        experiment=experiment_header(experiment),
        workshop=WorkshopRef(workshop.id, workshop.starts_at),
        noun="workshop",
        thing=workshop.title,
        form=form,
        back=url_for("workshops.show", slug=slug, workshop_id=workshop.id),
    )


@bp.route("/experiments/<slug>/workshops/<int:workshop_id>/discussed", methods=["GET", "POST"])
@login_required
def discussed(slug: str, workshop_id: int):
    experiment = _editable(slug)
    workshop = get_workshop_or_404(experiment, workshop_id)
    options, requirements = discussable(experiment)
    form = DiscussedForm()
    form.option_ids.choices = [(o.id, o.name) for o in options]
    form.requirement_ids.choices = [(q.id, f"{q.reference} {q.title}") for q in requirements]
    if request.method == "GET":
        form.option_ids.data = [o.id for o in workshop.options]
        form.requirement_ids.data = [q.id for q in workshop.requirements]
    if form.validate_on_submit():
        try:
            set_discussed(workshop, form.option_ids.data or [], form.requirement_ids.data or [])
        except WorkshopError as exc:
            getattr(form, exc.field or "option_ids").errors.append(str(exc))
        else:
            flash("Saved what the workshop discussed", "success")
            return redirect(
                url_for("workshops.show", slug=slug, workshop_id=workshop.id, _anchor="discussed")
            )
    return render_template(
        "workshops/discussed.html",
        experiment=experiment_header(experiment),
        workshop=WorkshopRef(workshop.id, workshop.starts_at),
        form=form,
    )


def _part_form(part_key: str, experiment: Experiment):
    form = PART_FORMS[part_key]()
    if part_key == "attendees":
        form.organisation_id.choices = [(0, "Not recorded")] + [
            (o.id, o.name) for o in organisation_choices(experiment)
        ]
        form.user_id.choices = [(0, "No account"), *person_choices(people_choices())]
    if part_key == "actions":
        form.owner_organisation_id.choices = [(0, "No owner yet")] + [
            (o.id, o.name) for o in organisation_choices(experiment)
        ]
    return form


def person_choices(people) -> list[tuple[int, str]]:
    """(id, "Name (Organisation)") for each account; two accounts that would read the same
    are told apart by their email address, so nobody appears twice."""
    labels = [f"{u.name} ({u.organisation.name})" for u in people]
    twice = {label for label in labels if labels.count(label) > 1}
    return [
        (u.id, f"{label}, {u.email}" if label in twice else label)
        for u, label in zip(people, labels, strict=True)
    ]


@bp.route(
    "/experiments/<slug>/workshops/<int:workshop_id>/attendees/add-several",
    methods=["GET", "POST"],
)
@login_required
def add_attendees_view(slug: str, workshop_id: int):
    experiment = _editable(slug)
    workshop = get_workshop_or_404(experiment, workshop_id)
    form = AttendeesForm()
    form.user_ids.choices = person_choices(people_not_attending(workshop))
    if form.validate_on_submit():
        try:
            added = add_attendees(workshop, form.user_ids.data)
        except WorkshopError as exc:
            form.user_ids.errors.append(str(exc))
        else:
            flash(f"Added {len(added)} attendee{'s' if len(added) != 1 else ''}", "success")
            return redirect(
                url_for("workshops.show", slug=slug, workshop_id=workshop.id, _anchor="attendees")
            )
    return render_template(
        "workshops/attendees_form.html",
        experiment=experiment_header(experiment),
        workshop=WorkshopRef(workshop.id, workshop.starts_at),
        form=form,
    )


def _fill(form, part_key: str, item) -> None:
    """Set a part form from a saved item (on GET)."""
    for name in form.data:
        if name in {"csrf_token", "submit"} or not hasattr(item, name):
            continue
        value = getattr(item, name)
        if isinstance(value, Sensitivity):
            value = value.slug
        elif name == "attended":
            value = "yes" if value else "no"
        elif name.endswith("_id"):
            value = value or 0
        getattr(form, name).data = value


@bp.route("/experiments/<slug>/workshops/<int:workshop_id>/<part_key>/new", methods=["GET", "POST"])
@login_required
def add_item(slug: str, workshop_id: int, part_key: str):
    part = part_or_404(part_key)
    experiment = _editable(slug)
    workshop = get_workshop_or_404(experiment, workshop_id)
    form = _part_form(part.key, experiment)
    if form.validate_on_submit():
        try:
            add_part_item(workshop, part, form.values())
        except WorkshopError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            flash(f"Added the {part.noun}", "success")
            return redirect(
                url_for("workshops.show", slug=slug, workshop_id=workshop.id, _anchor=part.key)
            )
    return render_template(
        "workshops/item_form.html",
        experiment=experiment_header(experiment),
        workshop=WorkshopRef(workshop.id, workshop.starts_at),
        part=part,
        form=form,
        heading=f"Add {'an' if part.noun[0] in 'aeiou' else 'a'} {part.noun}",
    )


@bp.route(
    "/experiments/<slug>/workshops/<int:workshop_id>/<part_key>/<int:item_id>/edit",
    methods=["GET", "POST"],
)
@login_required
def edit_item(slug: str, workshop_id: int, part_key: str, item_id: int):
    part = part_or_404(part_key)
    experiment = _editable(slug)
    workshop = get_workshop_or_404(experiment, workshop_id)
    item = get_item_or_404(workshop, part, item_id)
    form = _part_form(part.key, experiment)
    if request.method == "GET":
        _fill(form, part.key, item)
    conflict = None
    if form.validate_on_submit():
        version = form.version.data if part.versioned else None
        try:
            update_item(workshop, part, item, form.values(), version)
        except StaleEdit as exc:
            conflict = _shown(exc.current)
        except WorkshopError as exc:
            getattr(form, exc.field).errors.append(str(exc))
        else:
            flash(f"Saved the {part.noun}", "success")
            return redirect(
                url_for("workshops.show", slug=slug, workshop_id=workshop.id, _anchor=part.key)
            )
    if conflict:
        form.version.data = item.version
    return (
        render_template(
            "workshops/item_form.html",
            experiment=experiment_header(experiment),
            workshop=WorkshopRef(workshop.id, workshop.starts_at),
            part=part,
            form=form,
            heading=f"Change the {part.noun}",
            conflict=conflict,
            labels=NOTE_LABELS,
        ),
        409 if conflict else 200,
    )


@bp.route(
    "/experiments/<slug>/workshops/<int:workshop_id>/<part_key>/<int:item_id>/remove",
    methods=["GET", "POST"],
)
@login_required
def remove(slug: str, workshop_id: int, part_key: str, item_id: int):
    part = part_or_404(part_key)
    experiment = _editable(slug)
    workshop = get_workshop_or_404(experiment, workshop_id)
    item = get_item_or_404(workshop, part, item_id)
    form = ProcureForm()
    if form.validate_on_submit():
        remove_item(workshop, part, item)
        flash(f"Removed the {part.noun}", "success")
        return redirect(
            url_for("workshops.show", slug=slug, workshop_id=workshop.id, _anchor=part.key)
        )
    thing = (
        getattr(item, "title", None)
        or getattr(item, "heading", None)
        or getattr(item, "name", None)
        or getattr(item, "text", "")
    )
    return render_template(
        "workshops/confirm_remove.html",
        experiment=experiment_header(experiment),
        workshop=WorkshopRef(workshop.id, workshop.starts_at),
        noun=part.noun,
        thing=thing,
        form=form,
        back=url_for("workshops.show", slug=slug, workshop_id=workshop.id, _anchor=part.key),
    )
