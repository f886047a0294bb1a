"""Operations on an experiment's UK2 notice draft. Services flush; the request commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from procure import audit
from procure.accounts.models import Organisation, User
from procure.concurrency import check_version
from procure.experiments.models import Experiment, Participation
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.identifiers import cpv_problem
from procure.procurement.models import NoticeAuthority, NoticeLot, ProcurementNotice
from procure.text_policy import policy, span_problem

NOTICE_FIELDS = [
    "title",
    "description",
    "rationale",
    "participation",
    "cpv_codes",
    "value_low",
    "value_high",
    "contract_months",
    "engagement_start",
    "engagement_end",
    "convenor_procures",
]


class NoticeError(ValueError):
    """A notice that cannot be saved as asked; ``field`` names the form field at fault."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class NoticeInput:
    """What a person (or the demo) gives for a notice draft."""

    title: str
    description: str = ""
    rationale: str = ""
    participation: str = ""
    cpv_codes: list[str] | None = None
    value_low: Decimal | None = None
    value_high: Decimal | None = None
    contract_months: int | None = None
    engagement_start: date | None = None
    engagement_end: date | None = None
    convenor_procures: bool = False
    authority_ids: list[int] | None = None


def notice_of(experiment: Experiment) -> ProcurementNotice | None:
    return db.session.scalar(
        sa.select(ProcurementNotice)
        .where(ProcurementNotice.experiment_id == experiment.id)
        .options(
            selectinload(ProcurementNotice.authorities).selectinload(NoticeAuthority.organisation),
            selectinload(ProcurementNotice.lots),
        )
    )


def authority_choices(experiment: Experiment) -> list[Organisation]:
    """Organisations that may procure under the notice: the boroughs taking part (not observers)."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Participation, Participation.organisation_id == Organisation.id)
            .where(
                Participation.experiment_id == experiment.id,
                Participation.role.in_(("lead", "participant")),
            )
            .order_by(Organisation.name)
        )
    )


def convenor_of() -> Organisation | None:
    """The network's convenor (the procuring entity when it runs the procurement)."""
    return db.session.scalar(
        sa.select(Organisation).where(Organisation.kind == "convenor").order_by(Organisation.id)
    )


def _check(experiment: Experiment, data: NoticeInput) -> None:
    for name in ("title", "description", "rationale", "participation"):
        problem = span_problem(
            getattr(data, name), policy(f"procurement_notices.{name}").accepts_spans, name
        )
        if problem:
            raise NoticeError(problem, name)
    if not data.title.strip():
        raise NoticeError("Enter the notice’s title", "title")
    for code in data.cpv_codes or []:
        problem = cpv_problem(code)
        if problem:
            raise NoticeError(problem, "cpv_codes")
    if data.value_low is not None and data.value_low < 0:
        raise NoticeError("The lower estimate cannot be negative", "value_low")
    if (
        data.value_low is not None
        and data.value_high is not None
        and data.value_high < data.value_low
    ):
        raise NoticeError("The upper estimate must not be below the lower one", "value_high")
    if data.contract_months is not None and data.contract_months <= 0:
        raise NoticeError("The contract length must be at least one month", "contract_months")
    if (
        data.engagement_start
        and data.engagement_end
        and data.engagement_end < data.engagement_start
    ):
        raise NoticeError("The engagement must end on or after its start", "engagement_end")
    allowed = {o.id for o in authority_choices(experiment)}
    chosen = data.authority_ids or []
    if not chosen:
        raise NoticeError("Choose at least one contracting authority", "authority_ids")
    if set(chosen) - allowed:
        raise NoticeError("Choose only boroughs taking part in the experiment", "authority_ids")


def save_notice(
    experiment: Experiment,
    data: NoticeInput,
    submitted_version: int | None = None,
    actor: User | None = None,
) -> ProcurementNotice:
    """Create or update the experiment's notice draft (a stale edit raises ``StaleEdit``)."""
    _check(experiment, data)
    notice = notice_of(experiment)
    created = notice is None
    if notice is None:
        notice = ProcurementNotice(experiment_id=experiment.id)
        db.session.add(notice)
    else:
        check_version(notice, submitted_version, NOTICE_FIELDS)
    for name in NOTICE_FIELDS:
        value = getattr(data, name)
        setattr(notice, name, list(value or []) if name == "cpv_codes" else value)
    wanted = list(dict.fromkeys(data.authority_ids or []))
    notice.authorities = [a for a in notice.authorities if a.organisation_id in wanted] + [
        NoticeAuthority(organisation_id=org_id)
        for org_id in wanted
        if org_id not in {a.organisation_id for a in notice.authorities}
    ]
    db.session.flush()
    bump_content_version(experiment)
    audit.record(
        "notice.create" if created else "notice.update",
        notice,
        summary=f"{'Drafted' if created else 'Edited'} the UK2 notice",
        actor=actor,
    )
    return notice


def set_lots(notice: ProcurementNotice, lots: list[tuple[str, str]]) -> None:
    """Replace the notice's lots with (title, description) pairs, in order."""
    for title, description in lots:
        for name, value in (("title", title), ("description", description)):
            problem = span_problem(value, policy(f"notice_lots.{name}").accepts_spans, name)
            if problem:
                raise NoticeError(problem, "lots")
    notice.lots = [
        NoticeLot(position=number, title=title, description=description)
        for number, (title, description) in enumerate(lots, start=1)
    ]
    db.session.flush()
