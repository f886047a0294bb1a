"""Import existing requirements from CSV, XLSX (or a specification JSON), all or nothing.

``check_import`` reads and validates the whole file without writing anything and
returns a preview: each row with the NEW reference it will get here, or every
problem found (row and column). ``apply_import`` writes a clean preview; if the
file has any problem nothing is written. A reference in the file is only
checked (well formed, not repeated); imported rows always get new references in
the target experiment, because numbers there are never reused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from procure import audit
from procure.accounts.models import User
from procure.experiments.models import Experiment
from procure.requirements.models import PRIORITIES
from procure.requirements.services import RequirementInput, propose_requirement, split_criteria
from procure.sensitivity import Sensitivity
from procure.tabular import Problem, Table, TableError, check_columns, read_table, records
from procure.text_policy import policy, span_problem

REQUIRED = ["Title", "Statement", "Category", "Priority"]
OPTIONAL = ["Reference", "Acceptance criteria", "Status", "Sensitivity", "Source", "Revision"]
FIELDS = [*REQUIRED, *OPTIONAL]
REFERENCE_RE = re.compile(r"^REQ-(\d{1,6})$", re.IGNORECASE)
_PRIORITY_WORDS = {p: p for p in PRIORITIES} | {"won't": "wont", "won’t": "wont"}
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ImportRow:
    row: int
    file_reference: str
    new_reference: str
    data: RequirementInput
    status: str


@dataclass
class ImportPreview:
    rows: list[ImportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.rows)

    @property
    def renumbered(self) -> list[ImportRow]:
        return [r for r in self.rows if r.file_reference]


def _plain(value: str) -> str:
    """Undo the ``'`` our own spreadsheet exports put before formula-like text."""
    if value.startswith("'") and value[1:2] and value[1:2] in _TRIGGERS:
        return value[1:]
    return value


def _json_table(data: bytes) -> Table:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise TableError(f"The JSON file could not be read: {exc}.") from None
    if not isinstance(document, dict) or not str(document.get("schema", "")).startswith(
        "procure.specification/"
    ):
        raise TableError("This JSON file is not a Procure specification (no “schema” field).")
    items = document.get("requirements")
    if not isinstance(items, list):
        raise TableError("The JSON file has no list of requirements.")
    rows, numbers = [], []
    for index, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise TableError("The JSON file is damaged.", [Problem(index, None, "not an object")])
        criteria = item.get("acceptance_criteria") or []
        rows.append(
            {
                "Reference": str(item.get("reference") or ""),
                "Title": str(item.get("title") or ""),
                "Statement": str(item.get("statement") or ""),
                "Acceptance criteria": "\n".join(str(c) for c in criteria)
                if isinstance(criteria, list)
                else str(criteria),
                "Category": str(item.get("category") or ""),
                "Priority": str(item.get("priority") or ""),
                "Status": str(item.get("status") or ""),
                "Sensitivity": str(item.get("sensitivity") or ""),
            }
        )
        numbers.append(index)
    columns = ["Reference", "Title", "Statement", "Acceptance criteria", "Category", "Priority",
               "Status", "Sensitivity"]  # fmt: skip
    return Table(columns=columns, rows=rows, row_numbers=numbers)


def read_file(filename: str, data: bytes) -> Table:
    if filename.lower().endswith(".json"):
        if not data:
            raise TableError("The file is empty.")
        return _json_table(data)
    return read_table(filename, data)


def check_import(experiment: Experiment, filename: str, data: bytes) -> ImportPreview:
    """Validate every row; never writes. Raises nothing: problems are in the preview."""
    preview = ImportPreview()
    try:
        table = read_file(filename, data)
    except TableError as exc:
        preview.problems = exc.problems or [Problem(None, None, exc.message)]
        return preview
    preview.notes += table.notes
    problems = check_columns(table, REQUIRED, OPTIONAL)
    if problems:
        preview.problems = problems
        return preview
    if not table.rows:
        preview.problems = [Problem(None, None, "The file has no requirements in it")]
        return preview
    categories = {c.casefold(): c for c in experiment.requirement_categories}
    seen: dict[str, int] = {}
    next_number = (experiment.requirement_counter or 0) + 1
    for number, row in zip(table.row_numbers, records(table, FIELDS), strict=True):
        row = {k: _plain(v.strip()) for k, v in row.items()}
        bad = len(preview.problems)

        def problem(column: str, message: str, number: int = number) -> None:
            preview.problems.append(Problem(number, column, message))

        reference = row["Reference"]
        if reference:
            match = REFERENCE_RE.match(reference)
            if not match or int(match.group(1)) == 0:
                problem("Reference", f"“{reference[:40]}” is not a reference like REQ-001")
            else:
                key = f"REQ-{int(match.group(1)):03d}"
                if key in seen:
                    problem("Reference", f"{key} is repeated: it is also on row {seen[key]}")
                else:
                    seen[key] = number
        if not row["Title"]:
            problem("Title", "enter a title")
        elif len(row["Title"]) > 200:
            problem("Title", "the title must be 200 characters or fewer")
        if not row["Statement"]:
            problem("Statement", "enter the requirement statement")
        elif len(row["Statement"]) > 5000:
            problem("Statement", "the statement must be 5,000 characters or fewer")
        for column, key in (
            ("Title", "requirements.title"),
            ("Statement", "requirements.statement"),
        ):
            span = span_problem(row[column], policy(key).accepts_spans, "the text")
            if span:
                problem(column, span.removeprefix("the text ").rstrip("."))
        category = categories.get(row["Category"].casefold())
        if category is None:
            problem(
                "Category",
                f"“{row['Category'][:60]}” is not a category here; use one of "
                + ", ".join(experiment.requirement_categories),
            )
        priority = _PRIORITY_WORDS.get(row["Priority"].casefold())
        if priority is None:
            problem(
                "Priority",
                f"“{row['Priority'][:20]}” is not a priority; use must, should, could or won't",
            )
        status = row["Status"].casefold() or "draft"
        if status not in ("draft", "agreed"):
            problem(
                "Status", "status must be draft or agreed (withdrawn requirements are not imported)"
            )
        try:
            sensitivity = Sensitivity.parse(row["Sensitivity"] or "public")
        except ValueError:
            sensitivity = Sensitivity.PUBLIC
            problem("Sensitivity", "use public, members or participants")
        if len(preview.problems) > bad:
            continue
        preview.rows.append(
            ImportRow(
                row=number,
                file_reference=reference.upper() if reference else "",
                new_reference=f"REQ-{next_number:03d}",
                data=RequirementInput(
                    title=row["Title"],
                    statement=row["Statement"],
                    acceptance_criteria=split_criteria(row["Acceptance criteria"]),
                    category=category or "",
                    priority=priority or "",
                    sensitivity=sensitivity,
                ),
                status=status,
            )
        )
        next_number += 1
    if any(
        row.get("Source") or row.get("Revision") for row in records(table, ["Source", "Revision"])
    ):
        preview.notes.append(
            "The Source and Revision columns are not imported: sources belong to the experiment "
            "they came from, and every imported requirement starts at revision 1."
        )
    if preview.problems:
        preview.rows = []
    return preview


def apply_import(experiment: Experiment, preview: ImportPreview, actor: User | None = None) -> list:
    """Write every row of a clean preview; refuses a preview with problems."""
    if not preview.ok:
        raise ValueError("The file has problems; nothing was imported.")
    created = [
        propose_requirement(experiment, r.data, actor, status=r.status) for r in preview.rows
    ]
    audit.record(
        "requirement.import",
        experiment,
        summary=f"Imported {len(created)} requirements "
        f"({created[0].reference} to {created[-1].reference})",
        changes={"references": [None, [r.reference for r in created]]},
        actor=actor,
    )
    return created
