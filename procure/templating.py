"""Template globals and filters shared by every page."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, url_for
from flask_login import current_user
from markupsafe import Markup

from procure.permissions import can
from procure.sensitivity import Redacted, is_redacted


def format_date(value: date | datetime | None, fmt: str = "%-d %B %Y") -> str:
    if value is None or is_redacted(value):
        return str(value or "")
    return value.strftime(fmt)


def format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.strftime("%-d %B %Y, %-I:%M%p").replace("AM", "am").replace("PM", "pm")


def format_money(value: Decimal | float | int | Redacted | None) -> str | Redacted:
    if value is None:
        return ""
    if is_redacted(value):
        return value
    return f"£{value:,.0f}"


def redacted_or(value, formatter=None):
    """Render a value, or its redaction marker, never both."""
    if is_redacted(value):
        return Markup(value.__html__())  # noqa: S704 - sanitised by nh3 / a fixed marker
    return formatter(value) if formatter else value


def asset_url(name: str) -> str:
    """URL of a built asset; the file name carries no hash, so add the build stamp."""
    stamp = current_app.config.get("ASSET_STAMP", "")
    return url_for("static", filename=f"dist/{name}") + (f"?v={stamp}" if stamp else "")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=lambda action, obj=None: can(current_user, action, obj),
        asset_url=asset_url,
        is_redacted=is_redacted,
        service_name="Procure",
        has_endpoint=lambda name: name in app.view_functions,
    )
    app.jinja_env.filters.update(
        date=format_date,
        datetime=format_datetime,
        money=format_money,
        redacted_or=redacted_or,
    )
    stamp_file = app.config["STATIC_BUILD_DIR"] + "/STAMP"
    try:
        with open(stamp_file) as fh:
            app.config["ASSET_STAMP"] = fh.read().strip()
    except OSError:
        app.config["ASSET_STAMP"] = ""
