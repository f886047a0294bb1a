"""Redaction of the market pages, downloads and report section at each audience."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from procure.extensions import db
from procure.market.models import Option
from procure.market.report import section
from procure.reports.document import REPORT_TEMPLATES, ReportDocument, report_environment
from procure.reports.pdf import render_pdf
from procure.sensitivity import Audience, Redactor, Sensitivity
from tests import factories as f
from tests.redaction import assert_html_redacted, assert_redacted

PUB = ["ZQX7KPUB01", "ZQX7KPUB02", "ZQX7KPUB03"]
MEM = ["ZQX7KMEM01", "ZQX7KMEM02", "ZQX7KMEM03", "ZQX7KMEM04", "ZQX7KMEM05", "ZQX7KMEM06"]
PAR = ["ZQX7KPAR01", "ZQX7KPAR02", "ZQX7KPAR03", "ZQX7KPAR04", "ZQX7KPAR05", "ZQX7KPAR06",
       "ZQX7KPAR07"]  # fmt: skip
COSTS = {"£123,456", "£987,654"}  # participants-only figures


@pytest.fixture
def planted(world):
    exp = world.experiment
    public = f.OptionFactory(
        experiment=exp,
        name="Option ZQX7KPUB01",
        status="shortlist",
        supplier="Public Supplier",
        summary="Open ZQX7KPUB03 [[members: ZQX7KMEM01]] [[participants: ZQX7KPAR01]]",
        cost_low=Decimal("123456"),
        cost_high=Decimal("123456"),
        cost_basis="a year ZQX7KPAR02",
        supplier_remarks="Remark ZQX7KPAR03",
        commercial_sensitivity=Sensitivity.PARTICIPANTS,
    )
    f.OptionFactory(
        experiment=exp,
        name="Option ZQX7KMEM02",
        status="shortlist",
        summary="Member summary ZQX7KMEM03",
        sensitivity=Sensitivity.MEMBERS,
    )
    f.OptionFactory(
        experiment=exp,
        name="Option ZQX7KPAR04",
        status="shortlist",
        sensitivity=Sensitivity.PARTICIPANTS,
    )
    f.LandscapeEntryFactory(
        experiment=exp,
        organisation=world.org_a,
        product_name="Product ZQX7KMEM04",
        supplier="Supplier ZQX7KMEM05",
        notes="Notes ZQX7KMEM06 [[participants: ZQX7KPAR05]]",
        annual_cost=Decimal("987654"),
        contract_end=date(2027, 3, 31),
        extension_months=0,
    )
    f.LandscapeEntryFactory(
        experiment=exp,
        organisation=world.org_b,
        product_name="Product ZQX7KPAR06",
        notes="ZQX7KPAR07",
        sensitivity=Sensitivity.PARTICIPANTS,
        contract_end=date(2027, 9, 30),
        extension_months=0,
    )
    return public


def expectations(audience: str) -> tuple[list[str], list[str]]:
    if audience == "public":
        return MEM + PAR, PUB
    if audience == "members":
        return PAR, PUB + MEM
    return [], PUB + MEM + PAR


def reader(client, as_user, world, audience):
    return {"public": lambda: client, "members": lambda: as_user(world.member),
            "participants": lambda: as_user(world.officer_a)}[audience]()  # fmt: skip


@pytest.mark.parametrize("audience", ["public", "members", "participants"])
def test_market_pages_are_redacted(client, as_user, world, planted, audience):
    forbidden, required = expectations(audience)
    web = reader(client, as_user, world, audience)
    slug = world.experiment.slug
    index = web.get(f"/experiments/{slug}/market").get_data(as_text=True)
    option = web.get(f"/experiments/{slug}/market/options/{planted.id}").get_data(as_text=True)
    landscape = web.get(f"/experiments/{slug}/landscape").get_data(as_text=True)
    assert_html_redacted(index, forbidden=forbidden, required=[t for t in required if t in (
        "ZQX7KPUB01", "ZQX7KPUB03", "ZQX7KMEM01", "ZQX7KMEM02", "ZQX7KMEM03", "ZQX7KPAR01",
        "ZQX7KPAR02", "ZQX7KPAR04")])  # fmt: skip
    assert_html_redacted(option, forbidden=forbidden, required=["ZQX7KPUB01"])
    landscape_required = [t for t in required if t in (
        "ZQX7KMEM04", "ZQX7KMEM05", "ZQX7KMEM06", "ZQX7KPAR05", "ZQX7KPAR06", "ZQX7KPAR07")]  # fmt: skip
    assert_html_redacted(landscape, forbidden=forbidden, required=landscape_required)
    for html in (index, option, landscape):
        assert any(cost in html for cost in COSTS) == (audience == "participants")
    if audience == "public":
        assert "Redacted: members only" in landscape
        assert "Alpha Borough" not in landscape.split('id="contracts"')[1]
        assert "<svg" not in landscape  # no per-borough dates for the public
    else:
        assert "Alpha Borough" in landscape
    if audience == "members":
        assert "31 March 2027" in landscape and "Redacted: participants only" in landscape


@pytest.mark.parametrize("audience", ["public", "members"])
def test_options_above_the_audience_do_not_exist_for_it(client, as_user, world, planted, audience):
    web = reader(client, as_user, world, audience)
    hidden = db.session.scalar(sa.select(Option).where(Option.name == "Option ZQX7KPAR04"))
    url = f"/experiments/{world.experiment.slug}/market/options/{hidden.id}"
    assert web.get(url).status_code == 404


@pytest.mark.parametrize("audience", ["public", "members", "participants"])
@pytest.mark.parametrize("kind", ["options", "landscape"])
def test_downloads_are_redacted(client, as_user, world, planted, audience, kind):
    forbidden, _ = expectations(audience)
    web = reader(client, as_user, world, audience)
    slug = world.experiment.slug
    text = web.get(f"/experiments/{slug}/market/export/{kind}.csv").data.decode("utf-8-sig")
    workbook = load_workbook(
        io.BytesIO(web.get(f"/experiments/{slug}/market/export/{kind}.xlsx").data)
    )
    cells = " ".join(str(c) for row in workbook.active.iter_rows(values_only=True) for c in row)
    for token in forbidden:
        assert token not in text and token not in cells, token
    assert ("123456" in text or "987654" in text) == (audience == "participants")
    if kind == "options":
        names = [row["name"] for row in csv.DictReader(io.StringIO(text))]
        assert "Option ZQX7KPUB01" in names


def test_export_neutralises_formulas(as_user, world):
    f.OptionFactory(experiment=world.experiment, name='=HYPERLINK("x")', supplier="@evil")
    text = (
        as_user(world.admin)
        .get(f"/experiments/{world.experiment.slug}/market/export/options.csv")
        .data.decode("utf-8-sig")
    )
    assert "'=HYPERLINK" in text and "'@evil" in text


def test_cli_export_is_participants(runner, world, planted):
    result = runner.invoke(args=["export", "landscape", "--experiment", world.experiment.slug])
    assert result.exit_code == 0
    assert "ZQX7KPAR06" in result.output and "987654" in result.output


def render_section(world, audience: Audience) -> tuple[str, bytes]:
    redactor = Redactor(audience)
    part = section(world.experiment, redactor, today=date(2026, 11, 22))
    document = ReportDocument(
        kind="summary",
        title="Summary",
        subtitle="",
        experiment_name="Housing systems",
        audience=audience,
        template="base.html",
        sections=[part],
        redaction_log=redactor.log,
    )
    template = report_environment().from_string(
        '{% extends "base.html" %}{% block body %}<h2 id="{{ s.anchor }}">{{ s.heading }}</h2>'
        "{% include s.template %}{% endblock %}"
    )
    html = template.render(document=document, s=part, **part.context)
    pdf = render_pdf(html, static_root=REPORT_TEMPLATES, title="Summary", author="Procure")
    return html, pdf


@pytest.mark.parametrize("audience", list(Audience))
def test_report_section_is_redacted(app_ctx, world, planted, audience):
    forbidden, _ = expectations(audience.slug)
    html, pdf = render_section(world, audience)
    required = ["ZQX7KPUB01", "ZQX7KPUB03"]
    if audience >= Audience.MEMBERS:
        required += ["ZQX7KMEM02"]
    assert_html_redacted(html, forbidden=forbidden, required=required)
    assert_redacted(
        pdf,
        forbidden=forbidden + ([] if audience == Audience.PARTICIPANTS else ["123,456"]),
        required=required,
    )
    if audience == Audience.PUBLIC:
        assert "Alpha Borough" not in html and "<svg" not in html
    else:
        assert "<svg" in html and "Alpha Borough" in html


@pytest.mark.parametrize("audience", ["public", "members"])
def test_withheld_cost_shows_one_marker_without_brackets(client, as_user, world, planted, audience):
    web = reader(client, as_user, world, audience)
    index = web.get(f"/experiments/{world.experiment.slug}/market").get_data(as_text=True)
    row = index.split("Option ZQX7KPUB01", 1)[1].split("</tr>", 1)[0]
    cost = row.rsplit("<td", 1)[1]
    assert cost.count("Redacted: participants only") == 1
    assert "(<span" not in cost and "</span>)" not in cost
