"""Market scan operations: add, edit and accept options; record each organisation's contract.

Services take explicit arguments, check the domain rules, audit every change,
``flush()`` and never commit: the request (or the CLI command) does.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import selectinload

from procure import audit
from procure.accounts.models import Organisation, User
from procure.concurrency import check_version
from procure.experiments.models import Experiment, Participation
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.market.models import LandscapeEntry, Option

OPTION_FIELDS = [
    "kind",
    "name",
    "supplier",
    "summary",
    "description",
    "website",
    "hosting_model",
    "standards",
    "evidence",
    "used_by",
    "timescale",
    "constraints",
    "cost_low",
    "cost_high",
    "cost_basis",
    "supplier_remarks",
    "commercial_sensitivity",
    "sensitivity",
    "status",
    "exclusion_reason",
]
LANDSCAPE_FIELDS = [
    "option_id",
    "product_name",
    "supplier",
    "contract_start",
    "contract_end",
    "extension_months",
    "annual_cost",
    "cost_sensitivity",
    "notes",
    "sensitivity",
]


class MarketError(ValueError):
    """A market-scan rule was broken; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# Queries ---------------------------------------------------------------------


def options_of(experiment: Experiment) -> list[Option]:
    """Every option of the experiment (proposals included), shortlist first, then by name."""
    order = sa.case({"shortlist": 0, "longlist": 1, "excluded": 2}, value=Option.status)
    return list(
        db.session.scalars(
            sa.select(Option)
            .where(Option.experiment_id == experiment.id)
            .options(selectinload(Option.used_by))
            .order_by(order, sa.func.lower(Option.name), Option.id)
        )
    )


def get_option_or_404(experiment: Experiment, option_id: int) -> Option:
    option = db.session.get(Option, option_id)
    if option is None or option.experiment_id != experiment.id:
        abort(404)
    return option


def landscape_entries(experiment: Experiment) -> list[LandscapeEntry]:
    return list(
        db.session.scalars(
            sa.select(LandscapeEntry)
            .where(LandscapeEntry.experiment_id == experiment.id)
            .options(selectinload(LandscapeEntry.organisation), selectinload(LandscapeEntry.option))
            .join(LandscapeEntry.organisation)
            .order_by(Organisation.name)
        )
    )


def participating_organisations(experiment: Experiment) -> list[Organisation]:
    """Organisations taking part (any role), by name: the ones that have a landscape row."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Participation, Participation.organisation_id == Organisation.id)
            .where(Participation.experiment_id == experiment.id)
            .order_by(Organisation.name)
        )
    )


def entry_for(experiment: Experiment, organisation_id: int) -> LandscapeEntry | None:
    return db.session.scalar(
        sa.select(LandscapeEntry).where(
            LandscapeEntry.experiment_id == experiment.id,
            LandscapeEntry.organisation_id == organisation_id,
        )
    )


def name_taken(experiment: Experiment, name: str, except_id: int | None = None) -> bool:
    """Option names are unique within an experiment, compared without case or extra spaces."""
    query = sa.select(Option.id).where(
        Option.experiment_id == experiment.id,
        sa.func.lower(Option.name) == " ".join(name.split()).lower(),
    )
    if except_id is not None:
        query = query.where(Option.id != except_id)
    return db.session.scalar(query) is not None


# Options ---------------------------------------------------------------------


def check_option_values(values: dict[str, Any]) -> None:
    """The rules a form validator may have missed (imports and direct callers reach here too)."""
    if values.get("status") == "excluded" and not (values.get("exclusion_reason") or "").strip():
        raise MarketError("Enter the reason for excluding this option", "exclusion_reason")
    low, high = values.get("cost_low"), values.get("cost_high")
    for name, amount in (("cost_low", low), ("cost_high", high)):
        if amount is not None and amount < 0:
            raise MarketError("Costs cannot be negative", name)
    if low is not None and high is not None and high < low:
        raise MarketError(
            "The upper end must be the same as or more than the lower end", "cost_high"
        )


def create_option(
    experiment: Experiment,
    values: dict[str, Any],
    *,
    proposed_by: User | None = None,
    accepted: bool = True,
    audit_action: str = "option.create",
) -> Option:
    """Add an option; a proposal (``accepted=False``) waits for the lead organisation."""
    check_option_values(values)
    values = {**values, "name": " ".join(values["name"].split())}
    if name_taken(experiment, values["name"]):
        raise MarketError(f"There is already an option called “{values['name']}”", "name")
    option = Option(experiment=experiment, accepted=accepted, proposed_by=proposed_by)
    for name in OPTION_FIELDS:
        if name in values:
            setattr(option, name, values[name])
    db.session.add(option)
    bump_content_version(experiment)
    db.session.flush()
    verb = "Proposed" if not accepted else "Added"
    audit.record(audit_action, option, summary=f"{verb} option {option.name}")
    return option


def update_option(option: Option, values: dict[str, Any], version: int | None) -> Option:
    """Save an edit made from ``version``; raises ``StaleEdit`` if someone saved first."""
    check_version(option, version, OPTION_FIELDS)
    check_option_values(values)
    values = {**values, "name": " ".join(values["name"].split())}
    if name_taken(option.experiment, values["name"], except_id=option.id):
        raise MarketError(f"There is already an option called “{values['name']}”", "name")
    if values.get("status") != "excluded":
        values["exclusion_reason"] = ""
    changes = audit.diff(option, OPTION_FIELDS, values)
    for name in changes:
        setattr(option, name, values[name])
    if changes:
        bump_content_version(option.experiment)
        db.session.flush()
        audit.record(
            "option.update", option, summary=f"Edited option {option.name}", changes=changes
        )
    return option


def accept_option(option: Option, version: int | None) -> Option:
    """The lead organisation (or an admin) takes a proposed option into the market scan."""
    check_version(option, version, ["accepted"])
    if option.accepted:
        return option
    option.accepted = True
    bump_content_version(option.experiment)
    db.session.flush()
    audit.record(
        "option.accept",
        option,
        summary=f"Accepted proposed option {option.name}",
        changes={"accepted": [False, True]},
    )
    return option


# Landscape -------------------------------------------------------------------


def check_landscape_values(values: dict[str, Any]) -> None:
    start, end = values.get("contract_start"), values.get("contract_end")
    if start and end and end < start:
        raise MarketError("The contract end must be the same as or after its start", "contract_end")
    if (values.get("extension_months") or 0) < 0:
        raise MarketError("Extension months cannot be negative", "extension_months")
    if values.get("annual_cost") is not None and values["annual_cost"] < 0:
        raise MarketError("The annual cost cannot be negative", "annual_cost")


def save_landscape_entry(
    experiment: Experiment,
    organisation: Organisation,
    values: dict[str, Any],
    version: int | None,
) -> LandscapeEntry:
    """Create or update one organisation's contract row (``version`` is ignored on create)."""
    check_landscape_values(values)
    values = {**values, "extension_months": values.get("extension_months") or 0}
    entry = entry_for(experiment, organisation.id)
    if entry is None:
        entry = LandscapeEntry(experiment=experiment, organisation=organisation)
        for name in LANDSCAPE_FIELDS:
            if name in values:
                setattr(entry, name, values[name])
        db.session.add(entry)
        bump_content_version(experiment)
        db.session.flush()
        audit.record(
            "landscape.create", entry, summary=f"Recorded the contract of {organisation.name}"
        )
        return entry
    check_version(entry, version, LANDSCAPE_FIELDS)
    changes = audit.diff(entry, LANDSCAPE_FIELDS, values)
    for name in changes:
        setattr(entry, name, values[name])
    if changes:
        bump_content_version(experiment)
        db.session.flush()
        audit.record(
            "landscape.update",
            entry,
            summary=f"Edited the contract of {organisation.name}",
            changes=changes,
        )
    return entry
