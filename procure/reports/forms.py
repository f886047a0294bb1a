from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import RadioField, SelectField, SubmitField
from wtforms.validators import InputRequired

from procure.forms import ProcureForm
from procure.reports.kinds import KIND_LABELS, KINDS
from procure.sensitivity import Audience

AUDIENCE_HINTS = {
    Audience.PUBLIC: "Public: anyone may read it; members-only and commercial content is redacted",
    Audience.MEMBERS: "Members: the network's members; commercial content is redacted",
    Audience.PARTICIPANTS: "Participants: organisations taking part; nothing is redacted",
}


class ExportForm(ProcureForm):
    """Which report, for which audience. Workshop and version choices are filled by the
    view; the service checks them, so an unknown one gets an error listing what exists."""

    kind = RadioField(
        "Report",
        widget=GovRadioInput(),
        choices=[(kind, KIND_LABELS[kind]) for kind in KINDS],
        validate_choice=False,
        validators=[InputRequired("Choose a report")],
    )
    audience = RadioField(
        "Audience",
        widget=GovRadioInput(),
        validate_choice=False,
        validators=[InputRequired("Choose who the report is for")],
    )
    workshop_id = SelectField(
        "Workshop (for a workshop pack)",
        widget=GovSelect(),
        validate_choice=False,
        description="Packs of members-only workshops need a members or participants audience",
    )
    version = SelectField(
        "Specification version (for a requirements report)",
        widget=GovSelect(),
        validate_choice=False,
    )
    submit = SubmitField("Export PDF", widget=GovSubmitInput())

    def set_choices(self, audiences: list[Audience], workshops, versions) -> None:
        self.audience.choices = [(a.slug, AUDIENCE_HINTS[a]) for a in audiences]
        self.workshop_id.choices = [("", "Latest workshop")] + [
            (c.value, c.label) for c in workshops
        ]
        self.version.choices = [("", "Latest version")] + [(c.value, c.label) for c in versions]
