"""Specification versions: immutable, numbered snapshots with a change log.

A snapshot holds the agreed requirements (every field, sensitivity included) and
their endorsements exactly as they were when an admin published; it is never
redacted when stored. Redaction happens when a version is read for an audience
(see ``read_models`` and ``exports``). The change log against the previous version
is computed once, at publish time, and stored beside the snapshot.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from procure import audit
from procure.accounts.models import User
from procure.experiments.models import Experiment
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.requirements.models import Requirement, SpecificationVersion
from procure.requirements.services import (
    RequirementError,
    endorsing_participations,
    lock_experiment,
    requirements_of,
)
from procure.sensitivity import Redacted, Redactor, Sensitivity, is_redacted

VERSION_RE = re.compile(r"^(0|[1-9]\d{0,3})\.(0|[1-9]\d{0,3})$")
# Fields compared between versions, in the order a change log lists them.
COMPARED_FIELDS = (
    "title",
    "statement",
    "acceptance_criteria",
    "category",
    "priority",
    "sensitivity",
    "source",
)


def parse_version_number(text: str) -> tuple[int, int]:
    """``"1.0"`` → ``(1, 0)``; anything but MAJOR.MINOR raises ``RequirementError``."""
    match = VERSION_RE.match((text or "").strip())
    if not match:
        raise RequirementError(
            "Enter the version as two whole numbers with a dot between them, like 0.1 or 1.0",
            "number",
        )
    return int(match.group(1)), int(match.group(2))


def versions_of(experiment: Experiment) -> list[SpecificationVersion]:
    """Published versions, newest first (snapshots and change logs load when first read)."""
    return list(
        db.session.scalars(
            sa.select(SpecificationVersion)
            .where(SpecificationVersion.experiment_id == experiment.id)
            .order_by(SpecificationVersion.major.desc(), SpecificationVersion.minor.desc())
        )
    )


def latest_version(experiment: Experiment) -> SpecificationVersion | None:
    versions = versions_of(experiment)
    return versions[0] if versions else None


def get_version(experiment: Experiment, number: str) -> SpecificationVersion | None:
    return db.session.scalar(
        sa.select(SpecificationVersion).where(
            SpecificationVersion.experiment_id == experiment.id,
            SpecificationVersion.number == number,
        )
    )


def _source(req: Requirement) -> dict[str, Any] | None:
    from procure.market.models import Option
    from procure.workshops.models import Workshop

    if req.source_kind == "workshop" and req.source_workshop_id:
        w = db.session.get(Workshop, req.source_workshop_id)
        if w is not None:
            return {
                "kind": "workshop",
                "id": w.id,
                "name": w.title,
                "sensitivity": w.sensitivity.slug,
            }
    if req.source_kind == "option" and req.source_option_id:
        o = db.session.get(Option, req.source_option_id)
        if o is not None:
            return {"kind": "option", "id": o.id, "name": o.name, "sensitivity": o.sensitivity.slug}
    if req.source_kind == "organisation" and req.source_organisation is not None:
        org = req.source_organisation
        return {"kind": "organisation", "id": org.id, "name": org.name, "sensitivity": "public"}
    return None


def requirement_record(req: Requirement) -> dict[str, Any]:
    """One requirement as a snapshot stores it: every field, unredacted."""
    return {
        "id": req.id,
        "number": req.number,
        "reference": req.reference,
        "title": req.title,
        "statement": req.statement,
        "acceptance_criteria": list(req.acceptance_criteria or []),
        "category": req.category,
        "priority": req.priority,
        "status": req.status,
        "sensitivity": req.sensitivity.slug,
        "revision": req.revision,
        "source": _source(req),
    }


def build_snapshot(experiment: Experiment) -> dict[str, Any]:
    """The agreed requirements and their endorsements as they stand now."""
    reqs = requirements_of(experiment)
    parts = endorsing_participations(experiment)
    agreed = [r for r in reqs if r.status == "agreed"]
    endorsements = []
    for req in agreed:
        for e in sorted(req.endorsements, key=lambda e: e.organisation.name):
            endorsements.append(
                {
                    "requirement_id": req.id,
                    "reference": req.reference,
                    "organisation": {
                        "id": e.organisation_id,
                        "slug": e.organisation.slug,
                        "name": e.organisation.name,
                    },
                    "position": e.position,
                    "comment": e.comment,
                    "comment_sensitivity": e.comment_sensitivity.slug,
                    "revision": e.revision,
                    "stale": e.revision != req.revision,
                    "endorsed_by": e.endorsed_by.name if e.endorsed_by else None,
                }
            )
    return {
        "requirements": [requirement_record(r) for r in agreed],
        "endorsements": endorsements,
        "withdrawn": [
            {
                "reference": r.reference,
                "title": r.title,
                "sensitivity": r.sensitivity.slug,
                "reason": r.withdrawn_reason,
            }
            for r in reqs
            if r.status == "withdrawn"
        ],
        "organisations": [
            {
                "id": p.organisation_id,
                "slug": p.organisation.slug,
                "name": p.organisation.name,
                "role": p.role,
            }
            for p in parts
        ],
        "categories": list(experiment.requirement_categories),
    }


def _compared(record: dict[str, Any]) -> dict[str, Any]:
    values = {name: record.get(name) for name in COMPARED_FIELDS}
    values["source"] = (record.get("source") or {}).get("name")
    return values


def compute_changelog(
    previous: dict[str, Any] | None, current: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """What changed between two snapshots: added, changed (field by field) and withdrawn.

    Entries carry the sensitivity of the requirement on each side so a reader for
    a lower audience can drop or redact them.
    """
    before = {r["reference"]: r for r in (previous or {}).get("requirements", [])}
    after = {r["reference"]: r for r in current.get("requirements", [])}
    reasons = {w["reference"]: w for w in current.get("withdrawn", [])}
    added = [
        {"reference": ref, "title": r["title"], "sensitivity": r["sensitivity"]}
        for ref, r in after.items()
        if ref not in before
    ]
    withdrawn = []
    for ref, r in before.items():
        if ref in after:
            continue
        reason = reasons.get(ref, {}).get("reason") or "No longer agreed"
        withdrawn.append(
            {
                "reference": ref,
                "title": r["title"],
                "sensitivity": r["sensitivity"],
                "reason": reason,
            }
        )
    changed = []
    for ref, new in after.items():
        old = before.get(ref)
        if old is None:
            continue
        old_values, new_values = _compared(old), _compared(new)
        fields = {
            name: [old_values[name], new_values[name]]
            for name in COMPARED_FIELDS
            if old_values[name] != new_values[name]
        }
        if fields:
            changed.append(
                {
                    "reference": ref,
                    "title": new["title"],
                    "sensitivity": new["sensitivity"],
                    "previous_sensitivity": old["sensitivity"],
                    "fields": fields,
                }
            )
    key = _reference_key
    return {
        "added": sorted(added, key=key),
        "changed": sorted(changed, key=key),
        "withdrawn": sorted(withdrawn, key=key),
    }


def _reference_key(entry: dict[str, Any]) -> tuple[int, str]:
    ref = entry["reference"]
    digits = ref.rsplit("-", 1)[-1]
    return (int(digits) if digits.isdigit() else 0, ref)


def publish_version(
    experiment: Experiment,
    number: str,
    release_notes: str,
    actor: User | None = None,
    published_at: datetime | None = None,
) -> SpecificationVersion:
    """Freeze the agreed requirements as version ``number`` (greater than the last).
    ``published_at`` (default now) lets the demo's story date its versions."""
    major, minor = parse_version_number(number)
    number = f"{major}.{minor}"
    experiment = lock_experiment(experiment)
    previous = latest_version(experiment)
    if previous is not None and (major, minor) <= (previous.major, previous.minor):
        raise RequirementError(
            f"Version {number} is not after the latest version, {previous.number}: "
            "choose a higher number",
            "number",
        )
    snapshot = build_snapshot(experiment)
    if not snapshot["requirements"]:
        raise RequirementError(
            "Nothing is agreed yet: agree at least one requirement before publishing a version"
        )
    changelog = compute_changelog(previous.snapshot if previous else None, snapshot)
    version = SpecificationVersion(
        experiment_id=experiment.id,
        number=number,
        major=major,
        minor=minor,
        release_notes=(release_notes or "").strip(),
        snapshot=snapshot,
        changelog=changelog,
        published_by_id=actor.id if actor else None,
    )
    if published_at is not None:
        version.published_at = published_at
    db.session.add(version)
    bump_content_version(experiment)
    db.session.flush()
    audit.record(
        "specification.publish",
        version,
        summary=f"Published specification version {number} "
        f"({len(snapshot['requirements'])} requirements)",
        changes={
            "added": len(changelog["added"]),
            "changed": len(changelog["changed"]),
            "withdrawn": len(changelog["withdrawn"]),
        },
        actor=actor,
    )
    return version


def source_name(name: str, at: Sensitivity, redactor: Redactor, ref: Any) -> str | Redacted:
    """A requirement's source as the reader may see it.

    A whole source above the reader becomes a marker; a workshop's title may hold spans,
    so the name always passes through ``Redactor.text``.
    """
    shown = redactor.value(name, at, "requirement.source", ref)
    if is_redacted(shown):
        return shown
    return redactor.text(name, "requirement.source", ref, base=at)


def level(value: str | int | None) -> Sensitivity:
    """A sensitivity stored in a snapshot; anything unreadable counts as the most sensitive."""
    if value is None or value == "":
        return Sensitivity.PARTICIPANTS
    try:
        return Sensitivity.parse(value)
    except ValueError:
        return Sensitivity.PARTICIPANTS
