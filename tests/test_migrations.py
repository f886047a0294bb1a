"""The migration chain, whole, on an empty database of the kind the suite runs on (SQLite, or
PostgreSQL with ``TEST_DATABASE_URL``): one line of revisions, up to head, down to nothing and up
again, and the models match the schema it builds (what ``flask db check`` checks)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import check, downgrade, upgrade

from procure.app import create_app
from procure.extensions import db, migrate
from tests.helpers import scratch_postgres_database


@pytest.fixture
def empty_app(tmp_path) -> Iterator[Flask]:
    server = os.environ.get("TEST_DATABASE_URL")
    if server:
        with scratch_postgres_database(server, "procure_chain") as url:
            yield _app(url, tmp_path)
    else:
        yield _app(f"sqlite:///{tmp_path / 'chain.db'}", tmp_path)


def _app(url: str, tmp_path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "PROCURE_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": url,
            "REPORTS_DIR": str(tmp_path / "reports"),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )


def _tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_revisions_form_one_line(empty_app: Flask) -> None:
    with empty_app.app_context():
        scripts = ScriptDirectory.from_config(migrate.get_config())
        assert len(scripts.get_heads()) == 1, scripts.get_heads()
        revisions = list(scripts.walk_revisions())
        assert revisions[-1].down_revision is None
        assert all(len(r.nextrev) <= 1 for r in revisions), "a revision has two successors"


def test_whole_chain_downgrades_to_nothing_and_upgrades_again(empty_app: Flask) -> None:
    with empty_app.app_context():
        try:
            upgrade()
            at_head = _tables()
            assert at_head == set(db.metadata.tables)
            downgrade(revision="base")
            assert _tables() == set()
            upgrade()
            assert _tables() == at_head
        finally:
            db.engine.dispose()


def test_models_match_the_migrated_schema(empty_app: Flask) -> None:
    """`flask db check`: autogenerate finds nothing to add, drop or alter after `upgrade`."""
    with empty_app.app_context():
        try:
            upgrade()
            check()  # exits with status 1 (SystemExit) when the models and schema differ
        finally:
            db.engine.dispose()
