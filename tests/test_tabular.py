"""Spreadsheet import and export: strict reading, formula refusal, injection-safe writing."""

import io
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum

import pytest
from openpyxl import Workbook, load_workbook

from procure.tabular import (
    CP1252_NOTE,
    FORMULA_REFUSED,
    Problem,
    Sheet,
    Table,
    TableError,
    check_columns,
    neutralise,
    read_table,
    records,
    write_csv,
    write_xlsx,
)

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"


def xlsx(*rows: list[object]) -> bytes:
    """A workbook built directly with openpyxl, so formulas stay formulas."""
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def refused(filename: str, data: bytes, **limits: int) -> TableError:
    with pytest.raises(TableError) as caught:
        read_table(filename, data, **limits)
    return caught.value


# Reading: files that are refused outright ---------------------------------------


@pytest.mark.parametrize("filename", ["landscape.csv", "landscape.xlsx"])
def test_empty_file(filename):
    assert refused(filename, b"").message == "The file is empty."


def test_too_big():
    error = refused("landscape.csv", b"a,b\n" + b"1,2\n" * 100, max_bytes=50)
    assert "larger than" in error.message


@pytest.mark.parametrize("filename", ["landscape.txt", "landscape.xls", "landscape", "csv"])
def test_unknown_extension(filename):
    error = refused(filename, b"a,b\n1,2\n")
    assert error.message == "Upload a CSV or XLSX file."
    assert error.problems[0].message.endswith("is not a .csv or .xlsx file")


def test_extension_is_case_insensitive_and_paths_are_ignored():
    table = read_table("C:\\Users\\lead\\LANDSCAPE.CSV", b"a,b\n1,2\n")
    assert table.rows == [{"a": "1", "b": "2"}]


def test_png_named_csv():
    assert "PNG image" in refused("landscape.csv", PNG).message


def test_xlsx_named_csv():
    assert "zip archive" in refused("landscape.csv", xlsx(["a"], [1])).message


def test_binary_named_csv():
    assert "binary data" in refused("landscape.csv", b"a,b\n\x00\x01\x02\n").message


def test_utf16_named_csv_is_explained():
    assert "UTF-16" in refused("landscape.csv", "a,b\n1,2\n".encode("utf-16")).message


@pytest.mark.parametrize("data", [b"a,b\n1,2\n", PNG, b"PK\x03\x04 not really a zip"])
def test_not_a_workbook_named_xlsx(data):
    assert "not an XLSX workbook" in refused("landscape.xlsx", data).message


def test_zip_that_is_not_a_workbook():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "not an XLSX workbook" in refused("landscape.xlsx", buffer.getvalue()).message


def test_workbook_that_unpacks_too_far():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/bomb.xml", "0" * 1_000_000)
    data = buffer.getvalue()
    assert "unpacks to more than" in refused("x.xlsx", data, max_bytes=len(data) + 10).message


def test_undecodable_text():
    # 0x81 is invalid in UTF-8 and undefined in Windows-1252.
    assert "could not be read" in refused("landscape.csv", b"a,b\n\x81,2\n").message


# Reading: encodings and delimiters -------------------------------------------------


def test_cp1252_fallback_is_noted():
    table = read_table("landscape.csv", "Organisation,Cost\nCamden,£5 café\n".encode("cp1252"))
    assert table.rows == [{"Organisation": "Camden", "Cost": "£5 café"}]
    assert table.notes == [CP1252_NOTE]


def test_utf8_with_bom():
    table = read_table("landscape.csv", "Organisation,Cost\nCamden,£5\n".encode("utf-8-sig"))
    assert table.columns == ["Organisation", "Cost"]
    assert table.rows == [{"Organisation": "Camden", "Cost": "£5"}]
    assert table.notes == []


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_delimiters_are_sniffed(delimiter):
    text = delimiter.join(["Organisation", "Cost", "Note"]) + "\n"
    text += delimiter.join(["Camden", '"1,5"', '"a;b"']) + "\r\n"
    table = read_table("landscape.csv", text.encode())
    assert table.columns == ["Organisation", "Cost", "Note"]
    assert table.rows[0] == {"Organisation": "Camden", "Cost": "1,5", "Note": "a;b"}


def test_cells_are_stripped_blank_rows_skipped_and_row_numbers_kept():
    text = ' Organisation , Cost \n Camden , 5 \n,\n\n"Hackney\nNorth", 6\n'
    table = read_table("landscape.csv", text.encode())
    assert table.columns == ["Organisation", "Cost"]
    assert table.rows == [
        {"Organisation": "Camden", "Cost": "5"},
        {"Organisation": "Hackney\nNorth", "Cost": "6"},
    ]
    assert table.row_numbers == [2, 5]


def test_short_rows_are_padded():
    table = read_table("landscape.csv", b"a,b,c\n1\n")
    assert table.rows == [{"a": "1", "b": "", "c": ""}]


# Reading: header problems ----------------------------------------------------------


@pytest.mark.parametrize("data", [b"\n\n", b" , \n\n", b"   "])
def test_no_header_row(data):
    assert refused("landscape.csv", data).message == "The file has no header row."


def test_header_must_be_in_row_1():
    assert "Row 1 is blank" in refused("landscape.csv", b",\nOrganisation,Cost\n").message


def test_empty_workbook_has_no_header_row():
    assert refused("landscape.xlsx", xlsx()).message == "The file has no header row."


def test_blank_and_duplicate_headings():
    error = refused("landscape.csv", b"Organisation,,Contract end,contract_END,\n1,2,3,4\n")
    assert error.problems == [
        Problem(1, None, "column B has no heading"),
        Problem(1, "contract_END", "heading repeated in columns C and D"),
    ]


def test_value_without_heading():
    error = refused("landscape.csv", b"a,b\n1,2,3\n4,5,,\n")
    assert error.problems == [Problem(2, None, "column C has a value but no heading")]


# Reading: formulas and row limits --------------------------------------------------


def test_csv_formula_cells_are_all_reported():
    error = refused("landscape.csv", b'a,b\n=1+1,2\n3, =HYPERLINK("x")\n')
    assert error.problems == [
        Problem(2, "a", FORMULA_REFUSED),
        Problem(3, "b", FORMULA_REFUSED),
    ]


def test_xlsx_formula_cells_are_all_reported():
    data = xlsx(["Organisation", "Cost"], ["Camden", "=2*3"], [None, None], ["=A2", 5])
    error = refused("landscape.xlsx", data)
    assert error.problems == [
        Problem(2, "Cost", FORMULA_REFUSED),
        Problem(4, "Organisation", FORMULA_REFUSED),
    ]


def test_formula_in_header_is_refused():
    error = refused("landscape.xlsx", xlsx(["Organisation", "=B1"], ["Camden", 5]))
    assert error.problems == [Problem(1, None, FORMULA_REFUSED)]


def test_text_that_merely_looks_like_a_formula_in_xlsx_is_text():
    workbook = Workbook()
    workbook.active.append(["Note"])
    workbook.active["A2"] = "=not a formula"
    workbook.active["A2"].data_type = "s"
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_table("x.xlsx", buffer.getvalue()).rows == [{"Note": "=not a formula"}]


@pytest.mark.parametrize("filename", ["landscape.csv", "landscape.xlsx"])
def test_too_many_rows(filename):
    rows = [["Organisation"], *([f"Borough {i}"] for i in range(4))]
    data = write_csv(rows[0], rows[1:]).encode() if filename.endswith("csv") else xlsx(*rows)
    error = refused(filename, data, max_rows=3)
    assert error.message == "The file has more than 3 rows of data."
    assert error.problems[0].row == 5
    assert len(read_table(filename, data, max_rows=4).rows) == 4


# Reading: XLSX values ----------------------------------------------------------------


def test_xlsx_values_become_text():
    data = xlsx(
        ["Organisation", "Ends", "At", "Months", "Cost", "Current"],
        ["  Camden ", date(2026, 3, 31), datetime(2026, 3, 31, 9, 30), 12.0, 1234.5, True],
        [],
        ["Hackney", datetime(2027, 1, 31), None, 6, 0.1 + 0.2, False],
    )
    table = read_table("landscape.xlsx", data)
    assert table.rows == [
        {
            "Organisation": "Camden",
            "Ends": "2026-03-31",
            "At": "2026-03-31T09:30:00",
            "Months": "12",
            "Cost": "1234.5",
            "Current": "TRUE",
        },
        {
            "Organisation": "Hackney",
            "Ends": "2027-01-31",
            "At": "",
            "Months": "6",
            "Cost": "0.3",
            "Current": "FALSE",
        },
    ]
    assert table.row_numbers == [2, 4]


def test_xlsx_reads_the_first_sheet():
    data = write_xlsx([Sheet("First", ["a"], [["1"]]), Sheet("Second", ["b"], [["2"]])])
    assert read_table("x.xlsx", data).rows == [{"a": "1"}]


# Columns --------------------------------------------------------------------------


def test_check_columns_names_missing_and_unexpected():
    table = Table(columns=["organisation", "Contract  End", "Colour"], rows=[], row_numbers=[])
    problems = check_columns(
        table, required=["Organisation", "contract_end", "Product"], optional=["Supplier"]
    )
    assert problems == [
        Problem(None, "Product", "this required column is missing"),
        Problem(
            1,
            "Colour",
            "unexpected column; the columns are Organisation, contract_end, Product, Supplier",
        ),
    ]
    assert check_columns(table, ["ORGANISATION", "contract end"], ["colour"]) == []


def test_records_key_rows_by_expected_names():
    table = read_table("x.csv", b"Organisation,Contract End\nCamden,2026-03-31\n")
    assert records(table, ["organisation", "contract_end", "supplier"]) == [
        {"organisation": "Camden", "contract_end": "2026-03-31", "supplier": ""}
    ]


def test_problem_reads_as_a_sentence():
    assert str(Problem(4, "Cost", "must be a number")) == "row 4, column “Cost”: must be a number"
    assert str(Problem(None, None, "no rows")) == "no rows"
    assert str(Problem(None, "Product", "missing")) == "column “Product”: missing"


# Writing ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20", "'+44 20"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Camden", "Camden"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (None, None),
        (date(2026, 1, 1), date(2026, 1, 1)),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


class Priority(StrEnum):
    MUST = "must"


def test_write_csv():
    text = write_csv(
        ["Name", "=Heading"],
        [
            ['=HYPERLINK("http://x")', -5],
            [date(2026, 3, 31), None],
            [datetime(2026, 3, 31, 9, 30, tzinfo=UTC), True],
            [Priority.MUST, Decimal("1.50")],
        ],
    )
    assert text.split("\r\n") == [
        "Name,'=Heading",
        '"\'=HYPERLINK(""http://x"")",-5',
        "2026-03-31,",
        "2026-03-31T09:30:00+00:00,TRUE",
        "must,1.50",
        "",
    ]


def test_write_csv_round_trip():
    columns = ["Organisation", "Contract end", "Note"]
    rows = [["Camden", date(2026, 3, 31), 'a, "quoted"\nnote'], ["Hackney", None, "£ café"]]
    table = read_table("x.csv", write_csv(columns, rows).encode("utf-8-sig"))
    assert table.columns == columns
    assert table.rows == [
        {"Organisation": "Camden", "Contract end": "2026-03-31", "Note": 'a, "quoted"\nnote'},
        {"Organisation": "Hackney", "Contract end": "", "Note": "£ café"},
    ]
    assert table.notes == []


def test_write_xlsx_round_trip():
    columns = ["Organisation", "Contract end", "Months", "Cost", "Note"]
    rows = [
        ["Camden", date(2026, 3, 31), 12, Decimal("1234.50"), "line one\nline two"],
        ["Hackney", datetime(2027, 1, 31, 12, 0), 0, 99.5, None],
    ]
    table = read_table("x.xlsx", write_xlsx([Sheet("Landscape", columns, rows)]))
    assert table.columns == columns
    assert table.rows == [
        {
            "Organisation": "Camden",
            "Contract end": "2026-03-31",
            "Months": "12",
            "Cost": "1234.5",
            "Note": "line one\nline two",
        },
        {
            "Organisation": "Hackney",
            "Contract end": "2027-01-31T12:00:00",
            "Months": "0",
            "Cost": "99.5",
            "Note": "",
        },
    ]


def test_write_xlsx_keeps_neutralised_cells_as_text():
    hostile = ["=cmd|' /C calc'!A0", "+1", "-1", "@SUM(1)", "\t=1", "\r=1"]
    data = write_xlsx([Sheet("Sheet", ["=Heading", *("c" + str(i) for i in range(5))], [hostile])])
    sheet = load_workbook(io.BytesIO(data)).active
    header, row = list(sheet.iter_rows(max_row=2))
    assert header[0].value == "'=Heading"
    for cell, original in zip(row, hostile, strict=True):
        assert cell.data_type == "s"
        # XML stores a carriage return as a line feed; the quote is what matters.
        assert cell.value == "'" + original.replace("\r", "\n")
    assert read_table("x.xlsx", data).rows[0]["c0"] == "'+1"


def test_write_xlsx_layout():
    long_text = "x" * 200
    data = write_xlsx(
        [
            Sheet(
                "Requirements: v1.0 [draft]?",
                ["Ref", "Statement", "Due"],
                [["REQ-001", long_text, date(2026, 1, 1)], ["REQ-002", "Short", None]],
            ),
            Sheet("Requirements: v1.0 [draft]?", ["Ref"], []),
        ]
    )
    workbook = load_workbook(io.BytesIO(data))
    first, second = workbook.worksheets
    assert first.title == "Requirements v1.0 draft"
    assert second.title == "Requirements v1.0 draft (2)"
    assert all(cell.font.bold for cell in first[1])
    assert first.freeze_panes == "A2"
    assert first.auto_filter.ref == "A1:C3"
    assert second.auto_filter.ref == "A1:A1"
    assert first.column_dimensions["B"].width == 60
    assert 8 <= first.column_dimensions["A"].width < 20
    due = first["C2"]
    assert due.is_date
    assert due.value == datetime(2026, 1, 1)
    assert due.number_format == "yyyy-mm-dd"
    assert workbook.properties.creator == "Procure"


def test_write_xlsx_drops_control_characters_and_converts_time_zones():
    data = write_xlsx(
        [Sheet("S", ["Note", "At"], [["bell\x07 here", datetime(2026, 1, 1, 12, tzinfo=UTC)]])]
    )
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "bell here"
    assert sheet["B2"].value == datetime(2026, 1, 1, 12, 0)


def test_write_xlsx_refuses_bad_shapes():
    with pytest.raises(ValueError):
        write_xlsx([])
    with pytest.raises(ValueError):
        write_xlsx([Sheet("S", ["a", "b"], [["only one"]])])
