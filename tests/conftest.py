"""Test fixtures: the schema is built by running the migrations; every test rolls back.

On SQLite the suite uses a temporary database file. With ``TEST_DATABASE_URL``
set (a PostgreSQL server URL), it creates its own uniquely named database on
that server, runs the migrations there, and drops it at the end.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from flask_login.utils import _create_identifier
from flask_migrate import upgrade
from sqlalchemy.orm import scoped_session, sessionmaker

from procure.app import create_app
from procure.extensions import db, limiter
from scripts import system_packages
from tests import factories
from tests.helpers import scratch_postgres_database

pytest_plugins = ["tests.model_guard"]


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    """Say once, plainly, which system packages are missing and how to install them."""
    lacking = system_packages.missing("test")
    if lacking:
        terminalreporter.write_sep("!", "System packages missing: some tests cannot pass", red=True)
        terminalreporter.write_line(
            system_packages.advice(lacking, "pytest does not install packages").strip() + "\n"
            "`make test` installs them where it can (as root or with passwordless sudo).",
            red=True,
        )


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        path: Path = tmp_path_factory.mktemp("db") / "test.db"
        yield f"sqlite:///{path}"
        return
    with scratch_postgres_database(server, "procure_test") as url:
        try:
            yield url
        finally:
            for engine in list(_ENGINES):
                engine.dispose()


_ENGINES: list[sa.Engine] = []


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    os.environ.pop("DATABASE_URL", None)
    app = create_app(
        {
            "TESTING": True,
            "PROCURE_ENV": "testing",
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REPORTS_DIR": str(tmp_path_factory.mktemp("reports")),
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    with app.app_context():
        upgrade()
        _ENGINES.append(db.engine)
    yield app


@pytest.fixture
def db_session(app: Flask) -> Iterator[scoped_session]:
    """A session inside a transaction that is rolled back after the test.

    Requests made by the test client share this session: a view's commit only
    releases a SAVEPOINT, so nothing outlives the test.
    """
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    session = scoped_session(
        sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
        scopefunc=lambda: "test",
    )
    # Requests call session.remove() at teardown; keep the test's session (and its
    # identity map) instead of closing it, so flushed factory data stays visible.
    session.remove = session.expire_all  # type: ignore[method-assign]
    original = db.session
    db.session = session
    factories.bind(session)
    try:
        yield session
    finally:
        db.session = original
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture
def client(app: Flask, db_session: scoped_session) -> FlaskClient:
    limiter.reset()
    app.test_client_class = SavepointClient
    return app.test_client()


class SavepointClient(FlaskClient):
    """Before each request, settle what the test flushed so a request rollback cannot undo it."""

    def open(self, *args, **kwargs):
        db.session.commit()
        return super().open(*args, **kwargs)


@pytest.fixture
def app_ctx(app: Flask, db_session: scoped_session) -> Iterator[None]:
    """An app and request context for calling services directly (no client requests)."""
    with app.test_request_context():
        yield


@pytest.fixture
def runner(app: Flask, db_session: scoped_session):
    return app.test_cli_runner()


def login(client: FlaskClient, user) -> None:
    """Sign in by writing the session, as Flask-Login would; only login tests post the form."""
    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)
        session["_fresh"] = True
        session["_id"] = identifier


@pytest.fixture
def as_user(client: FlaskClient):
    def _login(user):
        login(client, user)
        return client

    return _login
