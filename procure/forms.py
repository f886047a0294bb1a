"""Form pieces shared by every feature: base form, stale-edit version field, validators."""

from __future__ import annotations

import re
from datetime import date

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import Field, HiddenField, IntegerField, PasswordField, StringField
from wtforms.validators import ValidationError

from procure.sensitivity import Sensitivity
from procure.text_policy import policy, span_problem


class AcceptsSpans:
    """Marks a text field whose column accepts ``[[members: …]]`` spans (``table.column``).

    Every other text field of a :class:`ProcureForm` refuses ``[[``: the policy of each
    column lives in :mod:`procure.text_policy`, and naming a column whose policy is
    plain is an error when the form class is defined.
    """

    field_flags = {"accepts_spans": True}

    def __init__(self, column: str) -> None:
        if not policy(column).accepts_spans:
            raise ValueError(f"{column} is plain text in procure.text_policy: it refuses spans")
        self.column = column

    def __call__(self, form, field) -> None:
        return None  # ProcureForm.validate checks every text field, with or without this


def _refusal(field) -> str | None:
    """The span problem of a text field's input, by its policy (plain unless marked)."""
    if not isinstance(field, StringField) or isinstance(field, (PasswordField, HiddenField)):
        return None
    accepts = bool(getattr(field.flags, "accepts_spans", False))
    return span_problem(field.data, accepts, field.label.text)


class ProcureForm(FlaskForm):
    """Base for every form: CSRF on, the span policy on every text field, and a helper
    the error summary uses."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            message = _refusal(field)
            if message and message not in field.errors:
                field.errors = [*field.errors, message]
                valid = False
        return valid

    def error_list(self) -> list[dict[str, str]]:
        """Errors in page order, shaped for the GOV.UK error summary macro."""
        items = []
        for field in self:
            for message in field.errors if isinstance(field.errors, list) else []:
                target = field.id
                # Radios and checkboxes are linked to their first input.
                if field.type in {"RadioField", "SelectMultipleField"} and getattr(
                    field, "choices", None
                ):
                    target = f"{field.id}-0" if field.type != "RadioField" else field.id
                if isinstance(field, GovDateField):
                    target = f"{field.id}-day"  # GOV.UK links a date error to its first box
                items.append({"text": message, "href": f"#{target}"})
        return items


class VersionField(HiddenField):
    """The version of the record the form was built from; a stale one is refused."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = int(valuelist[0]) if valuelist and valuelist[0] else None
        except ValueError:
            self.data = None


SENSITIVITY_CHOICES = [(level.slug, level.label) for level in Sensitivity]

# Control characters other than tab/newline have no place in a form field.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def no_control_characters(_form, field) -> None:
    if isinstance(field.data, str) and _CONTROL.search(field.data):
        raise ValidationError(f"{field.label.text} contains characters that cannot be saved")


def strip_filter(value):
    return value.strip() if isinstance(value, str) else value


class WholeNumberField(IntegerField):
    """An integer field whose error says what a person typed wrong, in plain words."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            self.raw_data = valuelist
            raise ValueError(f"{self.label.text} must be a whole number, like 3") from None


class DateInput(GovDateInput):
    """GOV.UK day/month/year inputs that also render when the field was not submitted at all.

    govuk-frontend-wtf expects three raw values whenever ``raw_data`` is not None,
    but a GET form without the field gives an empty list.
    """

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:
            field.raw_data = None
        return super().map_gov_params(field, **kwargs)


class GovDateField(Field):
    """Day, month and year boxes (GOV.UK date input) with plain-words errors.

    ``required=True`` asks for the date with "Enter the …"; partial dates say which
    part is missing; impossible dates say "must be a real date".
    """

    widget = DateInput()  # renders even when a post left the date out

    def __init__(self, label=None, validators=None, required: bool = False, **kwargs) -> None:
        super().__init__(label, validators, **kwargs)
        self.required = required

    def _value(self) -> str:
        return self.data.strftime("%d %m %Y") if isinstance(self.data, date) else ""

    def process_formdata(self, valuelist: list[str]) -> None:
        parts = [v.strip() for v in valuelist][:3] if valuelist else []
        self.data = None
        if not parts or not any(parts):
            if self.required:
                raise ValueError(f"Enter the {self.label.text.lower()}")
            return
        while len(parts) < 3:
            parts.append("")
        missing = [name for name, v in zip(("day", "month", "year"), parts, strict=True) if not v]
        if missing:
            raise ValueError(f"{self.label.text} must include a {missing[0]}")
        try:
            day, month, year = (int(p) for p in parts)
            if not 1900 <= year <= 2200:
                raise ValueError
            self.data = date(year, month, day)
        except ValueError:
            raise ValueError(
                f"{self.label.text} must be a real date, for example 27 3 2026"
            ) from None

    def pre_validate(self, form) -> None:
        if self.required and self.data is None and not self.process_errors:
            raise ValidationError(f"Enter the {self.label.text.lower()}")


MARKDOWN_HINT = (
    "You can use Markdown. Wrap text in [[members: …]] or [[participants: …]] to keep it "
    "from wider audiences."
)
