"""The SQL statements behind every main page do not grow with the data.

Each main page of a small and a larger synthetic experiment (``bench.seed``) is
requested as an admin and as an anonymous visitor (where the public may read it);
the statements are counted with a ``before_cursor_execute`` listener and must be
the same within ±2. An N+1 query (one query per option, borough or requirement)
makes the larger experiment's count jump by tens.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bench.pages import main_pages
from bench.seed import SeedSize, seed
from procure.extensions import db
from tests import factories as f
from tests.conftest import login

SMALL = SeedSize(boroughs=3, options=3, criteria=4, requirements=5)
LARGE = SeedSize(boroughs=12, options=10, criteria=8, requirements=40)
TOLERANCE = 2


def _count(client, url: str) -> tuple[int, int]:
    """(status, statements) of one GET, after a warm-up GET of the same page."""
    client.get(url)
    statements: list[str] = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    bind = db.session.get_bind()
    sa.event.listen(bind, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(bind, "before_cursor_execute", listener)
    return response.status_code, len(statements)


def _counts(client, slug: str, *, public_only: bool) -> dict[str, tuple[int, int]]:
    return {
        page.name: _count(client, page.url)
        for page in main_pages(slug)
        if page.public or not public_only
    }


@pytest.fixture
def experiments(db_session):
    seed(SMALL, slug="qc-small")
    seed(LARGE, slug="qc-large")
    db_session.commit()
    return "qc-small", "qc-large"


def _compare(small: dict, large: dict) -> list[str]:
    problems = []
    for name, (status, count) in small.items():
        big_status, big_count = large[name]
        if status != 200 or big_status != 200:
            problems.append(f"{name}: status {status} (small) / {big_status} (large)")
        elif abs(big_count - count) > TOLERANCE:
            problems.append(f"{name}: {count} statements (small) vs {big_count} (large)")
    return problems


def test_main_pages_as_admin_run_the_same_number_of_queries_at_any_size(
    client, experiments, db_session
):
    small_slug, large_slug = experiments
    login(client, f.AdminFactory())
    small = _counts(client, small_slug, public_only=False)
    large = _counts(client, large_slug, public_only=False)
    assert len(small) == 13
    assert _compare(small, large) == []


def test_main_pages_as_the_public_run_the_same_number_of_queries_at_any_size(
    client, experiments, db_session
):
    small_slug, large_slug = experiments
    small = _counts(client, small_slug, public_only=True)
    large = _counts(client, large_slug, public_only=True)
    assert len(small) == 12
    assert _compare(small, large) == []


def test_the_counter_sees_an_n_plus_one_query(client, experiments, db_session, app):
    """The check can fail: a page that loads one row per requirement is caught."""
    from procure.requirements.models import Requirement

    small_slug, large_slug = experiments

    def per_requirement(slug: str) -> int:
        statements: list[str] = []
        bind = db.session.get_bind()

        def listener(conn, cursor, statement, *args):
            statements.append(statement)

        ids = db.session.scalars(
            sa.select(Requirement.id)
            .join(Requirement.experiment)
            .where(sa.text("experiments.slug = :slug"))
            .params(slug=slug)
        ).all()
        db.session.expire_all()
        sa.event.listen(bind, "before_cursor_execute", listener)
        try:
            for rid in ids:  # the N+1 shape: one query per row
                db.session.execute(sa.select(Requirement.title).where(Requirement.id == rid))
        finally:
            sa.event.remove(bind, "before_cursor_execute", listener)
        return len(statements)

    assert per_requirement(large_slug) - per_requirement(small_slug) > TOLERANCE
