from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput, GovTextArea
from wtforms import SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from procure.forms import (
    AcceptsSpans,
    GovDateField,
    ProcureForm,
    VersionField,
    no_control_characters,
)


class DeadlinesForm(ProcureForm):
    version = VersionField()
    scoring_opens_on = GovDateField(
        "Scoring opens", description="For example 1 12 2026. Leave empty if not set."
    )
    scoring_closes_on = GovDateField(
        "Scoring closes",
        description="Scorecards can be submitted until the end of this day (London time).",
    )
    endorsements_due_on = GovDateField(
        "Endorsements due",
        description="Each organisation endorses the agreed requirements by the end of this day.",
    )
    submit = SubmitField("Save deadlines", widget=GovSubmitInput())

    def validate_scoring_closes_on(self, field) -> None:
        opens = self.scoring_opens_on.data
        if opens and field.data and field.data < opens:
            raise ValidationError("Scoring closes must be the same as or after scoring opens")


class ReopenScoringForm(ProcureForm):
    reason = TextAreaField(
        "Why is scoring being reopened for this organisation?",
        widget=GovTextArea(),
        validators=[
            AcceptsSpans("scoring_reopenings.reason"),
            InputRequired("Enter why scoring is being reopened for this organisation"),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
            no_control_characters,
        ],
    )
    submit = SubmitField("Reopen scoring", widget=GovSubmitInput())
