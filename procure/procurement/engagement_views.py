"""The engagement record page and the form that adds an activity."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import login_required
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from procure.experiments.services import experiment_header, load_experiment
from procure.forms import (
    MARKDOWN_HINT,
    SENSITIVITY_CHOICES,
    AcceptsSpans,
    GovDateField,
    ProcureForm,
    no_control_characters,
    strip_filter,
)
from procure.market.views import page_redactor
from procure.procurement import bp
from procure.procurement.engagement import (
    EngagementError,
    add_activity,
    build_engagement_view,
    parse_documents,
    supplier_choices,
)
from procure.procurement.models import (
    ENGAGEMENT_FORMAT_LABELS,
    ENGAGEMENT_FORMATS,
    ENGAGEMENT_KIND_LABELS,
    ENGAGEMENT_KINDS,
)
from procure.sensitivity import Sensitivity


class ActivityForm(ProcureForm):
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            AcceptsSpans("engagement_activities.title"),
            InputRequired("Enter the activity’s title"),
            Length(max=200),
            no_control_characters,
        ],
    )
    kind = RadioField(
        "Kind of activity",
        widget=GovRadioInput(),
        choices=[(k, ENGAGEMENT_KIND_LABELS[k]) for k in ENGAGEMENT_KINDS],
        validators=[InputRequired("Choose the kind of activity")],
    )
    format = RadioField(
        "How it was held",
        widget=GovRadioInput(),
        choices=[(k, ENGAGEMENT_FORMAT_LABELS[k]) for k in ENGAGEMENT_FORMATS],
        validators=[InputRequired("Choose how the activity was held")],
    )
    held_on = GovDateField("Date", required=True)
    supplier_ids = SelectMultipleField(
        "Suppliers who took part", widget=GovCheckboxesInput(), coerce=int
    )
    documents = TextAreaField(
        "What was shared with them",
        widget=GovTextArea(),
        description="One document a line, with its version after a bar: Specification | 1.0",
        filters=[strip_filter],
        validators=[Optional(), Length(max=5000), no_control_characters],
    )
    summary = TextAreaField(
        "Summary",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        filters=[strip_filter],
        validators=[
            AcceptsSpans("engagement_activities.summary"),
            Optional(),
            Length(max=20000),
            no_control_characters,
        ],
    )
    sensitivity = RadioField(
        "Who may see this activity",
        widget=GovRadioInput(),
        choices=SENSITIVITY_CHOICES,
        default="public",
        validators=[InputRequired("Choose who may see this activity")],
    )
    submit = SubmitField("Record the activity", widget=GovSubmitInput())


@bp.route("/experiments/<slug>/engagement")
def engagement(slug: str):
    experiment = load_experiment(slug)
    view = build_engagement_view(experiment, page_redactor(experiment))
    return render_template(
        "procurement/engagement.html", experiment=experiment_header(experiment), record=view
    )


@bp.route("/experiments/<slug>/engagement/new", methods=["GET", "POST"])
@login_required
def add_engagement(slug: str):
    experiment = load_experiment(slug, "experiment.edit")
    form = ActivityForm()
    form.supplier_ids.choices = [(o.id, o.name) for o in supplier_choices()]
    if form.validate_on_submit():
        try:
            add_activity(
                experiment,
                kind=form.kind.data,
                format=form.format.data,
                held_on=form.held_on.data,
                title=form.title.data,
                summary=form.summary.data or "",
                sensitivity=Sensitivity.parse(form.sensitivity.data),
                supplier_ids=list(form.supplier_ids.data or []),
                documents=parse_documents(form.documents.data or ""),
            )
        except EngagementError as exc:
            getattr(form, exc.field or "title").errors.append(str(exc))
        else:
            flash("Recorded the engagement activity", "success")
            return redirect(url_for("procurement.engagement", slug=slug))
    return render_template(
        "procurement/engagement_form.html", experiment=experiment_header(experiment), form=form
    )
