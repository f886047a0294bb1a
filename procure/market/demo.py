"""Demo and canary data for the market scan, landscape and planner.

Suppliers and products are invented; any likeness to a real company is chance.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from procure.experiments.models import Participation
from procure.extensions import db
from procure.market.models import LandscapeEntry, Option
from procure.sensitivity import Sensitivity

P = Sensitivity.PUBLIC
M = Sensitivity.MEMBERS
PAR = Sensitivity.PARTICIPANTS

# name, supplier, hosting, status, summary, (low, high), basis, used_by slugs, extra
PRODUCTS = [
    (
        "Keystone Housing Cloud",
        "Keystone Civic Software Ltd",
        "saas",
        "shortlist",
        "A cloud housing management system covering rents, repairs, tenancies and a resident portal.",
        (180000, 320000),
        "a year, for 20,000 to 30,000 homes",
        ["camden"],
        "Open APIs documented publicly. [[participants: Keystone offered a 15% discount for a "
        "joint call-off by three or more boroughs.]]",
    ),
    (
        "Harbour Tenancy Suite",
        "Harbour Digital Services plc",
        "hosted",
        "shortlist",
        "A modular suite hosted by the supplier, strong on income collection and arrears.",
        (150000, 260000),
        "a year, for 25,000 homes",
        ["hackney"],
        "Used by several councils outside London. [[members: Two boroughs report slow "
        "change requests.]]",
    ),
    (
        "CommonKey Housing Platform",
        "CommonKey Cooperative",
        "saas",
        "shortlist",
        "An open-source housing platform with a paid support and hosting service.",
        (90000, 160000),
        "a year for support and hosting, any size",
        [],
        "Source code published under an open licence; councils may self-host.",
    ),
    (
        "Meridian Repairs and Assets",
        "Meridian Property Systems Ltd",
        "saas",
        "shortlist",
        "Repairs, planned maintenance and stock condition, with an operative mobile app.",
        (120000, 210000),
        "a year, for 20,000 homes",
        ["islington"],
        "Strong on repairs scheduling. [[participants: Meridian's quote excludes data "
        "migration, estimated at £60,000 per borough.]]",
    ),
    (
        "Larchfield Estates Manager",
        "Larchfield Systems Ltd",
        "on_premises",
        "longlist",
        "A long-established system installed on council servers, moving to a hosted model.",
        (200000, 340000),
        "a year, including support",
        ["kingston", "sutton"],
        "[[members: The supplier has signalled the end of life of the on-premises edition.]]",
    ),
    (
        "Tenant First",
        "Beacon Housing Tech Ltd",
        "saas",
        "shortlist",
        "A resident-first platform with self-service, payments and repairs reporting.",
        (110000, 190000),
        "a year, for 15,000 homes",
        [],
        "Accessibility statement published; WCAG 2.2 AA claimed.",
    ),
    (
        "Lattice Housing ERP",
        "Lattice Public Systems Ltd",
        "hybrid",
        "longlist",
        "A housing module within a wider council ERP, sharing finance and HR data.",
        (250000, 450000),
        "a year, as part of an ERP licence",
        ["waltham-forest"],
        "Best where the council already runs the Lattice ERP.",
    ),
    (
        "Quayside Rent Engine",
        "Quayside Analytics Ltd",
        "saas",
        "longlist",
        "Rent accounting and arrears prediction, to sit beside another system.",
        (40000, 80000),
        "a year",
        [],
        "Covers rents only; needs another product for repairs and tenancies.",
    ),
    (
        "Fernhill Homes Online",
        "Fernhill Software Ltd",
        "hosted",
        "longlist",
        "A small supplier's hosted system aimed at councils with under 10,000 homes.",
        (60000, 110000),
        "a year, for up to 10,000 homes",
        [],
        "[[participants: Fernhill could not evidence capacity for more than two new councils "
        "a year.]]",
    ),
    (
        "Stonebridge Legacy Housing 5",
        "Stonebridge Systems plc",
        "on_premises",
        "excluded",
        "An older on-premises system with no cloud roadmap.",
        (160000, 230000),
        "a year, support only",
        ["bexley"],
        "Vendor support ends in 2028.",
    ),
]

# name, supplier (framework or body), status, summary, timescale, constraints
APPROACHES = [
    (
        "Call-off from a national framework",
        "A national public-sector technology framework",
        "shortlist",
        "Direct award or mini-competition under an existing framework agreement.",
        "3 to 6 months for a mini-competition.",
        "Only suppliers on the framework; its scope and end date limit what can be bought.",
    ),
    (
        "Dynamic purchasing system",
        "A housing technology DPS run by a buying organisation",
        "longlist",
        "An open list of qualified suppliers that new suppliers can join at any time.",
        "2 to 4 months per call-off competition.",
        "Each call-off is a full competition; suppliers must first be admitted.",
    ),
    (
        "Competitive flexible procedure",
        "Each borough, or a lead borough on behalf of others",
        "shortlist",
        "A procurement designed by the buyers under the Procurement Act 2023.",
        "9 to 15 months from notice to contract.",
        "Needs procurement capacity and a joint agreement on evaluation. [[members: Camden has "
        "offered to act as the lead contracting authority.]]",
    ),
    (
        "Collaborative build",
        "A partnership of boroughs and a delivery partner",
        "longlist",
        "Boroughs commission an open-source system together and share the code.",
        "18 months or more to a first release.",
        "Needs a shared product team and long-term funding.",
    ),
    (
        "Contract extension",
        "Each borough's incumbent supplier",
        "longlist",
        "Extend current contracts to line up end dates before buying together.",
        "1 to 3 months to negotiate.",
        "Only where extension options remain; [[participants: prices usually rise at extension.]]",
    ),
]

# organisation slug → product, supplier, start, end, extension months, annual cost, notes
LANDSCAPE = {
    "camden": (
        "Keystone Housing Cloud",
        "Keystone Civic Software Ltd",
        date(2020, 4, 1),
        date(2027, 3, 31),
        6,
        240000,
        "Cloud since 2020. [[participants: Renewal quote received in 2026 was 14% higher.]]",
    ),
    "hackney": (
        "Harbour Tenancy Suite",
        "Harbour Digital Services plc",
        date(2019, 7, 1),
        date(2027, 6, 30),
        0,
        210000,
        "No extension options remain.",
    ),
    "sutton": (
        "Larchfield Estates Manager",
        "Larchfield Systems Ltd",
        date(2018, 4, 1),
        date(2028, 3, 31),
        0,
        175000,
        "On premises; server refresh due in 2027.",
    ),
    "islington": (
        "Meridian Repairs and Assets",
        "Meridian Property Systems Ltd",
        date(2022, 10, 1),
        date(2029, 9, 30),
        12,
        195000,
        "Repairs only; rents in a separate system.",
    ),
    "kingston": (
        "Larchfield Estates Manager",
        "Larchfield Systems Ltd",
        date(2021, 4, 1),
        date(2030, 3, 31),
        0,
        160000,
        "[[members: Considering early exit.]]",
    ),
    "waltham-forest": (
        "Lattice Housing ERP",
        "Lattice Public Systems Ltd",
        date(2023, 1, 1),
        date(2030, 12, 31),
        6,
        300000,
        "Part of the council-wide ERP contract.",
    ),
    "bexley": (
        "Stonebridge Legacy Housing 5",
        "Stonebridge Systems plc",
        date(2016, 4, 1),
        date(2033, 3, 31),
        0,
        120000,
        "Observer: no plan to re-procure before 2032.",
    ),
}


def load(ctx) -> None:
    """Add the housing-systems market scan and landscape; idempotent (matches by name/org)."""
    experiment = ctx.experiment
    existing = {
        o.name: o
        for o in db.session.scalars(sa.select(Option).where(Option.experiment_id == experiment.id))
    }
    for name, supplier, hosting, status, summary, costs, basis, users, evidence in PRODUCTS:
        if name in existing:
            continue
        option = Option(
            experiment=experiment,
            kind="product",
            name=name,
            supplier=supplier,
            summary=summary,
            description=f"{summary}\n\nFound in the market scan by the convenor's team.",
            website=f"https://{supplier.split()[0].lower()}.example",
            hosting_model=hosting,
            standards="Open Housing Data standard; UPRN addressing; GOV.UK Notify integration.",
            evidence=evidence,
            cost_low=Decimal(costs[0]),
            cost_high=Decimal(costs[1]),
            cost_basis=basis,
            supplier_remarks="[[participants: Indicative only; not a formal quotation.]]",
            commercial_sensitivity=PAR,
            status=status,
            exclusion_reason=(
                "Supplier support ends in 2028 and there is no cloud roadmap. "
                "[[members: Bexley will migrate off it separately.]]"
                if status == "excluded"
                else ""
            ),
            used_by=[ctx.organisations[s] for s in users if s in ctx.organisations],
        )
        db.session.add(option)
        existing[name] = option
    for name, body, status, summary, timescale, constraints in APPROACHES:
        if name in existing:
            continue
        option = Option(
            experiment=experiment,
            kind="approach",
            name=name,
            supplier=body,
            summary=summary,
            hosting_model="not_applicable",
            timescale=timescale,
            constraints=constraints,
            status=status,
            commercial_sensitivity=PAR,
        )
        db.session.add(option)
        existing[name] = option
    db.session.flush()

    recorded = {
        e.organisation_id
        for e in db.session.scalars(
            sa.select(LandscapeEntry).where(LandscapeEntry.experiment_id == experiment.id)
        )
    }
    for slug, (product, supplier, start, end, ext, cost, notes) in LANDSCAPE.items():
        org = ctx.organisations.get(slug)
        if org is None or org.id in recorded:
            continue
        db.session.add(
            LandscapeEntry(
                experiment=experiment,
                organisation=org,
                option=existing.get(product),
                product_name=product,
                supplier=supplier,
                contract_start=start,
                contract_end=end,
                extension_months=ext,
                annual_cost=Decimal(cost),
                cost_sensitivity=PAR,
                notes=notes,
                sensitivity=M,
            )
        )
    db.session.flush()


def canary(ctx) -> None:
    """Plant a token in every free-text or sensitive field of options and landscape rows.

    Stores the options in ``ctx.shared["options"]`` (shortlisted first) and the
    landscape rows in ``ctx.shared["landscape"]``.
    """
    experiment = ctx.experiment
    plans = [  # (kind, sensitivity, commercial sensitivity, status)
        ("product", P, PAR, "shortlist"),
        ("product", P, M, "shortlist"),
        ("approach", P, PAR, "shortlist"),
        ("product", M, PAR, "shortlist"),
        ("product", P, PAR, "longlist"),
        ("product", P, PAR, "excluded"),
    ]
    options: list[Option] = []
    for index, (kind, level, commercial, status) in enumerate(plans, 1):
        paid = max(level, commercial)
        option = Option(
            experiment=experiment,
            kind=kind,
            name=f"Canary option {index} {ctx.token(level)}",
            supplier=f"Supplier {ctx.token(level)}",
            summary=ctx.text(level),
            description=ctx.text(level),
            website=f"https://example.test/{ctx.token(level)}",
            hosting_model="saas",
            standards=ctx.text(level),
            evidence=ctx.text(level),
            timescale=ctx.text(level),
            constraints=ctx.text(level),
            cost_low=Decimal(100000 + index),
            cost_high=Decimal(200000 + index),
            cost_basis=f"a year {ctx.token(paid)}",
            supplier_remarks=ctx.text(paid),
            commercial_sensitivity=commercial,
            sensitivity=level,
            status=status,
            exclusion_reason=ctx.text(level) if status == "excluded" else "",
        )
        db.session.add(option)
        options.append(option)
    db.session.flush()
    ctx.shared["options"] = options  # already shortlisted first

    organisations = list(
        db.session.scalars(
            sa.select(Participation).where(Participation.experiment_id == experiment.id)
        )
    )
    rows: list[LandscapeEntry] = []
    for index, part in enumerate(organisations):
        level = M if index % 3 else P  # one public row in three, so the public sees a row
        entry = LandscapeEntry(
            experiment=experiment,
            organisation_id=part.organisation_id,
            option=options[index % len(options)]
            if options[index % len(options)].sensitivity <= level
            else None,
            product_name=f"Product {ctx.token(level)}",
            supplier=f"Supplier {ctx.token(level)}",
            contract_start=date(2020, 4, 1),
            contract_end=date(2027 + index, 3, 31),
            extension_months=6 * (index % 3),
            annual_cost=Decimal(150000 + index * 1000),
            cost_sensitivity=PAR,
            notes=ctx.text(level),
            sensitivity=level,
        )
        db.session.add(entry)
        rows.append(entry)
    db.session.flush()
    ctx.shared["landscape"] = rows
