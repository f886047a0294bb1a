"""Downloads of a version (CSV, XLSX, JSON), imports, and the round trip between them."""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from procure.audit import AuditEvent
from procure.extensions import db
from procure.requirements.exports import SCHEMA, export_version
from procure.requirements.imports import apply_import, check_import
from procure.requirements.services import (
    agree_requirement,
    endorse,
    propose_requirement,
    requirements_of,
)
from procure.requirements.versions import publish_version
from procure.sensitivity import Audience, Sensitivity
from procure.tabular import write_csv
from tests import factories as f
from tests.requirements.helpers import data, make_world

HOSTILE = ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)"]


def _published(w, *items):
    for item in items:
        req = propose_requirement(w.experiment, item, w.lead)
        agree_requirement(req, req.version, w.admin)
    return publish_version(w.experiment, "1.0", "Release", w.admin)


def _sample(w):
    return _published(
        w,
        data(title="Report a repair", acceptance_criteria=["Works on a phone", "Photos attach"]),
        data(
            title=HOSTILE[0],
            statement=HOSTILE[1],
            acceptance_criteria=[HOSTILE[2], HOSTILE[3]],
            category="Security and privacy",
            priority="wont",
        ),
        data(
            title="Members only thing",
            sensitivity=Sensitivity.MEMBERS,
            priority="could",
            category="Commercial",
        ),
    )


def test_csv_and_xlsx_neutralise_formulas_and_name_the_file(app_ctx):
    w = make_world()
    version = _sample(w)
    spec = export_version(version, Audience.PARTICIPANTS, "csv")
    assert spec.filename == f"{w.slug}-spec-1.0-participants.csv"
    text = spec.data.decode("utf-8-sig")
    assert '\'=HYPERLINK(""http://evil"")' in text and ",'+1+1," in text
    assert '"\'-2+3\n@SUM(A1)"' in text  # criteria share one cell, one per line
    spec = export_version(version, Audience.MEMBERS, "xlsx")
    assert spec.filename == f"{w.slug}-spec-1.0-members.xlsx"
    book = load_workbook(io.BytesIO(spec.data))
    assert book.sheetnames == [
        "Requirements",
        "Endorsement matrix",
        "Endorsements",
        "Change log",
        "Withheld",
    ]
    sheet = book["Requirements"]
    assert sheet["A1"].value == "MEMBERS ONLY"
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    assert sheet.column_dimensions["B"].width > 6
    cells = [c.value for row in sheet.iter_rows() for c in row]
    assert f"'{HOSTILE[0]}" in cells and f"'{HOSTILE[1]}" in cells
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_downloads_are_redacted_for_the_audience_and_audited(app_ctx):
    w = make_world()
    version = _sample(w)
    spec = export_version(version, Audience.PUBLIC, "json")
    doc = json.loads(spec.data)
    assert doc["schema"] == SCHEMA and doc["audience"] == "public" and doc["version"] == "1.0"
    titles = [r["title"] for r in doc["requirements"]]
    assert "Members only thing" not in titles and len(titles) == 2
    assert {"type": "requirement", "id": "REQ-003", "level": "members"} in doc["withheld"]
    assert "Members only thing" not in spec.data.decode()
    book = load_workbook(io.BytesIO(export_version(version, Audience.PUBLIC, "xlsx").data))
    assert [c.value for c in book["Withheld"][3]] == ["requirement", "REQ-003", "Members only"]
    events = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "specification.download")
    ).all()
    assert [(e.changes["format"], e.changes["audience"]) for e in events] == [
        ("json", "public"),
        ("xlsx", "public"),
    ]
    assert events[0].object_id == version.id


def test_endorsement_comments_above_the_audience_become_markers(app_ctx):
    w = make_world()
    req = propose_requirement(w.experiment, data(), w.lead)
    agree_requirement(req, req.version, w.admin)
    endorse(req, w.other_org, "not_needed", "Secret reason", Sensitivity.PARTICIPANTS, 0, w.other)
    version = publish_version(w.experiment, "0.1", "", w.admin)
    doc = json.loads(export_version(version, Audience.MEMBERS, "json").data)
    (e,) = doc["endorsements"]
    assert e["comment"] == "[Redacted: participants only]" and e["position"] == "not_needed"
    assert e["endorsed_by"] == w.other.name
    public = json.loads(export_version(version, Audience.PUBLIC, "json").data)
    assert public["endorsements"][0]["endorsed_by"] == "[Redacted: members only]"
    assert w.other.name not in json.dumps(public)


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_round_trip_export_then_import_into_a_new_experiment(app_ctx, fmt):
    w = make_world()
    version = _sample(w)
    spec = export_version(version, Audience.PARTICIPANTS, fmt)
    target = f.ExperimentFactory()
    f.RequirementFactory(experiment=target, number=1, title="Existing")
    target.requirement_counter = 1
    preview = check_import(target, spec.filename, spec.data)
    assert preview.ok, preview.problems
    assert [(r.file_reference, r.new_reference) for r in preview.rows] == [
        ("REQ-001", "REQ-002"),
        ("REQ-002", "REQ-003"),
        ("REQ-003", "REQ-004"),
    ]
    apply_import(target, preview, w.admin)

    def content(exp):
        return [
            (
                r.title,
                r.statement,
                r.acceptance_criteria,
                r.category,
                r.priority,
                r.status,
                r.sensitivity,
            )
            for r in requirements_of(exp)
            if r.status == "agreed"
        ]

    imported = [c for c in content(target) if c[0] != "Existing"]
    assert imported == content(w.experiment)


def _csv(rows, columns=("Reference", "Title", "Statement", "Category", "Priority")):
    return write_csv(list(columns), rows).encode()


def test_import_reports_every_bad_row_and_column_and_writes_nothing(app_ctx):
    w = make_world()
    rows = [
        ["REQ-001", "Fine", "The system must work.", "Functional", "must"],
        ["REQ-001", "Repeat", "The system must work.", "Functional", "should"],
        ["REQ-1x", "Malformed", "The system must work.", "Functional", "could"],
        ["", "No statement", "", "Functional", "must"],
        ["", "Odd category", "Statement", "Catering", "must"],
        ["", "Odd priority", "Statement", "Functional", "urgent"],
    ]
    preview = check_import(w.experiment, "reqs.csv", _csv(rows))
    found = {(p.row, p.column) for p in preview.problems}
    assert found == {
        (3, "Reference"),
        (4, "Reference"),
        (5, "Statement"),
        (6, "Category"),
        (7, "Priority"),
    }
    assert "also on row 2" in str(preview.problems[0])
    assert not preview.ok and preview.rows == []
    with pytest.raises(ValueError):
        apply_import(w.experiment, preview)
    assert requirements_of(w.experiment) == [] and w.experiment.requirement_counter == 0


def test_import_refuses_missing_columns_and_empty_files(app_ctx):
    w = make_world()
    preview = check_import(w.experiment, "x.csv", _csv([["A"]], columns=("Title",)))
    assert {p.column for p in preview.problems} == {"Statement", "Category", "Priority"}
    assert not check_import(w.experiment, "x.csv", b"").ok
    assert not check_import(w.experiment, "x.json", b'{"no": "schema"}').ok


def test_import_keeps_hostile_html_as_text(app_ctx):
    w = make_world()
    rows = [
        ["", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "Functional", "Won't"]
    ]
    preview = check_import(w.experiment, "x.csv", _csv(rows))
    assert preview.ok and preview.rows[0].data.priority == "wont"
    (req,) = apply_import(w.experiment, preview)
    assert req.title == "<script>alert(1)</script>" and req.status == "draft"


def test_cli_export_and_import(app_ctx, runner, tmp_path):
    w = make_world()
    _sample(w)
    out = tmp_path / "spec.json"
    result = runner.invoke(
        args=["export", "spec", "--experiment", w.slug, "--format", "json", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["audience"] == "participants"
    result = runner.invoke(
        args=["export", "spec", "--experiment", w.slug, "--version", "9.9", "--format", "csv"]
    )
    assert result.exit_code != 0 and "No specification version 9.9" in result.output
    target = f.ExperimentFactory()
    result = runner.invoke(
        args=["import", "requirements", "--experiment", target.slug, str(out), "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "REQ-001" in result.output and requirements_of(target) == []
    result = runner.invoke(args=["import", "requirements", "--experiment", target.slug, str(out)])
    assert result.exit_code == 0, result.output
    assert len(requirements_of(target)) == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        _csv(
            [
                ["REQ-001", "A", "", "Functional", "must"],
                ["REQ-001", "B", "S", "Functional", "must"],
            ]
        )
    )
    result = runner.invoke(args=["import", "requirements", "--experiment", target.slug, str(bad)])
    assert result.exit_code != 0
    assert "row 2" in result.output and "row 3" in result.output
    assert len(requirements_of(target)) == 3


def test_xlsx_is_ready_to_work_with_and_to_print(app_ctx):
    w = make_world()
    req = propose_requirement(
        w.experiment, data(acceptance_criteria=["Works on a phone", "Photos attach"]), w.lead
    )
    agree_requirement(req, req.version, w.admin)
    endorse(req, w.other_org, "adopt", "", Sensitivity.PUBLIC, 0, w.other)
    version = publish_version(w.experiment, "1.0", "Release", w.admin)
    book = load_workbook(io.BytesIO(export_version(version, Audience.PUBLIC, "xlsx").data))

    sheet = book["Requirements"]
    headings = [c.value for c in sheet[2]]
    row = dict(zip(headings, [c.value for c in sheet[3]], strict=True))
    assert row["Status"] == "Agreed" and row["Sensitivity"] == "Public"
    assert row["Acceptance criteria"] == "Works on a phone\nPhotos attach"
    criteria_cell = sheet.cell(row=3, column=headings.index("Acceptance criteria") + 1)
    assert criteria_cell.alignment.wrap_text

    matrix = book["Endorsement matrix"]
    columns = [c.value for c in matrix[2]]
    assert columns[:3] == ["Reference", "Title", "Priority"]
    assert w.other_org.name in columns and w.lead_org.name in columns
    cells = dict(zip(columns, [c.value for c in matrix[3]], strict=True))
    assert cells[w.other_org.name] == "Adopt" and cells[w.lead_org.name] is None

    for ws in book.worksheets:
        assert ws["A1"].value == "PUBLIC"
        assert ws.oddHeader.center.text == "PUBLIC"
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$2:$2"
