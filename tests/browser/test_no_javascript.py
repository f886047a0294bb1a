"""The journeys' forms work with JavaScript switched off in the browser."""

from __future__ import annotations

import re

import pytest

from tests.browser.data import NO_JS_BOROUGH
from tests.browser.helpers import ADMIN, EXPERIMENT, page_text, sign_in

pytestmark = pytest.mark.browser


def test_sign_in_without_javascript(visit):
    page = visit(None, js=False)
    page.goto("/login")
    page.get_by_role("button", name="Sign in").click()
    assert "There is a problem" in page_text(page)
    assert page.title().startswith("Error: ")
    sign_in(page, "officer@lewisham.demo.test")
    assert "Sign out" in page_text(page)
    assert not page.evaluate("document.body.classList.contains('js-enabled')")


def test_declare_and_score_without_javascript(visit):
    page = visit(None, js=False)
    sign_in(page, f"lead@{NO_JS_BOROUGH}.demo.test")
    page.goto(f"{EXPERIMENT}/scoring/tasks")
    assert "/scoring/declaration" in page.url
    page.get_by_role("button", name="Save declaration").click()
    assert "Choose whether you have an interest to declare" in page_text(page)
    page.get_by_label("Yes, I have an interest").check()
    page.get_by_label("Describe the interest").fill("My partner works for a supplier's reseller.")
    page.get_by_role("button", name="Save declaration").click()
    assert re.search(rf"/scoring/tasks/{NO_JS_BOROUGH}$", page.url), page.url

    link = page.locator(".govuk-task-list__item", has_text="Not started").first.locator("a")
    option = link.inner_text().strip()
    link.click()
    names = page.eval_on_selector_all(
        "input[type=radio][name^=score_]", "els => [...new Set(els.map(e => e.name))]"
    )
    page.locator(f"input[name={names[0]}][value='5']").check()
    page.get_by_role("button", name="Save draft").click()
    assert f"Saved your draft scorecard for {option}" in page_text(page)

    page.get_by_role("link", name=option, exact=True).click()
    assert page.locator(f"input[name={names[0]}][value='5']").is_checked()
    for name in names:
        page.locator(f"input[name={name}][value='3']").check()
        page.locator(f"textarea[name=reason_{name.removeprefix('score_')}]").fill(
            "Scored without JavaScript."
        )
    page.get_by_role("button", name="Continue").click()
    assert f"Check your scores for {option}" in page_text(page)
    page.get_by_role("button", name="Submit scorecard").click()
    assert f"Submitted your scorecard for {option}" in page_text(page)


def test_add_workshop_notes_without_javascript(visit):
    page = visit(ADMIN, js=False)
    page.goto(f"{EXPERIMENT}/workshops")
    page.locator("main table a").first.click()
    page.get_by_role("link", name="Add a notes section").click()
    page.get_by_role("button", name="Save notes").click()
    assert "Enter a heading" in page_text(page)
    page.get_by_label("Heading").fill("Notes typed without JavaScript")
    page.get_by_label("Notes", exact=True).fill("Everything still works with scripts off.")
    page.get_by_label("Participants only", exact=True).check()
    page.get_by_role("button", name="Save notes").click()
    assert "Notes typed without JavaScript" in page_text(page)
