"""The main journeys in a real browser, each page audited with axe-core as it is reached.

Every form on a journey is also submitted empty once and its error state audited.
Screenshots of the key pages go to test-artifacts/screens/ at 320 and 1280 px.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pypdf
import pytest

from tests.browser.data import JOURNEY_BOROUGH, JOURNEY_OPTIONS
from tests.browser.helpers import (
    ADMIN,
    EXPERIMENT,
    SCREENS,
    page_text,
    shoot,
    sign_in,
)
from tests.redaction import assert_redacted

pytestmark = pytest.mark.browser

LEAD = f"lead@{JOURNEY_BOROUGH}.demo.test"
BOROUGH_NAME = "London Borough of Sutton"
OFFICER = "officer@hackney.demo.test"
WORKSHOP_TITLE = "Supplier demonstrations review"
MEMBERS_NOTE = "ZQX7KMEM8801 members only: suppliers asked for more time"
PARTICIPANTS_NOTE = "ZQX7KPAR8802 participants only: the quoted price per borough"


def expect_error_summary(page) -> str:
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert page.title().startswith("Error: "), page.title()
    # GOV.UK Frontend moves focus to the summary, so screen readers announce it.
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('govuk-error-summary')"
    )
    return summary.inner_text()


def score_everything(page, score: str, *, only_first: int | None = None) -> int:
    """Choose ``score`` and write a reason for each criterion (or the first few)."""
    names = page.eval_on_selector_all(
        "input[type=radio][name^=score_]",
        "els => [...new Set(els.map(e => e.name))]",
    )
    assert names, "the scorecard has no score fields"
    for name in names[:only_first]:
        page.locator(f"input[name={name}][value='{score}']").check()
        page.locator(f"textarea[name=reason_{name.removeprefix('score_')}]").fill(
            f"Scored {score} in the browser journey after the supplier demonstration."
        )
    return len(names)


def progress_of(page, borough: str) -> tuple[int, int]:
    """From the dashboard's "Who has submitted": (options submitted, options to score)."""
    listed = page.locator("#progress + .govuk-list").inner_text()
    found = re.search(rf"{borough}: (\d+) of (\d+) options submitted", listed)
    assert found, listed
    return int(found[1]), int(found[2])


def test_procurement_lead_declares_scores_and_submits(visit, audit):
    page = visit(None)
    page.goto("/login")
    audit.check(page, "sign-in")
    page.get_by_role("button", name="Sign in").click()
    expect_error_summary(page)
    audit.check(page, "sign-in with errors")
    sign_in(page, LEAD)

    page.goto(f"{EXPERIMENT}/scoring")
    # Blind scoring: with scorecards still to submit she sees no other borough's scores.
    blind = page.locator(
        ".govuk-notification-banner", has_text="blind until you submit"
    ).inner_text()
    found = re.search(rf"{BOROUGH_NAME} has submitted (\d+) of (\d+) scorecards", blind)
    assert found, blind
    submitted, total_options = int(found[1]), int(found[2])
    assert submitted == total_options - JOURNEY_OPTIONS
    assert page.locator("#ranking, #chart, #borough-rankings, #agenda").count() == 0
    audit.check(page, "scoring dashboard (lead, blind)")
    shoot(page, "lead-0-blind-dashboard")
    page.get_by_role("link", name="Score the options").click()
    # Not declared yet: scoring starts with the declaration of interest.
    assert "/scoring/declaration" in page.url
    audit.check(page, "declaration")
    shoot(page, "lead-1-declaration")
    page.get_by_role("button", name="Save declaration").click()
    assert "Choose whether you have an interest to declare" in expect_error_summary(page)
    audit.check(page, "declaration with errors")
    page.get_by_label("No, I have no interest to declare").check()
    page.get_by_role("button", name="Save declaration").click()

    assert re.search(rf"/scoring/tasks/{JOURNEY_BOROUGH}$", page.url), page.url
    assert "Saved your declaration" in page_text(page)
    audit.check(page, "scorecard task list")
    tasks = page.locator(".govuk-task-list__link")
    names = [n.strip() for n in tasks.all_inner_texts()][:JOURNEY_OPTIONS]
    assert len(names) == JOURNEY_OPTIONS

    # The first option: a half-done draft, then completed and submitted.
    page.get_by_role("link", name=names[0], exact=True).click()
    audit.check(page, "scorecard")
    shoot(page, "lead-2-scorecard")
    page.get_by_role("button", name="Continue").click()
    expect_error_summary(page)
    audit.check(page, "scorecard submitted empty")
    total = score_everything(page, "4", only_first=3)
    page.get_by_role("button", name="Save draft").click()
    assert f"Saved your draft scorecard for {names[0]}" in page_text(page)
    row = page.locator(".govuk-task-list__item", has_text=names[0])
    assert f"3 of {total} criteria scored" in row.inner_text()
    shoot(page, "lead-3-tasks-with-draft")

    page.get_by_role("link", name=names[0], exact=True).click()
    assert page.locator("input[type=radio][value='4']:checked").count() == 3
    score_everything(page, "3")
    page.get_by_role("button", name="Continue").click()
    # Check your answers: every score with a change link, then submit.
    assert f"Check your scores for {names[0]}" in page_text(page)
    audit.check(page, "check your answers")
    shoot(page, "lead-3b-check-answers")
    changes = page.get_by_role("link", name=re.compile(r"^Change the score for "))
    assert changes.count() == total
    page.get_by_role("button", name="Submit scorecard").click()
    assert f"Submitted your scorecard for {names[0]}" in page_text(page)

    # The second option in one go.
    page.get_by_role("link", name=names[1], exact=True).click()
    score_everything(page, "2")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Submit scorecard").click()
    assert f"Submitted your scorecard for {names[1]}" in page_text(page)
    audit.check(page, "task list after submitting")

    page.get_by_role("link", name="Scoring", exact=True).click()
    # Submitted: now she sees every borough's scores.
    assert page.locator(".govuk-notification-banner", has_text="blind").count() == 0
    assert page.locator("#ranking").count() == 1
    assert progress_of(page, BOROUGH_NAME) == (total_options, total_options)
    ranking = page.locator("#borough-rankings + .procure-table-scroll thead").inner_text()
    assert BOROUGH_NAME in ranking
    audit.check(page, "scoring dashboard (lead)")
    shoot(page, "lead-4-dashboard")

    # Her borough's own weights: the dashboard then ranks the options under them.
    page.goto(f"{EXPERIMENT}/scoring/tasks/{JOURNEY_BOROUGH}")
    page.get_by_role("link", name=re.compile("own criterion weights")).click()
    audit.check(page, "own weights")
    page.get_by_label("Cost within budgets (feasibility)").fill("0")
    page.get_by_role("button", name="Save our weights").click()
    assert "Weight must be a whole number from 1 to 100" in expect_error_summary(page)
    page.get_by_label("Cost within budgets (feasibility)").fill("6")
    page.get_by_role("button", name="Save our weights").click()
    assert f"Saved {BOROUGH_NAME}’s own weights" in page_text(page)
    own = page.locator("#own-weights ~ .procure-table-scroll").first.inner_text()
    assert BOROUGH_NAME in own and "Cost within budgets 6" in own
    assert re.search(r"No clear winner|is a clear first", page.locator("#close-call").inner_text())
    audit.check(page, "scoring dashboard with own weights")
    shoot(page, "lead-5-own-weights")


def wait_for_export(page, audit, label: str) -> bytes:
    """On the progress page: audit it, wait (a script polls its status block) until the file is ready."""
    assert re.search(r"/reports/\d+$", page.url), page.url
    audit.check(page, f"{label} progress")
    download = page.get_by_role("link", name="Download the PDF")
    download.wait_for(timeout=120_000)
    assert "Done" in page.locator("main .govuk-tag").first.inner_text()
    audit.check(page, f"{label} ready")
    with page.expect_download() as info:
        download.click()
    data = Path(info.value.path()).read_bytes()
    assert data.startswith(b"%PDF"), data[:20]
    return data


def export_pack(page, audit, audience: str, label: str) -> bytes:
    page.goto(f"{EXPERIMENT}/reports")
    page.get_by_label("Workshop pack", exact=True).check()
    page.locator(f"input[name=audience][value={audience}]").check()
    select = page.get_by_label("Workshop (for a workshop pack)")
    value = select.locator("option", has_text=WORKSHOP_TITLE).first.get_attribute("value")
    select.select_option(value)
    page.get_by_role("button", name="Export PDF").click()
    return wait_for_export(page, audit, label)


def add_note(page, audit, heading: str, body: str, who_can_read: str, *, empty_first=False):
    page.get_by_role("link", name="Add a notes section").click()
    if empty_first:
        audit.check(page, "notes form")
        page.get_by_role("button", name="Save notes").click()
        assert "Enter the notes" in expect_error_summary(page)
        audit.check(page, "notes form with errors")
    page.get_by_label("Heading").fill(heading)
    page.get_by_label("Notes", exact=True).fill(body)
    page.get_by_label(who_can_read, exact=True).check()
    page.get_by_role("button", name="Save notes").click()
    assert heading in page_text(page)


def test_convenor_records_a_workshop_and_exports_public_and_participants_packs(visit, audit):
    page = visit(ADMIN)
    page.goto(f"{EXPERIMENT}/workshops")
    audit.check(page, "workshops")
    page.get_by_role("link", name="Add a workshop").click()
    audit.check(page, "new workshop form")
    page.get_by_role("button", name="Save workshop").click()
    assert "Enter a title" in expect_error_summary(page)
    audit.check(page, "new workshop form with errors")

    day = date.today() + timedelta(days=14)
    page.get_by_label("Title").fill(WORKSHOP_TITLE)
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Place").fill("Committee room 2, Camden Town Hall")
    page.get_by_label("Stage of the experiment").select_option("scoring")
    page.get_by_label("Purpose").fill("Review what the shortlisted suppliers demonstrated.")
    page.get_by_label("Public", exact=True).check()
    page.get_by_role("button", name="Save workshop").click()
    assert page.locator("main h1").inner_text() == WORKSHOP_TITLE

    add_note(page, audit, "What members heard", MEMBERS_NOTE, "Members only", empty_first=True)
    add_note(page, audit, "Prices", PARTICIPANTS_NOTE, "Participants only")
    audit.check(page, "workshop with notes")
    shoot(page, "convenor-1-workshop")

    page.goto(f"{EXPERIMENT}/reports")
    audit.check(page, "reports")
    # The export form with nothing chosen (a person can clear radios with no JavaScript
    # only by editing the page, so do that here).
    page.evaluate("document.querySelectorAll('input[type=radio]').forEach(r => r.checked = false)")
    page.get_by_role("button", name="Export PDF").click()
    assert "Choose a report" in expect_error_summary(page)
    audit.check(page, "reports form with errors")

    public = export_pack(page, audit, "public", "public workshop pack")
    shoot(page, "convenor-2-export-ready")
    participants = export_pack(page, audit, "participants", "participants workshop pack")
    SCREENS.mkdir(parents=True, exist_ok=True)
    (SCREENS / "workshop-pack-public.pdf").write_bytes(public)
    (SCREENS / "workshop-pack-participants.pdf").write_bytes(participants)

    members_token, participants_token = MEMBERS_NOTE.split()[0], PARTICIPANTS_NOTE.split()[0]
    assert_redacted(
        public, forbidden=[members_token, participants_token], required=[WORKSHOP_TITLE]
    )
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(public)).pages)
    # The withheld notes are counted in one line, by level, rather than boxed one by one.
    assert "1 members-only and 1 participants-only note sections withheld" in text
    assert_redacted(participants, forbidden=[], required=[members_token, participants_token])

    page.goto(f"{EXPERIMENT}/reports")
    listed = page.locator("main table tbody tr", has_text="Workshop pack")
    assert listed.count() >= 2
    shoot(page, "convenor-3-reports")


def test_borough_officer_downloads_specification_and_reads_the_change_log(visit, audit):
    page = visit(OFFICER)
    page.goto(EXPERIMENT)
    page.get_by_role("link", name="Specification versions").click()
    audit.check(page, "specification versions")
    page.get_by_role("link", name="Version 1.0", exact=True).click()
    assert page.locator("main h1").inner_text() == "Specification version 1.0"
    audit.check(page, "specification 1.0")
    shoot(page, "officer-1-specification")

    # The PDF comes from the report pipeline: a progress page first, then the file.
    version_url = page.url
    with page.expect_download(timeout=180_000) as info:
        page.get_by_role("link", name=re.compile(r"^PDF of version 1\.0 for participants")).click()
    assert info.value.suggested_filename.endswith(".pdf")
    pdf = Path(info.value.path()).read_bytes()
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    assert "REQ-001" in "".join(p.extract_text() for p in reader.pages)
    page.goto(version_url)  # the download left the progress page open: back to the version

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"^XLSX of version 1\.0 for participants")).click()
    assert info.value.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    cells = [c for row in book.worksheets[0].iter_rows(values_only=True) for c in row]
    assert "REQ-001" in cells
    book.close()

    change_log = page.get_by_role("heading", name="Change log")
    change_log.scroll_into_view_if_needed()
    log = page.locator("main").inner_text().split("Change log", 1)[1]
    assert re.search(r"\b(Added|Changed|Withdrawn)\b", log), log[:300]
    assert re.search(r"REQ-\d{3}", log)


def test_visitor_reads_a_published_experiment_with_redaction_markers(visit, audit):
    page = visit(None)
    page.goto("/")
    audit.check(page, "experiments (visitor)")
    page.get_by_role("link", name="Housing management systems").first.click()
    assert page.url.endswith(EXPERIMENT)
    audit.check(page, "experiment overview (visitor)")
    shoot(page, "visitor-1-experiment")

    page.get_by_role("link", name="Workshops", exact=True).click()
    page.locator("main table a").first.click()
    audit.check(page, "workshop (visitor)")
    markers = page.locator(".procure-redacted")
    assert markers.count() > 0
    assert re.fullmatch(r"Redacted: (members|participants) only", markers.first.inner_text())
    text = page_text(page)
    assert "declined to share a product roadmap" not in text
    shoot(page, "visitor-2-workshop")

    page.get_by_role("link", name="Scoring", exact=True).click()
    text = page_text(page)
    assert "£40k" not in text
    assert "Redacted" in text or "Borough A" in text
    audit.check(page, "scoring dashboard (visitor)")
    shoot(page, "visitor-3-dashboard")

    page.get_by_role("link", name="Accessibility statement").click()
    audit.check(page, "accessibility statement")
    assert "2.2 AA" in page_text(page)
