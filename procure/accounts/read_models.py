"""Read models of people for templates: the signed-in reader, as the page header shows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Viewer:
    """The person reading a page, as every template may see them (their own name only)."""

    is_authenticated: bool
    name: str = ""
    organisation: str = ""


ANONYMOUS = Viewer(is_authenticated=False)


def build_viewer(user: Any) -> Viewer:
    """The header's view of ``user`` (Flask-Login's current user or the anonymous one)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ANONYMOUS
    org = user.organisation
    return Viewer(is_authenticated=True, name=user.name, organisation=org.name if org else "")
