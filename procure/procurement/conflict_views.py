"""The conflicts assessment page, its review form and its CSV and XLSX downloads."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextArea
from wtforms import RadioField, SelectField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from procure.experiments.services import experiment_header, load_experiment
from procure.forms import (
    MARKDOWN_HINT,
    AcceptsSpans,
    ProcureForm,
    no_control_characters,
    strip_filter,
)
from procure.permissions import can
from procure.procurement import bp
from procure.procurement.conflicts import (
    ConflictError,
    PersonConflicts,
    add_assessment,
    build_conflicts_view,
    people_involved,
)
from procure.procurement.models import ASSESSMENT_OUTCOMES, OUTCOME_LABELS
from procure.sensitivity import Audience, Redactor
from procure.tabular import Sheet, write_csv, write_xlsx

COLUMNS = [
    "Person",
    "Organisation",
    "Scored",
    "Declared an interest",
    "Declaration",
    "Outcome",
    "Mitigation",
    "Reviewed by",
    "Reviewed at",
    "Current",
]


class AssessmentForm(ProcureForm):
    person_id = SelectField(
        "Person", widget=GovSelect(), coerce=int, validators=[InputRequired("Choose the person")]
    )
    outcome = RadioField(
        "Assessment",
        widget=GovRadioInput(),
        choices=[(o, OUTCOME_LABELS[o]) for o in ASSESSMENT_OUTCOMES],
        validators=[InputRequired("Choose the outcome of the assessment")],
    )
    mitigation = TextAreaField(
        "Mitigation, or why the person is excluded",
        widget=GovTextArea(),
        description="Needed unless there is no conflict. " + MARKDOWN_HINT,
        filters=[strip_filter],
        validators=[
            AcceptsSpans("conflict_assessments.mitigation"),
            Optional(),
            Length(max=20000),
            no_control_characters,
        ],
    )
    submit = SubmitField("Record the assessment", widget=GovSubmitInput())


def _load(slug: str):
    experiment = load_experiment(slug)
    if not can(current_user, "conflicts.assess", experiment):
        abort(403)
    return experiment


@bp.route("/experiments/<slug>/conflicts", methods=["GET", "POST"])
@login_required
def conflicts(slug: str):
    experiment = _load(slug)
    form = AssessmentForm()
    form.person_id.choices = [(0, "Choose a person")] + [
        (p.id, p.name) for p in people_involved(experiment)
    ]
    if form.validate_on_submit():
        try:
            add_assessment(
                experiment,
                form.person_id.data,
                form.outcome.data,
                form.mitigation.data or "",
                current_user._get_current_object(),
            )
        except ConflictError as exc:
            getattr(form, exc.field or "person_id").errors.append(str(exc))
        else:
            flash("Recorded the conflicts assessment", "success")
            return redirect(url_for("procurement.conflicts", slug=slug))
    people = build_conflicts_view(experiment, Redactor(Audience.PARTICIPANTS))
    return render_template(
        "procurement/conflicts.html",
        experiment=experiment_header(experiment),
        people=people,
        form=form,
    )


def _rows(people: list[PersonConflicts]) -> list[list[object]]:
    rows: list[list[object]] = []
    for person in people:
        reviews = person.history or [None]
        for number, review in enumerate(reviews):
            rows.append(
                [
                    person.name,
                    person.organisation,
                    "Yes" if person.scored else "No",
                    "Yes" if person.has_interest else ("No" if person.declared else "Not declared"),
                    person.interest_text.strip(),
                    review.outcome_label if review else "Not assessed",
                    review.mitigation_text.strip() if review else "",
                    review.reviewed_by if review else "",
                    review.reviewed_at.strftime("%Y-%m-%d %H:%M") if review else "",
                    "Yes" if number == 0 and person.is_current else "No",
                ]
            )
    return rows


@bp.route("/experiments/<slug>/conflicts.<any(csv, xlsx):fmt>")
@login_required
def conflicts_download(slug: str, fmt: str):
    experiment = _load(slug)
    rows = _rows(build_conflicts_view(experiment, Redactor(Audience.PARTICIPANTS)))
    name = f"{experiment.slug}-conflicts-assessment-participants.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if fmt == "csv":
        return Response(write_csv(COLUMNS, rows), mimetype="text/csv", headers=headers)
    data = write_xlsx([Sheet("Conflicts assessment", COLUMNS, rows)])
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers=headers,
    )
