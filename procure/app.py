"""The application factory: configuration, extensions, every feature's routes, commands.

This is the top of the import graph: it imports the features' views; nothing below imports it
(the worker builds its app through :func:`create_app` passed in by the command that starts it).
"""

from __future__ import annotations

import os
import time
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Flask, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from flask_talisman import Talisman
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from procure import (
    cli,
    errors,
    models,  # noqa: F401 - every model registered before the mapper is used
    templating,
)
from procure.accounts import account_views, sso_views
from procure.accounts import bp as accounts_bp
from procure.accounts import views as accounts_views
from procure.accounts.models import User
from procure.config import PROJECT_ROOT, load_config
from procure.experiments import bp as experiments_bp
from procure.experiments import views as experiments_views
from procure.extensions import csrf, db, limiter, login_manager, mail, migrate
from procure.governance import bp as governance_bp
from procure.governance import views as governance_views
from procure.mail import bp as mail_bp
from procure.mail import views as mail_views
from procure.market import bp as market_bp
from procure.market import import_views, landscape_views
from procure.market import views as market_views
from procure.procurement import bp as procurement_bp
from procure.procurement import conflict_views, engagement_views, handover_views
from procure.procurement import views as procurement_views
from procure.reports import bp as reports_bp
from procure.reports import views as reports_views
from procure.reports.pdf import REQUEST_MARKER
from procure.requirements import bp as requirements_bp
from procure.requirements import views as requirements_views
from procure.scoring import bp as scoring_bp
from procure.scoring import scorecard_views
from procure.scoring import views as scoring_views
from procure.work import bp as work_bp
from procure.work import views as work_views
from procure.workshops import bp as workshops_bp
from procure.workshops import views as workshops_views

# Each blueprint with the modules that add its routes (imported above, for their routes).
BLUEPRINTS = (
    (accounts_bp, (accounts_views, account_views, sso_views)),
    (experiments_bp, (experiments_views,)),
    (market_bp, (market_views, landscape_views, import_views)),
    (scoring_bp, (scoring_views, scorecard_views)),
    (requirements_bp, (requirements_views,)),
    (workshops_bp, (workshops_views,)),
    (reports_bp, (reports_views,)),
    (governance_bp, (governance_views,)),
    (mail_bp, (mail_views,)),
    (
        procurement_bp,
        (procurement_views, engagement_views, conflict_views, handover_views),
    ),
    (work_bp, (work_views,)),
)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Application factory: config → extensions → blueprints → commands."""
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.update(load_config(app.instance_path, config))
    os.makedirs(app.instance_path, exist_ok=True)

    _init_templates(app)
    _init_extensions(app)
    _register_blueprints(app)
    _init_request_hooks(app)

    errors.init_app(app)
    cli.init_app(app)
    return app


def _init_templates(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    templating.init_app(app)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)

    # Templates get a small read model of the reader (``viewer``), not the User itself.
    login_manager.init_app(app, add_context_processor=False)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see this page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        if user is None or not user.is_active:
            return None
        # A password change or "sign out everywhere" ends every session begun before it.
        if session.get("gen", 0) != user.session_generation:
            return None
        return user

    csp = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": "'self' data:",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    # Talisman keeps its settings on the instance, so each app gets its own.
    Talisman(
        app,
        content_security_policy=csp,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=app.config["FORCE_HTTPS"],
        session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy={
            "geolocation": "()",
            "camera": "()",
            "microphone": "()",
            "payment": "()",
            "usb": "()",
        },
    )

    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite":
            _configure_sqlite(engine)


def _configure_sqlite(engine: sa.Engine) -> None:
    """Foreign keys on, and transactions SQLAlchemy controls (so SAVEPOINTs work)."""

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        conn.exec_driver_sql("BEGIN")


def _register_blueprints(app: Flask) -> None:
    for blueprint, _route_modules in BLUEPRINTS:
        app.register_blueprint(blueprint)


def _init_request_hooks(app: Flask) -> None:
    @app.before_request
    def _mark_request() -> None:
        """Tell the PDF renderer that a request handler runs here (it then refuses)."""
        setattr(g, REQUEST_MARKER, True)

    @app.before_request
    def _request_id() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming[:64] if incoming.isalnum() else uuid.uuid4().hex

    @app.before_request
    def _idle_timeout():
        """Sign people out after a period without activity (sessions also expire after 8 hours)."""
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = int(time.time())
        last = session.get("last_seen")
        limit = app.config["SESSION_IDLE_TIMEOUT"].total_seconds()
        if last is not None and now - int(last) > limit:
            logout_user()
            session.clear()
            flash(
                "You were signed out after a period of inactivity. Sign in again to carry on.",
                "info",
            )
            return redirect(
                url_for(
                    "accounts.login", next=request.full_path if request.method == "GET" else None
                )
            )
        # Write at most once a minute, so ordinary browsing does not rewrite the cookie each time.
        if last is None or now - int(last) > 60:
            session["last_seen"] = now
        return None

    @app.after_request
    def _commit_and_tag(response):
        # Services flush; the request commits once, and only when it succeeded.
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if request.endpoint != "static":
            # Pages can hold commercially sensitive figures: never keep them in a shared cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.teardown_request
    def _rollback_on_error(exc: BaseException | None) -> None:
        if exc is not None:
            db.session.rollback()
