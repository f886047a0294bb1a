from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextInput,
)
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length, Regexp, ValidationError

from procure.accounts.models import ORGANISATION_KINDS, SITE_ROLES
from procure.forms import ProcureForm, no_control_characters, strip_filter
from procure.identifiers import companies_house_problem, normalise_identifier, ppon_problem


class LoginForm(ProcureForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[InputRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your password"), Length(max=200)],
    )
    submit = SubmitField("Sign in", widget=GovSubmitInput())


KIND_LABELS = {
    "borough": "Borough",
    "gla": "Greater London Authority",
    "convenor": "Convenor",
    "partner": "Partner",
    "supplier": "Supplier",
}


class OrganisationForm(ProcureForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            InputRequired("Enter the organisation’s name"),
            Length(max=200),
            no_control_characters,
        ],
    )
    slug = StringField(
        "Short name for addresses",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="Lower-case letters, numbers and hyphens, for example camden",
        validators=[
            InputRequired("Enter a short name"),
            Length(max=80),
            Regexp(
                r"^[a-z0-9]+(-[a-z0-9]+)*$",
                message="Use only lower-case letters, numbers and hyphens",
            ),
        ],
    )
    kind = SelectField(
        "Kind of organisation",
        widget=GovSelect(),
        choices=[(k, KIND_LABELS[k]) for k in ORGANISATION_KINDS],
        validators=[InputRequired("Choose the kind of organisation")],
    )
    is_member = BooleanField("Member of the network", widget=GovCheckboxInput(), default=True)
    ppon = StringField(
        "PPON (Public Procurement Organisation Number), if known",
        widget=GovTextInput(),
        filters=[normalise_identifier],
        description="From the Central Digital Platform, for example PABC-1234-WXYZ",
    )
    companies_house_number = StringField(
        "Companies House number, if it is a company",
        widget=GovTextInput(),
        filters=[normalise_identifier],
        description="Eight digits, or two letters and six digits, for example SC123456",
    )
    email_domains = StringField(
        "Email domains, if its people may sign in with their council account",
        widget=GovTextInput(),
        filters=[strip_filter],
        description="Separate them with spaces, for example camden.gov.uk",
        validators=[Length(max=500)],
    )
    sso_only = BooleanField(
        "Its people sign in with their council account only", widget=GovCheckboxInput()
    )
    submit = SubmitField("Save organisation", widget=GovSubmitInput())

    def validate_ppon(self, field) -> None:
        problem = ppon_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_companies_house_number(self, field) -> None:
        problem = companies_house_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


ROLE_LABELS = {"admin": "Admin (convenor staff)", "member": "Member", "guest": "Guest"}


class UserForm(ProcureForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            InputRequired("Enter the person’s name"),
            Length(max=200),
            no_control_characters,
        ],
    )
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            InputRequired("Enter an email address"),
            Length(max=254),
            Email("Enter an email address in the correct format, like name@example.gov.uk"),
        ],
    )
    organisation_id = SelectField("Organisation", widget=GovSelect(), coerce=int)
    site_role = SelectField(
        "Site role", widget=GovSelect(), choices=[(r, ROLE_LABELS[r]) for r in SITE_ROLES]
    )
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        description="At least 12 characters. Share it with the person securely; they can change it later.",
        validators=[
            InputRequired("Enter an initial password"),
            Length(min=12, max=200, message="Password must be between 12 and 200 characters"),
        ],
    )
    submit = SubmitField("Add user", widget=GovSubmitInput())


def _new_password(label: str = "New password") -> PasswordField:
    return PasswordField(
        label,
        widget=GovPasswordInput(),
        description="At least 12 characters. A few unrelated words make a strong password.",
        validators=[
            InputRequired("Enter a new password"),
            Length(min=12, max=200, message="Password must be between 12 and 200 characters"),
        ],
    )


def _confirm() -> PasswordField:
    return PasswordField(
        "Confirm the password",
        widget=GovPasswordInput(),
        validators=[
            InputRequired("Enter the password again"),
            EqualTo("password", message="The passwords do not match"),
        ],
    )


class ForgotPasswordForm(ProcureForm):
    # Only the shape is checked: the address is looked up, never sent to unless it has an
    # account, and accounts may use reserved domains (the demo's are ``*.demo.test``).
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            InputRequired("Enter your email address"),
            Length(max=254),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Enter an email address in the correct format, like name@example.gov.uk",
            ),
        ],
    )
    submit = SubmitField("Send me a link", widget=GovSubmitInput())


class NewPasswordForm(ProcureForm):
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Set password", widget=GovSubmitInput())


class AcceptInvitationForm(ProcureForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[InputRequired("Enter your name"), Length(max=200), no_control_characters],
    )
    password = _new_password("Password")
    confirm = _confirm()
    submit = SubmitField("Create account", widget=GovSubmitInput())


class ChangePasswordForm(ProcureForm):
    current = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[InputRequired("Enter your current password"), Length(max=200)],
    )
    password = _new_password()
    confirm = _confirm()
    submit = SubmitField("Change password", widget=GovSubmitInput())


class InvitationForm(ProcureForm):
    email = EmailField(
        "Email address",
        widget=GovTextInput(),
        filters=[strip_filter],
        validators=[
            InputRequired("Enter an email address"),
            Length(max=254),
            Email("Enter an email address in the correct format, like name@example.gov.uk"),
        ],
    )
    organisation_id = SelectField("Organisation", widget=GovSelect(), coerce=int)
    site_role = SelectField("Site role", widget=GovSelect())
    submit = SubmitField("Send invitation", widget=GovSubmitInput())


class ButtonForm(ProcureForm):
    """A form that is only a button (resend, withdraw, sign out everywhere)."""
