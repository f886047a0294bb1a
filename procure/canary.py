"""Canary planting: an experiment whose every free-text or sensitive field holds a token.

``flask demo canary --experiment SLUG --prefix PREFIX`` builds a complete
experiment through each feature's ``demo.canary(ctx)``. Every token is
``PREFIX`` + ``PUB`` | ``MEM`` | ``PAR`` + four digits, the level being the
field's *effective* sensitivity (the higher of the field's own level and any
span it sits in; personal names count as ``MEM``). The suite renders every page
and report at every audience and proves no token above the audience appears.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from procure.sensitivity import Sensitivity

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
CANARY_FEATURES = ("market", "scoring", "requirements", "workshops")
CANARY_PASSWORD = "canary-password"  # noqa: S105 - test-only accounts, refused in production


class CanaryError(ValueError):
    """The canary experiment cannot be planted as asked."""


def plant_canary(slug: str, prefix: str) -> CanaryContext:
    """Create a complete published experiment ``slug`` whose every field holds a token.

    Organisation names are ``PUB`` tokens, person names ``MEM`` tokens, the
    experiment's free text comes from :meth:`CanaryContext.text`; then each
    feature's ``procure.<feature>.demo.canary(ctx)`` plants its own (a feature
    without a demo module yet is skipped). Flushes; the caller commits.
    """
    import importlib

    import sqlalchemy as sa

    from procure.accounts.models import Organisation, User
    from procure.experiments.models import Experiment, Participation
    from procure.extensions import db

    if not slug or not prefix or not prefix.isalnum():
        raise CanaryError("Give an experiment short name and a prefix of letters and digits")
    if db.session.scalar(sa.select(Experiment.id).where(Experiment.slug == slug)):
        raise CanaryError(f"An experiment with the short name {slug!r} already exists")
    ctx = CanaryContext(prefix=prefix)
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
    return ctx
