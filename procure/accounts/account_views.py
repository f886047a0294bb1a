"""People getting in on their own: forgotten passwords, invitations, and the Account page."""

from __future__ import annotations

import time

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required

from procure.accounts import bp
from procure.accounts.forms import (
    ROLE_LABELS,
    AcceptInvitationForm,
    ButtonForm,
    ChangePasswordForm,
    ForgotPasswordForm,
    InvitationForm,
    NewPasswordForm,
)
from procure.accounts.invitations import (
    accept,
    find_invitation,
    invite,
    list_invitations,
    resend,
    withdraw,
)
from procure.accounts.models import Invitation, Organisation
from procure.accounts.read_models import account_summary, invitation_row
from procure.accounts.recovery import (
    change_password,
    complete_reset,
    find_reset,
    request_reset,
    sign_out_everywhere,
)
from procure.accounts.services import AccountError, list_organisations
from procure.accounts.sso import identities_of
from procure.accounts.views import safe_next, start_session
from procure.db import utcnow
from procure.extensions import db, limiter
from procure.permissions import can, is_admin


def _reset_limit() -> str:
    return current_app.config["RESET_RATE_LIMIT"]


def _reset_address() -> str:
    """Rate-limit key per address asked about (lower-cased), whoever asks."""
    return "reset:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_reset_limit, methods=["POST"])
@limiter.limit(_reset_limit, methods=["POST"], key_func=_reset_address)
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        started = time.perf_counter()
        request_reset(form.email.data)
        # Every answer takes at least the floor, so timing does not tell whether the
        # address has an account (sending happens in a job, after the commit).
        floor = current_app.config["RESET_RESPONSE_FLOOR"]
        remaining = floor - (time.perf_counter() - started)
        if remaining > 0:
            time.sleep(remaining)
        return render_template("accounts/reset_sent.html", email=form.email.data)
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/reset-password/<token>")
def reset_link(token: str):
    """The emailed link: keep the token in the session, then drop it from the address bar."""
    if find_reset(token) is None:
        return render_template("accounts/link_invalid.html", what="password reset"), 404
    session["reset_token"] = token
    return redirect(url_for("accounts.reset_password"))


@bp.route("/reset-password", methods=["GET", "POST"])
def reset_password():
    reset = find_reset(session.get("reset_token", ""))
    if reset is None:
        session.pop("reset_token", None)
        return render_template("accounts/link_invalid.html", what="password reset"), 404
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            complete_reset(reset, form.password.data)
        except AccountError as exc:
            form.password.errors.append(str(exc))
        else:
            session.pop("reset_token", None)
            flash("Your password has been changed. Sign in with your new password.", "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/invitation/<token>")
def invitation_link(token: str):
    if find_invitation(token) is None:
        return render_template("accounts/link_invalid.html", what="invitation"), 404
    session["invitation_token"] = token
    return redirect(url_for("accounts.accept_invitation"))


@bp.route("/invitation", methods=["GET", "POST"])
def accept_invitation():
    invitation = find_invitation(session.get("invitation_token", ""))
    if invitation is None:
        session.pop("invitation_token", None)
        return render_template("accounts/link_invalid.html", what="invitation"), 404
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = accept(invitation, name=form.name.data, password=form.password.data)
        except AccountError as exc:
            target = form.password if "assword" in str(exc) else form.name
            target.errors.append(str(exc))
        else:
            next_path = safe_next(invitation.next_path) or url_for("experiments.index")
            start_session(user)
            flash(f"Welcome to Procure, {user.name}", "success")
            return redirect(next_path)
    return render_template(
        "accounts/accept_invitation.html",
        form=form,
        email=invitation.email,
        organisation=invitation.organisation.name,
    )


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    user = current_user._get_current_object()
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(user, form.current.data, form.password.data)
        except AccountError as exc:
            target = form.current if "current" in str(exc) else form.password
            target.errors.append(str(exc))
        else:
            db.session.refresh(user)
            session["gen"] = user.session_generation  # this session carries on
            flash("Your password has been changed. Other sessions are signed out.", "success")
            return redirect(url_for("accounts.account"))
    return render_template(
        "accounts/account.html",
        form=form,
        button=ButtonForm(),
        account=account_summary(user, tuple(i.email for i in identities_of(user))),
    )


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere_view():
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_user._get_current_object()
    sign_out_everywhere(user)
    db.session.refresh(user)
    session["gen"] = user.session_generation
    flash("You are signed out on every other device and browser.", "success")
    return redirect(url_for("accounts.account"))


def _invitable_organisations() -> list[Organisation]:
    if is_admin(current_user):
        return list_organisations()
    org = current_user.organisation
    return [org] if org is not None else []


@bp.route("/invitations", methods=["GET", "POST"])
@login_required
def invitations():
    if not can(current_user, "invitation.manage"):
        abort(403)
    admin = is_admin(current_user)
    form = InvitationForm()
    orgs = _invitable_organisations()
    form.organisation_id.choices = [(o.id, o.name) for o in orgs]
    roles = ("admin", "member", "guest") if admin else ("member", "guest")
    form.site_role.choices = [(r, ROLE_LABELS[r]) for r in roles]
    if not form.site_role.data:
        form.site_role.data = "member"
    if form.validate_on_submit():
        organisation = db.session.get(Organisation, form.organisation_id.data)
        if organisation is None or not can(current_user, "invitation.manage", organisation):
            abort(403)
        try:
            invite(
                email=form.email.data,
                organisation=organisation,
                site_role=form.site_role.data,
                invited_by=current_user._get_current_object(),
            )
        except AccountError as exc:
            form.email.errors.append(str(exc))
        else:
            flash(f"Invitation sent to {form.email.data}", "success")
            return redirect(url_for("accounts.invitations"))
    now = utcnow()
    rows = [
        invitation_row(i, now)
        for i in list_invitations(None if admin else current_user.organisation_id)
    ]
    return render_template(
        "accounts/invitations.html", form=form, button=ButtonForm(), invitations=rows
    )


def _own_invitation(invitation_id: int) -> Invitation:
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None:
        abort(404)
    if not can(current_user, "invitation.manage", invitation.organisation):
        abort(403)
    return invitation


@bp.route("/invitations/<int:invitation_id>/resend", methods=["POST"])
@login_required
def resend_invitation(invitation_id: int):
    if not can(current_user, "invitation.manage"):
        abort(403)
    invitation = _own_invitation(invitation_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        resend(invitation, current_user._get_current_object())
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(
            f"A new link has been sent to {invitation.email}; the old one no longer works",
            "success",
        )
    return redirect(url_for("accounts.invitations"))


@bp.route("/invitations/<int:invitation_id>/withdraw", methods=["POST"])
@login_required
def withdraw_invitation(invitation_id: int):
    if not can(current_user, "invitation.manage"):
        abort(403)
    invitation = _own_invitation(invitation_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        withdraw(invitation)
    except AccountError as exc:
        flash(str(exc), "error")
    else:
        flash(f"The invitation to {invitation.email} has been withdrawn", "success")
    return redirect(url_for("accounts.invitations"))
