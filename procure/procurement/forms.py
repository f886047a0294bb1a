"""The form of the UK2 notice draft."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import BooleanField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from procure.forms import (
    MARKDOWN_HINT,
    AcceptsSpans,
    GovDateField,
    ProcureForm,
    VersionField,
    WholeNumberField,
    no_control_characters,
    strip_filter,
)
from procure.identifiers import CPV_CODES, parse_cpv_codes
from procure.market.forms import MoneyField

MAX_TEXT = 20000


def _area(column: str, label: str, description: str = MARKDOWN_HINT) -> TextAreaField:
    return TextAreaField(
        label,
        widget=GovTextArea(),
        description=description,
        filters=[strip_filter],
        validators=[
            AcceptsSpans(column),
            Optional(),
            Length(max=MAX_TEXT, message=f"{label} must be {MAX_TEXT:,} characters or fewer"),
            no_control_characters,
        ],
    )


def _cpv_codes(_form, field) -> None:
    _codes, problems = parse_cpv_codes(field.data or "")
    if problems:
        raise ValidationError(problems[0])


CPV_HINT = "One per line: eight digits, a hyphen and the check digit. For example " + ", ".join(
    list(CPV_CODES)[:3]
)


class NoticeForm(ProcureForm):
    version = VersionField()
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            AcceptsSpans("procurement_notices.title"),
            InputRequired("Enter the notice’s title"),
            Length(max=300, message="Title must be 300 characters or fewer"),
            no_control_characters,
        ],
    )
    description = _area("procurement_notices.description", "Description")
    rationale = _area(
        "procurement_notices.rationale",
        "Why the boroughs are engaging the market",
        "What the experiment found and what the engagement is for. " + MARKDOWN_HINT,
    )
    participation = _area(
        "procurement_notices.participation",
        "How suppliers take part",
        "For example: a supplier day, a questionnaire, one-to-one meetings. " + MARKDOWN_HINT,
    )
    cpv_codes = TextAreaField(
        "CPV codes",
        widget=GovTextArea(),
        description=CPV_HINT,
        filters=[strip_filter],
        validators=[Optional(), Length(max=2000), no_control_characters, _cpv_codes],
    )
    value_low = MoneyField("Estimated value, lower end (£)", widget=GovTextInput())
    value_high = MoneyField("Estimated value, upper end (£)", widget=GovTextInput())
    contract_months = WholeNumberField("Contract length in months", widget=GovTextInput())
    engagement_start = GovDateField("Engagement start date")
    engagement_end = GovDateField("Engagement end date")
    authority_ids = SelectMultipleField(
        "Contracting authorities",
        widget=GovCheckboxesInput(),
        coerce=int,
        description="The boroughs that will procure, jointly or each alone",
        validators=[InputRequired("Choose at least one contracting authority")],
    )
    convenor_procures = BooleanField(
        "The convenor runs the procurement for these boroughs", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save the notice draft", widget=GovSubmitInput())

    def validate_value_high(self, field) -> None:
        low, high = self.value_low.data, field.data
        if low is not None and high is not None and high < low:
            raise ValidationError("The upper end must be the same as or more than the lower end")

    def validate_contract_months(self, field) -> None:
        if field.data is not None and field.data <= 0:
            raise ValidationError("Contract length must be at least one month")

    def validate_engagement_end(self, field) -> None:
        start = self.engagement_start.data
        if start and field.data and field.data < start:
            raise ValidationError("Engagement end date must be on or after the start date")
