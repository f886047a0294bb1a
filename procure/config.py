"""Configuration read from the environment.

The embedded default is SQLite in ``instance/`` with an in-app report worker, so
``make run`` needs no other service. ``DATABASE_URL`` selects PostgreSQL and
``REDIS_URL`` turns on RQ workers and shared rate limits.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """The app refuses to start with a configuration that would be unsafe."""


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for every PostgreSQL URL, whichever spelling the host gives."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def load_config(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the config mapping from the environment, then apply ``overrides``."""
    overrides = overrides or {}
    env = overrides.get("PROCURE_ENV", os.environ.get("PROCURE_ENV", "development"))
    production = env == "production"

    secret_key = overrides.get("SECRET_KEY", os.environ.get("SECRET_KEY"))
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set when PROCURE_ENV=production.")
        # A fresh key per process is fine for development: sessions just end on restart.
        secret_key = secrets.token_hex(32)

    default_db = f"sqlite:///{Path(instance_path) / 'procure.db'}"
    database_url = normalise_database_url(os.environ.get("DATABASE_URL", default_db))
    redis_url = os.environ.get("REDIS_URL") or None

    public_url = os.environ.get("PUBLIC_URL", "").strip().rstrip("/")
    if not public_url:
        if production and "PUBLIC_URL" not in overrides:
            raise ConfigError(
                "PUBLIC_URL must be set when PROCURE_ENV=production (links in emails)."
            )
        public_url = "http://127.0.0.1:5000"

    config: dict[str, Any] = {
        "PROCURE_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": redis_url,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Anonymous and share-link file downloads, per client address.
        "PUBLIC_DOWNLOAD_RATE_LIMIT": os.environ.get("PUBLIC_DOWNLOAD_RATE_LIMIT", "30 per minute"),
        "WTF_CSRF_TIME_LIMIT": 60 * 60 * 8,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_SECURE": _flag("SESSION_COOKIE_SECURE", production),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=8),
        "SESSION_IDLE_TIMEOUT": timedelta(
            minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "60"))
        ),
        "FORCE_HTTPS": _flag("FORCE_HTTPS", production),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", str(5 * 1024 * 1024))),
        "REPORTS_DIR": os.environ.get("REPORTS_DIR", str(Path(instance_path) / "reports")),
        "STATIC_BUILD_DIR": str(PROJECT_ROOT / "procure" / "static" / "dist"),
        "DEMO_PASSWORD": "procure-demo",
        # Email (procure/mail): SMTP when MAIL_SERVER is set, GOV.UK Notify when
        # NOTIFY_API_KEY is set, otherwise every message is held in the outbox.
        "PUBLIC_URL": public_url,
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _flag("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _flag("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER", "Procure <procure@localhost>"),
        "MAIL_TIMEOUT": int(os.environ.get("MAIL_TIMEOUT", "20")),
        "NOTIFY_API_KEY": os.environ.get("NOTIFY_API_KEY") or None,
        "NOTIFY_TEMPLATE_ID": os.environ.get("NOTIFY_TEMPLATE_ID") or None,
        "INVITATION_DAYS": int(os.environ.get("INVITATION_DAYS", "7")),
        "RESET_RATE_LIMIT": os.environ.get("RESET_RATE_LIMIT", "5 per 15 minutes"),
        "RESET_RESPONSE_FLOOR": float(os.environ.get("RESET_RESPONSE_FLOOR", "0.4")),
        # Sign-in with the council's account (OpenID Connect): no button unless the issuer and
        # client id are set. OIDC_TENANT_ID restricts Microsoft Entra sign-ins to one tenant.
        "OIDC_ISSUER": os.environ.get("OIDC_ISSUER", "").strip().rstrip("/") or None,
        "OIDC_CLIENT_ID": os.environ.get("OIDC_CLIENT_ID") or None,
        "OIDC_CLIENT_SECRET": os.environ.get("OIDC_CLIENT_SECRET") or None,
        "OIDC_LABEL": os.environ.get("OIDC_LABEL", "Sign in with your council account"),
        "OIDC_TENANT_ID": os.environ.get("OIDC_TENANT_ID") or None,
        # OCDS release packages: the ocid prefix registered for the publisher and the publisher's
        # name (documents in them link to the public pages at PUBLIC_URL).
        "OCDS_OCID_PREFIX": os.environ.get("OCDS_OCID_PREFIX", "ocds-procure"),
        "OCDS_PUBLISHER": os.environ.get("OCDS_PUBLISHER", "Procure"),
    }
    config.update(overrides)
    return config
