"""The main pages of an experiment, and their server time in-process.

``main_pages`` is shared with ``tests/test_query_counts.py`` so the benchmark and
the query-count test look at the same pages. ``time_pages`` drives the Flask test
client in this process against a seeded database: it measures the server's work
(routing, queries, read models, templates) without network or WSGI-server cost.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import sqlalchemy as sa

from procure import models as m
from procure.extensions import db

TRIVIAL_PAGE = "/accessibility"
PASSWORD_ADMIN = "procure-bench"  # noqa: S105 - the synthetic benchmark admin (bench.seed.PASSWORD)


@dataclass(frozen=True)
class Page:
    name: str
    url: str
    public: bool  # anonymous visitors may read it (published experiment)


def main_pages(slug: str) -> list[Page]:
    """The main pages of experiment ``slug`` (ids looked up in the current session)."""
    exp = db.session.scalar(sa.select(m.Experiment).where(m.Experiment.slug == slug))
    if exp is None:
        raise LookupError(f"No experiment {slug!r}")
    option_id = db.session.scalar(
        sa.select(m.Option.id)
        .where(m.Option.experiment_id == exp.id, m.Option.status == "shortlist")
        .order_by(m.Option.id)
        .limit(1)
    )
    number = db.session.scalar(
        sa.select(m.Requirement.number)
        .where(m.Requirement.experiment_id == exp.id, m.Requirement.sensitivity == "public")
        .order_by(m.Requirement.number)
        .limit(1)
    )
    version = db.session.scalar(
        sa.select(m.SpecificationVersion.number)
        .where(m.SpecificationVersion.experiment_id == exp.id)
        .order_by(m.SpecificationVersion.id.desc())
        .limit(1)
    )
    workshop_id = db.session.scalar(
        sa.select(m.Workshop.id).where(m.Workshop.experiment_id == exp.id).order_by(m.Workshop.id)
    )
    base = f"/experiments/{slug}"
    return [
        Page("experiment", base, True),
        Page("market list", f"{base}/market", True),
        Page("landscape/planner", f"{base}/landscape", True),
        Page("scoring dashboard", f"{base}/scoring", True),
        Page("scoring option", f"{base}/scoring/options/{option_id}", True),
        Page("requirements list", f"{base}/requirements", True),
        Page("matrix", f"{base}/requirements/matrix", True),
        Page("requirement", f"{base}/requirements/REQ-{number:03d}", True),
        Page("versions list", f"{base}/specification", True),
        Page("version", f"{base}/specification/{version}", True),
        Page("workshops list", f"{base}/workshops", True),
        Page("workshop", f"{base}/workshops/{workshop_id}", True),
        Page("reports", f"{base}/reports", False),
    ]


def ensure_admin(email: str = "bench-admin@bench.test"):
    """A convenor admin for the benchmark (created once)."""
    user = db.session.scalar(sa.select(m.User).where(m.User.email == email))
    if user is None:
        from werkzeug.security import generate_password_hash

        user = m.User(
            email=email,
            name="Bench Admin",
            password_hash=generate_password_hash(PASSWORD_ADMIN, method="pbkdf2:sha256:1000"),
            site_role="admin",
        )
        db.session.add(user)
        db.session.flush()
    return user


def sign_in(client, user_id: int) -> None:
    """Write the login session for user ``user_id`` directly (as the test suite does)."""
    from flask_login.utils import _create_identifier

    with client.application.test_request_context(environ_base=client.environ_base):
        identifier = _create_identifier()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
        session["_id"] = identifier


class QueryCounter:
    """Counts SQL statements on an engine (``before_cursor_execute``)."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self.count = 0

    def _on_execute(self, *_args, **_kwargs) -> None:
        self.count += 1

    def __enter__(self) -> QueryCounter:
        sa.event.listen(self.engine, "before_cursor_execute", self._on_execute)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._on_execute)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass(frozen=True)
class PageTiming:
    name: str
    who: str
    url: str
    status: int
    queries: int
    median_ms: float
    p95_ms: float
    bytes: int
    n: int


def time_page(
    client, engine, url: str, requests: int, budget: float = float("inf")
) -> tuple[int, int, list[float], int]:
    """GET ``url`` ``requests`` times (after one warm-up): status, queries, times (ms), size.

    Stops early once ``budget`` seconds have been spent on the page (at least 5 requests).

    Call it outside any app context: each request pushes its own, so Flask-Login's
    per-request user is not carried from one client to the next.
    """
    response = client.get(url)  # warm-up: template compilation, caches
    status = response.status_code
    with QueryCounter(engine) as counter:
        response = client.get(url)
    queries = counter.count
    size = len(response.get_data())
    times: list[float] = []
    began = time.perf_counter()
    for _ in range(requests):
        if len(times) >= 5 and time.perf_counter() - began > budget:
            break
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        status = max(status, response.status_code)
    return status, queries, times, size


def _timing(name: str, who: str, url: str, measured) -> PageTiming:
    status, queries, times, size = measured
    return PageTiming(
        name,
        who,
        url,
        status,
        queries,
        statistics.median(times),
        percentile(times, 95),
        size,
        len(times),
    )


def time_pages(
    app, slug: str, requests: int = 50, budget: float = float("inf")
) -> tuple[PageTiming, list[PageTiming]]:
    """Time the trivial page and every main page, as admin and as anonymous visitor."""
    with app.app_context():
        admin = ensure_admin()
        db.session.commit()
        pages = main_pages(slug)
        engine = db.engine
        admin_id = admin.id
    admin_client = app.test_client()
    sign_in(admin_client, admin_id)
    anonymous = app.test_client()
    trivial = _timing(
        "trivial page",
        "anonymous",
        TRIVIAL_PAGE,
        time_page(anonymous, engine, TRIVIAL_PAGE, requests, budget),
    )
    results: list[PageTiming] = []
    for page in pages:
        for who, client in (("admin", admin_client), ("anonymous", anonymous)):
            if who == "anonymous" and not page.public:
                continue
            results.append(
                _timing(
                    page.name, who, page.url, time_page(client, engine, page.url, requests, budget)
                )
            )
    return trivial, results
