from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from procure import audit
from procure.accounts import bp
from procure.accounts.forms import LoginForm, OrganisationForm, UserForm
from procure.accounts.models import Organisation
from procure.accounts.read_models import organisation_row, user_row
from procure.accounts.services import (
    AccountError,
    authenticate,
    create_organisation,
    create_user,
    list_organisations,
    list_users,
)
from procure.accounts.sso import is_configured, password_refused
from procure.extensions import db, limiter
from procure.permissions import can


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so a crafted link cannot send someone elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def start_session(user) -> None:
    """A fresh session for ``user``, carrying their session generation (see the user loader)."""
    session.clear()
    login_user(user)
    session.permanent = True
    session["gen"] = user.session_generation


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("work.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.email.data, form.password.data)
        if user is None:
            # One message for every failure: unknown address, wrong password or locked account.
            form.password.errors.append(
                "The email address or password is not right, or the account is locked for a "
                "few minutes after repeated attempts"
            )
        elif password_refused(user):
            form.email.errors.append(
                f"Your organisation signs in with its council account: use “{current_app.config['OIDC_LABEL']}”"
            )
        else:
            start_session(user)
            flash(f"Signed in as {user.name}", "success")
            return redirect(safe_next(request.args.get("next")) or url_for("work.index"))
    sso_label = current_app.config["OIDC_LABEL"] if is_configured() else None
    return render_template("accounts/login.html", form=form, sso_label=sso_label)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    audit.record("logout", current_user._get_current_object(), summary="Signed out")
    logout_user()
    session.clear()
    flash("You have signed out", "success")
    return redirect(url_for("experiments.index"))


@bp.route("/admin/organisations", methods=["GET", "POST"])
@login_required
def organisations():
    if not can(current_user, "organisation.manage"):
        abort(403)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = create_organisation(
                name=form.name.data,
                slug=form.slug.data,
                kind=form.kind.data,
                is_member=form.is_member.data,
                ppon=form.ppon.data,
                companies_house_number=form.companies_house_number.data,
                email_domains=form.email_domains.data,
                sso_only=form.sso_only.data,
            )
        except AccountError as exc:
            target = form.email_domains if "email domain" in str(exc) else form.name
            target.errors.append(str(exc))
        else:
            flash(f"Added {org.name}", "success")
            return redirect(url_for("accounts.organisations"))
    return render_template(
        "accounts/organisations.html",
        form=form,
        organisations=[organisation_row(o) for o in list_organisations()],
    )


@bp.route("/admin/users", methods=["GET", "POST"])
@login_required
def users():
    if not can(current_user, "user.manage"):
        abort(403)
    form = UserForm()
    orgs = list_organisations()
    form.organisation_id.choices = [(0, "No organisation")] + [(o.id, o.name) for o in orgs]
    if form.validate_on_submit():
        organisation = (
            db.session.get(Organisation, form.organisation_id.data)
            if form.organisation_id.data
            else None
        )
        try:
            user = create_user(
                email=form.email.data,
                name=form.name.data,
                password=form.password.data,
                site_role=form.site_role.data,
                organisation=organisation,
            )
        except AccountError as exc:
            target = form.password if "assword" in str(exc) else form.email
            target.errors.append(str(exc))
        else:
            flash(f"Added {user.email}", "success")
            return redirect(url_for("accounts.users"))
    people = list_users()
    counts = dict(
        db.session.execute(
            sa.select(Organisation.id, sa.func.count())
            .join(Organisation.users)
            .group_by(Organisation.id)
        ).all()
    )
    return render_template(
        "accounts/users.html", form=form, users=[user_row(u) for u in people], counts=counts
    )
