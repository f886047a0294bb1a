"""Demo and canary data for requirements, endorsements and specification versions.

``load`` tells a short story: the boroughs agree a first set of requirements and
publish version 0.1; they then add, change and withdraw some and publish 1.0;
finally two requirements change again, so some endorsements are out of date.
It is idempotent: if the experiment already has requirements it does nothing.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from procure.experiments.models import Experiment
from procure.extensions import db
from procure.requirements.models import Requirement
from procure.requirements.services import (
    RequirementInput,
    add_category,
    agree_requirement,
    endorse,
    endorsing_participations,
    propose_requirement,
    update_requirement,
    withdraw_requirement,
)
from procure.requirements.versions import publish_version
from procure.sensitivity import Sensitivity

# When each version was published in the story (after the workshops that fed it).
PUBLISHED_ON = {"0.1": datetime(2026, 10, 19, 16, 0), "1.0": datetime(2026, 11, 23, 11, 0)}

F, D, S, A, H, C, V = (
    "Functional",
    "Data and integration",
    "Security and privacy",
    "Accessibility",
    "Hosting and service",
    "Commercial",
    "Social value",
)
PUB, MEM, PAR = Sensitivity.PUBLIC, Sensitivity.MEMBERS, Sensitivity.PARTICIPANTS

# (key, category, priority, sensitivity, title, statement, acceptance criteria, source)
# A source is ("organisation", slug) or ("option", name).
FIRST_SET: list[tuple[Any, ...]] = [
    (
        "repairs-online",
        F,
        "must",
        PUB,
        "Report a repair online",
        "The system must let residents report a repair online at any time, with photos, and choose an appointment slot.",
        [
            "A resident can report a repair from a phone in under five minutes",
            "Photos up to 10 MB can be attached",
            "Available appointment slots are offered before submitting",
        ],
        ("organisation", "camden"),
    ),
    (
        "repairs-tracking",
        F,
        "must",
        PUB,
        "Track a repair",
        "The system must show residents the status of each repair and notify them by text or email when it changes.",
        [
            "Status changes reach the resident within 15 minutes",
            "Residents choose text, email or both",
        ],
        ("organisation", "hackney"),
    ),
    (
        "repairs-contractors",
        F,
        "should",
        PUB,
        "Repairs contractor interface",
        "The system should pass repair orders to contractors and receive completion updates without re-keying.",
        [
            "Orders reach contractors electronically",
            "Completion updates close the job automatically",
        ],
        ("option", "Meridian Repairs and Assets"),
    ),
    (
        "rent-accounts",
        F,
        "must",
        PUB,
        "Rent accounts",
        "The system must hold a rent account for every tenancy, with charges, payments, adjustments and a running balance.",
        [
            "Every transaction has a date, amount, type and who made it",
            "Balances can be recalculated for any past date",
        ],
        ("organisation", "islington"),
    ),
    (
        "rent-statements",
        F,
        "should",
        PUB,
        "Rent statements for residents",
        "Residents should be able to see their rent statement online and download it as a PDF.",
        ["Statements cover any period chosen by the resident", "The PDF meets PDF/UA"],
        ("organisation", "sutton"),
    ),
    (
        "arrears",
        F,
        "must",
        PUB,
        "Arrears management",
        "The system must support a configurable arrears process with stages, letters and referrals to money advice.",
        [
            "Stages and trigger amounts are set by each borough",
            "Referrals to money advice are recorded",
        ],
        ("option", "Harbour Tenancy Suite"),
    ),
    (
        "tenancy-lifecycle",
        F,
        "must",
        PUB,
        "Tenancy management",
        "The system must manage the whole tenancy: sign-up, changes of tenancy, successions, mutual exchanges and ending.",
        [
            "Each tenancy event is recorded with its date and documents",
            "Introductory tenancies convert on their due date",
        ],
        ("organisation", "kingston"),
    ),
    (
        "voids",
        F,
        "should",
        PUB,
        "Empty homes (voids)",
        "The system should track empty homes from notice to re-let, with the works needed and the days empty.",
        [
            "Days empty are reported per home and in total",
            "Void works can be raised as repair orders",
        ],
        ("organisation", "waltham-forest"),
    ),
    (
        "asb-cases",
        F,
        "could",
        MEM,
        "Anti-social behaviour cases",
        "The system could record anti-social behaviour cases linked to tenancies. [[participants: Two boroughs already hold these in a separate case system under a contract to 2028.]]",
        ["Cases link to one or more tenancies", "Access is limited to named officers"],
        ("organisation", "hackney"),
    ),
    (
        "portal-account",
        F,
        "must",
        PUB,
        "Resident portal account",
        "Residents must be able to create an account, see their tenancy, rent and repairs, and update their contact details.",
        [
            "Sign-up needs only a tenancy reference and date of birth",
            "Changes to contact details are confirmed by email",
        ],
        ("option", "Keystone Housing Cloud"),
    ),
    (
        "portal-messages",
        F,
        "should",
        PUB,
        "Messages with the housing team",
        "Residents should be able to send and receive secure messages with their housing officer.",
        [
            "Messages are answered from a shared team inbox",
            "Residents are told of new replies by email",
        ],
        ("organisation", "camden"),
    ),
    (
        "open-api",
        D,
        "must",
        PUB,
        "Open, documented APIs",
        "The system must offer documented REST APIs for all core records, published openly, following the Technology Code of Practice.",
        [
            "API documentation is public and versioned",
            "Every record a user can see can be read through the API",
            "Breaking changes are announced at least six months ahead",
        ],
        ("option", "CommonKey Housing Platform"),
    ),
    (
        "data-export",
        D,
        "must",
        PUB,
        "Full data export",
        "Each borough must be able to export all of its data at any time in open formats, without charge.",
        [
            "A complete export is available in CSV and JSON",
            "Exports include documents and their metadata",
        ],
        ("organisation", "islington"),
    ),
    (
        "data-standards",
        D,
        "should",
        PUB,
        "Open data standards",
        "The system should use open standards for housing data, such as the Open Referral and HACT data standards where they apply.",
        ["The supplier lists which standards each record follows"],
        ("organisation", "sutton"),
    ),
    (
        "finance-integration",
        D,
        "must",
        PUB,
        "Finance system integration",
        "The system must post rent and repairs transactions to each borough's finance system daily.",
        ["Daily postings balance to the penny", "Failed postings are reported the same day"],
        ("organisation", "waltham-forest"),
    ),
    (
        "crm-integration",
        D,
        "should",
        PUB,
        "Customer contact integration",
        "The system should share contacts and cases with the borough's customer service platform.",
        ["A resident's contact history is visible in both systems"],
        ("organisation", "kingston"),
    ),
    (
        "gis",
        D,
        "could",
        PUB,
        "Maps of homes and estates",
        "The system could show homes, blocks and estates on a map using Ordnance Survey data.",
        ["Every home has a UPRN"],
        ("organisation", "camden"),
    ),
    (
        "security-ce",
        S,
        "must",
        PUB,
        "Cyber Essentials Plus",
        "The supplier must hold Cyber Essentials Plus certification for the whole service and keep it current.",
        ["A current certificate is provided every year"],
        ("organisation", "hackney"),
    ),
    (
        "security-iso",
        S,
        "should",
        PUB,
        "ISO 27001",
        "The supplier should be certified to ISO/IEC 27001 for the service.",
        ["The certificate's scope covers the hosting and support of the service"],
        ("organisation", "islington"),
    ),
    (
        "security-pentest",
        S,
        "must",
        MEM,
        "Independent penetration testing",
        "The service must be tested by an independent CHECK or CREST tester every year and after major changes. [[participants: The last test of one shortlisted product found two high-risk issues, since fixed.]]",
        [
            "Summaries of test results are shared with every borough",
            "High-risk findings are fixed within 30 days",
        ],
        ("organisation", "kingston"),
    ),
    (
        "privacy-gdpr",
        S,
        "must",
        PUB,
        "UK GDPR and data protection",
        "The system must support each borough as controller under UK GDPR: retention rules, subject access requests and erasure.",
        [
            "Retention periods are set per record type",
            "A subject access export can be produced within a day",
        ],
        ("organisation", "sutton"),
    ),
    (
        "sso",
        S,
        "should",
        PUB,
        "Single sign-on for staff",
        "Staff should sign in with their borough's identity provider using SAML or OpenID Connect.",
        ["Multi-factor authentication is enforced for every staff account"],
        ("organisation", "waltham-forest"),
    ),
    (
        "audit-trail",
        S,
        "must",
        PUB,
        "Audit trail",
        "The system must keep a tamper-evident record of who viewed or changed personal data.",
        ["Audit records are kept for at least six years"],
        ("organisation", "camden"),
    ),
    (
        "wcag",
        A,
        "must",
        PUB,
        "WCAG 2.2 AA",
        "Every screen for residents and staff must meet WCAG 2.2 at level AA, with an accessibility statement.",
        [
            "An independent audit finds no AA failures",
            "The accessibility statement is published and kept up to date",
        ],
        ("organisation", "islington"),
    ),
    (
        "assistive-tech",
        A,
        "must",
        PUB,
        "Works with assistive technology",
        "The portal must work with common screen readers, voice control and screen magnifiers.",
        ["Tested with JAWS, NVDA, VoiceOver and Dragon"],
        ("organisation", "hackney"),
    ),
    (
        "languages",
        A,
        "should",
        PUB,
        "Plain English and other languages",
        "Resident-facing content should be in plain English and available in the borough's most spoken languages.",
        ["Boroughs can add translations without the supplier"],
        ("organisation", "waltham-forest"),
    ),
    (
        "uk-hosting",
        H,
        "must",
        PUB,
        "Hosted in the UK",
        "Data must be stored and processed in the UK, including backups and support access.",
        ["Hosting locations are named in the contract"],
        ("organisation", "kingston"),
    ),
    (
        "availability",
        H,
        "must",
        PUB,
        "Availability",
        "The service must be available 99.5% of each month, excluding planned maintenance agreed in advance.",
        ["Monthly availability is reported to each borough"],
        ("organisation", "camden"),
    ),
    (
        "support-hours",
        H,
        "should",
        PUB,
        "Support hours",
        "Support should be available 8am to 6pm on working days, with out-of-hours cover for priority 1 incidents.",
        ["Priority 1 incidents get a response within one hour"],
        ("organisation", "sutton"),
    ),
    (
        "exit",
        C,
        "must",
        PUB,
        "Exit and data portability",
        "At the end of the contract the supplier must return all data in open formats and help move to a new system.",
        [
            "An exit plan is agreed within three months of the start",
            "Data is returned within 30 days of the end",
        ],
        ("organisation", "islington"),
    ),
    (
        "pricing",
        C,
        "must",
        PAR,
        "Transparent pricing",
        "Prices must be per home per year with no separate charges for APIs or data exports. [[participants: Target ceiling of £18 per home per year, from the market engagement.]]",
        ["All charges are listed in the price schedule"],
        ("option", "Keystone Housing Cloud"),
    ),
    (
        "joint-calloff",
        C,
        "should",
        MEM,
        "Joint call-off",
        "The contract should let other London boroughs join on the same terms during its first three years.",
        ["The route allows named London councils to call off"],
        ("organisation", "hackney"),
    ),
    (
        "social-value-skills",
        V,
        "should",
        PUB,
        "Skills and jobs for residents",
        "The supplier should offer apprenticeships or work placements to residents of the participating boroughs.",
        ["At least two placements per borough per year"],
        ("organisation", "waltham-forest"),
    ),
    (
        "social-value-carbon",
        V,
        "could",
        PUB,
        "Carbon reduction plan",
        "The supplier could publish a carbon reduction plan following PPN 06/21.",
        ["The plan is published on the supplier's website"],
        ("organisation", "kingston"),
    ),
]

# Added between 0.1 and 1.0.
SECOND_SET: list[tuple[Any, ...]] = [
    (
        "damp-mould",
        F,
        "must",
        PUB,
        "Damp and mould reports",
        "The system must record damp and mould reports, trigger inspections within set times and track them to completion (Awaab's Law).",
        [
            "Inspections are booked within the legal time limits",
            "Overdue cases are flagged to managers",
        ],
        ("organisation", "camden"),
    ),
    (
        "tsm",
        D,
        "must",
        PUB,
        "Tenant satisfaction measures",
        "The system must produce the Regulator of Social Housing's tenant satisfaction measures from its own records.",
        ["Each management information measure can be reported for any year"],
        ("organisation", "sutton"),
    ),
    (
        "bulk-comms",
        F,
        "should",
        PUB,
        "Messages to many residents",
        "Officers should be able to send a message to every resident of a block or estate, for example before planned works.",
        ["Messages go by each resident's chosen channel"],
        ("organisation", "islington"),
    ),
    (
        "open-source-parts",
        C,
        "could",
        MEM,
        "Open-source components",
        "Code written for the boroughs could be published under an open licence. [[participants: Only one shortlisted supplier agreed to this in market engagement.]]",
        ["The contract sets out which code is published"],
        ("option", "CommonKey Housing Platform"),
    ),
    (
        "data-migration",
        D,
        "must",
        PUB,
        "Data migration",
        "The supplier must migrate each borough's current data, with reconciliation reports signed off by the borough.",
        [
            "Balances reconcile to the penny after migration",
            "A trial migration is done before go-live",
        ],
        ("organisation", "kingston"),
    ),
    (
        "training",
        H,
        "should",
        PUB,
        "Training",
        "The supplier should train staff and provide up-to-date guides and short videos.",
        ["Guides are available online and kept current"],
        ("organisation", "waltham-forest"),
    ),
]

DRAFTS: list[tuple[Any, ...]] = [
    (
        "ai-triage",
        F,
        "could",
        MEM,
        "Automatic repair triage",
        "The system could suggest the trade and priority of a repair from the resident's description and photos.",
        ["Officers can always override the suggestion"],
        ("organisation", "hackney"),
    ),
    (
        "estate-inspections",
        F,
        "should",
        PUB,
        "Estate inspections on a phone",
        "Officers should be able to record estate inspections on a phone, offline if needed.",
        ["Inspections sync when a connection returns"],
        ("organisation", "sutton"),
    ),
]

COMMENTS = {
    "adopt_with_changes": [
        "We need the same but with our own letter templates.",
        "Adopt if the timescale can be 30 days rather than 15. [[participants: Our current supplier cannot meet 15.]]",
        "Needs to fit our existing contact centre hours.",
    ],
    "not_needed": [
        "Already covered by a separate corporate system.",
        "Not a priority for our stock size. [[members: We may revisit after the stock transfer.]]",
    ],
}


def _input(item: tuple[Any, ...], sources: dict[tuple[str, str], int]) -> RequirementInput:
    _key, category, priority, level, title, statement, criteria, source = item
    source_id = sources.get(source)
    return RequirementInput(
        title=title,
        statement=statement,
        acceptance_criteria=list(criteria),
        category=category,
        priority=priority,
        sensitivity=level,
        source_kind=source[0] if source_id else "other",
        source_id=source_id,
    )


def _sources(ctx, experiment: Experiment) -> dict[tuple[str, str], int]:
    from procure.market.models import Option

    found: dict[tuple[str, str], int] = {
        ("organisation", slug): org.id for slug, org in ctx.organisations.items()
    }
    for option in db.session.scalars(
        sa.select(Option).where(Option.experiment_id == experiment.id)
    ):
        found[("option", option.name)] = option.id
    return found


def _endorse_all(reqs: list[Requirement], parts, leads, rng: random.Random) -> None:
    for req in reqs:
        for part in parts:
            roll = rng.random()
            position = (
                "adopt" if roll < 0.72 else "adopt_with_changes" if roll < 0.9 else "not_needed"
            )
            comment = rng.choice(COMMENTS[position]) if position != "adopt" else ""
            existing = next(
                (e for e in req.endorsements if e.organisation_id == part.organisation_id), None
            )
            endorse(
                req,
                part.organisation,
                position,
                comment,
                PAR if "[[participants" in comment else MEM,
                existing.version if existing else 0,
                leads.get(part.organisation.slug),
            )


def load(ctx) -> None:
    """Requirements, endorsements and versions 0.1 and 1.0 for the demo experiment."""
    experiment: Experiment = ctx.experiment
    exists = db.session.scalar(
        sa.select(Requirement.id).where(Requirement.experiment_id == experiment.id).limit(1)
    )
    if exists:
        return
    rng = random.Random(20261122)
    admin = ctx.admin
    sources = _sources(ctx, experiment)
    parts = endorsing_participations(experiment)
    lead_of = {slug: user for slug, user in ctx.leads.items()}

    def propose(item, status_agreed=True) -> Requirement:
        source = item[7]
        proposer = lead_of.get(source[1], admin) if source[0] == "organisation" else admin
        req = propose_requirement(experiment, _input(item, sources), proposer)
        if status_agreed:
            agree_requirement(req, req.version, admin)
        return req

    first = {item[0]: propose(item) for item in FIRST_SET}
    _endorse_all(list(first.values()), parts, lead_of, rng)
    publish_version(
        experiment,
        "0.1",
        "First draft of the joint specification, agreed at the requirements workshop. "
        "[[members: Boroughs asked for more on damp and mould before 1.0.]]",
        admin,
        published_at=PUBLISHED_ON["0.1"],
    )

    # Between 0.1 and 1.0: add, change and withdraw.
    second = {item[0]: propose(item) for item in SECOND_SET}

    def change(key: str, **values) -> None:
        req = first[key]
        current = RequirementInput(
            title=req.title,
            statement=req.statement,
            acceptance_criteria=list(req.acceptance_criteria),
            category=req.category,
            priority=req.priority,
            sensitivity=req.sensitivity,
            source_kind=req.source_kind,
            source_id=req.source_workshop_id or req.source_option_id or req.source_organisation_id,
        )
        data = RequirementInput(**{**current.__dict__, **values})
        update_requirement(req, data, req.version, admin)

    change(
        "repairs-tracking",
        acceptance_criteria=[
            "Status changes reach the resident within 15 minutes",
            "Residents choose text, email or both",
            "Residents can see the name of the contractor and the appointment time",
        ],
    )
    change(
        "availability",
        statement="The service must be available 99.9% of each month, "
        "excluding planned maintenance agreed at least five working days in advance.",
    )
    change("gis", priority="should")
    change(
        "joint-calloff",
        sensitivity=PUB,
        statement="The contract should let other London "
        "boroughs join on the same terms during its first four years.",
    )
    withdraw_requirement(
        first["security-iso"],
        "Covered by Cyber Essentials Plus and the annual "
        "penetration test; boroughs agreed ISO 27001 would narrow the market.",
        first["security-iso"].version,
        admin,
    )
    withdraw_requirement(
        first["social-value-carbon"],
        "Folded into the council-wide social value "
        "policy, which already asks for a carbon reduction plan. [[participants: "
        "Procurement advised the weighting sits in the tender, not the specification.]]",
        first["social-value-carbon"].version,
        admin,
    )
    renewed = [first[k] for k in ("repairs-tracking", "availability", "gis", "joint-calloff")]
    _endorse_all(list(second.values()) + renewed, parts, lead_of, rng)
    publish_version(
        experiment,
        "1.0",
        "Version 1.0 for boroughs to adopt in their own procurements. Adds damp and mould, "
        "tenant satisfaction measures and data migration.",
        admin,
        published_at=PUBLISHED_ON["1.0"],
    )

    # After 1.0: two changes that leave endorsements out of date.
    change(
        "data-export",
        acceptance_criteria=[
            "A complete export is available in CSV and JSON",
            "Exports include documents and their metadata",
            "A scheduled nightly export can be delivered to the borough's own storage",
        ],
    )
    change(
        "wcag",
        priority="must",
        statement="Every screen for residents and staff must meet "
        "WCAG 2.2 at level AA, with an accessibility statement and a yearly independent audit.",
    )
    first["wcag"].endorsements  # noqa: B018 - load them before counting below
    for item in DRAFTS:
        propose(item, status_agreed=False)
    ctx.notes.append(
        "Requirements: 42 requirements, specification versions 0.1 and 1.0, some endorsements "
        "out of date."
    )


def canary(ctx) -> None:
    """Requirements at each sensitivity with tokens in every free-text field."""
    experiment = ctx.experiment
    admin = ctx.admin
    parts = endorsing_participations(experiment)
    # Category names are shown at every level (headings, filters): a public token.
    category = f"Canary category {ctx.token(PUB)}"
    add_category(experiment, category, admin)
    created = []
    for base in (PUB, MEM, PAR):
        criteria = [ctx.text(base), ctx.text(base)]
        data = RequirementInput(
            title=f"Canary requirement {ctx.token(base)}",
            statement=ctx.text(base),
            acceptance_criteria=criteria,
            category=category,
            priority="must",
            sensitivity=base,
        )
        req = propose_requirement(experiment, data, admin)
        agree_requirement(req, req.version, admin)
        created.append(req)
    withdrawn = []
    for base in (PUB, MEM, PAR):
        data = RequirementInput(
            title=f"Canary withdrawn {ctx.token(base)}",
            statement=ctx.text(base),
            acceptance_criteria=[ctx.text(base)],
            category=experiment.requirement_categories[0],
            priority="could",
            sensitivity=base,
        )
        req = propose_requirement(experiment, data, admin)
        agree_requirement(req, req.version, admin)
        withdrawn.append(req)
    if parts:
        for req in created:
            for part, level in zip(parts, (MEM, PAR, PUB), strict=False):
                effective = max(level, req.sensitivity)
                comment = f"Endorsement comment {ctx.token(effective)}"
                if level == PUB:
                    comment = ctx.text(req.sensitivity)
                endorse(req, part.organisation, "adopt_with_changes", comment, level, 0, admin)
    publish_version(experiment, "0.1", ctx.text(PUB), admin)
    for req in withdrawn:
        withdraw_requirement(req, ctx.text(req.sensitivity), req.version, admin)
    for req in created:
        # A change between versions puts before and after values in the change log.
        data = RequirementInput(
            title=req.title,
            statement=ctx.text(req.sensitivity),
            acceptance_criteria=[*list(req.acceptance_criteria), ctx.text(req.sensitivity)],
            category=req.category,
            priority="should",
            sensitivity=req.sensitivity,
        )
        update_requirement(req, data, req.version, admin)
    version = publish_version(experiment, "1.0", ctx.text(PUB), admin)
    ctx.shared["requirements"] = created + withdrawn
    ctx.shared["version"] = version
