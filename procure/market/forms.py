"""Forms of the market scan: options, landscape rows and spreadsheet imports."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from procure.forms import (
    MARKDOWN_HINT,
    SENSITIVITY_CHOICES,
    AcceptsSpans,
    GovDateField,
    ProcureForm,
    VersionField,
    WholeNumberField,
    no_control_characters,
    strip_filter,
)
from procure.market.models import HOSTING_MODELS, OPTION_KINDS, OPTION_STATUSES

KIND_LABELS = {"product": "Product", "approach": "Approach (procurement route)"}
STATUS_LABELS = {"longlist": "Longlist", "shortlist": "Shortlist", "excluded": "Excluded"}
HOSTING_LABELS = {
    "saas": "Software as a service",
    "hosted": "Hosted by the supplier",
    "on_premises": "On premises",
    "hybrid": "Hybrid",
    "not_applicable": "Not applicable",
}
MAX_TEXT = 20000


class MoneyField(StringField):
    """An amount in pounds: accepts “£120,000” or “120000.50”; plain-words errors."""

    def process_formdata(self, valuelist: list[str]) -> None:
        self.raw_text = valuelist[0] if valuelist else ""
        self.data = None
        text = self.raw_text.strip().replace(",", "").removeprefix("£").strip()
        if not text:
            return
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(
                f"{self.label.text} must be an amount in pounds, like 120000"
            ) from None
        if not value.is_finite():
            raise ValueError(f"{self.label.text} must be an amount in pounds, like 120000")
        if value < 0:
            raise ValueError(f"{self.label.text} cannot be negative")
        if value >= Decimal("1e12"):
            raise ValueError(f"{self.label.text} must be less than £1,000,000,000,000")
        self.data = value.quantize(Decimal("0.01"))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else f"{self.data:f}".removesuffix(".00")


def _text(label: str, *, required: bool = False, max_length: int = MAX_TEXT, extra=(), **kwargs):
    validators = [InputRequired(f"Enter {label.lower()}")] if required else [Optional()]
    validators += [
        Length(max=max_length, message=f"{label} must be {max_length:,} characters or fewer"),
        no_control_characters,
        *extra,
    ]
    return StringField(
        label, widget=GovTextInput(), filters=[strip_filter], validators=validators, **kwargs
    )


def _area(column: str, label: str, description: str = MARKDOWN_HINT):
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


_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def web_address(_form, field) -> None:
    if field.data and not _URL.match(field.data):
        raise ValidationError("Enter a web address starting with https:// or http://")


class OptionForm(ProcureForm):
    version = VersionField()
    kind = RadioField(
        "Kind of option",
        widget=GovRadioInput(),
        choices=[(k, KIND_LABELS[k]) for k in OPTION_KINDS],
        validators=[InputRequired("Choose whether this is a product or an approach")],
    )
    name = _text("Name", required=True, max_length=200)
    supplier = _text(
        "Supplier", max_length=200, description="For an approach, the framework or body"
    )
    summary = _area("options.summary", "Summary")
    description = _area("options.description", "Description")
    website = _text(
        "Website",
        max_length=500,
        extra=[web_address],
        description="For example https://example.com",
    )
    hosting_model = SelectField(
        "Hosting model",
        widget=GovSelect(),
        choices=[("", "Not known")] + [(h, HOSTING_LABELS[h]) for h in HOSTING_MODELS],
        validators=[Optional()],
    )
    standards = _area("options.standards", "Standards and integrations")
    evidence = _area("options.evidence", "Evidence and sources")
    used_by = SelectMultipleField(
        "Organisations that already use it", widget=GovCheckboxesInput(), coerce=int
    )
    timescale = _area(
        "options.timescale",
        "Typical timescale",
        "For an approach: how long the route usually takes",
    )
    constraints = _area(
        "options.constraints", "Constraints", "For an approach: what limits its use"
    )
    cost_low = MoneyField("Indicative cost, lower end (£)", widget=GovTextInput())
    cost_high = MoneyField("Indicative cost, upper end (£)", widget=GovTextInput())
    cost_basis = _text(
        "Basis of the cost", max_length=200, description="For example: a year, for 10,000 homes"
    )
    supplier_remarks = _area(
        "options.supplier_remarks",
        "Supplier remarks",
        "Commercial remarks, held at the level below",
    )
    commercial_sensitivity = SelectField(
        "Who may see the pricing and supplier remarks",
        widget=GovSelect(),
        choices=SENSITIVITY_CHOICES,
        default="participants",
    )
    sensitivity = SelectField(
        "Who may see this option at all",
        widget=GovSelect(),
        choices=SENSITIVITY_CHOICES,
        default="public",
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=[(s, STATUS_LABELS[s]) for s in OPTION_STATUSES],
        default="longlist",
        validators=[InputRequired("Choose a status")],
    )
    exclusion_reason = _area(
        "options.exclusion_reason",
        "Reason for excluding it",
        "Required when the option is excluded",
    )
    submit = SubmitField("Save option", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        # Not a validate_exclusion_reason method: Optional() would stop it on an empty field.
        valid = super().validate(extra_validators)
        if self.status.data == "excluded" and not (self.exclusion_reason.data or "").strip():
            self.exclusion_reason.errors = [
                *self.exclusion_reason.errors,
                "Enter the reason for excluding this option",
            ]
            valid = False
        return valid

    def validate_cost_high(self, field) -> None:
        low, high = self.cost_low.data, field.data
        if low is not None and high is not None and high < low:
            raise ValidationError("The upper end must be the same as or more than the lower end")


class AcceptForm(ProcureForm):
    version = VersionField()
    submit = SubmitField("Accept into the market scan", widget=GovSubmitInput())


class LandscapeForm(ProcureForm):
    version = VersionField()
    option_id = SelectField(
        "Product in the market scan", widget=GovSelect(), coerce=int, validate_choice=True
    )
    product_name = _text("Product", max_length=200, description="The system you run today")
    supplier = _text("Supplier", max_length=200)
    contract_start = GovDateField("Contract start", description="For example, 1 4 2020")
    contract_end = GovDateField("Contract end", required=True, description="For example, 31 3 2027")
    extension_months = WholeNumberField(
        "Extension months available",
        widget=GovTextInput(),
        default=0,
        validators=[
            Optional(),
            NumberRange(0, 240, "Extension months must be from 0 to 240"),
        ],
    )
    annual_cost = MoneyField("Annual cost (£)", widget=GovTextInput())
    cost_sensitivity = SelectField(
        "Who may see the annual cost",
        widget=GovSelect(),
        choices=SENSITIVITY_CHOICES,
        default="participants",
    )
    notes = _area("landscape_entries.notes", "Notes")
    sensitivity = SelectField(
        "Who may see this contract row",
        widget=GovSelect(),
        choices=SENSITIVITY_CHOICES,
        default="members",
    )
    submit = SubmitField("Save contract details", widget=GovSubmitInput())

    def validate_contract_end(self, field) -> None:
        start = self.contract_start.data
        if start and field.data and field.data < start:
            raise ValidationError("The contract end must be the same as or after its start")


class ImportForm(ProcureForm):
    upload = FileField(
        "Spreadsheet",
        widget=GovFileInput(),
        description="A .csv or .xlsx file with the column headings in the first row",
    )
    submit = SubmitField("Check the file", widget=GovSubmitInput())


class ConfirmImportForm(ProcureForm):
    token = HiddenField()
    submit = SubmitField("Import these rows", widget=GovSubmitInput())
