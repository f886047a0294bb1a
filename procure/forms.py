"""Form pieces shared by every feature: base form, stale-edit version field, validators."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovDateInput
from wtforms import DateField, HiddenField, IntegerField
from wtforms.validators import ValidationError

from procure.sensitivity import Sensitivity


class ProcureForm(FlaskForm):
    """Base for every form: CSRF on, and a helper the error summary uses."""

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


class GovDateField(DateField):
    """A date from three GOV.UK inputs sharing one name: day, month, year."""

    widget = DateInput()

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist or not any(v.strip() for v in valuelist):
            self.data = None
            return
        try:
            super().process_formdata([" ".join(v.strip() for v in valuelist)])
        except ValueError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date, like 27 3 2027") from None
