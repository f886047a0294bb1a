"""Browser tests: Playwright for Python driving the Debian ``chromium`` package.

The app is served on a loopback port from THIS session's own database (a separate
SQLite file, or with ``TEST_DATABASE_URL`` a separate PostgreSQL database created and
dropped here), migrated and loaded with the demo, because a live server must serve
committed data while the rest of the suite rolls its transactions back.

Chromium is never downloaded: ``.ci/run`` installs the Debian package. When
``/usr/bin/chromium`` is missing the browser tests are skipped with a loud line in
the pytest summary, and with ``CI=true`` they fail instead.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from procure.app import create_app
from procure.extensions import db
from tests.browser import helpers
from tests.browser.data import prepare_journeys
from tests.helpers import scratch_postgres_database

CHROMIUM = Path(os.environ.get("PROCURE_CHROMIUM", "/usr/bin/chromium"))
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MISSING = f"Browser tests NOT run: {CHROMIUM} is missing (install the Debian chromium package)"
BROWSER_DIR = Path(__file__).resolve().parent


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


# -- the summary line ---------------------------------------------------------------


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chosen = [item for item in items if BROWSER_DIR in Path(str(item.path)).parents]
    config.stash[_COLLECTED] = len(chosen)
    for item in chosen:
        item.add_marker(pytest.mark.browser)


_COLLECTED = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    collected = config.stash.get(_COLLECTED, 0)
    if collected and not CHROMIUM.exists():
        verdict = "FAILED because CI=true" if _in_ci() else "skipped"
        terminalreporter.write_sep("!", MISSING, red=True, bold=True)
        terminalreporter.write_line(
            f"{collected} browser tests {verdict}: they are NOT passing. "
            "`make test` installs chromium where it can (scripts/system_packages.py).",
            red=True,
            bold=True,
        )
    if helpers.EXEMPTED:
        terminalreporter.write_sep("!", "Known accessibility issues exempted from the audit")
        for line in sorted(set(helpers.EXEMPTED)):
            terminalreporter.write_line(line, yellow=True)


# -- the browser --------------------------------------------------------------------


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if not CHROMIUM.exists():
        if _in_ci():
            pytest.fail(MISSING + " — CI=true, so this is a failure", pytrace=False)
        pytest.skip(MISSING)
    return str(CHROMIUM)


@pytest.fixture(scope="session")
def browser(chromium_path: str):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, args=LAUNCH_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


# -- the live server ----------------------------------------------------------------


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('browser-db') / 'browser.db'}"
        return
    with scratch_postgres_database(server, "procure_browser") as url:
        yield url


@pytest.fixture(scope="session")
def live_app(
    chromium_path: str, live_database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Flask]:
    app = create_app(
        {
            "PROCURE_ENV": "testing",
            "SECRET_KEY": "browser-test-secret-key",
            "SQLALCHEMY_DATABASE_URI": live_database_url,
            "REPORTS_DIR": str(tmp_path_factory.mktemp("browser-reports")),
            # Exports go to the in-app worker thread, as in `make run`: the journey
            # waits for the job on its progress page.
            "REPORTS_SYNC": False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "LOGIN_RATE_LIMIT": "1000 per minute",
        }
    )
    with app.app_context():
        upgrade()
        from procure.demo import load_demo

        load_demo()
        prepare_journeys()
        db.session.commit()
        db.session.remove()
    try:
        yield app
    finally:
        from procure.reports.jobs import local_worker

        local_worker(app).queue.join()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="session")
def logged_in_states(browser, live_server: str, tmp_path_factory) -> helpers.Sessions:
    """Signs each person in once (through the form) and keeps their cookies."""
    return helpers.Sessions(browser, live_server, tmp_path_factory.mktemp("browser-states"))


@pytest.fixture
def visit(browser, live_server: str, logged_in_states: helpers.Sessions):
    """``visit(who, js=True)`` → a fresh page for ``who`` (an email, or None for a visitor)."""
    contexts = []

    def _open(who: str | None = None, *, js: bool = True, width: int = 1280):
        context = logged_in_states.context(who, js=js, width=width)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture(scope="session")
def audit() -> helpers.Auditor:
    return helpers.Auditor()
