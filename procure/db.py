"""Declarative base with a naming convention, and the mixins every model shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Named constraints make Alembic migrations deterministic on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=sa.func.now())
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=sa.func.now()
    )


class VersionedMixin:
    """Optimistic concurrency: every UPDATE carries ``WHERE version = n``.

    Forms post the version they were built from; services compare it first (see
    ``procure.concurrency``) so a stale edit is refused with both versions shown,
    and the ORM's version check catches the race between two simultaneous saves.
    """

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}


class SensitivityType(sa.types.TypeDecorator):
    """Stores a ``Sensitivity`` as its readable name (``public``/``members``/``participants``)."""

    impl = sa.String(20)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        from procure.sensitivity import Sensitivity

        return None if value is None else Sensitivity.parse(value).slug

    def process_result_value(self, value, dialect):
        from procure.sensitivity import Sensitivity

        return None if value is None else Sensitivity.parse(value)


def sensitivity_column(default: str, **kwargs: Any):
    """A NOT NULL sensitivity column with a default at both ORM and database level."""
    from procure.sensitivity import Sensitivity

    return mapped_column(
        SensitivityType(),
        default=Sensitivity.parse(default),
        server_default=default,
        **kwargs,
    )
