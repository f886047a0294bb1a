"""Detailed scoring read models: one option criterion by criterion, one borough's own
ranking, and the register of declarations. Built for one audience by a ``Redactor``."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup

from procure.experiments.models import Participation
from procure.scoring.read_models import (
    CriterionView,
    ModeratedView,
    OptionRow,
    ScoringData,
    borough_labels,
    criterion_views,
    moderated_view,
    option_rows,
)
from procure.scoring.stats import Stats, describe
from procure.sensitivity import Redacted, Redactor, Sensitivity

# --- one option, criterion by criterion --------------------------------------------


@dataclass(frozen=True)
class ScoreView:
    borough: str
    score: int
    descriptor: str
    reason: Markup | Redacted


@dataclass(frozen=True)
class CriterionScores:
    criterion: CriterionView
    stats: Stats
    entries: tuple[ScoreView, ...]  # empty when the audience sees only aggregates
    moderated: ModeratedView | None


@dataclass(frozen=True)
class OptionDetail:
    row: OptionRow
    criteria: tuple[CriterionScores, ...]
    aggregate_only: bool


def _reason(score, redactor: Redactor) -> Markup | Redacted:
    """A score's reason at the audience; a reason withheld whole is a ``Redacted`` marker,
    so a report can count withheld reasons instead of printing a marker for each."""
    if not score.reason:
        return Markup("")
    level = Sensitivity(int(score.reason_sensitivity))
    if not redactor.permits(level):
        return redactor.value(None, level, "score.reason", score.id)
    return redactor.markdown(score.reason, "score.reason", score.id, base=level)


def option_details(
    data: ScoringData, redactor: Redactor, option_id: int | None = None
) -> tuple[OptionDetail, ...]:
    """Per-criterion scores of every visible option (submitted scorecards only), reasons
    redacted at their own sensitivity. ``option_id``: only that option's (if visible)."""
    labels = borough_labels(data, redactor.audience)
    order = {p.organisation_id: i for i, p in enumerate(data.participations)}
    moderated = {(m.option_id, m.criterion_id): m for m in data.moderated}
    criteria = criterion_views(data.criteria, redactor)
    meanings = {c.id: c.descriptor_labels for c in data.criteria}
    details = []
    by_option: dict[int, list] = {}
    for card in data.scorecards:
        if card.status == "submitted":
            by_option.setdefault(card.option_id, []).append(card)
    for row in option_rows(data, redactor):
        if option_id is not None and row.option_id != option_id:
            continue
        cards = sorted(
            by_option.get(row.option_id, ()),
            key=lambda c: order.get(c.organisation_id, 0),
        )
        per_criterion = []
        by_criterion: dict[int, list] = {}
        for card in cards:
            for s in card.scores:
                if s.score is not None:
                    by_criterion.setdefault(s.criterion_id, []).append((card, s))
        for criterion in criteria:
            scores = by_criterion.get(criterion.id, [])
            entries = (
                tuple(
                    ScoreView(
                        labels[card.organisation_id],
                        s.score,
                        meanings[criterion.id][s.score],
                        _reason(s, redactor),
                    )
                    for card, s in scores
                )
                if labels is not None
                else ()
            )
            m = moderated.get((row.option_id, criterion.id))
            per_criterion.append(
                CriterionScores(
                    criterion,
                    describe(s.score for _, s in scores),
                    entries,
                    moderated_view(m, redactor) if m else None,
                )
            )
        details.append(OptionDetail(row, tuple(per_criterion), labels is None))
    return tuple(details)


# --- one borough's own ranking -----------------------------------------------------


@dataclass(frozen=True)
class BoroughRow:
    option_name: str
    own_combined: float | None
    own_rank: int | None
    combined_mean: float | None
    combined_rank: int | None


@dataclass(frozen=True)
class BoroughView:
    organisation: str
    rows: tuple[BoroughRow, ...]


def build_borough_view(data: ScoringData, organisation_id: int, redactor: Redactor) -> BoroughView:
    """One borough's own ranking beside the combined one (for members and participants)."""
    labels = borough_labels(data, redactor.audience) or {}
    rows = option_rows(data, redactor)
    ranking = next(
        (b for b in data.analysis.boroughs if b.organisation_id == organisation_id), None
    )
    own = {e.option_id: e for e in ranking.entries} if ranking else {}
    built = [
        BoroughRow(
            row.name,
            own[row.option_id].combined if row.option_id in own else None,
            own[row.option_id].rank if row.option_id in own else None,
            row.combined.mean,
            row.rank,
        )
        for row in rows
    ]
    built.sort(key=lambda r: (r.own_rank is None, r.own_rank or 0, r.option_name.lower()))
    return BoroughView(labels.get(organisation_id, ""), tuple(built))


# --- declarations register ---------------------------------------------------------


@dataclass(frozen=True)
class DeclarationRow:
    person: str | Redacted
    organisation: str
    status: str  # "No interest" | "Interest declared" | "Not yet declared"
    interest: Markup | Redacted
    declared_on: object  # datetime or None


def build_declaration_register(
    declarations: list, participations: list[Participation], redactor: Redactor
) -> tuple[DeclarationRow, ...]:
    """Every declaration, then the procurement leads who have not declared yet.

    Names of people are members-level; the interest is at the declaration's sensitivity.
    """
    rows = [
        DeclarationRow(
            redactor.value(d.user.name, 1, "person", d.user_id),
            d.organisation.name if d.organisation else "",
            "Interest declared" if d.has_interest else "No interest",
            redactor.markdown(d.interest, "declaration.interest", d.id, base=d.sensitivity)
            if d.has_interest
            else Markup(""),
            d.updated_at,
        )
        for d in declarations
    ]
    declared = {d.user_id for d in declarations}
    rows += [
        DeclarationRow(
            redactor.value(p.procurement_lead.name, 1, "person", p.procurement_lead_id),
            p.organisation.name,
            "Not yet declared",
            Markup(""),
            None,
        )
        for p in participations
        if p.procurement_lead is not None and p.procurement_lead_id not in declared
    ]
    return tuple(rows)
