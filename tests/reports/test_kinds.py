"""Report kinds: composition, markings, PDF properties, lazy feature imports, hostile text."""

from __future__ import annotations

import http.server
import re
import sys
import threading

import pytest

import procure
from procure.reports import kinds
from procure.reports.document import render_report_html, render_report_pdf
from procure.sensitivity import Audience, Sensitivity
from tests.factories import (
    ExperimentFactory,
    NoteSectionFactory,
    ParticipationFactory,
    UserFactory,
    WorkshopFactory,
)
from tests.redaction import assert_redacted, inspect_pdf


@pytest.fixture
def experiment(app_ctx):
    experiment = ExperimentFactory(
        slug="kinds-test",
        title="Kinds test KNDPUB0001",
        is_published=True,
        summary="Summary KNDPUB0002 [[members: KNDMEM0003]]",
        problem_statement="Problem KNDPUB0004 [[participants: KNDPAR0005]]",
        outcomes="- Outcome KNDPUB0006",
    )
    lead = UserFactory(name="Lead KNDMEM0007")
    ParticipationFactory(
        experiment=experiment, organisation=lead.organisation, procurement_lead=lead, role="lead"
    )
    return experiment


def test_kinds_registry():
    assert kinds.KINDS == (
        "workshop-pack",
        "scoring",
        "requirements",
        "summary",
        "notice",
        "conflicts",
    )
    with pytest.raises(kinds.ReportError, match="Unknown report kind 'x'"):
        kinds.parse_kind("x")


@pytest.mark.parametrize("audience", list(Audience))
def test_summary_marks_every_page_and_numbers_pages(experiment, audience):
    document = kinds.build_document("summary", experiment, audience)
    assert document.title == "Kinds test KNDPUB0001: experiment summary"
    assert document.sections[0].anchor == "experiment"
    pdf = render_report_pdf(document)
    forbidden = {
        Audience.PUBLIC: ["KNDMEM0003", "KNDPAR0005", "KNDMEM0007"],
        Audience.MEMBERS: ["KNDPAR0005"],
        Audience.PARTICIPANTS: [],
    }[audience]
    required = ["KNDPUB0001", "KNDPUB0002", "KNDPUB0004", "KNDPUB0006"]
    inspection = assert_redacted(pdf, forbidden=forbidden or ["ABSENT0000"], required=required)
    pages = inspection.page_count
    assert pages >= 3
    for number, text in enumerate(inspection.pypdf_pages, start=1):
        assert audience.marking.lower() in text.lower(), f"no marking on page {number}"
        assert f"Page {number} of {pages}" in text
    assert inspection.info["/Title"] == document.title
    assert inspection.info["/Author"] == "Procure"
    catalog = inspection.catalog
    assert str(catalog.get("/Lang")) == "en-GB"
    assert "/StructTreeRoot" in catalog and "/MarkInfo" in catalog
    assert "pdfuaid" in (inspection.xmp or "")
    assert "About the experiment" in inspection.outline_titles
    # Contents page numbers: the section heading points at the page it is on.
    assert re.search(r"About the experiment[ .]*\d", inspection.pypdf_pages[1])


def test_summary_redaction_log_has_no_content(experiment):
    document = kinds.build_document("summary", experiment, "public")
    log = document.redaction_log.as_list()
    assert {"type": "experiment.summary", "id": experiment.id, "level": "members"} in log
    assert {
        "type": "person",
        "id": experiment.participations[0].procurement_lead_id,
        "level": "members",
    } in log
    assert "KND" not in repr(log)


def test_workshop_pack_composes_sections_in_order(experiment):
    workshop = WorkshopFactory(
        experiment=experiment, title="Pack KNDPUB0008", purpose="Purpose KNDPUB0009"
    )
    document = kinds.build_document("workshop-pack", experiment, "members", workshop_id=workshop.id)
    anchors = [s.anchor for s in document.sections]
    assert document.title == "Pack KNDPUB0008: workshop pack"
    assert document.filename == f"kinds-test-workshop-{workshop.id}-pack-members.pdf"
    assert len(anchors) == len(set(anchors))
    if kinds.feature_report("workshops") is not None:
        # purpose and agenda, attendees, then market / scoring / requirements, then the rest
        assert anchors[:2] == ["purpose", "attendees"]
        assert anchors[-3:] == ["notes", "decisions", "actions"]
    html = render_report_html(document)
    assert html.count('id="purpose"') == 1
    assert_redacted(
        render_report_pdf(document), forbidden=["KNDPAR0005"], required=["KNDPUB0008", "KNDPUB0009"]
    )


def test_unknown_workshop_lists_workshops_without_titles_above_the_audience(experiment):
    public = WorkshopFactory(experiment=experiment, title="Open KNDPUB0010")
    WorkshopFactory(
        experiment=experiment, title="Closed KNDMEM0011", sensitivity=Sensitivity.MEMBERS
    )
    with pytest.raises(kinds.ReportError) as error:
        kinds.build_document("workshop-pack", experiment, "public", workshop_id="abc")
    message = str(error.value)
    assert message.startswith("No workshop abc in this experiment. Workshops: ")
    assert f"{public.id}: Open KNDPUB0010" in message
    assert "KNDMEM0011" not in message and "Redacted: members only" in message


def test_feature_report_tolerates_only_a_missing_report_module(tmp_path, monkeypatch):
    assert kinds.feature_report("no_such_feature") is None
    broken = tmp_path / "brokenfeature"
    broken.mkdir()
    (broken / "__init__.py").write_text("")
    (broken / "report.py").write_text("import a_module_that_does_not_exist_anywhere\n")
    monkeypatch.setattr(procure, "__path__", [*procure.__path__, str(tmp_path)])
    try:
        with pytest.raises(ModuleNotFoundError, match="a_module_that_does_not_exist_anywhere"):
            kinds.feature_report("brokenfeature")
    finally:
        for name in ("procure.brokenfeature", "procure.brokenfeature.report"):
            sys.modules.pop(name, None)


# -- hostile text ------------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"p { display: none }")

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def server():
    handler = type("Handler", (_Recorder,), {"requests": []})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler.requests
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def hostile(base: str, token: str) -> str:
    return (
        f"<style>p {{ display: none }} body {{ background: url({base}/bg.png) }}</style>\n"
        f'<link rel="stylesheet" href="{base}/evil.css">\n'
        f'<img src="{base}/pixel.png" alt="ALTHOSTILE0001">\n'
        f'<div style="display:none">Still here {token}</div>\n\n'
        f"See [the supplier page]({base}/members-link-HOSTLINK0002) for more.\n"
    )


def test_hostile_html_in_text_fields_is_inert(experiment, server):
    base, requests = server
    workshop = WorkshopFactory(
        experiment=experiment, title="Hostile pack KNDPUB0012", purpose=hostile(base, "HOSTPUB0003")
    )
    NoteSectionFactory(
        workshop_id=workshop.id,
        heading="Notes",
        body=hostile(base, "HOSTMEM0004"),
        sensitivity=Sensitivity.MEMBERS,
    )
    experiment.summary = hostile(base, "HOSTPUB0005")
    public_pack = render_report_pdf(
        kinds.build_document("workshop-pack", experiment, "public", workshop_id=workshop.id)
    )
    members_pack = render_report_pdf(
        kinds.build_document("workshop-pack", experiment, "members", workshop_id=workshop.id)
    )
    summary = render_report_pdf(kinds.build_document("summary", experiment, "public"))
    assert requests == [], f"the renderer fetched {requests}"

    # The text that CSS would have hidden is printed; the markup shows as text or is gone.
    inspection = assert_redacted(
        public_pack, forbidden=["HOSTMEM0004"], required=["HOSTPUB0003", "KNDPUB0012"]
    )
    # Escaped markup is printed as text, never as an element: no image, no alt text.
    assert "<img src=" in inspection.pypdf_text
    assert inspection.find("ALTHOSTILE0001", ["alt", "link:uri"]) == []
    assert not any("/Image" in label for label, _, _ in inspection.streams)
    # A link in public text is allowed at public: its URL is the same at every audience.
    assert any("HOSTLINK0002" in uri for uri in inspection.uris)
    members = assert_redacted(
        members_pack, forbidden=["KNDPAR0005"], required=["HOSTPUB0003", "HOSTMEM0004"]
    )
    assert members.find("ALTHOSTILE0001", ["alt"]) == []
    assert not any("/Image" in label for label, _, _ in members.streams)
    summary_inspection = assert_redacted(
        summary, forbidden=["KNDMEM0003"], required=["HOSTPUB0005"]
    )
    assert summary_inspection.find("ALTHOSTILE0001", ["alt"]) == []


def test_link_inside_a_members_span_is_absent_at_public(experiment):
    experiment.summary = (
        "Public KNDPUB0013 [[members: see [prices](https://example.org/SPANLINK0014)]]"
    )
    public = inspect_pdf(render_report_pdf(kinds.build_document("summary", experiment, "public")))
    assert public.find("SPANLINK0014") == []
    members = inspect_pdf(render_report_pdf(kinds.build_document("summary", experiment, "members")))
    assert "https://example.org/SPANLINK0014" in members.uris


def test_many_boroughs_get_numbered_columns_on_a_landscape_page(app_ctx):
    """Beyond eight boroughs, the borough × option ranks go on an A4 landscape page with
    numbered columns and a key, instead of names broken one letter per line."""
    import io

    import pypdf

    from bench.seed import SeedSize, seed

    seed(SeedSize(boroughs=9, options=4, criteria=2, requirements=3), slug="nine-boroughs")
    from procure.experiments.models import Experiment
    from procure.extensions import db

    experiment = db.session.scalar(db.select(Experiment).where(Experiment.slug == "nine-boroughs"))
    document = kinds.build_document("scoring", experiment, Audience.PARTICIPANTS)
    html = render_report_html(document)
    assert 'class="wide"' in html and 'class="rank-key"' in html
    header = re.search(r'<table class="rank-matrix">.*?</thead>', html, re.S).group(0)
    assert [f'<th class="num">{n}</th>' in header for n in range(1, 10)] == [True] * 9
    reader = pypdf.PdfReader(io.BytesIO(render_report_pdf(document)))
    shapes = [(p.mediabox.width > p.mediabox.height) for p in reader.pages]
    assert shapes[0] is False and True in shapes, shapes
    landscape = "".join(
        p.extract_text() for p in reader.pages if p.mediabox.width > p.mediabox.height
    )
    assert "Key:" in landscape and "Each borough’s ranking" in landscape


def test_workshop_pack_carries_what_the_workshop_discussed(experiment):
    from tests.factories import OptionFactory

    discussed = OptionFactory(
        experiment=experiment, name="Discussed KNDPUB0010", status="shortlist"
    )
    OptionFactory(experiment=experiment, name="Other KNDPUB0011", status="shortlist")
    secret = OptionFactory(
        experiment=experiment,
        name="Secret KNDPAR0012",
        status="shortlist",
        sensitivity=Sensitivity.PARTICIPANTS,
    )
    workshop = WorkshopFactory(
        experiment=experiment, location="Committee Room 2, Town Hall", online=True
    )
    workshop.options = [discussed, secret]
    document = kinds.build_document("workshop-pack", experiment, "members", workshop_id=workshop.id)
    anchors = [s.anchor for s in document.sections]
    assert "options-discussed" in anchors
    assert "market-scan" not in anchors and "scoring" not in anchors
    assert ("Where", "Committee Room 2, Town Hall and online") in document.cover_facts
    html = render_report_html(document)
    assert "Discussed KNDPUB0010" in html and "Other KNDPUB0011" not in html
    assert "1 participants-only option withheld" in html and "KNDPAR0012" not in html
    # The cover's marking box says it once; the cover page has no header marking.
    pdf = inspect_pdf(render_report_pdf(document))
    assert pdf.pypdf_pages[0].upper().count("MEMBERS ONLY") == 1
