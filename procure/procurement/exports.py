"""The notice as a file: the OCDS release package of an experiment, always at ``public``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from procure.experiments.models import Experiment
from procure.procurement.ocds import build_release_package, public_paths
from procure.procurement.read_models import NoticeView, build_notice_view
from procure.procurement.services import NoticeError, convenor_of, notice_of
from procure.sensitivity import Audience, Redactor


def public_notice(experiment: Experiment) -> NoticeView | None:
    """The notice draft as everyone will read it, or None when there is none yet."""
    notice = notice_of(experiment)
    if notice is None:
        return None
    return build_notice_view(notice, Redactor(Audience.PUBLIC), convenor_of())


def ocds_package(app: Any, experiment: Experiment, now: datetime | None = None) -> dict[str, Any]:
    """The validated release package (``OcdsInvalid`` lists the errors of an invalid one)."""
    notice = public_notice(experiment)
    if notice is None:
        raise NoticeError("This experiment has no UK2 notice draft yet: draft one first")
    return build_release_package(
        experiment, notice, app.config, public_paths(app, experiment), now=now
    )


def ocds_filename(experiment: Experiment) -> str:
    return f"{experiment.slug}-uk2-ocds.json"
