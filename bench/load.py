"""Load against a real server: many clients reading pages, and procurement leads scoring at once.

The load generator is standard-library Python: one thread per simulated client,
each with its own keep-alive connection and cookies, on loopback, for a fixed time.
"""

from __future__ import annotations

import random
import statistics
import threading
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from bench.http import Client
from bench.pages import percentile
from bench.seed import PASSWORD
from procure import models as m
from procure.extensions import db


@dataclass
class LoadResult:
    label: str
    seconds: float
    times: list[float] = field(default_factory=list)
    errors: int = 0
    by_page: dict[str, list[float]] = field(default_factory=dict)
    reasons: dict[str, int] = field(default_factory=dict)

    def error(self, reason: str) -> None:
        self.errors += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1

    @property
    def requests(self) -> int:
        return len(self.times) + self.errors

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return percentile(self.times, q) * 1000 if self.times else float("nan")


def run_load(
    port: int,
    paths: list[tuple[str, str]],
    *,
    clients: int,
    seconds: float,
    admins: list[tuple[str, str]] | None = None,
    label: str = "pages",
    max_requests: int = 200_000,
) -> LoadResult:
    """``clients`` threads GET ``paths`` ((name, path) pairs) in random order for ``seconds``.

    Every other client signs in with one of ``admins`` (email, password) — each its own
    account — and the rest browse anonymously.
    An error is any status other than 200, or a failed connection.
    """
    result = LoadResult(label, seconds)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def worker(index: int) -> None:
        client = Client(port)
        rng = random.Random(index)
        try:
            if admins and index % 2 == 0:
                client.login(*admins[(index // 2) % len(admins)])
        except Exception as exc:
            with lock:
                result.error(f"sign-in: {exc}")
        start.wait()
        while time.monotonic() < deadline[0] and result.requests < max_requests:
            name, path = rng.choice(paths)
            try:
                status, _, elapsed, _ = client.get(path)
            except Exception as exc:
                with lock:
                    result.error(f"{name}: {type(exc).__name__}")
                continue
            with lock:
                if status == 200:
                    result.times.append(elapsed)
                    result.by_page.setdefault(name, []).append(elapsed)
                else:
                    result.error(f"{name}: HTTP {status}")
        client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(clients)]
    for t in threads:
        t.start()
    deadline[0] = time.monotonic() + seconds
    start.wait()
    began = time.monotonic()
    for t in threads:
        t.join(timeout=seconds + 120)
    result.seconds = time.monotonic() - began
    return result


# --- procurement leads submitting scorecards at once --------------------------------


def prepare_storm(slug: str) -> dict:
    """A new shortlisted option nobody has scored, and a declaration for every lead.

    Returns what the simulated leads need: option id, criteria ids, and per lead
    (email, organisation slug). Run inside an app context; commits.
    """
    from procure.experiments.services import bump_content_version
    from procure.scoring.models import Declaration

    exp = db.session.scalar(sa.select(m.Experiment).where(m.Experiment.slug == slug))
    option = m.Option(
        experiment_id=exp.id,
        kind="product",
        name="Storm option",
        supplier="Storm Ltd",
        summary="Scored by every borough at once.",
        status="shortlist",
    )
    db.session.add(option)
    leads = db.session.execute(
        sa.select(m.User.id, m.User.email, m.Organisation.id, m.Organisation.slug)
        .join(m.Participation, m.Participation.procurement_lead_id == m.User.id)
        .join(m.Organisation, m.Organisation.id == m.Participation.organisation_id)
        .where(m.Participation.experiment_id == exp.id)
        .order_by(m.Participation.id)
    ).all()
    for user_id, _, org_id, _ in leads:
        if not db.session.scalar(
            sa.select(Declaration.id).where(
                Declaration.experiment_id == exp.id, Declaration.user_id == user_id
            )
        ):
            db.session.add(
                Declaration(
                    experiment_id=exp.id,
                    user_id=user_id,
                    organisation_id=org_id,
                    has_interest=False,
                )
            )
    db.session.flush()
    bump_content_version(exp)
    criteria = list(
        db.session.scalars(sa.select(m.Criterion.id).where(m.Criterion.experiment_id == exp.id))
    )
    result = {
        "option_id": option.id,
        "criteria": criteria,
        "leads": [(email, org_slug) for _, email, _, org_slug in leads],
    }
    db.session.commit()
    return result


@dataclass
class StormResult:
    leads: int
    seconds: float
    times: list[float]
    errors: list[str]
    posted: dict[str, dict[int, int]]  # organisation slug → criterion id → score


def run_storm(port: int, slug: str, plan: dict) -> StormResult:
    """Every lead at once: sign in, GET the scorecard form, POST scores (CSRF) and submit."""
    option_id, criteria = plan["option_id"], plan["criteria"]
    errors: list[str] = []
    times: list[float] = []
    posted: dict[str, dict[int, int]] = {}
    lock = threading.Lock()
    barrier = threading.Barrier(len(plan["leads"]))

    def lead(index: int, email: str, org_slug: str) -> None:
        client = Client(port, timeout=120)
        rng = random.Random(1000 + index)
        scores = {cid: rng.randint(0, 5) for cid in criteria}
        url = f"/experiments/{slug}/scoring/tasks/{org_slug}/{option_id}"
        try:
            barrier.wait(timeout=60)
            started = time.perf_counter()
            client.login(email, PASSWORD)
            token, version, _ = client.csrf(url)
            form = {"csrf_token": token, "version": version or "0", "submit": "Submit scorecard"}
            for cid, score in scores.items():
                form[f"score_{cid}"] = str(score)
                form[f"reason_{cid}"] = f"Storm reason {org_slug} {cid}"
                form[f"sensitivity_{cid}"] = "members"
            status, _, _, headers = client.post(url, form)
            elapsed = time.perf_counter() - started
            if status != 302 or "/tasks/" not in headers.get("Location", ""):
                raise RuntimeError(f"{email}: POST answered {status}")
            with lock:
                times.append(elapsed)
                posted[org_slug] = scores
        except Exception as exc:
            with lock:
                errors.append(str(exc)[:200])
        finally:
            client.close()

    threads = [
        threading.Thread(target=lead, args=(i, email, org), daemon=True)
        for i, (email, org) in enumerate(plan["leads"])
    ]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    return StormResult(len(threads), time.monotonic() - began, times, errors, posted)


def verify_storm(slug: str, plan: dict, result: StormResult) -> list[str]:
    """Lost or wrong updates: every posted scorecard must hold exactly the posted scores."""
    problems = []
    option_id = plan["option_id"]
    exp_id = db.session.scalar(sa.select(m.Experiment.id).where(m.Experiment.slug == slug))
    for org_slug, scores in result.posted.items():
        card = db.session.scalar(
            sa.select(m.Scorecard)
            .join(m.Organisation, m.Organisation.id == m.Scorecard.organisation_id)
            .where(
                m.Scorecard.experiment_id == exp_id,
                m.Scorecard.option_id == option_id,
                m.Organisation.slug == org_slug,
            )
        )
        if card is None:
            problems.append(f"{org_slug}: no scorecard saved")
            continue
        saved = {s.criterion_id: s.score for s in card.scores}
        if card.status != "submitted":
            problems.append(f"{org_slug}: status {card.status}")
        if saved != scores:
            problems.append(f"{org_slug}: saved {saved} != posted {scores}")
    count = db.session.scalar(
        sa.select(sa.func.count(m.Scorecard.id)).where(m.Scorecard.option_id == option_id)
    )
    if count != len(result.posted):
        problems.append(f"{count} scorecards for the option, {len(result.posted)} posted")
    return problems


def summary(times: list[float]) -> tuple[float, float]:
    """(median ms, p95 ms)."""
    if not times:
        return float("nan"), float("nan")
    return statistics.median(times) * 1000, percentile(times, 95) * 1000
