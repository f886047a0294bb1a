"""Redaction of requirements pages, downloads and the PDF at every audience (ZQX7K canaries)."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from procure.canary import CanaryContext
from procure.reports.document import render_report_pdf, report_environment
from procure.requirements.demo import canary
from procure.requirements.exports import export_version
from procure.requirements.report import build_report, section
from procure.sensitivity import Audience, Redactor, Sensitivity
from tests.redaction import assert_html_redacted, assert_redacted
from tests.requirements.helpers import make_world

TOKEN = re.compile(r"ZQX7K(?:PUB|MEM|PAR)\d{4}")


@pytest.fixture
def planted(db_session):
    w = make_world(published=True)
    ctx = CanaryContext(prefix="ZQX7K", experiment=w.experiment, admin=w.admin)
    for person in (w.admin, w.lead, w.other, w.other_officer):
        person.name = f"Person {ctx.token(Sensitivity.MEMBERS)}"
    db_session.flush()
    canary(ctx)
    db_session.flush()
    return w, ctx


def _split(ctx: CanaryContext, audience: Audience) -> tuple[list[str], list[str]]:
    forbidden = [t for t, lvl in ctx.tokens.items() if lvl > audience]
    return forbidden, [t for t, lvl in ctx.tokens.items() if lvl <= audience]


def _title_token(req) -> str:
    return TOKEN.search(req.title).group(0)


def _client_for(client, as_user, w, audience: Audience):
    if audience == Audience.PUBLIC:
        return client
    return as_user(w.member if audience == Audience.MEMBERS else w.other_officer)


def test_canary_plants_tokens_in_every_field(planted):
    _w, ctx = planted
    reqs, version = ctx.shared["requirements"], ctx.shared["version"]
    assert len(reqs) == 6 and version.number == "1.0" and TOKEN.search(version.release_notes)
    for req in reqs:
        fields = [req.title, req.statement, *req.acceptance_criteria]
        assert all(TOKEN.search(v) for v in fields)
        if req.status == "withdrawn":
            assert TOKEN.search(req.withdrawn_reason)
        else:
            assert req.endorsements and all(TOKEN.search(e.comment) for e in req.endorsements)
    assert {lvl for lvl in ctx.tokens.values()} == set(Sensitivity)


@pytest.mark.parametrize("audience", list(Audience))
def test_pages_show_nothing_above_the_audience(client, as_user, planted, audience):
    w, ctx = planted
    forbidden, _ = _split(ctx, audience)
    reqs = ctx.shared["requirements"]
    visible = [r for r in reqs if r.sensitivity <= audience]
    hidden = [r for r in reqs if r.sensitivity > audience]
    reader = _client_for(client, as_user, w, audience)
    base = f"/experiments/{w.slug}"
    pages = {
        "list": f"{base}/requirements",
        "matrix": f"{base}/requirements/matrix",
        "versions": f"{base}/specification",
        "1.0": f"{base}/specification/1.0",
        "0.1": f"{base}/specification/0.1",
    }
    pages |= {r.reference: f"{base}/requirements/{r.reference}" for r in visible}
    if audience == Audience.PARTICIPANTS:
        pages["tasks"] = f"{base}/requirements/tasks"
    for name, url in pages.items():
        response = reader.get(url)
        assert response.status_code == 200, name
        required = (
            [_title_token(r) for r in visible if r.status == "agreed"]
            if name in ("list", "matrix", "1.0")
            else []
        )
        assert_html_redacted(
            response.get_data(as_text=True), forbidden=forbidden, required=required
        )
    for r in hidden:
        assert reader.get(f"{base}/requirements/{r.reference}").status_code == 404
    for r in visible:  # the page of one requirement carries its own tokens at this audience
        html = reader.get(f"{base}/requirements/{r.reference}").get_data(as_text=True)
        assert_html_redacted(html, forbidden=forbidden, required=[_title_token(r)])


def _xlsx_text(data: bytes) -> str:
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        str(c.value)
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for c in row
        if c.value is not None
    )


@pytest.mark.parametrize("audience", list(Audience))
def test_downloads_hold_nothing_above_the_audience(planted, app_ctx, audience):
    _w, ctx = planted
    forbidden, _ = _split(ctx, audience)
    version = ctx.shared["version"]
    visible = [
        r for r in ctx.shared["requirements"] if r.sensitivity <= audience and r.status == "agreed"
    ]
    for fmt in ("csv", "json", "xlsx"):
        data = export_version(version, audience, fmt).data
        text = _xlsx_text(data) if fmt == "xlsx" else data.decode("utf-8-sig")
        leaked = [t for t in forbidden if t in text]
        assert not leaked, f"{fmt} at {audience.slug} leaks {leaked}"
        for r in visible:
            assert _title_token(r) in text, fmt
        if audience < Audience.PARTICIPANTS and fmt != "csv":
            assert "requirement" in text and "participants" in text  # the withheld list


@pytest.mark.parametrize("audience", [Audience.PUBLIC, Audience.MEMBERS])
def test_pdf_and_section_hold_nothing_above_the_audience(planted, app_ctx, audience):
    w, ctx = planted
    forbidden, _ = _split(ctx, audience)
    visible = [
        r for r in ctx.shared["requirements"] if r.sensitivity <= audience and r.status == "agreed"
    ]
    document = build_report(w.experiment, Redactor(audience))
    assert document.kind == "requirements" and document.redaction_log.items
    pdf = render_report_pdf(document)
    assert_redacted(pdf, forbidden=forbidden, required=[_title_token(r) for r in visible])
    part = section(w.experiment, Redactor(audience))
    assert part.anchor == "requirements" and part.heading == "Requirements"
    html = report_environment().get_template(part.template).render(**part.context)
    assert_html_redacted(html, forbidden=forbidden, required=[_title_token(r) for r in visible])
    ids = [visible[0].id]
    discussed = section(w.experiment, Redactor(audience), requirement_ids=ids)
    assert discussed.heading == "Requirements discussed"
    assert [
        r.id for g in discussed.context["requirements_section"].groups for r in g.requirements
    ] == ids


def test_participants_pdf_has_everything(planted, app_ctx):
    w, ctx = planted
    document = build_report(w.experiment, Redactor(Audience.PARTICIPANTS), "0.1")
    pdf = render_report_pdf(document)
    titles = [_title_token(r) for r in ctx.shared["requirements"]]
    assert_redacted(pdf, forbidden=[], required=titles)
