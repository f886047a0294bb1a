"""Safe concurrent editing: a save based on an old version is refused, nothing is lost.

Every editable record carries ``version`` (see ``procure.db.VersionedMixin``).
Its form posts the version it was built from; ``check_version`` compares it
before anything changes, and the ORM's ``WHERE version = n`` catches the race
where two saves pass that check at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class StaleEdit(Exception):
    """Someone else saved first. Carries what is saved now, to show beside what was typed."""

    obj: Any
    current: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return "This record was changed by someone else after you opened it."


def check_version(obj: Any, submitted: int | None, fields: list[str] | None = None) -> None:
    """Raise ``StaleEdit`` unless ``submitted`` is the record's current version."""
    if submitted is None or int(submitted) != obj.version:
        current = {name: getattr(obj, name) for name in fields or []}
        raise StaleEdit(obj, current)
