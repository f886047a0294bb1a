"""Form fields with GOV.UK widgets whose refusals are in plain words (dates, times, choices)."""

from __future__ import annotations

import re
from datetime import time

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Optional, ValidationError

from procure.forms import strip_filter

_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_time(value: str) -> time | None:
    """``9:30``, ``09.30`` or ``14:05`` → a time; anything else → None."""
    match = _TIME.match((value or "").strip())
    return time(int(match.group(1)), int(match.group(2))) if match else None


def time_field(label: str, required: bool, description: str = "For example 9:30 or 14:00"):
    def _valid_time(_form, field) -> None:
        if field.data and parse_time(field.data) is None:
            raise ValidationError(f"Enter {label.lower()} as hours and minutes, like 14:00")

    presence = DataRequired(f"Enter {label.lower()}") if required else Optional()
    return StringField(
        label,
        widget=GovTextInput(),
        filters=[strip_filter],
        description=description,
        validators=[presence, _valid_time],
    )


class _PlainChoice:
    """Select and radio fields whose refusal of an unknown value is in plain words."""

    def process_formdata(self, valuelist: list[str]) -> None:
        if not valuelist:
            return
        try:
            self.data = self.coerce(valuelist[0])
        except (ValueError, TypeError):
            self.data = None
            raise ValueError(self.choose_message) from None

    def pre_validate(self, form) -> None:
        if self.data is None and not self.flags.required:
            return
        if self.data not in {value for value, *_ in self.choices or []}:
            raise ValidationError(self.choose_message)

    @property
    def choose_message(self) -> str:
        return self.render_kw_message or f"Choose {self.label.text.lower()} from the list"

    render_kw_message = ""


class ChoiceField(_PlainChoice, SelectField):
    widget = GovSelect()


class ChoiceRadios(_PlainChoice, RadioField):
    widget = GovRadioInput()

    def __init__(self, *args, message: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.render_kw_message = message


class CheckboxesField(SelectMultipleField):
    """Checkboxes of ids; choices come from the experiment (set by the view)."""

    widget = GovCheckboxesInput()

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = [int(v) for v in valuelist]
        except ValueError:
            self.data = []
            raise ValueError(f"Choose {self.label.text.lower()} from the list") from None

    def pre_validate(self, form) -> None:
        known = {value for value, _label in self.choices or []}
        if any(v not in known for v in self.data or []):
            raise ValidationError(f"Choose {self.label.text.lower()} from the list")
