"""What pages, the notice PDF and the OCDS file read: the notice redacted for one audience.

Every free-text field goes through the Redactor whole — spans may run over several
lines, so text is never split into lines before it is redacted. Organisation names and
identifiers are plain and public.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from markupsafe import Markup

from procure.accounts.models import Organisation
from procure.identifiers import CPV_CODES
from procure.procurement.models import ProcurementNotice
from procure.sensitivity import Redactor


@dataclass(frozen=True)
class AuthorityRow:
    """A contracting authority (or the convenor) as a notice names it."""

    id: int
    slug: str
    name: str
    kind: str
    ppon: str
    companies_house_number: str


@dataclass(frozen=True)
class LotView:
    number: int
    title: str
    description: Markup
    description_text: str


@dataclass(frozen=True)
class CpvRow:
    code: str
    description: str  # empty for a code outside the bundled list


@dataclass(frozen=True)
class NoticeView:
    """The UK2 draft for one audience: every string already redacted."""

    id: int
    version: int
    title: str
    description: Markup
    description_text: str
    rationale: Markup
    rationale_text: str
    participation: Markup
    participation_text: str
    cpv: list[CpvRow]
    value_low: Decimal | None
    value_high: Decimal | None
    contract_months: int | None
    engagement_start: date | None
    engagement_end: date | None
    convenor_procures: bool
    authorities: list[AuthorityRow]
    convenor: AuthorityRow | None
    lots: list[LotView]
    updated_at: datetime


def authority_row(org: Organisation) -> AuthorityRow:
    return AuthorityRow(
        id=org.id,
        slug=org.slug,
        name=org.name,
        kind=org.kind,
        ppon=org.ppon or "",
        companies_house_number=org.companies_house_number or "",
    )


def build_notice_view(
    notice: ProcurementNotice, redactor: Redactor, convenor: Organisation | None
) -> NoticeView:
    """The notice for ``redactor.audience`` (withheld spans are logged by the Redactor)."""

    def both(text: str, kind: str, id_: int) -> tuple[Markup, str]:
        return redactor.markdown(text, kind, id_), redactor.text(text, kind, id_)

    description, description_text = both(notice.description, "notice.description", notice.id)
    rationale, rationale_text = both(notice.rationale, "notice.rationale", notice.id)
    participation, participation_text = both(
        notice.participation, "notice.participation", notice.id
    )
    lots = []
    for lot in notice.lots:
        lot_html, lot_text = both(lot.description, "notice_lot.description", lot.id)
        lots.append(
            LotView(
                number=lot.position,
                title=redactor.text(lot.title, "notice_lot.title", lot.id),
                description=lot_html,
                description_text=lot_text,
            )
        )
    return NoticeView(
        id=notice.id,
        version=notice.version,
        title=redactor.text(notice.title, "notice.title", notice.id),
        description=description,
        description_text=description_text,
        rationale=rationale,
        rationale_text=rationale_text,
        participation=participation,
        participation_text=participation_text,
        cpv=[CpvRow(code, CPV_CODES.get(code, "")) for code in notice.cpv_codes or []],
        value_low=notice.value_low,
        value_high=notice.value_high,
        contract_months=notice.contract_months,
        engagement_start=notice.engagement_start,
        engagement_end=notice.engagement_end,
        convenor_procures=notice.convenor_procures,
        authorities=[authority_row(a.organisation) for a in notice.authorities],
        convenor=authority_row(convenor) if convenor is not None else None,
        lots=lots,
        updated_at=notice.updated_at,
    )
