"""Options and landscape rows as spreadsheets, redacted for an audience.

The columns are the import columns, so an export from the participants
audience can be edited and imported into another experiment. Withheld values
appear as a bracketed marker (``[Redacted: participants only]``), never their
text; ``procure.tabular`` neutralises cells that a spreadsheet would run.
"""

from __future__ import annotations

from collections.abc import Sequence

from procure.experiments.models import Experiment
from procure.market.importing import LANDSCAPE_COLUMNS, OPTION_COLUMNS
from procure.market.read_models import visible_options
from procure.market.services import landscape_entries
from procure.sensitivity import Redactor
from procure.tabular import Sheet, write_csv, write_xlsx

KINDS = ("options", "landscape")


def option_rows(experiment: Experiment, redactor: Redactor) -> list[list[object]]:
    rows: list[list[object]] = []
    for option in visible_options(experiment, redactor):
        level = option.sensitivity
        commercial = max(option.commercial_sensitivity, level)

        def text(name: str, base=level, option=option) -> str:
            return redactor.text(getattr(option, name), f"option.{name}", option.id, base=base)

        def money(value, option=option, commercial=commercial) -> object:
            if value is None:
                return None
            shown = redactor.value(value, commercial, "option.cost", option.id)
            return str(shown) if not isinstance(shown, type(value)) else shown

        rows.append(
            [
                option.name,
                option.kind,
                option.supplier,
                text("summary"),
                text("description"),
                option.website,
                option.hosting_model or "",
                text("standards"),
                text("evidence"),
                "; ".join(o.name for o in option.used_by),
                text("timescale"),
                text("constraints"),
                money(option.cost_low),
                money(option.cost_high),
                text("cost_basis", commercial),
                text("supplier_remarks", commercial),
                option.commercial_sensitivity.slug,
                option.sensitivity.slug,
                option.status,
                text("exclusion_reason"),
            ]
        )
    return rows


def landscape_rows(experiment: Experiment, redactor: Redactor) -> list[list[object]]:
    entries = redactor.visible(landscape_entries(experiment), lambda e: e.sensitivity, "landscape")
    option_ids = {o.id for o in visible_options(experiment, Redactor(redactor.audience))}
    rows: list[list[object]] = []
    for entry in entries:
        level = entry.sensitivity
        cost_level = max(entry.cost_sensitivity, level)
        cost = entry.annual_cost
        if cost is not None:
            shown = redactor.value(cost, cost_level, "landscape.annual_cost", entry.id)
            cost = shown if shown is cost else str(shown)
        rows.append(
            [
                entry.organisation.name,
                entry.option.name if entry.option and entry.option_id in option_ids else "",
                entry.product_name,
                entry.supplier,
                entry.contract_start,
                entry.contract_end,
                entry.extension_months,
                cost,
                entry.cost_sensitivity.slug,
                redactor.text(entry.notes, "landscape.notes", entry.id, base=level),
                level.slug,
            ]
        )
    return rows


def export_table(
    kind: str, experiment: Experiment, redactor: Redactor
) -> tuple[Sequence[str], list[list[object]]]:
    if kind == "options":
        return OPTION_COLUMNS, option_rows(experiment, redactor)
    if kind == "landscape":
        return LANDSCAPE_COLUMNS, landscape_rows(experiment, redactor)
    raise ValueError(f"Unknown export {kind!r}")


def export_csv(kind: str, experiment: Experiment, redactor: Redactor) -> str:
    columns, rows = export_table(kind, experiment, redactor)
    return write_csv(columns, rows)


def export_xlsx(kind: str, experiment: Experiment, redactor: Redactor) -> bytes:
    columns, rows = export_table(kind, experiment, redactor)
    title = "Options" if kind == "options" else "Landscape"
    return write_xlsx([Sheet(title, columns, rows)])


def export_filename(kind: str, experiment: Experiment, redactor: Redactor, extension: str) -> str:
    return f"{experiment.slug}-{kind}-{redactor.audience.slug}.{extension}"
