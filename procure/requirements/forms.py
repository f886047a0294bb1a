from __future__ import annotations

from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovFileInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from procure.forms import (
    MARKDOWN_HINT,
    SENSITIVITY_CHOICES,
    AcceptsSpans,
    ProcureForm,
    VersionField,
    no_control_characters,
    strip_filter,
)
from procure.requirements.models import POSITION_LABELS, PRIORITY_LABELS


def _one_of(message: str):
    def check(_form, field) -> None:
        allowed = {str(value) for value, _label in field.choices or []}
        if str(field.data) not in allowed:
            raise ValidationError(message)

    return check


def _criteria_lines(_form, field) -> None:
    for number, line in enumerate((field.data or "").splitlines(), 1):
        if len(line) > 1000:
            raise ValidationError(
                f"Acceptance criterion on line {number} must be 1,000 characters or fewer"
            )


class RequirementForm(ProcureForm):
    version = VersionField()
    title = StringField(
        "Title",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            AcceptsSpans("requirements.title"),
            InputRequired("Enter a title"),
            Length(max=200, message="Title must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    statement = TextAreaField(
        "Statement",
        widget=GovTextArea(),
        filters=[strip_filter],
        description="What the system must do, for example “The system must let residents "
        "report a repair online at any time”. " + MARKDOWN_HINT,
        validators=[
            AcceptsSpans("requirements.statement"),
            InputRequired("Enter the requirement statement"),
            Length(max=5000, message="Statement must be 5,000 characters or fewer"),
            no_control_characters,
        ],
    )
    acceptance_criteria = TextAreaField(
        "Acceptance criteria",
        widget=GovTextArea(),
        description="One criterion per line: how a borough will know the requirement is met.",
        validators=[
            AcceptsSpans("requirements.acceptance_criteria"),
            Optional(),
            Length(max=10000, message="Acceptance criteria must be 10,000 characters or fewer"),
            no_control_characters,
            _criteria_lines,
        ],
    )
    category = SelectField(
        "Category",
        widget=GovSelect(),
        validate_choice=False,
        validators=[InputRequired("Choose a category"), _one_of("Choose a category from the list")],
    )
    priority = RadioField(
        "Priority (MoSCoW)",
        widget=GovRadioInput(),
        choices=list(PRIORITY_LABELS.items()),
        validate_choice=False,
        validators=[
            InputRequired("Choose a priority"),
            _one_of("Choose a priority: must, should, could or won't"),
        ],
    )
    source = SelectField(
        "Source",
        widget=GovSelect(),
        validate_choice=False,
        description="Where the requirement came from",
        validators=[_one_of("Choose a source from the list")],
    )
    sensitivity = SelectField(
        "Who may read it",
        widget=GovSelect(),
        choices=SENSITIVITY_CHOICES,
        default="public",
        validate_choice=False,
        validators=[_one_of("Choose who may read this requirement")],
    )
    submit = SubmitField("Save requirement", widget=GovSubmitInput())


class WithdrawForm(ProcureForm):
    version = VersionField()
    reason = TextAreaField(
        "Why is this requirement being withdrawn?",
        widget=GovTextArea(),
        filters=[strip_filter],
        description="Its reference will not be used again. " + MARKDOWN_HINT,
        validators=[
            AcceptsSpans("requirements.withdrawn_reason"),
            InputRequired("Enter the reason for withdrawing this requirement"),
            Length(max=5000, message="Reason must be 5,000 characters or fewer"),
            no_control_characters,
        ],
    )
    submit = SubmitField("Withdraw requirement", widget=GovSubmitInput())


class AgreeForm(ProcureForm):
    version = VersionField()
    submit = SubmitField("Mark as agreed", widget=GovSubmitInput())


class EndorsementForm(ProcureForm):
    version = VersionField()
    position = RadioField(
        "Your organisation’s position",
        widget=GovRadioInput(),
        choices=list(POSITION_LABELS.items()),
        validate_choice=False,
        validators=[
            InputRequired("Choose adopt, adopt with changes or not needed"),
            _one_of("Choose adopt, adopt with changes or not needed"),
        ],
    )
    comment = TextAreaField(
        "Comment",
        widget=GovTextArea(),
        filters=[strip_filter],
        description="Required for “adopt with changes” and “not needed”. " + MARKDOWN_HINT,
        validators=[
            AcceptsSpans("endorsements.comment"),
            Optional(),
            Length(max=5000, message="Comment must be 5,000 characters or fewer"),
            no_control_characters,
        ],
    )
    comment_sensitivity = SelectField(
        "Who may read the comment",
        widget=GovSelect(),
        choices=SENSITIVITY_CHOICES,
        default="members",
        validate_choice=False,
        validators=[_one_of("Choose who may read the comment")],
    )
    submit = SubmitField("Save endorsement", widget=GovSubmitInput())

    def validate_comment(self, field) -> None:
        if self.position.data == "adopt_with_changes" and not field.data:
            raise ValidationError("Explain the changes you need")
        if self.position.data == "not_needed" and not field.data:
            raise ValidationError("Explain why your organisation does not need this requirement")


class PublishVersionForm(ProcureForm):
    number = StringField(
        "Version number",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="Two whole numbers with a dot, like 0.1 or 1.0; higher than the last version",
        validators=[InputRequired("Enter a version number, like 1.0"), Length(max=20)],
    )
    release_notes = TextAreaField(
        "Release notes",
        widget=GovTextArea(),
        description="What this version is for and what changed. " + MARKDOWN_HINT,
        validators=[
            AcceptsSpans("specification_versions.release_notes"),
            Optional(),
            Length(max=10000, message="Release notes must be 10,000 characters or fewer"),
            no_control_characters,
        ],
    )
    submit = SubmitField("Publish version", widget=GovSubmitInput())


class CategoryForm(ProcureForm):
    name = StringField(
        "New category",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            InputRequired("Enter the name of the category"),
            Length(max=100, message="Category must be 100 characters or fewer"),
            no_control_characters,
        ],
    )
    submit = SubmitField("Add category", widget=GovSubmitInput())


class ImportForm(ProcureForm):
    file = FileField("CSV or XLSX file", widget=GovFileInput())
    submit = SubmitField("Check the file", widget=GovSubmitInput())
