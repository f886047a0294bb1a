"""Importing options and landscape rows from CSV or XLSX: check everything, then all or nothing.

``preview_import`` reads a file and returns an ``ImportPreview``: what each row
would create or update, and every problem by row and column. Nothing is
written. ``apply_import`` re-checks the same file against the database as it
is now (someone may have added an option since the preview) and writes every
row inside one savepoint, or nothing at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from procure import audit
from procure.accounts.models import Organisation, User
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.market.models import HOSTING_MODELS, OPTION_KINDS, OPTION_STATUSES, Option
from procure.market.services import (
    LANDSCAPE_FIELDS,
    OPTION_FIELDS,
    create_option,
    entry_for,
    name_taken,
    participating_organisations,
    save_landscape_entry,
)
from procure.sensitivity import Sensitivity
from procure.tabular import Problem, TableError, check_columns, read_table, records
from procure.text_policy import policy, span_problem

# Spreadsheet columns are the form's fields, name first so a file reads naturally.
OPTION_COLUMNS = ["name", *(f for f in OPTION_FIELDS if f != "name")]
OPTION_REQUIRED = ["name", "kind"]
# A spreadsheet names the organisation and option where the form has their ids.
LANDSCAPE_COLUMNS = ["organisation", "option", *(f for f in LANDSCAPE_FIELDS if f != "option_id")]
LANDSCAPE_REQUIRED = ["organisation", "contract_end"]
KINDS = ("options", "landscape")

_SHORT = {"name": 200, "supplier": 200, "website": 500, "cost_basis": 200, "product_name": 200}
MAX_TEXT = 20000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


@dataclass(frozen=True)
class PreviewRow:
    """One row as it would be imported: spreadsheet row number, action, and key facts."""

    number: int
    action: str  # "Create" | "Update"
    title: str
    details: tuple[tuple[str, str], ...]


@dataclass
class ImportPreview:
    kind: str
    filename: str
    rows: list[PreviewRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    message: str = ""
    # The validated values, row by row, ready for ``apply_import``.
    values: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.message and bool(self.rows)


class ImportRefused(ValueError):
    """The file cannot be imported; carries the preview with its problems."""

    def __init__(self, preview: ImportPreview) -> None:
        super().__init__(preview.message or "The file has problems; nothing was imported.")
        self.preview = preview


# Cell parsers: each returns a value or raises ValueError with a plain message.


def _text(raw: str, column: str, table: str = "options") -> str:
    limit = _SHORT.get(column, MAX_TEXT)
    if len(raw) > limit:
        raise ValueError(f"must be {limit:,} characters or fewer")
    if _CONTROL.search(raw):
        raise ValueError("contains characters that cannot be saved")
    # The same span policy as the forms: plain columns refuse [[…]].
    problem = span_problem(raw, policy(f"{table}.{column}").accepts_spans, "This column")
    if problem:
        raise ValueError(problem.removeprefix("This column ").rstrip("."))
    return raw


def _money(raw: str) -> Decimal | None:
    text = raw.replace(",", "").replace("£", "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("must be an amount in pounds, like 120000") from None
    if not value.is_finite():
        raise ValueError("must be an amount in pounds, like 120000")
    if value < 0:
        raise ValueError("cannot be negative")
    if value >= Decimal("1e12"):
        raise ValueError("is too large")
    return value.quantize(Decimal("0.01"))


def _date(raw: str) -> date | None:
    if not raw:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%dT%H:%M:%S"):
        try:
            value = datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
        if not 1900 <= value.year <= 2200:
            break
        return value
    raise ValueError("must be a real date, like 2027-03-31 or 31/03/2027")


def _whole(raw: str) -> int:
    if not raw:
        return 0
    try:
        value = int(raw)
    except ValueError:
        raise ValueError("must be a whole number, like 12") from None
    if not 0 <= value <= 240:
        raise ValueError("must be from 0 to 240")
    return value


def _level(raw: str, default: str) -> Sensitivity:
    try:
        return Sensitivity.parse(raw or default)
    except ValueError:
        raise ValueError("must be public, members or participants") from None


def _choice(raw: str, allowed: tuple[str, ...], default: str | None = None) -> str | None:
    value = raw.strip().lower().replace(" ", "_").replace("-", "_") if raw else ""
    if not value:
        if default is None:
            raise ValueError(f"enter one of {', '.join(allowed)}")
        return default or None
    if value not in allowed:
        raise ValueError(f"must be one of {', '.join(allowed)}")
    return value


class _Row:
    """Collects the problems of one row while its cells are parsed."""

    def __init__(self, number: int, record: dict[str, str], problems: list[Problem]) -> None:
        self.number, self.record, self.problems = number, record, problems
        self.failed = False

    def get(self, column: str, parse: Callable[[str], Any]) -> Any:
        try:
            return parse(self.record.get(column, ""))
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def fail(self, column: str | None, message: str) -> None:
        self.failed = True
        self.problems.append(Problem(self.number, column, message))


def _organisation_lookup(organisations: list[Organisation]) -> dict[str, Organisation]:
    lookup: dict[str, Organisation] = {}
    for org in organisations:
        lookup[org.slug.casefold()] = org
        lookup[" ".join(org.name.split()).casefold()] = org
    return lookup


def _read(kind: str, filename: str, data: bytes) -> tuple[ImportPreview, list[tuple[int, dict]]]:
    preview = ImportPreview(kind=kind, filename=filename)
    try:
        table = read_table(filename, data)
    except TableError as exc:
        preview.message = exc.message
        preview.problems = exc.problems
        return preview, []
    preview.notes = list(table.notes)
    columns, required = (
        (OPTION_COLUMNS, OPTION_REQUIRED) if kind == "options" else
        (LANDSCAPE_COLUMNS, LANDSCAPE_REQUIRED)
    )  # fmt: skip
    optional = [c for c in columns if c not in required]
    column_problems = check_columns(table, required, optional)
    if column_problems:
        preview.message = "The columns are not right; nothing was imported."
        preview.problems = column_problems
        return preview, []
    if not table.rows:
        preview.message = "The file has a header row but no rows of data."
        return preview, []
    return preview, list(zip(table.row_numbers, records(table, columns), strict=True))


def preview_import(
    kind: str,
    experiment: Experiment,
    filename: str,
    data: bytes,
    *,
    may_edit_organisation: Callable[[Organisation], bool] | None = None,
) -> ImportPreview:
    """Check a whole file and say what it would do; writes nothing."""
    if kind not in KINDS:
        raise ValueError(f"Unknown import {kind!r}")
    preview, rows = _read(kind, filename, data)
    if rows:
        if kind == "options":
            _check_options(experiment, rows, preview)
        else:
            _check_landscape(experiment, rows, preview, may_edit_organisation)
    if preview.problems and not preview.message:
        preview.message = "The file has problems; nothing was imported."
    return preview


def _check_options(experiment: Experiment, rows: list, preview: ImportPreview) -> None:
    organisations = _organisation_lookup(
        list(db.session.scalars(sa.select(Organisation).order_by(Organisation.name)))
    )
    seen: dict[str, int] = {}
    for number, record in rows:
        row = _Row(number, record, preview.problems)
        values: dict[str, Any] = {}
        name = " ".join(record["name"].split())
        if not name:
            row.fail("name", "enter the option's name")
        else:
            values["name"] = row.get("name", lambda _raw, n=name: _text(n, "name"))
            key = name.casefold()
            if key in seen:
                row.fail("name", f"the name “{name}” is also used in row {seen[key]}")
            elif name_taken(experiment, name):
                row.fail("name", f"there is already an option called “{name}”")
            seen.setdefault(key, number)
        values["kind"] = row.get("kind", lambda raw: _choice(raw, OPTION_KINDS))
        for column in ("supplier", "summary", "description", "standards", "evidence",
                       "timescale", "constraints", "cost_basis", "supplier_remarks",
                       "exclusion_reason"):  # fmt: skip
            values[column] = row.get(column, lambda raw, c=column: _text(raw, c)) or ""
        website = record["website"]
        if website and not _URL.match(website):
            row.fail("website", "must be a web address starting with https:// or http://")
        values["website"] = row.get("website", lambda raw: _text(raw, "website")) or ""
        values["hosting_model"] = row.get(
            "hosting_model", lambda raw: _choice(raw, HOSTING_MODELS, "")
        )
        values["status"] = row.get("status", lambda raw: _choice(raw, OPTION_STATUSES, "longlist"))
        if values["status"] == "excluded" and not values["exclusion_reason"].strip():
            row.fail("exclusion_reason", "enter the reason, because the status is excluded")
        values["cost_low"] = row.get("cost_low", _money)
        values["cost_high"] = row.get("cost_high", _money)
        low, high = values["cost_low"], values["cost_high"]
        if low is not None and high is not None and high < low:
            row.fail("cost_high", "must be the same as or more than cost_low")
        values["commercial_sensitivity"] = row.get(
            "commercial_sensitivity", lambda raw: _level(raw, "participants")
        )
        values["sensitivity"] = row.get("sensitivity", lambda raw: _level(raw, "public"))
        used_by = []
        for part in filter(None, (p.strip() for p in record["used_by"].split(";"))):
            org = organisations.get(" ".join(part.split()).casefold())
            if org is None:
                row.fail("used_by", f"no organisation called “{part}”")
            else:
                used_by.append(org)
        values["used_by"] = used_by
        if row.failed:
            continue
        preview.values.append(values)
        cost = f"£{low:,.0f} to £{high:,.0f}" if low is not None and high is not None else ""
        preview.rows.append(
            PreviewRow(
                number,
                "Create",
                values["name"],
                (
                    ("Kind", values["kind"]),
                    ("Supplier", values["supplier"]),
                    ("Status", values["status"]),
                    ("Cost", cost),
                    ("Visible to", values["sensitivity"].label),
                ),
            )
        )


def _check_landscape(
    experiment: Experiment,
    rows: list,
    preview: ImportPreview,
    may_edit: Callable[[Organisation], bool] | None,
) -> None:
    organisations = _organisation_lookup(participating_organisations(experiment))
    options = {
        " ".join(o.name.split()).casefold(): o
        for o in db.session.scalars(sa.select(Option).where(Option.experiment_id == experiment.id))
    }
    seen: dict[int, int] = {}
    for number, record in rows:
        row = _Row(number, record, preview.problems)
        values: dict[str, Any] = {}
        label = " ".join(record["organisation"].split())
        org = organisations.get(label.casefold()) if label else None
        if not label:
            row.fail("organisation", "enter the organisation's name or short name")
        elif org is None:
            row.fail("organisation", f"“{label}” does not take part in this experiment")
        elif org.id in seen:
            row.fail("organisation", f"{org.name} is also in row {seen[org.id]}")
        elif may_edit is not None and not may_edit(org):
            row.fail("organisation", f"you may not edit the contract of {org.name}")
        if org is not None:
            seen.setdefault(org.id, number)
        option_name = " ".join(record["option"].split())
        option = options.get(option_name.casefold()) if option_name else None
        if option_name and option is None:
            row.fail("option", f"no option called “{option_name}” in the market scan")
        values["option_id"] = option.id if option else None
        values["product_name"] = (
            row.get("product_name", lambda r: _text(r, "product_name", "landscape_entries")) or ""
        )
        values["supplier"] = (
            row.get("supplier", lambda r: _text(r, "supplier", "landscape_entries")) or ""
        )
        values["notes"] = row.get("notes", lambda r: _text(r, "notes", "landscape_entries")) or ""
        values["contract_start"] = row.get("contract_start", _date)
        if not record["contract_end"]:
            row.fail("contract_end", "enter the date the contract ends")
        values["contract_end"] = row.get("contract_end", _date)
        start, end = values["contract_start"], values["contract_end"]
        if start and end and end < start:
            row.fail("contract_end", "the contract ends before it starts")
        values["extension_months"] = row.get("extension_months", _whole)
        values["annual_cost"] = row.get("annual_cost", _money)
        values["cost_sensitivity"] = row.get(
            "cost_sensitivity", lambda raw: _level(raw, "participants")
        )
        values["sensitivity"] = row.get("sensitivity", lambda raw: _level(raw, "members"))
        if row.failed or org is None:
            continue
        values["organisation"] = org
        existing = entry_for(experiment, org.id)
        values["version"] = existing.version if existing else None
        preview.values.append(values)
        preview.rows.append(
            PreviewRow(
                number,
                "Update" if existing else "Create",
                org.name,
                (
                    ("Product", values["product_name"]),
                    ("Contract end", end.isoformat() if end else ""),
                    ("Extension months", str(values["extension_months"])),
                    ("Visible to", values["sensitivity"].label),
                ),
            )
        )


def apply_import(
    kind: str,
    experiment: Experiment,
    filename: str,
    data: bytes,
    *,
    actor: User | None = None,
    may_edit_organisation: Callable[[Organisation], bool] | None = None,
) -> ImportPreview:
    """Check the file again and write every row, or nothing (raises ``ImportRefused``)."""
    preview = preview_import(
        kind, experiment, filename, data, may_edit_organisation=may_edit_organisation
    )
    if not preview.ok:
        raise ImportRefused(preview)
    with db.session.begin_nested():
        for values in preview.values:
            if kind == "options":
                create_option(experiment, values, audit_action="option.import")
            else:
                org = values.pop("organisation")
                version = values.pop("version")
                save_landscape_entry(experiment, org, values, version)
        audit.record(
            f"{kind}.import",
            experiment,
            summary=f"Imported {len(preview.rows)} {kind} rows from {filename}"[:500],
            actor=actor,
        )
    return preview
