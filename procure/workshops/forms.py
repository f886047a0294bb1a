"""Forms for a workshop and each of its parts. Every message says what to do, in plain words."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from procure.experiments.models import STAGE_LABELS, STAGES
from procure.forms import (
    MARKDOWN_HINT,
    SENSITIVITY_CHOICES,
    AcceptsSpans,
    GovDateField,
    ProcureForm,
    VersionField,
    no_control_characters,
    strip_filter,
)
from procure.sensitivity import Sensitivity
from procure.workshops.fields import (
    CheckboxesField,
    ChoiceField,
    ChoiceRadios,
    parse_time,
    time_field,
)
from procure.workshops.models import ACTION_STATUSES

ACTION_STATUS_LABELS = {"open": "Open", "done": "Done", "dropped": "Dropped"}


def _length(label: str, limit: int):
    return Length(max=limit, message=f"{label} must be {limit:,} characters or fewer")


def sensitivity_field(default: str, label: str = "Who can read this"):
    return ChoiceRadios(
        label,
        message="Choose who can read this",
        choices=SENSITIVITY_CHOICES,
        default=default,
        validators=[InputRequired("Choose who can read this")],
    )


class WorkshopForm(ProcureForm):
    version = VersionField()
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            AcceptsSpans("workshops.title"),
            DataRequired("Enter a title"),
            _length("Title", 200),
            no_control_characters,
        ],
    )
    day = GovDateField("Date", required=True, description="For example 27 3 2026")
    start_time = time_field("Start time", required=True)
    end_time = time_field("End time", required=False)
    location = StringField(
        "Place",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="For example a room and building. Leave empty if the workshop is online only.",
        validators=[Optional(), _length("Place", 200), no_control_characters],
    )
    online = BooleanField("Online (a video call)", widget=GovCheckboxInput())
    stage = ChoiceField(
        "Stage of the experiment",
        choices=[(s, STAGE_LABELS[s]) for s in STAGES],
        validators=[InputRequired("Choose a stage")],
    )
    purpose = TextAreaField(
        "Purpose",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("workshops.purpose"),
            Optional(),
            _length("Purpose", 20000),
            no_control_characters,
        ],
    )
    facilitator = StringField(
        "Facilitator",
        widget=GovTextInput(),
        filters=[strip_filter],
        description=(
            "A person's name is shown to members only; the public sees their organisation "
            "from the attendee list."
        ),
        validators=[Optional(), _length("Facilitator", 200), no_control_characters],
    )
    sensitivity = sensitivity_field("public", "Who can see this workshop")
    submit = SubmitField("Save workshop", widget=GovSubmitInput())

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        start, end = parse_time(self.start_time.data or ""), parse_time(self.end_time.data or "")
        if start and end and end <= start:
            self.end_time.errors.append("End time must be after the start time")
            ok = False
        if not self.location.errors and not self.location.data and not self.online.data:
            self.location.errors.append("Enter a place, or tick Online")
            ok = False
        return ok

    def values(self) -> dict[str, Any]:
        start = parse_time(self.start_time.data)
        end = parse_time(self.end_time.data or "")
        return {
            "title": self.title.data,
            "starts_at": datetime.combine(self.day.data, start),
            "ends_at": datetime.combine(self.day.data, end) if end else None,
            "location": self.location.data or "",
            "online": bool(self.online.data),
            "stage": self.stage.data,
            "purpose": self.purpose.data or "",
            "facilitator": self.facilitator.data or "",
            "sensitivity": Sensitivity.parse(self.sensitivity.data),
        }

    def fill(self, workshop) -> None:
        """Set the fields from a saved workshop (on GET)."""
        self.version.data = workshop.version
        self.title.data = workshop.title
        self.day.data = workshop.starts_at.date()
        self.start_time.data = workshop.starts_at.strftime("%H:%M")
        self.end_time.data = workshop.ends_at.strftime("%H:%M") if workshop.ends_at else ""
        self.location.data = workshop.location
        self.online.data = workshop.online
        self.stage.data = workshop.stage
        self.purpose.data = workshop.purpose
        self.facilitator.data = workshop.facilitator
        self.sensitivity.data = workshop.sensitivity.slug


class AgendaItemForm(ProcureForm):
    starts = time_field("Time", required=False, description="When it starts, like 10:15")
    title = StringField(
        "Item",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            AcceptsSpans("agenda_items.title"),
            DataRequired("Enter what the agenda item is"),
            _length("Item", 300),
            no_control_characters,
        ],
    )
    presenter = StringField(
        "Presenter",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="A person's name is shown to members only.",
        validators=[Optional(), _length("Presenter", 200), no_control_characters],
    )
    sensitivity = sensitivity_field("public")
    submit = SubmitField("Save agenda item", widget=GovSubmitInput())

    def values(self) -> dict[str, Any]:
        start = parse_time(self.starts.data or "")
        return {
            "starts": start.strftime("%H:%M") if start else "",
            "title": self.title.data,
            "presenter": self.presenter.data or "",
            "sensitivity": Sensitivity.parse(self.sensitivity.data),
        }


class AttendeeForm(ProcureForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="Shown to members only; the public sees the organisation.",
        validators=[
            DataRequired("Enter the person's name"),
            _length("Name", 200),
            no_control_characters,
        ],
    )
    organisation_id = ChoiceField("Organisation", coerce=int)
    user_id = ChoiceField(
        "Their Procure account (optional)",
        coerce=int,
        description="Link the attendee to a person who signs in to Procure",
    )
    attended = ChoiceRadios(
        "Did they attend?",
        message="Choose whether they attended",
        choices=[("yes", "Yes"), ("no", "No, sent apologies")],
        default="yes",
        validators=[InputRequired("Choose whether they attended")],
    )
    submit = SubmitField("Save attendee", widget=GovSubmitInput())

    def values(self) -> dict[str, Any]:
        return {
            "name": self.name.data,
            "organisation_id": self.organisation_id.data or None,
            "user_id": self.user_id.data or None,
            "attended": self.attended.data == "yes",
        }


class AttendeesForm(ProcureForm):
    """Several people with Procure accounts added as attendees at once."""

    user_ids = CheckboxesField(
        "People who attended",
        coerce=int,
        description="Each is added with their organisation, as attending. People already "
        "on the list are not offered again.",
        validators=[InputRequired("Choose at least one person")],
    )
    submit = SubmitField("Add attendees", widget=GovSubmitInput())


class NoteSectionForm(ProcureForm):
    version = VersionField()
    heading = StringField(
        "Heading",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            AcceptsSpans("note_sections.heading"),
            DataRequired("Enter a heading"),
            _length("Heading", 200),
            no_control_characters,
        ],
    )
    body = TextAreaField(
        "Notes",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("note_sections.body"),
            DataRequired("Enter the notes"),
            _length("Notes", 50000),
            no_control_characters,
        ],
    )
    sensitivity = sensitivity_field("members")
    submit = SubmitField("Save notes", widget=GovSubmitInput())

    def values(self) -> dict[str, Any]:
        return {
            "heading": self.heading.data,
            "body": self.body.data,
            "sensitivity": Sensitivity.parse(self.sensitivity.data),
        }


class DecisionForm(ProcureForm):
    text = TextAreaField(
        "Decision",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("decisions.text"),
            DataRequired("Enter the decision"),
            _length("Decision", 5000),
            no_control_characters,
        ],
    )
    sensitivity = sensitivity_field("members")
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    def values(self) -> dict[str, Any]:
        return {"text": self.text.data, "sensitivity": Sensitivity.parse(self.sensitivity.data)}


class ActionForm(ProcureForm):
    text = TextAreaField(
        "Action",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("workshop_actions.text"),
            DataRequired("Enter the action"),
            _length("Action", 5000),
            no_control_characters,
        ],
    )
    owner_organisation_id = ChoiceField("Owner", coerce=int)
    due_on = GovDateField("Due date", description="For example 27 3 2026. Leave empty if none.")
    status = ChoiceRadios(
        "Status",
        message="Choose a status",
        choices=[(s, ACTION_STATUS_LABELS[s]) for s in ACTION_STATUSES],
        default="open",
        validators=[InputRequired("Choose a status")],
    )
    sensitivity = sensitivity_field("members")
    submit = SubmitField("Save action", widget=GovSubmitInput())

    def values(self) -> dict[str, Any]:
        return {
            "text": self.text.data,
            "owner_organisation_id": self.owner_organisation_id.data or None,
            "due_on": self.due_on.data,
            "status": self.status.data,
            "sensitivity": Sensitivity.parse(self.sensitivity.data),
        }


class DiscussedForm(ProcureForm):
    option_ids = CheckboxesField("Options discussed", coerce=int)
    requirement_ids = CheckboxesField("Requirements discussed", coerce=int)
    submit = SubmitField("Save what was discussed", widget=GovSubmitInput())


PART_FORMS = {
    "agenda": AgendaItemForm,
    "attendees": AttendeeForm,
    "notes": NoteSectionForm,
    "decisions": DecisionForm,
    "actions": ActionForm,
}
