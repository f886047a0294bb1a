"""The engagement record: each activity with suppliers, and the same-information check.

Under the Procurement Act 2023 the contracting authorities must treat suppliers the
same: what one supplier was given or told, the others must be given too. The check
lists every document (by name and version) that reached some engaged suppliers and
not others, and every answer given at an activity that not every engaged supplier
attended. It is built from the activities visible to the reader only, so it names
nothing the reader may not see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm import selectinload

from procure import audit
from procure.accounts.models import Organisation
from procure.experiments.models import Experiment
from procure.experiments.services import bump_content_version
from procure.extensions import db
from procure.procurement.models import (
    ENGAGEMENT_FORMAT_LABELS,
    ENGAGEMENT_FORMATS,
    ENGAGEMENT_KIND_LABELS,
    ENGAGEMENT_KINDS,
    EngagementActivity,
    EngagementQuestion,
    EngagementShare,
)
from procure.sensitivity import Redactor, Sensitivity
from procure.tabular import write_csv
from procure.text_policy import policy, span_problem


class EngagementError(ValueError):
    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def supplier_choices() -> list[Organisation]:
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind == "supplier")
            .order_by(Organisation.name)
        )
    )


def activities_of(experiment: Experiment) -> list[EngagementActivity]:
    return list(
        db.session.scalars(
            sa.select(EngagementActivity)
            .where(EngagementActivity.experiment_id == experiment.id)
            .options(
                selectinload(EngagementActivity.suppliers),
                selectinload(EngagementActivity.shares),
                selectinload(EngagementActivity.questions),
            )
            .order_by(EngagementActivity.held_on, EngagementActivity.id)
        )
    )


def parse_documents(text: str) -> list[tuple[str, str]]:
    """``name | version`` per line → (name, version) pairs (the version may be left out)."""
    pairs = []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        name, _bar, version = line.partition("|")
        pairs.append((name.strip()[:200], version.strip()[:40]))
    return pairs


def add_activity(
    experiment: Experiment,
    *,
    kind: str,
    format: str,
    held_on: date,
    title: str,
    summary: str = "",
    sensitivity: Sensitivity = Sensitivity.PUBLIC,
    supplier_ids: list[int] | None = None,
    documents: list[tuple[str, str]] | None = None,
    questions: list[tuple[str, str]] | None = None,
) -> EngagementActivity:
    """Record an activity with its suppliers, what was shared and the questions answered."""
    if kind not in ENGAGEMENT_KINDS:
        raise EngagementError("Choose the kind of activity", "kind")
    if format not in ENGAGEMENT_FORMATS:
        raise EngagementError("Choose how the activity was held", "format")
    for column, value, field in (
        ("engagement_activities.title", title, "title"),
        ("engagement_activities.summary", summary, "summary"),
    ):
        problem = span_problem(value, policy(column).accepts_spans, field.capitalize())
        if problem:
            raise EngagementError(problem, field)
    for name, version in documents or []:
        for column, value in (("document", name), ("document_version", version)):
            problem = span_problem(
                value, policy(f"engagement_shares.{column}").accepts_spans, "A document"
            )
            if problem:
                raise EngagementError(problem, "documents")
    suppliers = {o.id: o for o in supplier_choices()}
    chosen = list(dict.fromkeys(supplier_ids or []))
    if set(chosen) - set(suppliers):
        raise EngagementError("Choose suppliers from the list", "supplier_ids")
    activity = EngagementActivity(
        experiment_id=experiment.id,
        kind=kind,
        format=format,
        held_on=held_on,
        title=title,
        summary=summary,
        sensitivity=sensitivity,
        suppliers=[suppliers[i] for i in chosen],
        shares=[EngagementShare(document=n, document_version=v) for n, v in documents or []],
        questions=[EngagementQuestion(question=q, answer=a) for q, a in questions or []],
    )
    db.session.add(activity)
    db.session.flush()
    bump_content_version(experiment)
    audit.record("engagement.add", activity, summary="Recorded an engagement activity")
    return activity


# -- read models ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SupplierRef:
    id: int
    name: str
    companies_house_number: str
    ppon: str


@dataclass(frozen=True)
class QuestionView:
    question: Markup
    answer: Markup


@dataclass(frozen=True)
class ActivityView:
    id: int
    kind_label: str
    format_label: str
    held_on: date
    title: str
    summary: Markup
    sensitivity: Sensitivity
    suppliers: list[SupplierRef]
    shares: list[tuple[str, str]]
    questions: list[QuestionView]


@dataclass(frozen=True)
class Unequal:
    """Something some engaged suppliers received and others did not."""

    what: str
    received_by: list[str]
    missed_by: list[str]


@dataclass(frozen=True)
class EngagementView:
    activities: list[ActivityView]
    suppliers: list[SupplierRef]
    unequal: list[Unequal]


def _ref(org: Organisation) -> SupplierRef:
    return SupplierRef(org.id, org.name, org.companies_house_number or "", org.ppon or "")


def build_engagement_view(experiment: Experiment, redactor: Redactor) -> EngagementView:
    """Activities visible to the reader, redacted, and the check over those activities."""
    visible = redactor.visible(
        activities_of(experiment), lambda a: a.sensitivity, "engagement_activity"
    )
    views = []
    for activity in visible:
        base = Sensitivity(int(activity.sensitivity))
        views.append(
            ActivityView(
                id=activity.id,
                kind_label=ENGAGEMENT_KIND_LABELS[activity.kind],
                format_label=ENGAGEMENT_FORMAT_LABELS[activity.format],
                held_on=activity.held_on,
                title=redactor.text(activity.title, "engagement.title", activity.id, base),
                summary=redactor.markdown(
                    activity.summary, "engagement.summary", activity.id, base
                ),
                sensitivity=base,
                suppliers=[_ref(o) for o in activity.suppliers],
                shares=[(s.document, s.document_version) for s in activity.shares],
                questions=[
                    QuestionView(
                        redactor.markdown(q.question, "engagement.question", q.id, base),
                        redactor.markdown(q.answer, "engagement.answer", q.id, base),
                    )
                    for q in activity.questions
                ],
            )
        )
    everyone: dict[int, SupplierRef] = {}
    for view in views:
        for ref in view.suppliers:
            everyone[ref.id] = ref
    names = sorted(everyone.values(), key=lambda r: r.name)
    received: dict[str, set[int]] = {}
    for view in views:
        ids = {r.id for r in view.suppliers}
        for name, version in view.shares:
            key = f"{name} (version {version})" if version else name
            received.setdefault(key, set()).update(ids)
    unequal = [
        Unequal(
            what=f"Document: {key}",
            received_by=[r.name for r in names if r.id in ids],
            missed_by=[r.name for r in names if r.id not in ids],
        )
        for key, ids in sorted(received.items())
        if set(everyone) - ids
    ]
    for view in views:
        ids = {r.id for r in view.suppliers}
        if view.questions and set(everyone) - ids:
            unequal.append(
                Unequal(
                    what=f"Answers given at “{view.title}” ({len(view.questions)})",
                    received_by=[r.name for r in names if r.id in ids],
                    missed_by=[r.name for r in names if r.id not in ids],
                )
            )
    return EngagementView(activities=views, suppliers=names, unequal=unequal)


RECORD_COLUMNS = [
    "Date",
    "Activity",
    "Kind",
    "Format",
    "Suppliers",
    "Shared",
    "Questions and answers",
]


def engagement_csv(record: EngagementView) -> bytes:
    """The engagement record (already redacted) as CSV, one row per activity."""
    rows = [
        [
            a.held_on.isoformat(),
            a.title,
            a.kind_label,
            a.format_label,
            "; ".join(s.name for s in a.suppliers),
            "; ".join(f"{n} {v}".strip() for n, v in a.shares),
            " | ".join(f"Q: {plain_of(q.question)} A: {plain_of(q.answer)}" for q in a.questions),
        ]
        for a in record.activities
    ]
    return write_csv(RECORD_COLUMNS, rows).encode("utf-8")


def plain_of(html: Markup) -> str:
    """Redacted Markdown HTML as one line of text, for a spreadsheet cell."""
    return " ".join(html.striptags().split())
