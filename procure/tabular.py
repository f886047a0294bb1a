"""Spreadsheets in and out: CSV and XLSX for every import and export.

Reading is strict and all-or-nothing. ``read_table`` either returns a whole
``Table`` or raises ``TableError`` listing what is wrong, with row numbers as a
spreadsheet shows them (the header is row 1), so an import can name every bad
row at once. Formulas are refused rather than evaluated or silently dropped.

Writing follows the OWASP guidance on CSV injection: a text cell that starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
``'`` so a spreadsheet shows it as text instead of running it. Pass numbers as
numbers: only strings are neutralised, so ``-5`` stays a number while the text
``"-5"`` becomes ``'-5``. ``write_csv`` returns text; encode it as
``utf-8-sig`` for a download that Excel should open with accents intact.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from procure.sensitivity import Audience

MAX_BYTES = 2_000_000
MAX_ROWS = 5000
# An XLSX is a zip archive: refuse one that unpacks to far more than it weighs.
MAX_XLSX_EXPANSION = 25
MAX_COLUMN_WIDTH = 60
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell
FORMULA_REFUSED = "formula cells are not accepted"
CP1252_NOTE = (
    "The file was not saved as UTF-8, so it was read as Windows-1252 (Western European). "
    "Check that accented letters and symbols such as £ came through correctly."
)
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SIGNATURES = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a zip archive (an XLSX workbook perhaps)",
    b"\xd0\xcf\x11\xe0": "an old-style Excel (.xls) or Word file",
    b"\xff\xfe": "UTF-16 text",
    b"\xfe\xff": "UTF-16 text",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an uploaded file; ``row`` is the spreadsheet row number."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"row {self.row}"] if self.row is not None else []
        if self.column is not None:
            where.append(f"column “{self.column}”")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class TableError(ValueError):
    """A file that cannot be imported, with every problem found."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)


@dataclass(frozen=True)
class Table:
    """The rows of a spreadsheet keyed by its headings; ``row_numbers[i]`` locates ``rows[i]``."""

    columns: list[str]
    rows: list[dict[str, str]]
    row_numbers: list[int]
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Sheet:
    """One worksheet of an XLSX export."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Sequence[object]]


# A raw row: its spreadsheet number, its cell texts, and the indexes of formula cells.
_RawRow = tuple[int, list[str], list[int]]


def read_table(
    filename: str, data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS
) -> Table:
    """Read the first sheet of an uploaded ``.csv`` or ``.xlsx`` file.

    Cells are stripped, fully blank rows skipped, dates given as ISO strings and
    whole numbers without ``.0``. Raises ``TableError`` for an empty, oversized,
    mislabelled or unreadable file, a bad header row, too many rows, or formulas.
    """
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ("csv", "xlsx"):
        raise TableError(
            "Upload a CSV or XLSX file.",
            [Problem(None, None, f"“{name}” is not a .csv or .xlsx file")],
        )
    if not data:
        raise TableError("The file is empty.")
    if len(data) > max_bytes:
        raise TableError(f"The file is larger than {_size(max_bytes)}.")
    if extension == "csv":
        return _read_csv(data, max_rows)
    return _read_xlsx(data, max_bytes, max_rows)


def normalise_heading(name: str) -> str:
    """A heading compared case-insensitively, with underscores and runs of spaces alike."""
    return " ".join(name.replace("_", " ").split()).casefold()


def check_columns(
    table: Table, required: Sequence[str], optional: Sequence[str] = ()
) -> list[Problem]:
    """Problems naming each missing required column and each unexpected column."""
    present = {normalise_heading(c) for c in table.columns}
    expected = [*required, *optional]
    known = {normalise_heading(c) for c in expected}
    problems = [
        Problem(None, name, "this required column is missing")
        for name in required
        if normalise_heading(name) not in present
    ]
    problems += [
        Problem(1, column, f"unexpected column; the columns are {', '.join(expected)}")
        for column in table.columns
        if normalise_heading(column) not in known
    ]
    return problems


def records(table: Table, fields: Sequence[str]) -> list[dict[str, str]]:
    """Rows keyed by ``fields`` (matched as ``check_columns`` matches); absent fields are ``""``."""
    by_key = {normalise_heading(c): c for c in table.columns}
    source = {f: by_key.get(normalise_heading(f)) for f in fields}
    return [{f: row[c] if c else "" for f, c in source.items()} for row in table.rows]


def neutralise(value: object) -> object:
    """``value`` with a leading ``'`` if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(_TRIGGERS):
        return "'" + value
    return value


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text (RFC 4180 line endings) with every text cell neutralised and dates in ISO form."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(c) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return buffer.getvalue()


def write_xlsx(sheets: Sequence[Sheet], marking: str | None = None) -> bytes:
    """An XLSX workbook: bold frozen header, auto filter, fitted widths, long text wrapped,
    text stored as text, and set up to print (landscape, fit to width, header row on every
    page). ``marking`` (an audience marking such as "PUBLIC") goes in a row above each
    sheet's header and in each sheet's print header."""
    if not sheets:
        raise ValueError("a workbook needs at least one sheet")
    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "Procure"
    titles: set[str] = set()
    for sheet in sheets:
        _write_sheet(workbook.create_sheet(_sheet_title(sheet.title, titles)), sheet, marking)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# Reading ---------------------------------------------------------------------


def _read_csv(data: bytes, max_rows: int) -> Table:
    kind = _signature(data)
    if kind or b"\x00" in data[:8192]:
        raise TableError(f"This is not a CSV file: it looks like {kind or 'binary data'}.")
    notes: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise TableError(
                "The file's text could not be read. Save it as “CSV UTF-8” and try again."
            ) from None
        notes.append(CP1252_NOTE)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))

    def raw_rows() -> Iterator[_RawRow]:
        try:
            for number, cells in enumerate(reader, 1):
                values = [c.strip() for c in cells]
                yield number, values, [i for i, v in enumerate(values) if v.startswith("=")]
        except csv.Error as exc:
            raise TableError(f"The CSV file could not be read: {exc}.") from None

    return _tabulate(raw_rows(), max_rows, notes)


def _delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the header line into most fields."""
    header = text.lstrip("\r\n").splitlines()[0] if text.strip() else ""
    counts = {d: len(next(csv.reader([header], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d])  # max keeps the first of equals: comma


def _read_xlsx(data: bytes, max_bytes: int, max_rows: int) -> Table:
    if not data.startswith(b"PK\x03\x04"):
        kind = _signature(data) or "something else"
        raise TableError(f"This is not an XLSX workbook: it looks like {kind}.")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise TableError("This is not an XLSX workbook: the file is damaged.") from None
    if unpacked > max_bytes * MAX_XLSX_EXPANSION:
        raise TableError(
            f"The workbook unpacks to more than {_size(max_bytes * MAX_XLSX_EXPANSION)}."
        )
    # openpyxl warns about features it ignores (data validation, styles); they
    # do not change the values read.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        except Exception:  # any failure to parse an untrusted upload means "not a workbook"
            raise TableError("This is not an XLSX workbook that can be opened.") from None
        try:
            if not workbook.worksheets:
                raise TableError("The workbook has no worksheets.")
            rows = workbook.worksheets[0].iter_rows()
            return _tabulate(_xlsx_rows(rows), max_rows, [])
        except TableError:
            raise
        except Exception:  # malformed sheet XML surfaces only while iterating
            raise TableError("The first worksheet could not be read.") from None
        finally:
            workbook.close()


def _xlsx_rows(rows: Iterable[Sequence[object]]) -> Iterator[_RawRow]:
    for number, cells in enumerate(rows, 1):
        values: list[str] = []
        formulas: list[int] = []
        for index, cell in enumerate(cells):
            if getattr(cell, "data_type", None) == "f":
                formulas.append(index)
                values.append("")
            else:
                values.append(_xlsx_text(getattr(cell, "value", None)))
        yield number, values, formulas


def _xlsx_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return str(value).strip()


def _tabulate(raw_rows: Iterable[_RawRow], max_rows: int, notes: list[str]) -> Table:
    """Turn raw rows into a ``Table``, collecting every problem before raising."""
    iterator = iter(raw_rows)
    first = next(iterator, None)
    if first is None or not (any(first[1]) or first[2]):
        if any(any(values) for _, values, _ in iterator):
            raise TableError("Row 1 is blank: put the column headings in the first row.")
        raise TableError("The file has no header row.")
    if _is_marking_row(first):
        # Procure's own exports put the audience marking above the headings.
        first = next(iterator, None)
        if first is None:
            raise TableError("The file has no header row.")
    header_number, header, header_formulas = first
    while header and not header[-1] and len(header) - 1 not in header_formulas:
        header.pop()
    problems = [Problem(header_number, None, FORMULA_REFUSED) for _ in header_formulas]
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        letter = get_column_letter(index + 1)
        if not name and index not in header_formulas:
            problems.append(Problem(header_number, None, f"column {letter} has no heading"))
        elif name and normalise_heading(name) in seen:
            other = get_column_letter(seen[normalise_heading(name)] + 1)
            problems.append(
                Problem(header_number, name, f"heading repeated in columns {other} and {letter}")
            )
        else:
            seen[normalise_heading(name)] = index
    if problems:
        raise TableError("The header row has problems.", problems)

    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    for number, values, formulas in iterator:
        if not any(values) and not formulas:
            continue
        if len(rows) == max_rows:
            raise TableError(
                f"The file has more than {max_rows} rows of data.",
                [Problem(number, None, f"more than {max_rows} rows of data")],
            )
        problems += [
            Problem(number, header[i] if i < len(header) else None, FORMULA_REFUSED)
            for i in formulas
        ]
        problems += [
            Problem(number, None, f"column {get_column_letter(i + 1)} has a value but no heading")
            for i in range(len(header), len(values))
            if values[i] and i not in formulas
        ]
        padded = values + [""] * (len(header) - len(values))
        rows.append(dict(zip(header, padded, strict=False)))
        numbers.append(number)
    if problems:
        raise TableError("The file has problems; nothing was imported.", problems)
    return Table(columns=header, rows=rows, row_numbers=numbers, notes=notes)


_MARKINGS = {audience.marking.casefold() for audience in Audience}


def _is_marking_row(row: _RawRow) -> bool:
    _, values, formulas = row
    filled = [v for v in values if v]
    return not formulas and len(filled) == 1 and values[0].casefold() in _MARKINGS


def _signature(data: bytes) -> str | None:
    return next((kind for magic, kind in _SIGNATURES.items() if data.startswith(magic)), None)


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit / 1000:g} KB"


# Writing ---------------------------------------------------------------------


def _plain(value: object) -> object:
    return value.value if isinstance(value, Enum) else value


def _csv_cell(value: object) -> str:
    value = neutralise(_plain(value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _write_sheet(worksheet: Worksheet, sheet: Sheet, marking: str | None = None) -> None:
    widths = [0] * len(sheet.columns)
    bold = Font(bold=True)
    top = 1
    if marking:
        cell = worksheet.cell(row=1, column=1, value=marking)
        cell.data_type = "s"
        cell.font = bold
        top = 2
    for col, heading in enumerate(sheet.columns, 1):
        cell = _put(worksheet, top, col, heading, widths)
        cell.font = bold
        cell.alignment = _WRAP
    for number, row in enumerate(sheet.rows, top + 1):
        if len(row) != len(sheet.columns):
            raise ValueError(
                f"row {number - top + 1} of sheet {sheet.title!r} does not match its columns"
            )
        for col, value in enumerate(row, 1):
            _put(worksheet, number, col, value, widths)
    worksheet.freeze_panes = f"A{top + 1}"
    if sheet.columns:
        last = get_column_letter(len(sheet.columns))
        worksheet.auto_filter.ref = f"A{top}:{last}{len(sheet.rows) + top}"
    for col, width in enumerate(widths, 1):
        worksheet.column_dimensions[get_column_letter(col)].width = min(
            max(width, 6) + 2, MAX_COLUMN_WIDTH
        )
    _print_setup(worksheet, sheet.title, marking, top)


_WRAP = Alignment(wrap_text=True, vertical="top")


def _print_setup(worksheet: Worksheet, title: str, marking: str | None, header_row: int) -> None:
    """Landscape A4, fitted to the page width (as many pages down as needed), the header
    row repeated on every page, the marking and title in the page header."""
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.paperSize = worksheet.PAPERSIZE_A4
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    worksheet.print_title_rows = f"{header_row}:{header_row}"
    worksheet.print_options.gridLines = True
    header = worksheet.oddHeader
    header.left.text = _header_text(title)
    if marking:
        header.center.text = _header_text(marking)
        header.center.font = "Arial,Bold"
    worksheet.oddFooter.right.text = "Page &P of &N"


def _header_text(text: str) -> str:
    # "&" starts a code in a print header; a literal one is written "&&".
    return text.replace("&", "&&")


def _put(worksheet: Worksheet, row: int, col: int, value: object, widths: list[int]) -> Cell:
    value = _plain(value)
    cell = worksheet.cell(row=row, column=col)
    if isinstance(value, str):
        text = ILLEGAL_CHARACTERS_RE.sub("", str(neutralise(value)))[:MAX_CELL_CHARS]
        cell.value = text
        cell.data_type = "s"  # never let openpyxl read text as a formula
        width = max((len(line) for line in text.splitlines()), default=0)
        if "\n" in text or width > MAX_COLUMN_WIDTH:
            cell.alignment = _WRAP
    elif isinstance(value, datetime):
        if value.tzinfo is not None:  # Excel has no time zones: store UTC
            value = value.astimezone(UTC).replace(tzinfo=None)
        cell.value, cell.number_format, width = value, "yyyy-mm-dd hh:mm", 16
    elif isinstance(value, date):
        cell.value, cell.number_format, width = value, "yyyy-mm-dd", 10
    elif value is None or isinstance(value, bool | int | float | Decimal):
        cell.value = value
        width = len(str(value)) if value is not None else 0
    else:
        cell.value = text = str(value)
        cell.data_type = "s"
        width = len(text)
    widths[col - 1] = max(widths[col - 1], width)
    return cell


def _sheet_title(title: str, taken: set[str]) -> str:
    """A unique sheet name within Excel's rules: 31 characters, none of []:*?/\\."""
    base = "".join(c for c in title if c not in "[]:*?/\\").strip().strip("'")[:31] or "Sheet"
    candidate, n = base, 1
    while candidate.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        candidate = base[: 31 - len(suffix)] + suffix
    taken.add(candidate.casefold())
    return candidate
