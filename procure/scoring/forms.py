"""Forms of the scoring feature: criteria, declarations, scorecards, reopening, moderation."""

from __future__ import annotations

from collections.abc import Sequence

from govuk_frontend_wtf.wtforms_widgets import (
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import RadioField, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from procure.forms import (
    MARKDOWN_HINT,
    SENSITIVITY_CHOICES,
    AcceptsSpans,
    ProcureForm,
    VersionField,
    WholeNumberField,
    no_control_characters,
    strip_filter,
)
from procure.scoring.models import DIMENSIONS, SCALE

DIMENSION_LABELS = {"feasibility": "Feasibility", "desirability": "Desirability"}
SCORE_CHOICES = [(str(value), f"{value} – {label}") for value, label in SCALE.items()]
REASON_MAX = 5000


def _descriptor_lines(value: str | None) -> str:
    """One descriptor per line, blank lines and surrounding spaces dropped."""
    return "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())


def six_descriptors(form, field) -> None:
    lines = field.data.splitlines() if field.data else []
    if lines and len(lines) != len(SCALE):
        raise ValidationError(
            f"Enter six lines, one for each score from 0 to 5 (you entered {len(lines)}), "
            "or leave this empty"
        )
    if any(len(line) > 200 for line in lines):
        raise ValidationError("Each line must be 200 characters or fewer")


class CriterionForm(ProcureForm):
    version = VersionField()
    dimension = RadioField(
        "Dimension",
        widget=GovRadioInput(),
        choices=[(d, DIMENSION_LABELS[d]) for d in DIMENSIONS],
        validators=[InputRequired("Choose feasibility or desirability")],
    )
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            InputRequired("Enter a name for the criterion"),
            Length(max=200, message="Name must be 200 characters or fewer"),
            no_control_characters,
        ],
    )
    weight = WholeNumberField(
        "Weight",
        widget=GovTextInput(),
        default=1,
        description="A whole number from 1 to 100; a criterion weighted 2 counts twice as much as one weighted 1",
        validators=[
            InputRequired("Enter a weight from 1 to 100"),
            NumberRange(1, 100, "Weight must be a whole number from 1 to 100"),
        ],
    )
    guidance = TextAreaField(
        "Guidance for scorers",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("criteria.guidance"),
            Optional(),
            Length(max=5000, message="Guidance must be 5,000 characters or fewer"),
            no_control_characters,
        ],
    )
    descriptors = TextAreaField(
        "What each score means for this criterion",
        widget=GovTextArea(),
        description=(
            "Six lines, one for each score from 0 to 5, lowest first. Leave empty to use the "
            "general scale (0 no evidence, 1 very poor … 5 excellent)."
        ),
        filters=[_descriptor_lines],
        validators=[six_descriptors, no_control_characters],
    )
    change_reason = TextAreaField(
        "Reason for the change",
        widget=GovTextArea(),
        description="Scoring has started, so every change to the criteria is recorded with its reason",
        validators=[
            Optional(),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
            no_control_characters,
        ],
    )
    submit = SubmitField("Save criterion", widget=GovSubmitInput())


class ChangeReasonForm(ProcureForm):
    """Deleting a criterion or adding the starter set: a reason only once scoring has started."""

    change_reason = TextAreaField(
        "Reason for the change",
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
            no_control_characters,
        ],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class DeclarationForm(ProcureForm):
    version = VersionField()
    has_interest = RadioField(
        "Do you have an interest to declare in any option or supplier?",
        widget=GovRadioInput(),
        choices=[("no", "No, I have no interest to declare"), ("yes", "Yes, I have an interest")],
        validators=[InputRequired("Choose whether you have an interest to declare")],
    )
    interest = TextAreaField(
        "Describe the interest",
        widget=GovTextArea(),
        description="For example a past role with a supplier, shares, or a close relative employed by one. Only participants see this.",
        validators=[
            AcceptsSpans("declarations.interest"),
            Optional(),
            Length(max=5000, message="The interest must be 5,000 characters or fewer"),
            no_control_characters,
        ],
    )
    submit = SubmitField("Save declaration", widget=GovSubmitInput())

    def validate_interest(self, field) -> None:
        if self.has_interest.data == "yes" and not (field.data or "").strip():
            raise ValidationError("Describe the interest you are declaring")


class ScoreField(RadioField):
    """A 0–5 score as radios; a missing score is allowed (drafts), a wrong one is not."""

    def pre_validate(self, form) -> None:
        if not self.raw_data or self.raw_data[0] == "":
            return
        if self.data not in {value for value, _ in SCORE_CHOICES}:
            raise ValidationError("Enter a score from 0 to 5")


class ScorecardFormBase(ProcureForm):
    version = VersionField()
    # "Continue" saves the draft and leads to the check-your-answers page, which submits.
    submit = SubmitField("Continue", widget=GovSubmitInput())
    save = SubmitField("Save draft", widget=GovSubmitInput())


class CheckAnswersForm(ProcureForm):
    version = VersionField()
    submit = SubmitField("Submit scorecard", widget=GovSubmitInput())


def scorecard_form_class(criteria: Sequence) -> type[ScorecardFormBase]:
    """A form with a score, a reason and the reason's sensitivity for each criterion; each
    score's label says what it means for that criterion."""
    attrs: dict[str, object] = {}
    for criterion in criteria:
        attrs[f"score_{criterion.id}"] = ScoreField(
            f"Score for {criterion.name}",
            widget=GovRadioInput(),
            choices=[
                (str(value), f"{value} – {label}")
                for value, label in criterion.descriptor_labels.items()
            ],
            validators=[Optional()],
        )
        attrs[f"reason_{criterion.id}"] = TextAreaField(
            f"Reason for {criterion.name}",
            widget=GovTextArea(),
            validators=[
                AcceptsSpans("scores.reason"),
                Optional(),
                Length(max=REASON_MAX, message="Reason must be 5,000 characters or fewer"),
                no_control_characters,
            ],
        )
        attrs[f"sensitivity_{criterion.id}"] = SelectField(
            "Who may read this reason",
            widget=GovSelect(),
            choices=SENSITIVITY_CHOICES,
            default="members",
        )
    return type("ScorecardForm", (ScorecardFormBase,), attrs)


class ReopenForm(ProcureForm):
    version = VersionField()
    reason = TextAreaField(
        "Why is this scorecard being reopened?",
        widget=GovTextArea(),
        validators=[
            AcceptsSpans("scorecards.reopened_reason"),
            InputRequired("Enter why the scorecard is being reopened"),
            Length(max=2000, message="Reason must be 2,000 characters or fewer"),
            no_control_characters,
        ],
    )
    submit = SubmitField("Reopen scorecard", widget=GovSubmitInput())


class ModerationForm(ProcureForm):
    version = VersionField()
    score = ScoreField(
        "Consensus score",
        widget=GovRadioInput(),
        choices=SCORE_CHOICES,
        validators=[InputRequired("Enter a score from 0 to 5")],
    )
    rationale = TextAreaField(
        "Rationale",
        widget=GovTextArea(),
        description=MARKDOWN_HINT,
        validators=[
            AcceptsSpans("moderated_scores.rationale"),
            InputRequired("Enter the rationale the workshop agreed"),
            Length(max=5000, message="Rationale must be 5,000 characters or fewer"),
            no_control_characters,
        ],
    )
    rationale_sensitivity = SelectField(
        "Who may read the rationale",
        widget=GovSelect(),
        choices=SENSITIVITY_CHOICES,
        default="members",
    )
    submit = SubmitField("Record consensus score", widget=GovSubmitInput())


class BoroughWeightsFormBase(ProcureForm):
    submit = SubmitField("Save our weights", widget=GovSubmitInput())


def borough_weights_form_class(criteria: Sequence) -> type[BoroughWeightsFormBase]:
    """One optional whole-number weight per criterion; blank keeps the shared weight."""
    attrs: dict[str, object] = {}
    for criterion in criteria:
        attrs[f"weight_{criterion.id}"] = WholeNumberField(
            f"{criterion.name} ({DIMENSION_LABELS[criterion.dimension].lower()})",
            widget=GovTextInput(),
            description=f"Shared weight {criterion.weight}. Leave blank to keep it.",
            validators=[
                Optional(),
                NumberRange(1, 100, "Weight must be a whole number from 1 to 100"),
            ],
        )
    return type("BoroughWeightsForm", (BoroughWeightsFormBase,), attrs)
