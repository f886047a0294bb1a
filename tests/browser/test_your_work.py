"""Your work in a real browser: a lead signs in, finds a scorecard due, submits it from
there, and it leaves the list. Your work and the deadlines page pass axe."""

from __future__ import annotations

import pytest

from tests.browser.data import WORK_BOROUGH
from tests.browser.helpers import ADMIN, EXPERIMENT, page_text, shoot, sign_in
from tests.browser.test_journeys import score_everything

pytestmark = pytest.mark.browser

LEAD = f"lead@{WORK_BOROUGH}.demo.test"


def test_a_lead_submits_a_due_scorecard_from_your_work(visit, audit):
    page = visit(None)
    sign_in(page, LEAD)
    assert page.url.endswith("/work"), page.url
    audit.check(page, "your work")
    shoot(page, "your-work")
    item = page.locator(".govuk-task-list__item", has_text="Score ").first
    text = item.inner_text()
    assert "Due " in text and "(in 3 days)" in text, text
    link = item.locator("a")
    name = link.inner_text().removeprefix("Score ").strip()
    link.click()
    assert f"/scoring/tasks/{WORK_BOROUGH}/" in page.url, page.url
    score_everything(page, "3")
    page.get_by_role("button", name="Continue").click()  # to check your answers
    page.get_by_role("button", name="Submit scorecard").click()
    assert f"Submitted your scorecard for {name}" in page_text(page)
    page.get_by_role("link", name="Your work", exact=True).click()
    assert f"Score {name}" not in page_text(page)
    page.get_by_role("link", name="See all experiments").click()
    assert page.url.endswith("/") and "/work" not in page.url, page.url


def test_the_deadlines_page_passes_the_audit(visit, audit):
    page = visit(ADMIN)
    page.goto(f"{EXPERIMENT}/deadlines")
    audit.check(page, "deadlines")
    shoot(page, "deadlines")
    page.get_by_role("button", name="Save deadlines").click()
    assert "Saved the deadlines" in page_text(page)


def test_the_progress_page_passes_the_audit(visit, audit):
    page = visit(ADMIN)
    page.goto(EXPERIMENT)
    page.get_by_role("link", name="Progress", exact=True).click()
    assert page.url.endswith("/progress"), page.url
    audit.check(page, "progress")
    shoot(page, "progress")
    assert "London Borough of Sutton" in page.locator("#progress-table").inner_text()
