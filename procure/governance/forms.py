from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextInput
from wtforms import Form, SelectField, StringField, SubmitField
from wtforms.validators import InputRequired, Length, Optional

from procure.forms import (
    GovDateField,
    ProcureForm,
    WholeNumberField,
    no_control_characters,
    strip_filter,
)


class AuditFilterForm(Form):
    """Filters come in the query string: reading the trail changes nothing, so no CSRF token."""

    experiment_id = SelectField(
        "Experiment", widget=GovSelect(), coerce=int, validators=[Optional()]
    )
    person = StringField(
        "Person (name or email)",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[Optional(), Length(max=200)],
    )
    organisation_id = SelectField(
        "Organisation", widget=GovSelect(), coerce=int, validators=[Optional()]
    )
    object_type = SelectField("Kind of record", widget=GovSelect(), validators=[Optional()])
    object_id = WholeNumberField("Record number", widget=GovTextInput(), validators=[Optional()])
    date_from = GovDateField("From", validators=[Optional()])
    date_to = GovDateField("To", validators=[Optional()])
    submit = SubmitField("Filter", widget=GovSubmitInput())

    def error_list(self) -> list[dict[str, str]]:
        return [{"text": m, "href": f"#{f.id}"} for f in self for m in f.errors]


class ShareLinkForm(ProcureForm):
    target = SelectField(
        "What to share", widget=GovSelect(), validators=[InputRequired("Choose what to share")]
    )
    audience = SelectField(
        "Audience of the file", widget=GovSelect(), validators=[InputRequired("Choose an audience")]
    )
    label = StringField(
        "Who it is for",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="For your records, for example ‘Brent procurement team’",
        validators=[
            InputRequired("Say who the link is for"),
            Length(max=200, message="Keep it to 200 characters or fewer"),
            no_control_characters,
        ],
    )
    expires_on = GovDateField(
        "Expiry date",
        description="The link stops working at the end of this day. At most 90 days ahead.",
        validators=[InputRequired("Enter an expiry date, for example 31 12 2026")],
    )
    submit = SubmitField("Create link", widget=GovSubmitInput())
