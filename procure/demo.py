"""Demo data: the London housing-systems experiment, at every sensitivity level.

``load_demo`` is idempotent: it finds what exists and adds only what is
missing. Each feature adds its own demo content in ``<feature>/demo.py`` with a
``load(ctx)`` function that is idempotent too.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

import sqlalchemy as sa

from procure.accounts.models import Organisation, User
from procure.experiments.models import Experiment, Participation
from procure.extensions import db

DEMO_PASSWORD = "procure-demo"  # noqa: S105 - published demo credential, refused in production
SLUG = "housing-systems"

# (slug, name, kind, is_member, role in the experiment or None)
ORGANISATIONS = [
    ("loti", "London Office of Technology and Innovation", "convenor", True, None),
    ("camden", "London Borough of Camden", "borough", True, "lead"),
    ("hackney", "London Borough of Hackney", "borough", True, "participant"),
    ("islington", "London Borough of Islington", "borough", True, "participant"),
    ("kingston", "Royal Borough of Kingston upon Thames", "borough", True, "participant"),
    ("sutton", "London Borough of Sutton", "borough", True, "participant"),
    ("waltham-forest", "London Borough of Waltham Forest", "borough", True, "participant"),
    ("bexley", "London Borough of Bexley", "borough", True, "observer"),
    ("lewisham", "London Borough of Lewisham", "borough", True, None),
    ("gla", "Greater London Authority", "gla", True, None),
    ("public-research", "PUBLIC (research partner)", "partner", False, None),
]

# First names for demo people, so each borough's officers read as real colleagues.
PEOPLE = {
    "loti": ("Genta Okafor", "Onyeka Daniels"),
    "camden": ("Priya Raman", "Tom Whitfield"),
    "hackney": ("Aisha Bello", "Callum Reid"),
    "islington": ("Marta Kowalska", "Ben Osei"),
    "kingston": ("Helen Park", "Dev Mistry"),
    "sutton": ("Rachel Adeyemi", "Owen Hughes"),
    "waltham-forest": ("Sam Clarke", "Fatima Hussain"),
    "bexley": ("Gareth Lloyd", "Nadia Rahman"),
    "lewisham": ("Joanne Carter", "Kwame Mensah"),
    "gla": ("Laura Fenwick", "Ibrahim Sesay"),
    "public-research": ("Chloe Martin", "Arjun Shah"),
}

SUMMARY = """\
Six London boroughs are exploring whether they can buy **housing management systems** together:
the systems that run rents, repairs, tenancies and resident contact. The experiment follows the
innovation in procurement toolkit: scan the market, score the options for feasibility and
desirability, then write one requirements specification every borough can adopt.

[[members: Early conversations suggest at least three boroughs have contracts ending within
eighteen months of each other.]]
"""

PROBLEM = """\
Each borough buys its housing system alone, on its own timetable, and most are locked into
long contracts with a small number of suppliers. Residents see slow repairs and poor
information; officers re-key data between systems.

[[participants: Two boroughs report annual support costs rising by more than 12% at their
last renewal, and one supplier has signalled the end of life of its on-premises product.]]
"""

OUTCOMES = """\
- A shared view of the market: products and procurement routes
- Agreement on which options are feasible and desirable for most boroughs
- A joint requirements specification that each borough can adopt in its own procurement
- Cohorts of boroughs whose contract dates let them buy together
"""


@dataclass
class DemoContext:
    """What the core demo created, handed to each feature's ``demo.load``."""

    experiment: Experiment
    admin: User
    organisations: dict[str, Organisation]
    leads: dict[str, User]
    officers: dict[str, User]
    notes: list[str] = field(default_factory=list)


def _get_or_create_org(slug: str, name: str, kind: str, is_member: bool) -> Organisation:
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == slug))
    if org is None:
        org = Organisation(slug=slug, name=name, kind=kind, is_member=is_member)
        db.session.add(org)
    return org


def _get_or_create_user(email: str, name: str, role: str, org: Organisation | None) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, site_role=role, organisation=org)
        user.set_password(DEMO_PASSWORD)
        db.session.add(user)
    return user


def load_demo() -> str:
    """Create (or complete) the demo organisations, people and housing-systems experiment."""
    orgs = {
        slug: _get_or_create_org(slug, name, kind, member)
        for slug, name, kind, member, _ in ORGANISATIONS
    }
    db.session.flush()
    admin = _get_or_create_user("admin@demo.test", "Genta Okafor", "admin", orgs["loti"])
    leads: dict[str, User] = {}
    officers: dict[str, User] = {}
    for slug, org in orgs.items():
        lead_name, officer_name = PEOPLE[slug]
        role = "member" if org.is_member else "guest"
        leads[slug] = _get_or_create_user(f"lead@{slug}.demo.test", lead_name, role, org)
        officers[slug] = _get_or_create_user(f"officer@{slug}.demo.test", officer_name, role, org)
    db.session.flush()

    experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == SLUG))
    if experiment is None:
        experiment = Experiment(
            slug=SLUG,
            title="Housing management systems",
            domain="Housing management systems for London boroughs",
            summary=SUMMARY,
            problem_statement=PROBLEM,
            outcomes=OUTCOMES,
            stage="scoring",
            is_published=True,
        )
        db.session.add(experiment)
        db.session.flush()
    existing = {p.organisation_id for p in experiment.participations}
    for slug, _name, _kind, _member, role in ORGANISATIONS:
        if role and orgs[slug].id not in existing:
            db.session.add(
                Participation(
                    experiment=experiment,
                    organisation=orgs[slug],
                    role=role,
                    procurement_lead=leads[slug],
                )
            )
    db.session.flush()

    ctx = DemoContext(experiment, admin, orgs, leads, officers)
    for feature in ("market", "scoring", "requirements", "workshops", "reports", "procurement"):
        try:
            module = importlib.import_module(f"procure.{feature}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"procure.{feature}.demo":
                raise
            continue
        module.load(ctx)
        db.session.flush()
    return demo_logins_text(ctx)


def demo_logins_text(ctx: DemoContext) -> str:
    lines = [
        f"Demo experiment: /experiments/{SLUG}",
        f"Demo logins (password for all: {DEMO_PASSWORD}):",
        "  admin@demo.test                  convenor staff (admin)",
    ]
    roles = {slug: role for slug, _n, _k, _m, role in ORGANISATIONS}
    for slug, org in ctx.organisations.items():
        if slug == "loti":
            continue
        role = roles.get(slug)
        what = {
            "lead": "procurement lead of the lead borough",
            "participant": "procurement lead",
            "observer": "procurement lead of an observer",
        }.get(role or "", "officer of an organisation not taking part")
        lines.append(f"  lead@{slug}.demo.test".ljust(35) + f"{what}, {org.name}")
    lines.append("  officer@<organisation>.demo.test officers of the same organisations")
    return "\n".join(lines + ctx.notes)
