"""Canary planting: an experiment whose every text field holds a token.

``flask demo canary --experiment SLUG --prefix PREFIX`` builds a complete
experiment through each feature's ``demo.canary(ctx)``. Every token is
``PREFIX`` + ``PUB`` | ``MEM`` | ``PAR`` + four digits, the level being the
field's *effective* sensitivity (the higher of the field's own level and any
span it sits in; personal names count as ``MEM``). The suite renders every page
and report at every audience and proves no token above the audience appears.

Complete by construction: while the canary is planted, every record it creates is
topped up just before it is first written. Each string column of each mapped model is
looked up in :mod:`procure.text_policy`; a column with a policy gets a field-level
token if the feature's canary left it without one and, where the column accepts
spans, a ``[[members: …]]`` and a ``[[participants: …]]`` span each holding its own
token (only the spans above the record's own level). A column added tomorrow is
planted the day it is given its policy, and a test fails until it has one.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from procure.accounts.models import Organisation, User
from procure.experiments.models import Experiment, Participation, StageTransition
from procure.extensions import db
from procure.sensitivity import Sensitivity
from procure.text_policy import TEXT_FIELDS, TextField

CODES = {Sensitivity.PUBLIC: "PUB", Sensitivity.MEMBERS: "MEM", Sensitivity.PARTICIPANTS: "PAR"}


@dataclass
class CanaryContext:
    """Hands out unique tokens and remembers them; features plant them in their fields."""

    prefix: str
    experiment: Any = None
    admin: Any = None
    organisations: dict[str, Any] = field(default_factory=dict)
    leads: dict[str, Any] = field(default_factory=dict)
    officers: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, Sensitivity] = field(default_factory=dict)
    # Features share what they created, e.g. ctx.shared["options"], ctx.shared["workshop"].
    shared: dict[str, Any] = field(default_factory=dict)
    _counter: int = 0

    def token(self, level: Sensitivity | str) -> str:
        """A new unique token for a field whose effective sensitivity is ``level``."""
        level = Sensitivity.parse(level)
        self._counter += 1
        value = f"{self.prefix}{CODES[level]}{self._counter:04d}"
        self.tokens[value] = level
        return value

    def text(self, base: Sensitivity | str = Sensitivity.PUBLIC) -> str:
        """Free text with a token at its own level and one inside each higher span.

        ``base`` is the field's own sensitivity; spans below it are pointless, so
        only spans above it are added.
        """
        base = Sensitivity.parse(base)
        parts = [f"Canary text {self.token(base)}."]
        if base < Sensitivity.MEMBERS:
            parts.append(f"[[members: member detail {self.token(Sensitivity.MEMBERS)}]]")
        if base < Sensitivity.PARTICIPANTS:
            parts.append(
                f"[[participants: commercial detail {self.token(Sensitivity.PARTICIPANTS)}]]"
            )
        return " ".join(parts)

    def by_level(self, level: Sensitivity) -> list[str]:
        return [t for t, lvl in self.tokens.items() if lvl == level]


# ---------------------------------------------------------------------------
# The core of the canary experiment: organisations, people, participations.

# (key, kind, is_member, role in the experiment or None) — the keys are the demo's
# organisation slugs, so a feature's canary can address them as its demo does.
CANARY_ORGANISATIONS = [
    ("loti", "convenor", True, None),
    ("camden", "borough", True, "lead"),
    ("hackney", "borough", True, "participant"),
    ("islington", "borough", True, "participant"),
    ("kingston", "borough", True, "participant"),
    ("bexley", "borough", True, "observer"),
    ("lewisham", "borough", True, None),
    ("gla", "gla", True, None),
    ("public-research", "partner", False, None),
]
CANARY_FEATURES = ("market", "scoring", "requirements", "workshops", "governance", "procurement")
CANARY_PASSWORD = "canary-password"  # noqa: S105 - test-only accounts, refused in production


def _default(column: sa.Column, obj: Any) -> list:
    """A JSON list column's Python-side default (applied only at insert otherwise)."""
    default = column.default
    if default is None:
        return []
    arg = default.arg
    return list(arg(None) if callable(arg) else arg)


class CanaryError(ValueError):
    """The canary experiment cannot be planted as asked."""


def plant_canary(slug: str, prefix: str) -> CanaryContext:
    """Create a complete published experiment ``slug`` whose every text field holds a token.

    Organisation names are ``PUB`` tokens, person names ``MEM`` tokens, the
    experiment's free text comes from :meth:`CanaryContext.text`; then each
    feature's ``procure.<feature>.demo.canary(ctx)`` plants its own (a feature
    without a demo module yet is skipped), and every record created on the way is
    topped up from the text policy (see the module's docstring). Flushes; the caller
    commits.
    """
    if not slug or not prefix or not prefix.isalnum():
        raise CanaryError("Give an experiment short name and a prefix of letters and digits")
    ctx = CanaryContext(prefix=prefix)
    with planting_every_text_column(ctx):
        _plant(ctx, slug)
        db.session.flush()
    return ctx


def _plant(ctx: CanaryContext, slug: str) -> None:
    if db.session.scalar(sa.select(Experiment.id).where(Experiment.slug == slug)):
        raise CanaryError(f"An experiment with the short name {slug!r} already exists")
    public, members = Sensitivity.PUBLIC, Sensitivity.MEMBERS

    def person(email: str, role: str, org: Organisation) -> User:
        user = User(
            email=email, name=f"Person {ctx.token(members)}", site_role=role, organisation=org
        )
        user.set_password(CANARY_PASSWORD)
        db.session.add(user)
        return user

    for key, kind, is_member, _role in CANARY_ORGANISATIONS:
        org = Organisation(
            slug=f"{slug}-{key}"[:80],
            name=f"Organisation {ctx.token(public)}",
            kind=kind,
            is_member=is_member,
        )
        db.session.add(org)
        ctx.organisations[key] = org
    db.session.flush()
    ctx.admin = person(f"admin@{slug}.canary.test", "admin", ctx.organisations["loti"])
    for key, _kind, is_member, _role in CANARY_ORGANISATIONS:
        role = "member" if is_member else "guest"
        org = ctx.organisations[key]
        ctx.leads[key] = person(f"lead-{key}@{slug}.canary.test", role, org)
        ctx.officers[key] = person(f"officer-{key}@{slug}.canary.test", role, org)
    db.session.flush()

    experiment = Experiment(
        slug=slug,
        title=f"Canary experiment {ctx.token(public)}",
        domain=f"Canary domain {ctx.token(public)}",
        summary=ctx.text(public),
        problem_statement=ctx.text(public),
        outcomes=ctx.text(public),
        stage="requirements",
        is_published=True,
    )
    db.session.add(experiment)
    db.session.flush()
    ctx.experiment = experiment
    for key, _kind, _member, role in CANARY_ORGANISATIONS:
        if role:
            db.session.add(
                Participation(
                    experiment=experiment,
                    organisation=ctx.organisations[key],
                    role=role,
                    procurement_lead=ctx.leads[key],
                )
            )
    db.session.flush()
    # A stage move with a reason, as the convenor records one (the history shows it).
    db.session.add(
        StageTransition(
            experiment_id=experiment.id,
            from_stage="scoring",
            to_stage="requirements",
            actor=ctx.admin,
            reason=f"Canary reason {ctx.token(Sensitivity.PARTICIPANTS)}",
            overridden=True,
        )
    )
    db.session.flush()

    for feature in CANARY_FEATURES:
        name = f"procure.{feature}.demo"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        if hasattr(module, "canary"):
            module.canary(ctx)
            db.session.flush()


# ---------------------------------------------------------------------------
# Topping up every text column of every record the canary creates.


@contextmanager
def planting_every_text_column(ctx: CanaryContext) -> Iterator[None]:
    """While planting, top up each new record from the text policy before it is written."""

    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        for obj in list(session.new):
            top_up(ctx, obj)

    sa.event.listen(Session, "before_flush", before_flush)
    try:
        yield
    finally:
        sa.event.remove(Session, "before_flush", before_flush)


def _row_level(obj: Any, policy: TextField) -> Sensitivity:
    level = policy.level
    if policy.level_from:
        own = getattr(obj, policy.level_from, None)
        if own is not None:
            level = max(level, Sensitivity.parse(own))
    return Sensitivity(level)


def _planted_text(ctx: CanaryContext, text: str, policy: TextField, level: Sensitivity) -> str:
    """``text`` with what it lacks: a token at ``level``, and the spans above it."""
    parts = [text] if text else []
    if ctx.prefix not in (text or ""):
        parts.append(f"Canary {ctx.token(level)}")
    if policy.accepts_spans:
        lowered = (text or "").lower()
        if level < Sensitivity.MEMBERS and "[[members:" not in lowered:
            parts.append(f"[[members: member detail {ctx.token(Sensitivity.MEMBERS)}]]")
        if level < Sensitivity.PARTICIPANTS and "[[participants:" not in lowered:
            parts.append(
                f"[[participants: commercial detail {ctx.token(Sensitivity.PARTICIPANTS)}]]"
            )
    return " ".join(parts)


def top_up(ctx: CanaryContext, obj: Any) -> None:
    """Plant in every text column of ``obj`` that has a policy (see the module docstring)."""
    mapper = sa.inspect(type(obj), raiseerr=False)
    if mapper is None:
        return
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        key = f"{mapper.local_table.name}.{column.name}"
        policy = TEXT_FIELDS.get(key)
        if policy is None:
            continue
        level = _row_level(obj, policy)
        value = getattr(obj, attr.key)
        if isinstance(column.type, sa.JSON):
            items = list(value if value is not None else _default(column, obj))
            if not any(ctx.prefix in str(item) for item in items) or (
                policy.accepts_spans and not any("[[" in str(item) for item in items)
            ):
                items.append(_planted_text(ctx, "", policy, level))
            setattr(obj, attr.key, items)
            continue
        if not policy.accepts_spans and value:
            # A plain value the feature chose (a category from the list, a web address)
            # may be referred to elsewhere: the feature's canary plants those itself.
            continue
        planted = _planted_text(ctx, value or "", policy, level)
        length = getattr(column.type, "length", None)
        if length and len(planted) > length:
            raise CanaryError(f"{key}: the planted text is longer than {length} characters")
        setattr(obj, attr.key, planted)
