"""Template globals and filters shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask import Flask, current_app, url_for
from flask_login import current_user
from markupsafe import Markup

from procure.accounts.read_models import build_viewer
from procure.permissions import can
from procure.sensitivity import Redacted, is_redacted


@dataclass(frozen=True)
class Ref:
    """A record a form page names (its id, name and short name), never the record itself."""

    id: int
    name: str = ""
    slug: str = ""


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


def template_can(action: str, obj=None) -> bool:
    """``can`` for templates: they hold read models, never model instances.

    Experiment-level answers come from the read model's own ``allowed`` set (worked
    out by the view for this reader); actions about no object go to the rules.
    """
    if obj is None:
        return can(current_user, action)
    may = getattr(obj, "may", None)
    if may is None:
        raise TypeError(
            f"templates check {action!r} on a read model with .may(), not on {type(obj).__name__}"
        )
    return bool(may(action))


def asset_url(name: str) -> str:
    """URL of a built asset; the file name carries no hash, so add the build stamp."""
    stamp = current_app.config.get("ASSET_STAMP", "")
    return url_for("static", filename=f"dist/{name}") + (f"?v={stamp}" if stamp else "")


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        can=template_can,
        asset_url=asset_url,
        is_redacted=is_redacted,
        service_name="Procure",
        has_endpoint=lambda name: name in app.view_functions,
    )

    @app.context_processor
    def _viewer() -> dict:
        return {"viewer": build_viewer(current_user)}

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
