"""Reasons the demo's boroughs give for their scores: written per criterion, per score band
and per kind of option, so a product and a procurement route are each judged on what the
criterion asks of them. ``{option}`` is the option's name."""

from __future__ import annotations

import random

LOW, MID, HIGH = "low", "mid", "high"

# criterion → band → (reasons for a product, reasons for a procurement route)
REASONS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "Cost within budgets": {
        LOW: (
            (
                "{option}'s licence and implementation quote is well beyond our HRA capital plan.",
                "Hosting and support charges for {option} would double what we pay today.",
            ),
            (
                "Running {option} ourselves needs legal and procurement time we have not budgeted.",
                "The fees and bid costs of {option} outweigh any saving we can see.",
            ),
        ),
        MID: (
            (
                "{option} fits the budget only if we phase the modules over two years.",
                "Affordable for the core housing modules; repairs would have to wait.",
            ),
            (
                "{option} costs less to run than an open procedure, but the saving is modest.",
                "The framework levy on {option} is acceptable, if not cheap.",
            ),
        ),
        HIGH: (
            (
                "{option}'s whole-life cost sits inside our five-year budget with room to spare.",
                "A shared contract for {option} would cut our annual cost by about a fifth.",
            ),
            (
                "{option} shares the procurement cost across boroughs: the cheapest route for us.",
                "No levy and little legal time: {option} is well within what we can spend.",
            ),
        ),
    },
    "Route to market": {
        LOW: (
            (
                "We found no framework {option} is on; we would face a full open procedure.",
                "{option}'s supplier is not on any route our legal team will accept.",
            ),
            (
                "Our legal team doubts we can join {option} as it is scoped today.",
                "{option} closes to new members before our contract ends.",
            ),
        ),
        MID: (
            (
                "{option} is on one framework, but its lot does not cover repairs.",
                "We could call {option} off, though the framework expires within two years.",
            ),
            (
                "{option} is usable, but its timetable is tight against our contract end.",
                "We can use {option} once our cabinet approves joining it.",
            ),
        ),
        HIGH: (
            (
                "{option} can be called off directly from a framework we already use.",
                "Two compliant routes to {option} exist; either works for us.",
            ),
            (
                "{option} is open to us today and our legal team is content with its terms.",
                "We have used {option} before for ICT; it is quick and well understood.",
            ),
        ),
    },
    "Integration with existing systems": {
        LOW: (
            (
                "{option} has no documented API for finance; we would re-key every rent change.",
                "Integration with our document store would be a bespoke build for {option}.",
            ),
            (
                "{option} leaves interfaces to each contract, so nothing guarantees them.",
                "The specification under {option} cannot require open interfaces as written.",
            ),
        ),
        MID: (
            (
                "{option} connects to finance, but repairs and CRM need middleware.",
                "{option}'s API exists but is thinly documented; workable with effort.",
            ),
            (
                "We could write interface requirements into a call-off under {option}.",
                "{option} allows integration requirements, though not a common standard.",
            ),
        ),
        HIGH: (
            (
                "{option} showed live links to the same finance and repairs systems we run.",
                "Open, documented APIs: our developers had {option} talking to CRM in a day.",
            ),
            (
                "{option} lets us make open interfaces a condition of every contract.",
                "A shared interface schedule under {option} would bind every supplier.",
            ),
        ),
    },
    "Delivery timescale": {
        LOW: (
            (
                "{option} quoted eighteen months to go live; our contract ends before that.",
                "Data migration into {option} alone would overrun our extension.",
            ),
            (
                "{option} would take longer to let than the time our extension buys us.",
                "The standstill and approvals under {option} push us past our contract end.",
            ),
        ),
        MID: (
            (
                "{option} could be live in time only if migration starts this year.",
                "Tight but possible: {option}'s plan assumes we clean our data first.",
            ),
            (
                "{option} fits our timetable if the joint specification is agreed in spring.",
                "Letting a contract through {option} is feasible, with little slack.",
            ),
        ),
        HIGH: (
            (
                "{option} has moved a landlord our size in under nine months.",
                "Comfortably live before our contract ends, with a parallel run.",
            ),
            (
                "A call-off through {option} could be signed within three months.",
                "{option} leaves us a year of slack before the current contract ends.",
            ),
        ),
    },
    "Skills to run it": {
        LOW: (
            (
                "We have nobody who could configure {option}; it would all be bought in.",
                "{option} needs a specialist administrator role we cannot recruit.",
            ),
            (
                "Running {option} needs procurement skills our small team does not have.",
                "We have never run a procedure like {option} and would need outside help.",
            ),
        ),
        MID: (
            (
                "Our systems team could support {option} after the supplier's training.",
                "{option}'s configuration is learnable, but we would lean on the supplier.",
            ),
            (
                "We could run {option} with support from the lead borough's team.",
                "Our procurement team knows {option} in principle, not in practice.",
            ),
        ),
        HIGH: (
            (
                "Our team already runs a product much like {option}.",
                "{option} is configured through screens our housing officers can use.",
            ),
            (
                "Our procurement team has run {option} twice this year.",
                "{option} is routine for us; no new skills needed.",
            ),
        ),
    },
    "Resident outcomes": {
        LOW: (
            (
                "{option}'s resident portal is an add-on and fails basic accessibility checks.",
                "Residents would still phone to report repairs; {option} has no self-service.",
            ),
            (
                "{option} gives residents no say and no service standards in what we buy.",
                "Nothing in {option} lets us require better service for residents.",
            ),
        ),
        MID: (
            (
                "{option} offers repairs self-service, but no updates by text or email.",
                "Residents would see some improvement with {option}; not a step change.",
            ),
            (
                "{option} allows resident outcomes in the specification, if we write them well.",
                "We could set service levels under {option}, though enforcing them is harder.",
            ),
        ),
        HIGH: (
            (
                "{option}'s repairs booking and updates were the best the residents' panel saw.",
                "Residents tested {option} with us and finished every task unaided.",
            ),
            (
                "{option} lets us hold every supplier to shared resident service standards.",
                "Resident panel members can sit on the evaluation under {option}.",
            ),
        ),
    },
    "Officer experience": {
        LOW: (
            (
                "Officers at the demonstration found {option} slow and full of duplicate screens.",
                "{option} keeps the re-keying between housing and repairs that officers dislike.",
            ),
            (
                "{option} adds approvals officers would have to chase for every change.",
                "Officers gain nothing from {option} on its own; it depends what we buy.",
            ),
        ),
        MID: (
            (
                "{option} cuts some re-keying; the case screens need configuration.",
                "Officers liked {option}'s dashboards but not its search.",
            ),
            (
                "{option} lets us specify officer workflows, with some effort.",
                "Neutral for officers: {option} neither helps nor hinders them.",
            ),
        ),
        HIGH: (
            (
                "Officers completed a tenancy change in {option} in half today's time.",
                "{option} puts every case on one screen; officers asked when it arrives.",
            ),
            (
                "{option} lets officers shape the specification through user testing.",
                "User research with officers is built into how {option} evaluates bids.",
            ),
        ),
    },
    "Data and reporting": {
        LOW: (
            (
                "{option} exports only through paid reports; regulator returns stay manual.",
                "We could not get our own data out of {option} in an open format.",
            ),
            (
                "{option} says nothing about data ownership in the contracts it lets.",
                "Data terms under {option} favour the supplier.",
            ),
        ),
        MID: (
            (
                "{option} covers the main regulator returns; ad hoc reports need the supplier.",
                "Data export from {option} works, but only overnight and in its own format.",
            ),
            (
                "We can add our data terms to a contract under {option}.",
                "{option}'s standard terms on data are adequate, not generous.",
            ),
        ),
        HIGH: (
            (
                "{option} produced every tenant satisfaction measure for us at the demonstration.",
                "Full open export and a reporting API: {option} leaves the data ours.",
            ),
            (
                "{option} makes open data export a condition of every contract.",
                "Shared data standards are built into {option}'s terms.",
            ),
        ),
    },
    "Openness and exit": {
        LOW: (
            (
                "{option} has no exit plan and charges for a full data extract.",
                "Proprietary formats throughout; leaving {option} would mean a new migration.",
            ),
            (
                "{option} ties us to one supplier for up to ten years.",
                "Exit terms under {option} are weak and renewal is automatic.",
            ),
        ),
        MID: (
            (
                "{option} publishes its roadmap, but pricing after year three is unclear.",
                "Exit is possible from {option}, with a fee for assistance.",
            ),
            (
                "{option} allows break clauses, though not at the points we would want.",
                "Some lock-in under {option}, offset by a five-year review.",
            ),
        ),
        HIGH: (
            (
                "{option} publishes its prices and roadmap and offers a free exit extract.",
                "Open standards throughout; we could leave {option} without a new migration.",
            ),
            (
                "{option} keeps contracts short with clean exits and published prices.",
                "We could change supplier at each call-off under {option}.",
            ),
        ),
    },
    "Strategic fit": {
        LOW: (
            (
                "{option} pulls against our cloud-first strategy.",
                "{option} would be a borough-by-borough buy, not the joint working we want.",
            ),
            (
                "{option} leaves each borough to buy alone, against our joint strategy.",
                "Our digital strategy favours open tools; {option} does not.",
            ),
        ),
        MID: (
            (
                "{option} fits our housing strategy; the digital strategy less so.",
                "Joint working with {option} is possible, but not what the supplier is used to.",
            ),
            (
                "{option} supports joint buying in part; each borough still signs its own contract.",
                "A reasonable fit with our strategy, with reservations from our CIO.",
            ),
        ),
        HIGH: (
            (
                "{option} already serves three London landlords: joint working is natural.",
                "Exactly the shared, cloud-hosted platform our strategy calls for.",
            ),
            (
                "{option} is the joint buying our digital strategy asks for.",
                "Members backed buying through {option} with other boroughs.",
            ),
        ),
    },
}

GENERIC = {
    LOW: "Weak on this criterion for {option}.",
    MID: "{option} is adequate here, with gaps we noted at the demonstration.",
    HIGH: "{option} is strong here.",
}


def band(score: int) -> str:
    return LOW if score <= 1 else MID if score <= 3 else HIGH


def reason_for(rng: random.Random, criterion: str, score: int, option: str, kind: str) -> str:
    """A reason fitting the criterion, the score and the kind of option (seeded choice)."""
    bank = REASONS.get(criterion)
    if bank is None:
        return GENERIC[band(score)].format(option=option)
    products, routes = bank[band(score)]
    return rng.choice(routes if kind == "approach" else products).format(option=option)
