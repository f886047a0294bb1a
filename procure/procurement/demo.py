"""Demo and canary content: organisation identifiers, suppliers, and a UK2 notice draft.

Every identifier here is made up: it has the right format and belongs to no one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from procure.accounts.models import Organisation
from procure.extensions import db
from procure.procurement.conflicts import add_assessment, declarations, history, people_involved
from procure.procurement.engagement import activities_of, add_activity
from procure.procurement.services import NoticeInput, notice_of, save_notice, set_lots
from procure.sensitivity import Sensitivity

# slug → (PPON, Companies House number): boroughs have a PPON; companies have both.
IDENTIFIERS = {
    "loti": ("PQLT-4417-KWRN", None),
    "camden": ("PCMD-2031-HBXT", None),
    "hackney": ("PHKN-5582-RDLW", None),
    "islington": ("PISL-7740-MZQC", None),
    "kingston": ("PKNG-1196-TVPE", None),
    "sutton": ("PSTN-3308-YJGA", None),
    "waltham-forest": ("PWFR-6624-NCUB", None),
    "bexley": ("PBXL-8853-FSDK", None),
    "lewisham": ("PLWM-2275-QEHO", None),
    "gla": ("PGLA-9012-WTRM", None),
}

# (slug, name, PPON, Companies House number): suppliers who took part in the engagement.
SUPPLIERS = [
    ("tenancy-works-demo", "Tenancy Works Software Ltd (demo)", "PTWS-3141-AVRX", "04567123"),
    ("homes-cloud-demo", "Homes Cloud Systems Ltd (demo)", "PHCS-2718-LKMB", "SC612345"),
    ("resident-first-demo", "Resident First Digital Ltd (demo)", None, "11223344"),
]

AUTHORITIES = ("camden", "hackney", "islington")

DESCRIPTION = """\
Camden, Hackney and Islington intend to procure a housing management system — rents,
repairs, tenancies and resident contact — jointly or each alone, using the joint
requirements specification their housing systems experiment produced.

The boroughs want to hear from suppliers of cloud-hosted products and from suppliers
who can migrate data from the systems the boroughs run today.
"""

RATIONALE = """\
The experiment scanned the market, scored the options for feasibility and desirability,
and wrote a joint specification. This engagement tests that specification with
suppliers before any tender notice, and gives every supplier the same information.
"""

PARTICIPATION = """\
A supplier day in London, followed by a written questionnaire. Every answer given to
one supplier is published to all of them on this notice's page.
"""

LOTS = [
    (
        "Boroughs whose contracts end in 2027",
        "Camden and Hackney, whose contracts end within six months of each other.",
    ),
    (
        "Boroughs whose contracts end in 2028",
        "Islington, with the option for other London boroughs to join\nat a later call-off.",
    ),
]


def _identify(organisations: dict[str, Organisation]) -> None:
    for slug, (ppon, company) in IDENTIFIERS.items():
        org = organisations.get(slug)
        if org is not None:
            org.ppon = org.ppon or ppon
            org.companies_house_number = org.companies_house_number or company


def load(ctx) -> None:
    """Identifiers for the demo organisations, three suppliers and the notice (idempotent)."""
    _identify(ctx.organisations)
    for slug, name, ppon, company in SUPPLIERS:
        if db.session.scalar(sa.select(Organisation.id).where(Organisation.slug == slug)) is None:
            db.session.add(
                Organisation(
                    slug=slug,
                    name=name,
                    kind="supplier",
                    is_member=False,
                    ppon=ppon,
                    companies_house_number=company,
                )
            )
    db.session.flush()
    _engagement(
        ctx,
        dict(
            db.session.execute(
                sa.select(Organisation.slug, Organisation.id).where(Organisation.kind == "supplier")
            ).all()
        ),
    )
    if not history(ctx.experiment):
        _assess_everyone(
            ctx.experiment,
            ctx.admin,
            "Does not score options from the supplier named in the declaration.\n\n"
            "[[participants: The declared relationship ended in 2024; reviewed with the\n"
            "monitoring officer.]]",
        )
    if notice_of(ctx.experiment) is not None:
        return
    notice = save_notice(
        ctx.experiment,
        NoticeInput(
            title="Housing management systems for three London boroughs",
            description=DESCRIPTION,
            rationale=RATIONALE,
            participation=PARTICIPATION,
            cpv_codes=["48000000-8", "72260000-5", "70330000-3"],
            value_low=Decimal("1800000"),
            value_high=Decimal("4200000"),
            contract_months=84,
            engagement_start=date(2027, 1, 11),
            engagement_end=date(2027, 3, 5),
            convenor_procures=True,
            authority_ids=[ctx.organisations[slug].id for slug in AUTHORITIES],
        ),
        actor=ctx.admin,
    )
    set_lots(notice, LOTS)


def canary(ctx) -> None:
    """A notice whose every text holds tokens, with spans running over several lines."""
    public, members, participants = (
        Sensitivity.PUBLIC,
        Sensitivity.MEMBERS,
        Sensitivity.PARTICIPANTS,
    )
    _identify(ctx.organisations)
    _assess_everyone(ctx.experiment, ctx.admin, ctx.text(participants))
    suppliers = []
    for number in (1, 2):
        supplier = Organisation(
            slug=f"{ctx.experiment.slug}-supplier-{number}"[:80],
            name=f"Supplier {ctx.token(public)}",
            kind="supplier",
            is_member=False,
        )
        db.session.add(supplier)
        suppliers.append(supplier)
    db.session.flush()
    for level, who in (
        (public, suppliers),
        (members, suppliers[:1]),
        (participants, suppliers[1:]),
    ):
        add_activity(
            ctx.experiment,
            kind="meeting",
            format="online",
            held_on=date(2027, 1, 1),
            title=f"Canary activity {ctx.token(level)}",
            summary=ctx.text(level),
            sensitivity=level,
            supplier_ids=[s.id for s in who],
            documents=[(f"Document {ctx.token(level)}", ctx.token(level))],
            questions=[(ctx.text(level), ctx.text(level))],
        )
    notice = save_notice(
        ctx.experiment,
        NoticeInput(
            title=f"Canary notice {ctx.token(public)}",
            description=ctx.text(public),
            rationale=ctx.text(public),
            participation=ctx.text(public),
            cpv_codes=["48000000-8"],
            value_low=Decimal("1000"),
            value_high=Decimal("2000"),
            contract_months=12,
            convenor_procures=True,
            authority_ids=[ctx.organisations[slug].id for slug in ("camden", "hackney")],
        ),
        actor=ctx.admin,
    )
    set_lots(
        notice,
        [
            (
                f"Canary lot {ctx.token(public)}",
                f"First line {ctx.token(public)}\n[[members: spread over\nlines "
                f"{ctx.token(members)}\nand more]]\n[[participants: also\n"
                f"{ctx.token(participants)}]] last line",
            )
        ],
    )


def _assess_everyone(experiment, reviewer, mitigation: str) -> None:
    """A review of each person involved: the first with an interest is mitigated."""
    mitigated = False
    for person in people_involved(experiment):
        declared = declarations(experiment).get(person.id)
        if declared is not None and declared.has_interest and not mitigated:
            add_assessment(experiment, person.id, "mitigated", mitigation, reviewer)
            mitigated = True
        else:
            add_assessment(experiment, person.id, "no_conflict", "", reviewer)


ENGAGEMENT = [
    (
        "workshop",
        "in_person",
        date(2027, 1, 19),
        "Supplier day: housing systems for three boroughs",
        "The boroughs presented the experiment's findings and the draft specification.",
        ["tenancy-works-demo", "homes-cloud-demo", "resident-first-demo"],
        [("Joint requirements specification", "1.0"), ("Market study", "")],
        [
            (
                "Will the boroughs accept a phased data migration?",
                "Yes: the specification asks for a migration plan, not a single cut-over.",
            )
        ],
    ),
    (
        "meeting",
        "online",
        date(2027, 2, 2),
        "Follow-up meeting on data migration",
        "A one-to-one meeting at the supplier's request.",
        ["homes-cloud-demo"],
        [("Data migration notes", "0.2")],
        [
            (
                "How many tenancy records does each borough hold?",
                "About 20,000 to 35,000 each; the figures will be published to all suppliers.",
            )
        ],
    ),
]


def _engagement(ctx, suppliers: dict[str, int]) -> None:
    if activities_of(ctx.experiment):
        return
    for kind, format_, held_on, title, summary, who, documents, questions in ENGAGEMENT:
        add_activity(
            ctx.experiment,
            kind=kind,
            format=format_,
            held_on=held_on,
            title=title,
            summary=summary,
            supplier_ids=[suppliers[s] for s in who],
            documents=documents,
            questions=questions,
        )
