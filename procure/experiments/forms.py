from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, Regexp

from procure.experiments.models import PARTICIPANT_ROLES
from procure.forms import (
    MARKDOWN_HINT,
    AcceptsSpans,
    ProcureForm,
    VersionField,
    WholeNumberField,
    no_control_characters,
    strip_filter,
)


class ExperimentForm(ProcureForm):
    version = VersionField()
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            AcceptsSpans("experiments.title"),
            InputRequired("Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    slug = StringField(
        "Short name for addresses",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="Lower-case letters, numbers and hyphens, for example housing-systems",
        validators=[
            InputRequired("Enter a short name"),
            Length(max=80, message="Short name must be 80 characters or fewer"),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message="Use only lower-case letters, numbers and hyphens",
            ),
        ],
    )
    domain = StringField(
        "Domain",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="What is being bought, for example housing management systems",
        validators=[
            Optional(),
            Length(max=200, message="Domain must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    summary = TextAreaField(
        "Summary",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("experiments.summary"),
            InputRequired("Enter a summary"),
            Length(max=5000, message="Summary must be 5,000 characters or fewer"),
            no_control_characters,
        ],
    )
    problem_statement = TextAreaField(
        "Problem statement",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("experiments.problem_statement"),
            Optional(),
            Length(max=20000, message="Problem statement must be 20,000 characters or fewer"),
            no_control_characters,
        ],
    )
    outcomes = TextAreaField(
        "Outcomes sought",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("experiments.outcomes"),
            Optional(),
            Length(max=20000, message="Outcomes must be 20,000 characters or fewer"),
            no_control_characters,
        ],
    )
    public_scores = RadioField(
        "How the public sees borough scores",
        widget=GovRadioInput(),
        choices=[
            ("anonymised", "Anonymised (Borough A, Borough B …)"),
            ("aggregate", "Only in aggregate (means and ranges)"),
        ],
        default="anonymised",
        validators=[InputRequired("Choose how the public sees borough scores")],
    )
    quadrant_threshold = WholeNumberField(
        "Quadrant threshold",
        widget=GovTextInput(),
        default=50,
        description="Options scoring at or above this (0 to 100) count as feasible or desirable",
        validators=[
            InputRequired("Enter a threshold from 0 to 100"),
            NumberRange(0, 100, "Threshold must be between 0 and 100"),
        ],
    )
    submit = SubmitField("Save experiment", widget=GovSubmitInput())


ROLE_LABELS = {"lead": "Lead organisation", "participant": "Participant", "observer": "Observer"}


class ParticipantForm(ProcureForm):
    organisation_id = SelectField(
        "Organisation",
        widget=GovSelect(),
        coerce=int,
        validators=[InputRequired("Choose an organisation")],
    )
    role = SelectField(
        "Role", widget=GovSelect(), choices=[(r, ROLE_LABELS[r]) for r in PARTICIPANT_ROLES]
    )
    procurement_lead_id = SelectField(
        "Procurement lead",
        widget=GovSelect(),
        coerce=int,
        description="The person who scores and endorses for this organisation",
    )
    submit = SubmitField("Add organisation", widget=GovSubmitInput())


class PublishForm(ProcureForm):
    version = VersionField()
    publish = BooleanField(
        "Published: visitors who are not signed in can read the public content",
        widget=GovCheckboxInput(),
    )
    submit = SubmitField("Save", widget=GovSubmitInput())


class StageForm(ProcureForm):
    to_stage = SelectField("Move to", widget=GovSelect())
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        description="Needed when moving back a stage or overriding a gate. It is kept in the audit trail.",
        validators=[
            AcceptsSpans("stage_transitions.reason"),
            Optional(),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
            no_control_characters,
        ],
    )
    override = BooleanField(
        "Override the gate: move on although something is missing", widget=GovCheckboxInput()
    )
    submit = SubmitField("Move stage", widget=GovSubmitInput())
