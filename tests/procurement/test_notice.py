"""The UK2 notice draft: identifiers, the edit form, the page at each audience, and OCDS."""

from __future__ import annotations

import io
import json
import re

import pypdf
import pytest
import sqlalchemy as sa

from procure.accounts.models import Organisation
from procure.demo import load_demo
from procure.extensions import db
from procure.identifiers import companies_house_problem, cpv_problem, parse_cpv_codes, ppon_problem
from procure.procurement.models import ProcurementNotice
from procure.procurement.ocds import validation_errors
from procure.reports.document import render_report_pdf
from procure.reports.kinds import ReportError, build_document
from procure.sensitivity import Audience
from tests import factories as f
from tests.redaction import assert_redacted, inspect_pdf

MEMBER_SECRET = "MEMBERSECRET41"
PARTICIPANT_SECRET = "PARTSECRET77"


@pytest.fixture
def world(db_session):
    experiment = f.ExperimentFactory(slug="housing", title="Housing systems", is_published=True)
    lead = f.OrganisationFactory(name="Lead Borough", slug="lead-borough", ppon="PLDB-1234-ABCD")
    alpha = f.OrganisationFactory(
        name="Alpha Borough", slug="alpha", companies_house_number="SC123456"
    )
    observer = f.OrganisationFactory(name="Observer Borough", slug="observer")
    f.ParticipationFactory(experiment=experiment, organisation=lead, role="lead")
    f.ParticipationFactory(experiment=experiment, organisation=alpha)
    f.ParticipationFactory(experiment=experiment, organisation=observer, role="observer")
    admin = f.AdminFactory(organisation=None)
    member = f.UserFactory(organisation=f.OrganisationFactory(name="Outside Borough"))
    participant = f.UserFactory(organisation=alpha)
    db_session.flush()
    return {
        "experiment": experiment,
        "lead": lead,
        "alpha": alpha,
        "observer": observer,
        "admin": admin,
        "member": member,
        "participant": participant,
    }


def _notice(world, **overrides) -> ProcurementNotice:
    notice = f.ProcurementNoticeFactory(
        experiment=world["experiment"],
        title="Housing systems for two boroughs",
        description=(
            "What the boroughs will buy.\n\n[[members: a detail for members\n"
            f"over two lines {MEMBER_SECRET}]] and a public end."
        ),
        **overrides,
    )
    for org in (world["lead"], world["alpha"]):
        f.NoticeAuthorityFactory(notice=notice, organisation=org)
    db.session.flush()
    return notice


def _csrf(client, url: str) -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


# -- identifiers ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["PLLH-1887-BMRL", ""])
def test_a_well_formed_ppon_passes(value):
    assert ppon_problem(value) is None


@pytest.mark.parametrize(
    "value", ["PLLH1887BMRL", "XLLH-1887-BMRL", "PLL-1887-BMRL", "pllh-1887-bmrl"]
)
def test_a_malformed_ppon_is_refused(value):
    assert "PPON must look like" in ppon_problem(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [("01234567", True), ("SC123456", True), ("1234567", False), ("S1234567", False)],
)
def test_companies_house_numbers(value, ok):
    assert (companies_house_problem(value) is None) is ok


def test_cpv_codes_are_checked_for_format_and_deduplicated():
    assert cpv_problem("72000000-5") is None
    assert "eight digits" in cpv_problem("72000000")
    codes, problems = parse_cpv_codes("48000000-8, 72000000-5\n48000000-8\n7200-5")
    assert codes == ["48000000-8", "72000000-5"]
    assert len(problems) == 1 and "7200-5" in problems[0]


# -- the edit form ---------------------------------------------------------------------


def test_an_editor_drafts_the_notice(client, as_user, world):
    as_user(world["admin"])
    url = "/experiments/housing/notice/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Observer Borough" not in page  # observers do not procure
    response = client.post(
        url,
        data={
            "csrf_token": _csrf(client, url),
            "title": "Housing systems",
            "description": "[[members: for members]] Public words.",
            "cpv_codes": "48000000-8\n72000000-5",
            "value_low": "£1,000,000",
            "value_high": "2000000",
            "contract_months": "60",
            "authority_ids": [str(world["lead"].id), str(world["alpha"].id)],
            "convenor_procures": "y",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    notice = db.session.scalar(sa.select(ProcurementNotice))
    assert notice.cpv_codes == ["48000000-8", "72000000-5"]
    assert {a.organisation_id for a in notice.authorities} == {world["lead"].id, world["alpha"].id}
    assert notice.convenor_procures and notice.contract_months == 60


def test_the_form_keeps_input_and_says_what_is_wrong(client, as_user, world):
    as_user(world["admin"])
    url = "/experiments/housing/notice/edit"
    response = client.post(
        url,
        data={
            "csrf_token": _csrf(client, url),
            "title": "Housing systems kept",
            "cpv_codes": "4800000-8",
            "value_low": "300",
            "value_high": "200",
            "authority_ids": [str(world["observer"].id)],
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "CPV code 4800000-8 must be eight digits" in html
    assert "The upper end must be the same as or more than the lower end" in html
    assert "Housing systems kept" in html
    assert db.session.scalar(sa.select(ProcurementNotice)) is None


def test_a_misspelt_span_is_refused_beside_the_field(client, as_user, world):
    as_user(world["admin"])
    url = "/experiments/housing/notice/edit"
    response = client.post(
        url,
        data={
            "csrf_token": _csrf(client, url),
            "title": "Housing [[ members: oops]]",
            "authority_ids": [str(world["alpha"].id)],
        },
    )
    assert "does not start [[members: …]]" in response.get_data(as_text=True)


# -- the page at each audience --------------------------------------------------------


def test_the_page_redacts_spans_over_several_lines(client, as_user, world):
    _notice(world)
    public = client.get("/experiments/housing/notice").get_data(as_text=True)
    assert "Housing systems for two boroughs" in public and "a public end" in public
    assert MEMBER_SECRET not in public and "over two lines" not in public
    assert "PLDB-1234-ABCD" in public
    as_user(world["member"])
    assert MEMBER_SECRET in client.get("/experiments/housing/notice").get_data(as_text=True)


def test_without_a_draft_the_page_says_so_and_ocds_is_not_found(client, as_user, world):
    assert "There is no notice draft yet" in client.get("/experiments/housing/notice").get_data(
        as_text=True
    )
    assert client.get("/experiments/housing/notice/ocds.json").status_code == 404


# -- OCDS --------------------------------------------------------------------------------


def test_ocds_download_is_public_whoever_asks(client, as_user, world):
    _notice(world)
    as_user(world["participant"])
    response = client.get("/experiments/housing/notice/ocds.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "housing-uk2-ocds.json" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert MEMBER_SECRET not in body and "over two lines" not in body
    package = json.loads(body)
    assert validation_errors(package) == []


def test_export_ocds_writes_a_valid_package_naming_the_buyers(
    app, runner, world, tmp_path, monkeypatch
):
    _notice(world, value_low=1000, value_high=5000, contract_months=24)
    db.session.commit()
    convenor = f.OrganisationFactory(name="The Convenor", kind="convenor", ppon="PCNV-1111-AAAA")
    notice = db.session.scalar(sa.select(ProcurementNotice))
    notice.convenor_procures = True
    db.session.commit()
    monkeypatch.setitem(app.config, "OCDS_OCID_PREFIX", "ocds-test01")
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://procure.example")
    output = tmp_path / "notice.json"
    result = runner.invoke(
        args=["export", "ocds", "--experiment", "housing", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert "naming 2 buyers" in result.output
    package = json.loads(output.read_text())
    assert validation_errors(package) == []
    release = package["releases"][0]
    assert release["tag"] == ["planning"]
    assert release["ocid"] == "ocds-test01-housing"
    assert release["tender"]["status"] == "planning"
    assert release["tender"]["classification"] == {
        "scheme": "CPV",
        "id": "48000000",
        "description": "Software package and information systems",
    }
    assert release["tender"]["value"] == {"amount": 5000, "currency": "GBP"}
    parties = {p["name"]: p for p in release["parties"]}
    assert parties["Lead Borough"]["identifier"] == {
        "scheme": "GB-PPON",
        "id": "PLDB-1234-ABCD",
        "legalName": "Lead Borough",
    }
    assert parties["Alpha Borough"]["id"] == "GB-COH-SC123456"
    assert parties["The Convenor"]["roles"] == ["procuringEntity"]
    assert release["tender"]["procuringEntity"]["id"] == convenor_party_id(convenor)
    assert all(
        d["url"].startswith("https://procure.example/experiments/housing/")
        for d in release["planning"]["documents"]
    )
    assert not any("/share/" in d["url"] for d in release["planning"]["documents"])


def convenor_party_id(org: Organisation) -> str:
    return f"GB-PPON-{org.ppon}"


def test_an_invalid_package_is_refused_with_its_errors_and_not_written(
    app, runner, world, tmp_path, monkeypatch
):
    _notice(world)
    db.session.commit()
    # A publisher without a name is not a valid OCDS package.
    monkeypatch.setitem(app.config, "OCDS_PUBLISHER", None)
    output = tmp_path / "notice.json"
    result = runner.invoke(
        args=["export", "ocds", "--experiment", "housing", "--output", str(output)]
    )
    assert result.exit_code != 0
    assert "not valid" in result.output and "publisher/name" in result.output
    assert not output.exists()


def test_validation_lists_every_error_with_its_place():
    errors = validation_errors({"version": "1.1", "releases": [{"ocid": 5}]})
    assert any(e.startswith("(package): 'uri' is a required property") for e in errors)
    assert any(e.startswith("releases/0/ocid: 5 is not of type 'string'") for e in errors)


def test_export_ocds_of_an_experiment_without_a_notice_says_so(runner, world, tmp_path):
    result = runner.invoke(
        args=["export", "ocds", "--experiment", "housing", "--output", str(tmp_path / "x.json")]
    )
    assert result.exit_code != 0
    assert "no UK2 notice draft yet" in result.output


def test_the_demo_notice_exports_with_at_least_two_buyers(app, runner, db_session, tmp_path):
    load_demo()
    db.session.commit()
    output = tmp_path / "housing.json"
    result = runner.invoke(
        args=["export", "ocds", "--experiment", "housing-systems", "--output", str(output)]
    )
    assert result.exit_code == 0, result.output
    release = json.loads(output.read_text())["releases"][0]
    buyers = [p for p in release["parties"] if "buyer" in p["roles"]]
    assert len(buyers) >= 2
    assert all(p["identifier"]["scheme"] == "GB-PPON" for p in buyers)
    assert release["tender"]["lots"]


# -- the PDF ---------------------------------------------------------------------------


def test_notice_pdf_is_marked_tagged_and_redacted(app, world):
    _notice(world)
    with app.test_request_context():
        document = build_document("notice", world["experiment"], Audience.PUBLIC)
        pdf = render_report_pdf(document)
    inspection = inspect_pdf(pdf)
    assert_redacted(
        inspection, forbidden=[MEMBER_SECRET], required=["Housing systems for two boroughs"]
    )
    for number, text in enumerate(inspection.pypdf_pages, start=1):
        assert Audience.PUBLIC.marking.lower() in text.lower()
        assert f"Page {number} of {inspection.page_count}" in text
    assert "/StructTreeRoot" in pypdf.PdfReader(io.BytesIO(pdf)).trailer["/Root"]
    assert document.filename == "housing-uk2-notice-public.pdf"


def test_notice_pdf_without_a_draft_is_refused_plainly(app, world):
    with app.test_request_context(), pytest.raises(ReportError, match="no UK2 notice draft"):
        build_document("notice", world["experiment"], Audience.PUBLIC)


def test_the_public_pdf_is_downloaded_from_the_notice_page(client, as_user, world):
    _notice(world)
    as_user(world["participant"])  # reads at participants, still gets the public copy
    page = client.get("/experiments/housing/notice").get_data(as_text=True)
    assert "/experiments/housing/notice/notice.pdf" in page
    response = client.get("/experiments/housing/notice/notice.pdf")
    assert response.mimetype == "application/pdf"
    assert "housing-uk2-notice-public.pdf" in response.headers["Content-Disposition"]
    assert_redacted(
        inspect_pdf(response.data), forbidden=[MEMBER_SECRET], required=["a public end"]
    )


def test_an_organisation_is_added_with_identifiers_checked_for_format(client, as_user, world):
    as_user(world["admin"])
    url = "/admin/organisations"
    token = _csrf(client, url)
    base = {
        "csrf_token": token,
        "name": "Tenancy Works Ltd",
        "slug": "tenancy-works",
        "kind": "supplier",
    }
    refused = client.post(
        url, data={**base, "ppon": "P123-ABCD-1234", "companies_house_number": "123"}
    )
    html = refused.get_data(as_text=True)
    assert "PPON must look like PABC-1234-WXYZ" in html
    assert "Companies House number must be eight digits" in html
    assert (
        db.session.scalar(sa.select(Organisation).where(Organisation.slug == "tenancy-works"))
        is None
    )
    saved = client.post(
        url, data={**base, "ppon": " ptwk-1234-abcd ", "companies_house_number": "sc123456"}
    )
    assert saved.status_code == 302, saved.get_data(as_text=True)[:1500]
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "tenancy-works"))
    assert (org.kind, org.companies_house_number) == ("supplier", "SC123456")
