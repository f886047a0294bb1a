"""Read models of the market scan, landscape and alignment planner, built for one audience.

Templates, exports and reports receive only these. An option is dropped whole
when its own sensitivity is above the audience; its free text is rendered with
inline spans resolved; its commercial fields (costs, cost basis, supplier
remarks) sit at the higher of its commercial sensitivity and its own.
Landscape rows are dropped whole above the audience (members by default), so
the planner only ever sees the rows the audience may see.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from markupsafe import Markup

from procure.experiments.models import Experiment
from procure.market import planner
from procure.market.charts import timeline_svg
from procure.market.forms import HOSTING_LABELS, KIND_LABELS, STATUS_LABELS
from procure.market.models import HOSTING_MODELS, OPTION_KINDS, OPTION_STATUSES, Option
from procure.market.services import landscape_entries, options_of, participating_organisations
from procure.sensitivity import Audience, Redacted, Redactor, Sensitivity

MAX_SPAN_MONTHS = 60
_WEB_ADDRESS = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)


@dataclass(frozen=True)
class MarketFilters:
    """The market scan's GET filters; empty strings mean “any”."""

    kind: str = ""
    status: str = ""
    hosting: str = ""
    q: str = ""

    @classmethod
    def from_args(cls, args: Any) -> MarketFilters:
        """Unknown values are ignored rather than refused: a filter can only narrow the list."""

        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = (args.get(name) or "").strip()
            return value if value in allowed else ""

        return cls(
            kind=pick("kind", OPTION_KINDS),
            status=pick("status", OPTION_STATUSES),
            hosting=pick("hosting", HOSTING_MODELS),
            q=" ".join((args.get("q") or "").split())[:200],
        )

    @property
    def active(self) -> bool:
        return bool(self.kind or self.status or self.hosting or self.q)


@dataclass(frozen=True)
class OptionView:
    id: int
    kind: str
    kind_label: str
    name: str
    supplier: str
    summary: Markup
    description: Markup
    website: str
    website_url: str  # only an http(s) address; anything else is shown as text, not linked
    hosting_model: str
    hosting_label: str
    standards: Markup
    evidence: Markup
    used_by: tuple[str, ...]
    timescale: Markup
    constraints: Markup
    cost_range: str | Redacted
    cost_basis: str | Redacted
    supplier_remarks: Markup | Redacted
    commercial_sensitivity: Sensitivity
    sensitivity: Sensitivity
    status: str
    status_label: str
    exclusion_reason: Markup
    accepted: bool
    version: int
    # Plain text the audience may read, for the search filter; never rendered.
    search_text: str = field(repr=False, default="")


@dataclass(frozen=True)
class MarketView:
    experiment_slug: str
    experiment_title: str
    audience: Audience
    filters: MarketFilters
    options: tuple[OptionView, ...]
    shortlist: tuple[OptionView, ...]
    proposals: tuple[OptionView, ...]
    total: int
    withheld: int
    kind_choices: tuple[tuple[str, str], ...] = tuple(KIND_LABELS.items())
    status_choices: tuple[tuple[str, str], ...] = tuple(STATUS_LABELS.items())
    hosting_choices: tuple[tuple[str, str], ...] = tuple(HOSTING_LABELS.items())


def format_cost_range(low: Decimal | None, high: Decimal | None) -> str:
    def pounds(value: Decimal) -> str:
        return f"£{value:,.0f}"

    if low is None and high is None:
        return ""
    if low is None or high is None or low == high:
        return pounds(low if low is not None else high)
    return f"{pounds(low)} to {pounds(high)}"


def build_option_view(option: Option, redactor: Redactor) -> OptionView:
    """One option, which the caller has checked is visible to ``redactor.audience``."""
    level = option.sensitivity
    commercial = max(option.commercial_sensitivity, level)

    def md(name: str) -> Markup:
        return redactor.markdown(getattr(option, name), f"option.{name}", option.id, base=level)

    def text(name: str, base: Sensitivity = level) -> str:
        return redactor.text(getattr(option, name), f"option.{name}", option.id, base=base)

    cost = format_cost_range(option.cost_low, option.cost_high)
    remarks = option.supplier_remarks
    searchable = [
        option.name,
        option.supplier,
        text("summary"),
        text("description"),
        text("standards"),
        text("evidence"),
    ]
    return OptionView(
        id=option.id,
        kind=option.kind,
        kind_label=KIND_LABELS[option.kind].split(" (")[0],
        name=option.name,
        supplier=option.supplier,
        summary=md("summary"),
        description=md("description"),
        website=option.website,
        website_url=option.website if _WEB_ADDRESS.match(option.website or "") else "",
        hosting_model=option.hosting_model or "",
        hosting_label=HOSTING_LABELS.get(option.hosting_model or "", "Not known"),
        standards=md("standards"),
        evidence=md("evidence"),
        used_by=tuple(o.name for o in option.used_by),
        timescale=md("timescale"),
        constraints=md("constraints"),
        cost_range=redactor.value(cost, commercial, "option.cost", option.id) if cost else "",
        cost_basis=(
            redactor.value(option.cost_basis, commercial, "option.cost_basis", option.id)
            if option.cost_basis
            else ""
        ),
        supplier_remarks=(
            redactor.markdown(remarks, "option.supplier_remarks", option.id, base=commercial)
            if redactor.permits(commercial)
            else redactor.value(remarks, commercial, "option.supplier_remarks", option.id)
        )
        if remarks
        else Markup(""),
        commercial_sensitivity=option.commercial_sensitivity,
        sensitivity=level,
        status=option.status,
        status_label=STATUS_LABELS[option.status],
        exclusion_reason=md("exclusion_reason"),
        accepted=option.accepted,
        version=option.version,
        search_text=" ".join(searchable).casefold(),
    )


def visible_options(experiment: Experiment, redactor: Redactor) -> list[Option]:
    """Options the audience may know exist (proposals excluded)."""
    accepted = [o for o in options_of(experiment) if o.accepted]
    return redactor.visible(accepted, lambda o: o.sensitivity, "option")


def _matches(view: OptionView, filters: MarketFilters) -> bool:
    if filters.kind and view.kind != filters.kind:
        return False
    if filters.status and view.status != filters.status:
        return False
    if filters.hosting and view.hosting_model != filters.hosting:
        return False
    return all(word.casefold() in view.search_text for word in filters.q.split())


def build_market_view(
    experiment: Experiment,
    redactor: Redactor,
    filters: MarketFilters | None = None,
    *,
    include_proposals: bool = False,
) -> MarketView:
    """The market scan for ``redactor.audience``: filtered options and the shortlist.

    Search runs over the redacted text only, so a query can never reveal words
    the audience may not read. Proposals are listed only with ``include_proposals``
    (for people who may accept them).
    """
    filters = filters or MarketFilters()
    everything = [o for o in options_of(experiment)]
    accepted = [o for o in everything if o.accepted]
    visible = redactor.visible(accepted, lambda o: o.sensitivity, "option")
    views = [build_option_view(o, redactor) for o in visible]
    proposals: list[OptionView] = []
    if include_proposals:
        pending = [o for o in everything if not o.accepted]
        proposals = [
            build_option_view(o, redactor)
            for o in redactor.visible(pending, lambda o: o.sensitivity, "option")
        ]
    return MarketView(
        experiment_slug=experiment.slug,
        experiment_title=redactor.text(experiment.title, "experiment.title", experiment.id),
        audience=redactor.audience,
        filters=filters,
        options=tuple(v for v in views if _matches(v, filters)),
        shortlist=tuple(v for v in views if v.status == "shortlist"),
        proposals=tuple(proposals),
        total=len(views),
        withheld=len(accepted) - len(visible),
    )


# Landscape and planner ---------------------------------------------------------


@dataclass(frozen=True)
class LandscapeRowView:
    organisation_id: int
    organisation: str
    recorded: bool
    product: str
    option_id: int | None
    supplier: str
    contract_start: date | None
    contract_end: date | None
    extension_months: int
    window_end: date | None
    annual_cost: Decimal | Redacted | None
    cost_sensitivity: Sensitivity | None
    notes: Markup
    sensitivity: Sensitivity | None
    version: int


@dataclass(frozen=True)
class CohortMemberView:
    organisation: str
    contract_end: date
    window_end: date
    bridge_months: int


@dataclass(frozen=True)
class CohortView:
    number: int
    members: tuple[CohortMemberView, ...]
    earliest_common_start: date
    latest_common_start: date


@dataclass(frozen=True)
class PlannerView:
    span_months: int
    cohorts: tuple[CohortView, ...]
    unaligned: tuple[CohortMemberView, ...]
    chart: Markup
    organisations: int


@dataclass(frozen=True)
class LandscapeView:
    experiment_slug: str
    experiment_title: str
    audience: Audience
    rows: tuple[LandscapeRowView, ...]
    withheld: Redacted | None
    planner: PlannerView


def _row_view(entry, redactor: Redactor, visible_option_ids: set[int]) -> LandscapeRowView:
    level = entry.sensitivity
    cost_level = max(entry.cost_sensitivity, level)
    window_end = (
        planner.add_months(entry.contract_end, entry.extension_months)
        if entry.contract_end
        else None
    )
    return LandscapeRowView(
        organisation_id=entry.organisation_id,
        organisation=entry.organisation.name,
        recorded=True,
        product=entry.product_name,
        option_id=entry.option_id if entry.option_id in visible_option_ids else None,
        supplier=entry.supplier,
        contract_start=entry.contract_start,
        contract_end=entry.contract_end,
        extension_months=entry.extension_months,
        window_end=window_end,
        annual_cost=(
            redactor.value(entry.annual_cost, cost_level, "landscape.annual_cost", entry.id)
            if entry.annual_cost is not None
            else None
        ),
        cost_sensitivity=entry.cost_sensitivity,
        notes=redactor.markdown(entry.notes, "landscape.notes", entry.id, base=level),
        sensitivity=level,
        version=entry.version,
    )


def _unrecorded_row(organisation_id: int, name: str) -> LandscapeRowView:
    """An organisation taking part that has not recorded its contract yet."""
    return LandscapeRowView(
        organisation_id=organisation_id,
        organisation=name,
        recorded=False,
        product="",
        option_id=None,
        supplier="",
        contract_start=None,
        contract_end=None,
        extension_months=0,
        window_end=None,
        annual_cost=None,
        cost_sensitivity=None,
        notes=Markup(""),
        sensitivity=None,
        version=0,
    )


def parse_span(raw: str | None) -> tuple[int, str | None]:
    """The planner span from a GET parameter: (months, error message or None)."""
    if raw is None or raw.strip() == "":
        return planner.DEFAULT_SPAN_MONTHS, None
    try:
        value = int(raw.strip())
    except ValueError:
        return planner.DEFAULT_SPAN_MONTHS, "The span must be a whole number of months, like 12"
    if not 0 <= value <= MAX_SPAN_MONTHS:
        return planner.DEFAULT_SPAN_MONTHS, f"The span must be from 0 to {MAX_SPAN_MONTHS} months"
    return value, None


def build_planner_view(
    rows: list[LandscapeRowView],
    span_months: int = planner.DEFAULT_SPAN_MONTHS,
    *,
    today: date | None = None,
    chart_id: str = "contract-timeline",
) -> PlannerView:
    """Cohorts and the timeline from rows already redacted for the audience."""
    windows = [
        planner.ContractWindow(
            organisation_id=r.organisation_id,
            organisation_name=r.organisation,
            product=r.product or None,
            contract_end=r.contract_end,
            extension_months=r.extension_months,
        )
        for r in rows
        if r.recorded and r.contract_end is not None
    ]
    result = planner.plan(windows, span_months)

    def member(cohort: planner.Cohort | None, w: planner.ContractWindow) -> CohortMemberView:
        bridge = cohort.bridge_months(w) if cohort else 0
        return CohortMemberView(w.organisation_name, w.contract_end, w.window_end, bridge)

    cohorts = tuple(
        CohortView(
            number=n,
            members=tuple(member(c, w) for w in c.members),
            earliest_common_start=c.earliest_common_start,
            latest_common_start=c.latest_common_start,
        )
        for n, c in enumerate(result.cohorts, 1)
    )
    count = len(result.cohorts)
    description = (
        f"Contract end dates of {len(windows)} organisations with their extension windows. "
        f"With a span of {span_months} months the planner finds {count} "
        f"cohort{'s' if count != 1 else ''}; the table below gives the same figures."
    )
    chart = timeline_svg(
        windows,
        result.cohorts,
        today=today or date.today(),
        title="Contract end dates and joint start windows",
        description=description,
        chart_id=chart_id,
    )
    return PlannerView(
        span_months=span_months,
        cohorts=cohorts,
        unaligned=tuple(member(None, w) for w in result.unaligned),
        chart=chart,
        organisations=len(windows),
    )


def build_landscape_view(
    experiment: Experiment,
    redactor: Redactor,
    span_months: int = planner.DEFAULT_SPAN_MONTHS,
    *,
    today: date | None = None,
    chart_id: str = "contract-timeline",
) -> LandscapeView:
    """Each participating organisation's contract as the audience may see it, and the planner.

    Rows above the audience are dropped (one marker says so); organisations with
    no row yet are listed from the members audience up.
    """
    entries = landscape_entries(experiment)
    visible = redactor.visible(entries, lambda e: e.sensitivity, "landscape")
    option_ids = {o.id for o in visible_options(experiment, Redactor(redactor.audience))}
    rows = [_row_view(e, redactor, option_ids) for e in visible]
    if redactor.permits(Sensitivity.MEMBERS):
        recorded = {e.organisation_id for e in entries}
        rows += [
            _unrecorded_row(o.id, o.name)
            for o in participating_organisations(experiment)
            if o.id not in recorded
        ]
        rows.sort(key=lambda r: r.organisation.casefold())
    withheld_levels = [e.sensitivity for e in entries if e not in visible]
    withheld = Redacted("landscape", min(withheld_levels)) if withheld_levels else None
    if not entries and not redactor.permits(Sensitivity.MEMBERS):
        # Saying “nothing recorded” would also tell the public something: keep one marker.
        withheld = Redacted("landscape", Sensitivity.MEMBERS)
    return LandscapeView(
        experiment_slug=experiment.slug,
        experiment_title=redactor.text(experiment.title, "experiment.title", experiment.id),
        audience=redactor.audience,
        rows=tuple(rows),
        withheld=withheld,
        planner=build_planner_view(rows, span_months, today=today, chart_id=chart_id),
    )
