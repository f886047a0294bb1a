"""Redaction of the scoring pages, exports and report at each audience."""

from __future__ import annotations

import io

import openpyxl
import pytest

from procure.canary import CanaryContext
from procure.extensions import db
from procure.reports.document import render_report_pdf
from procure.scoring.demo import canary
from procure.scoring.report import build_report, section
from procure.sensitivity import Audience, Redactor, Sensitivity
from tests import factories as f
from tests.redaction import assert_html_redacted, assert_redacted
from tests.scoring.helpers import scorecard

PUB = ["ZQX7KPUB01", "ZQX7KPUB06"]
MEM = ["ZQX7KMEM01", "ZQX7KMEM02", "ZQX7KMEM04"]
PAR = ["ZQX7KPAR01", "ZQX7KPAR02", "ZQX7KPAR03", "ZQX7KPAR04"]
SECRET_OPTION = "ZQX7KMEM05"
NAMES = ["Zeta Borough", "Alpha Borough", "Mu Borough"]


@pytest.fixture
def planted(world):
    w = world
    # Scoring has closed: outsiders and public/members files see scores again (blind.py).
    w.experiment.stage = "requirements"
    w.f1.guidance = "Guide ZQX7KPUB06"
    reasons = {
        w.f1: (
            "Public ZQX7KPUB01 [[members: ZQX7KMEM01]] [[participants: ZQX7KPAR01]]",
            Sensitivity.PUBLIC,
        ),
        w.d1: ("Only ZQX7KPAR03", Sensitivity.PARTICIPANTS),
    }
    scorecard(w.option_a, w.org1, {w.f1: 5, w.f2: 2, w.d1: 4, w.d2: 3}, reasons=reasons)
    scorecard(
        w.option_a,
        w.org2,
        {w.f1: 1, w.f2: 3, w.d1: 1, w.d2: 5},
        reasons={w.f1: ("Members ZQX7KMEM02 [[participants: ZQX7KPAR02]]", Sensitivity.MEMBERS)},
    )
    for org in (w.org1, w.org2):
        scorecard(w.option_b, org, {w.f1: 2, w.f2: 2, w.d1: 2, w.d2: 2})
    secret = f.OptionFactory(
        experiment=w.experiment,
        name=f"Secret {SECRET_OPTION}",
        status="shortlist",
        sensitivity=Sensitivity.MEMBERS,
    )
    scorecard(secret, w.org1, {w.f1: 3, w.f2: 3, w.d1: 3, w.d2: 3})
    f.ModeratedScoreFactory(
        option=w.option_a,
        criterion=w.f1,
        score=3,
        rationale="Agreed ZQX7KMEM04 [[participants: ZQX7KPAR04]]",
        rationale_sensitivity=Sensitivity.MEMBERS,
    )
    db.session.flush()
    return w


def _pages(client, w):
    urls = ["/experiments/housing/scoring", f"/experiments/housing/scoring/options/{w.option_a.id}"]
    return [client.get(url).get_data(as_text=True) for url in urls]


def test_public_sees_anonymised_boroughs_and_public_content_only(client, planted):
    dashboard, option = _pages(client, planted)
    assert_html_redacted(
        dashboard + option, forbidden=MEM + PAR + [SECRET_OPTION] + NAMES, required=PUB
    )
    assert "Borough A" in option and "Borough B" in option
    # Stable, joining order (Zeta joined first), not alphabetical.
    assert option.index("Borough A") < option.index("Public ZQX7KPUB01")
    assert "Redacted: members only" in option
    assert "Borough A" in dashboard  # per-borough rankings, anonymised
    assert "boroughs have submitted a scorecard for every shortlisted option" in dashboard
    assert client.get("/experiments/housing/scoring/boroughs/zeta").status_code == 404


def test_public_aggregate_mode_shows_no_borough_at_all(client, planted):
    planted.experiment.public_scores = "aggregate"
    db.session.flush()
    dashboard, option = _pages(client, planted)
    assert_html_redacted(
        dashboard + option,
        forbidden=MEM + PAR + NAMES + ["Borough A", "ZQX7KPUB01"],
        required=["ZQX7KPUB06"],
    )
    assert "Individual borough scores are not published" in option
    assert client.get("/experiments/housing/scoring/scores.csv").status_code == 404


def test_members_see_names_and_scores_but_not_participant_reasons(as_user, planted):
    client = as_user(planted.member)
    dashboard, option = _pages(client, planted)
    assert_html_redacted(
        dashboard + option, forbidden=PAR, required=PUB + MEM + NAMES[:2] + [SECRET_OPTION]
    )
    assert "Redacted: participants only" in option
    html = client.get("/experiments/housing/scoring/boroughs/zeta").get_data(as_text=True)
    assert "Zeta Borough" in html and "Option Apple" in html


def test_participants_see_everything(as_user, planted):
    dashboard, option = _pages(as_user(planted.officer1), planted)
    assert_html_redacted(dashboard + option, forbidden=[], required=PUB + MEM + PAR + NAMES[:2])


def _xlsx_text(data: bytes) -> str:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return "\n".join(
        " | ".join("" if v is None else str(v) for v in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.mark.parametrize(
    ("who", "forbidden", "required"),
    [
        (None, MEM + PAR + NAMES + [SECRET_OPTION], ["ZQX7KPUB01", "Borough A"]),
        ("member", [*PAR, "Borough A"], ["ZQX7KPUB01", "ZQX7KMEM01", "ZQX7KMEM02", "Zeta Borough"]),
        ("officer1", ["Borough A"], ["ZQX7KPAR01", "ZQX7KPAR02", "ZQX7KPAR03", "Zeta Borough"]),
    ],
)
def test_exports_are_redacted_at_the_requesters_audience(
    client, as_user, planted, who, forbidden, required
):
    if who:
        as_user(getattr(planted, who))
    csv_response = client.get("/experiments/housing/scoring/scores.csv")
    xlsx_response = client.get("/experiments/housing/scoring/scores.xlsx")
    assert csv_response.status_code == 200 and xlsx_response.status_code == 200
    assert "attachment" in csv_response.headers["Content-Disposition"]
    csv_text = csv_response.get_data().decode("utf-8-sig")
    xlsx_text = _xlsx_text(xlsx_response.get_data())
    for text in (csv_text, xlsx_text):
        for token in forbidden:
            assert token not in text, (who, token)
        for token in required:
            assert token in text, (who, token)
    header = csv_text.splitlines()[0]
    assert header == "Option,Organisation,Criterion,Dimension,Weight,Score,Status,Reason"


def test_cli_scores_export_is_at_participants_with_drafts(runner, planted):
    w = planted
    scorecard(w.option_b, w.org3, {w.f1: 1}, status="draft", reason="Draft ZQX7KPAR09")
    db.session.flush()
    result = runner.invoke(args=["export", "scores", "--experiment", "housing"])
    assert result.exit_code == 0, result.output
    assert "ZQX7KPAR01" in result.output and "ZQX7KPAR09" in result.output
    assert ",draft," in result.output and ",submitted," in result.output


def test_csv_neutralises_formula_reasons(as_user, world):
    w = world
    scorecard(w.option_a, w.org1, {c: 3 for c in w.criteria}, reason='=HYPERLINK("http://x")')
    db.session.flush()
    text = (
        as_user(w.officer1)
        .get("/experiments/housing/scoring/scores.csv")
        .get_data()
        .decode("utf-8-sig")
    )
    assert "'=HYPERLINK" in text


@pytest.mark.parametrize(
    ("audience", "forbidden", "required"),
    [
        (Audience.PUBLIC, MEM + PAR + NAMES + [SECRET_OPTION], PUB),
        (Audience.MEMBERS, PAR, PUB + MEM + [SECRET_OPTION]),
    ],
)
def test_scoring_report_pdf_is_redacted(app_ctx, planted, audience, forbidden, required):
    redactor = Redactor(audience)
    document = build_report(planted.experiment, redactor)
    pdf = render_report_pdf(document)
    assert_redacted(pdf, forbidden=forbidden, required=required)
    assert document.redaction_log.items  # withheld items are logged (type, id, level)
    assert next(s.anchor for s in document.sections) == "scoring"


def test_section_for_packs(app_ctx, planted):
    part = section(planted.experiment, Redactor(Audience.PUBLIC))
    assert (part.anchor, part.heading, part.template) == (
        "scoring",
        "Scoring summary",
        "_scoring_section.html",
    )
    assert all(row.name != f"Secret {SECRET_OPTION}" for row in part.context["scoring"].options)


def test_canary_tokens_stay_at_their_level(client, as_user, world):
    w = world
    ctx = CanaryContext(prefix="QQZ", experiment=w.experiment, admin=w.admin)
    canary(ctx)
    db.session.flush()
    pub, mem, par = (ctx.by_level(level) for level in Sensitivity)
    assert pub and mem and par
    option_ids = [o.id for o in ctx.shared["options"]]
    urls = ["/experiments/housing/scoring"] + [
        f"/experiments/housing/scoring/options/{i}" for i in option_ids
    ]
    html = "".join(client.get(u).get_data(as_text=True) for u in urls)
    assert_html_redacted(html, forbidden=mem + par, required=[t for t in pub if "QQZPUB" in t][:2])
    client = as_user(w.member)
    html = "".join(client.get(u).get_data(as_text=True) for u in urls)
    assert_html_redacted(html, forbidden=par, required=mem[:1])
    pdf = render_report_pdf(build_report(w.experiment, Redactor(Audience.MEMBERS)))
    assert_redacted(pdf, forbidden=par, required=mem[:1])
