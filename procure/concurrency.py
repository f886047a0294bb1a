"""Safe concurrent editing: a save based on an old version is refused, nothing is lost.

Every editable record carries ``version`` (see ``procure.db.VersionedMixin``).
Its form posts the version it was built from; ``check_version`` compares it
before anything changes, and the ORM's ``WHERE version = n`` catches the race
where two saves pass that check at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import object_session


@dataclass
class StaleEdit(Exception):
    """Someone else saved first. Carries what is saved now, to show beside what was typed."""

    obj: Any
    current: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return "This record was changed by someone else after you opened it."


def check_version(obj: Any, submitted: int | None, fields: list[str] | None = None) -> None:
    """Raise ``StaleEdit`` unless ``submitted`` is the record's current version.

    The row is read again under a lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite
    lets one writer in at a time anyway), held until the request commits or rolls
    back. Two saves made from the same version therefore cannot both pass: the
    second waits for the first, then sees its new version and gets a 409 with the
    values saved now, instead of an error from the ORM's version check.
    """
    if _locked_version(obj) not in (None, obj.version):
        object_session(obj).refresh(obj)  # saved by someone since this request loaded it
    if submitted is None or int(submitted) != obj.version:
        current = {name: getattr(obj, name) for name in fields or []}
        raise StaleEdit(obj, current)


def _locked_version(obj: Any) -> int | None:
    """The version saved in the database now, read under a row lock (None for a new record)."""
    state = sa.inspect(obj, raiseerr=False)
    session = object_session(obj) if state is not None else None
    if session is None or not state.persistent or state.identity is None:
        return None
    mapper = state.mapper
    if mapper.version_id_col is None:
        return None
    keys = [
        column == value for column, value in zip(mapper.primary_key, state.identity, strict=True)
    ]
    return session.scalar(sa.select(mapper.version_id_col).where(*keys).with_for_update())
