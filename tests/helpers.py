"""Small helpers for tests: posting forms (CSRF stays on in the test app), and scratch
PostgreSQL databases for the suite, the browser tests and the concurrency tests."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import sqlalchemy as sa

from procure.config import normalise_database_url

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    """GET ``url`` and return the CSRF token from its first form."""
    response = client.get(url)
    match = _TOKEN.search(response.get_data(as_text=True))
    assert match, f"no CSRF token on {url} (status {response.status_code})"
    return match.group(1)


def post_form(client, url: str, data: dict, *, form_url: str | None = None, **kwargs):
    """Post ``data`` to ``url`` with a fresh CSRF token taken from ``form_url`` (default ``url``)."""
    payload = {"csrf_token": csrf_token(client, form_url or url), **data}
    return client.post(url, data=payload, **kwargs)


@contextmanager
def scratch_postgres_database(server: str, prefix: str) -> Iterator[str]:
    """Create ``<prefix>_<random>`` on the PostgreSQL server of URL ``server``, yield the
    new database's URL, and drop it afterwards (closing any connection still open)."""
    url = sa.make_url(normalise_database_url(server))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_url = url.set(drivername="postgresql", database="postgres").render_as_string(
        hide_password=False
    )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
