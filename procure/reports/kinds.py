"""The report kinds and the one entry point that builds a document for an audience.

``build_document(kind, experiment, audience, workshop_id=..., version=...)`` creates
a :class:`~procure.sensitivity.Redactor` for the audience and calls the kind's
builder. ``workshop-pack`` and ``summary`` are composed here (see
``procure.reports.builders``); ``scoring`` and ``requirements`` belong to their
features and are looked up lazily, so a feature that has not landed yet gives a
clear error instead of breaking the rest.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import sqlalchemy as sa

from procure.experiments.models import Experiment
from procure.extensions import db
from procure.reports.document import ReportDocument
from procure.sensitivity import Audience, Redactor, Sensitivity

KINDS = ("workshop-pack", "scoring", "requirements", "summary", "notice", "conflicts")
KIND_LABELS = {
    "workshop-pack": "Workshop pack",
    "scoring": "Scoring report",
    "requirements": "Requirements specification",
    "summary": "Experiment summary",
    "notice": "UK2 notice draft",
    "conflicts": "Conflicts assessment",
    "handover": "Handover pack (ZIP)",
}
# Kinds whose file is a bundle of other reports rather than one PDF: their feature's
# report module builds them (``build_bundle``), and the export records them the same way.
BUNDLE_KINDS = ("handover",)
# The lowest audience a kind may be exported for: below it the report is refused.
MINIMUM_AUDIENCE = {kind: Audience.PUBLIC for kind in KINDS} | {
    "conflicts": Audience.PARTICIPANTS,
    "handover": Audience.PARTICIPANTS,
}
# The feature that builds each kind not composed here (looked up lazily: see feature_report).
FEATURE_OF = {
    "scoring": "scoring",
    "requirements": "requirements",
    "notice": "procurement",
    "conflicts": "procurement",
    "handover": "procurement",
}


class ReportError(ValueError):
    """A report that cannot be built as asked; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def feature_report(feature: str) -> ModuleType | None:
    """``procure.<feature>.report``, or None while that feature has no report module.

    Only the absence of that very module is tolerated: an import error inside it
    (a bug) propagates.
    """
    name = f"procure.{feature}.report"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name not in (name, f"procure.{feature}"):
            raise
        return None


@dataclass(frozen=True)
class Choice:
    """Something a report can be built for (a workshop or a specification version)."""

    value: str
    label: str
    sensitivity: Sensitivity = Sensitivity.PUBLIC


def parse_kind(kind: str) -> str:
    if kind not in KINDS + BUNDLE_KINDS:
        raise ReportError(f"Unknown report kind {kind!r}: choose one of {', '.join(KINDS)}", "kind")
    return kind


def parse_audience(audience: str | Audience) -> Audience:
    try:
        return Audience.parse(audience)
    except ValueError as exc:
        raise ReportError(str(exc), "audience") from exc


def workshops_of(experiment: Experiment) -> list:
    """Workshops of the experiment, latest first."""
    from procure.workshops.models import Workshop

    return list(
        db.session.scalars(
            sa.select(Workshop)
            .where(Workshop.experiment_id == experiment.id)
            .order_by(Workshop.starts_at.desc(), Workshop.id.desc())
        )
    )


def versions_of(experiment: Experiment) -> list:
    """Published specification versions of the experiment, latest first."""
    from procure.requirements.models import SpecificationVersion

    return list(
        db.session.scalars(
            sa.select(SpecificationVersion)
            .where(SpecificationVersion.experiment_id == experiment.id)
            .order_by(
                SpecificationVersion.major.desc(),
                SpecificationVersion.minor.desc(),
                SpecificationVersion.id.desc(),
            )
        )
    )


def workshop_choices(experiment: Experiment, audience: Audience) -> list[Choice]:
    """Workshops as choices, titles redacted for ``audience`` (a list that names them)."""
    redactor = Redactor(audience)
    choices = []
    for workshop in workshops_of(experiment):
        level = Sensitivity(int(workshop.sensitivity))
        title = redactor.text(workshop.title, "workshop.title", workshop.id, base=level)
        when = workshop.starts_at.strftime("%-d %B %Y")
        choices.append(Choice(str(workshop.id), f"{workshop.id}: {title} ({when})", level))
    return choices


def version_choices(experiment: Experiment) -> list[Choice]:
    return [Choice(v.number, f"Version {v.number}") for v in versions_of(experiment)]


def _listing(choices: list[Choice]) -> str:
    return "; ".join(choice.label for choice in choices)


def resolve_params(
    experiment: Experiment,
    kind: str,
    audience: Audience,
    *,
    workshop_id: int | str | None = None,
    version: str | None = None,
    organisation: str | None = None,
) -> dict[str, Any]:
    """Check the parameters a kind needs and fill in defaults (latest workshop/version).

    Raises :class:`ReportError` naming what exists when something is unknown, and
    refuses a workshop pack for an audience below the workshop's own sensitivity.
    """
    parse_kind(kind)
    minimum = MINIMUM_AUDIENCE[kind]
    if audience < minimum:
        raise ReportError(
            f"The {KIND_LABELS[kind].lower()} is for {minimum.label.lower()} only: "
            f"choose the {minimum.slug} audience",
            "audience",
        )
    if kind in BUNDLE_KINDS:
        module = feature_report(FEATURE_OF[kind])
        if module is None:
            raise ReportError(f"The {KIND_LABELS[kind].lower()} is not available", "kind")
        return {"organisation": module.resolve_borough(experiment, organisation)}
    if kind == "workshop-pack":
        workshops = workshops_of(experiment)
        if workshop_id in (None, ""):
            if not workshops:
                raise ReportError(
                    "This experiment has no workshops yet, so there is no pack to make",
                    "workshop_id",
                )
            workshop = workshops[0]
        else:
            workshop = next((w for w in workshops if str(w.id) == str(workshop_id).strip()), None)
            if workshop is None:
                known = _listing(workshop_choices(experiment, audience)) or "none yet"
                raise ReportError(
                    f"No workshop {workshop_id} in this experiment. Workshops: {known}",
                    "workshop_id",
                )
        level = Sensitivity(int(workshop.sensitivity))
        if not audience.permits(level):
            wider = " or ".join(a.slug for a in Audience if a.permits(level))
            raise ReportError(
                f"This workshop is {level.label.lower()}; choose a {wider} audience", "audience"
            )
        return {"workshop_id": workshop.id}
    if kind == "requirements":
        versions = versions_of(experiment)
        if version in (None, ""):
            return {"version": versions[0].number} if versions else {}
        wanted = str(version).strip()
        if not any(v.number == wanted for v in versions):
            known = _listing(version_choices(experiment)) or "none published yet"
            raise ReportError(
                f"No specification version {wanted} in this experiment. Versions: {known}",
                "version",
            )
        return {"version": wanted}
    return {}


def build_document(
    kind: str,
    experiment: Experiment,
    audience: Audience | str,
    *,
    workshop_id: int | str | None = None,
    version: str | None = None,
) -> ReportDocument:
    """The report ``kind`` of ``experiment`` for ``audience``, every string redacted."""
    from procure.reports import builders

    audience = parse_audience(audience)
    params = resolve_params(experiment, kind, audience, workshop_id=workshop_id, version=version)
    redactor = Redactor(audience)
    if kind == "workshop-pack":
        document = builders.build_workshop_pack(experiment, redactor, params["workshop_id"])
    elif kind == "summary":
        document = builders.build_summary(experiment, redactor)
    else:
        feature = FEATURE_OF[kind]
        module = feature_report(feature)
        if module is None or not hasattr(module, "build_report"):
            raise ReportError(
                f"The {KIND_LABELS[kind].lower()} is not available yet in this installation",
                "kind",
            )
        if kind == "requirements":
            document = module.build_report(experiment, redactor, version=params.get("version"))
        elif kind == "conflicts":
            document = module.build_conflicts_report(experiment, redactor)
        elif kind == "notice":
            try:
                document = module.build_report(experiment, redactor)
            except LookupError as exc:
                raise ReportError(str(exc), "kind") from exc
        else:
            document = module.build_report(experiment, redactor)
    document.redaction_log = redactor.log
    return document
