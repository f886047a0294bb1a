"""Routes for signing in with the council's account, and for approving who asked to join."""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from joserfc.errors import JoseError

from procure.accounts import bp
from procure.accounts.forms import ButtonForm
from procure.accounts.models import User
from procure.accounts.read_models import user_row
from procure.accounts.sso import (
    SignInRefused,
    approve,
    can_approve,
    is_configured,
    pending_people,
    provider,
    resolve,
)
from procure.accounts.views import safe_next, start_session
from procure.extensions import db, limiter
from procure.permissions import is_organisation_lead

# What each refusal page says, and whom to ask.
REFUSALS = {
    "unverified": (
        "Your council account’s email address is not verified",
        "Your council account did not confirm that you own its email address, so Procure "
        "cannot tell which organisation you belong to. Ask your council’s IT service desk to "
        "verify the address, or sign in with your email address and password.",
    ),
    "domain": (
        "Your organisation does not use Procure yet",
        "No organisation in Procure owns the email domain of your council account. Ask the "
        "convenor of your experiment to add your organisation’s email domain, or to invite you.",
    ),
    "no_email": (
        "Your council account has no email address",
        "Procure needs the email address of your council account to know which organisation "
        "you belong to. Ask your council’s IT service desk, or the convenor, to invite you.",
    ),
    "tenant": (
        "This council account cannot be used here",
        "Procure accepts accounts from one organisation’s directory only. Sign in with your "
        "email address and password, or ask the convenor to invite you.",
    ),
    "conflict": (
        "Your account is already linked to another council account",
        "Procure links a person to one council account only. Ask the convenor to check your "
        "account.",
    ),
    "inactive": (
        "Your account is switched off",
        "Ask the convenor of your experiment to switch your account back on.",
    ),
    "failed": (
        "Sign-in with your council account did not finish",
        "The answer from your council’s sign-in service could not be checked, or the sign-in "
        "link was used before or has expired. Start again from the sign-in page.",
    ),
}


def _refused(reason: str, status: int = 403):
    title, body = REFUSALS[reason]
    return render_template("accounts/sso_refused.html", title=title, body=body), status


@bp.route("/login/council")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def sso_start():
    if not is_configured():
        abort(404)
    if current_user.is_authenticated:
        return redirect(url_for("work.index"))
    session["sso_next"] = safe_next(request.args.get("next")) or ""
    redirect_uri = current_app.config["PUBLIC_URL"] + url_for("accounts.sso_callback")
    return provider().authorize_redirect(redirect_uri)


@bp.route("/login/council/callback")
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"])
def sso_callback():
    if not is_configured():
        abort(404)
    try:
        # Checks state (and so the PKCE verifier kept with it), then the ID token's signature,
        # issuer, audience, expiry and nonce; a provider that cannot be reached is a refusal too.
        token = provider().authorize_access_token()
    except (AuthlibBaseError, JoseError, KeyError, requests.RequestException):
        return _refused("failed", 400)
    claims = token.get("userinfo")
    if not claims:
        return _refused("failed", 400)
    issuer = str(claims.get("iss") or current_app.config["OIDC_ISSUER"])
    try:
        outcome = resolve(issuer, dict(claims))
    except SignInRefused as exc:
        db.session.commit()
        return _refused(exc.reason)
    if outcome.pending:
        db.session.commit()
        return render_template(
            "accounts/sso_pending.html", organisation=outcome.user.organisation.name
        )
    next_path = session.pop("sso_next", "") or None
    start_session(outcome.user)
    flash(f"Signed in as {outcome.user.name}", "success")
    return redirect(next_path or url_for("work.index"))


@bp.route("/admin/approvals")
@login_required
def approvals():
    if not (current_user.is_admin or is_organisation_lead(current_user)):
        abort(403)
    people = pending_people(current_user)
    return render_template(
        "accounts/approvals.html", people=[user_row(p) for p in people], button=ButtonForm()
    )


@bp.route("/admin/approvals/<int:user_id>", methods=["POST"])
@login_required
def approve_person(user_id: int):
    form = ButtonForm()
    if not form.validate_on_submit():
        abort(400)
    if not (current_user.is_admin or is_organisation_lead(current_user)):
        abort(403)
    person = db.session.get(User, user_id)
    if person is None or not person.approval_pending:
        abort(404)
    if not can_approve(current_user, person):
        abort(403)
    approve(person, current_user._get_current_object())
    flash(f"{person.name} can now sign in", "success")
    return redirect(url_for("accounts.approvals"))
