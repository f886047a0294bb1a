"""What the journeys do not cover: a crawl of the experiment's sections, the keyboard,
focus, error summaries and charts. axe-core cannot judge most of these, so they are
checked here in the browser."""

from __future__ import annotations

import re

import pytest

from tests.browser.data import KEYBOARD_BOROUGH
from tests.browser.helpers import (
    ADMIN,
    EXPERIMENT,
    focused,
    page_text,
    shoot,
    tab,
    tab_to,
    visible_focus,
)

pytestmark = pytest.mark.browser

SECTION_NAV = 'nav[aria-label="Experiment sections"] a'


@pytest.mark.parametrize("who", [ADMIN, None], ids=["admin", "visitor"])
def test_every_section_of_the_experiment_passes_the_audit(visit, audit, who):
    page = visit(who)
    page.goto(EXPERIMENT)
    links = page.eval_on_selector_all(
        SECTION_NAV, "els => els.map(e => [e.innerText.trim(), e.getAttribute('href')])"
    )
    assert len(links) >= 8, links
    problems = []
    for label, href in links:
        page.goto(href)
        problems += audit.problems(page, f"{label} as {who or 'a visitor'}")
    assert not problems, "Accessibility problems:\n" + "\n".join(problems)


def test_sign_in_with_the_keyboard_alone(visit):
    page = visit(None)
    page.goto("/login")
    skip = tab(page)
    assert skip["text"] == "Skip to main content" and skip["href"] == "#main-content", skip
    assert visible_focus(skip), skip
    box = page.locator(".govuk-skip-link").bounding_box()
    assert box and box["height"] > 10, "the skip link stays hidden when focused"
    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.id == 'main-content'")

    email, stops = tab_to(page, lambda f: f["name"] == "email")
    assert not [s for s in stops[:-1] if s["tag"] in ("input", "button")], stops
    assert visible_focus(email), email
    page.keyboard.type("lead@camden.demo.test")
    password = tab(page)
    assert password["name"] == "password" and visible_focus(password), password
    page.keyboard.type("procure-demo")
    button, stops = tab_to(page, lambda f: f["text"] == "Sign in", limit=3)
    assert visible_focus(button), button
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"^(?!.*/login)"))
    assert "Sign out" in page_text(page)


def test_error_summary_takes_focus_and_leads_to_the_field(visit):
    page = visit(None)
    page.goto("/login")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('govuk-error-summary')"
    )
    first = page.locator(".govuk-error-summary__list a").first
    target = first.get_attribute("href")
    first.click()
    assert "#" + focused(page)["id"] == target, (target, focused(page))


def test_scorecard_with_the_keyboard_alone(visit):
    page = visit(f"lead@{KEYBOARD_BOROUGH}.demo.test")
    page.goto(f"{EXPERIMENT}/scoring/tasks/{KEYBOARD_BOROUGH}")
    page.locator(".govuk-task-list__item", has_text="Draft").first.locator("a").click()
    fields = page.eval_on_selector_all(
        "main form [name^=score_], main form [name^=reason_], main form [name^=sensitivity_]",
        "els => els.map(e => e.name).filter((n, i, all) => all.indexOf(n) === i)",
    )
    assert fields, "no scorecard fields"
    # An unscored criterion, to score with the keyboard.
    empty = page.evaluate(
        """() => [...new Set([...document.querySelectorAll('input[name^=score_]')].map(e => e.name))]
              .find(n => !document.querySelector(`input[name=${n}]:checked`))"""
    )
    assert empty, "the demo draft has every criterion scored already"

    order = []
    stop = focused(page)
    for _ in range(300):
        stop = tab(page)
        if stop["name"] in fields:
            assert visible_focus(stop), f"no visible focus on {stop}"
            if not order or order[-1] != stop["name"]:
                order.append(stop["name"])
        if stop["name"] == empty:
            page.keyboard.press("Space")
            for _ in range(3):
                page.keyboard.press("ArrowRight")
            assert focused(page)["name"] == empty
            assert page.locator(f"input[name={empty}]:checked").get_attribute("value") == "3"
            page.keyboard.press("Tab")
            page.keyboard.type("Scored with the keyboard alone.")
            order.append(focused(page)["name"])
        if stop["text"] == "Save draft":
            break
    assert stop["text"] == "Save draft", "Tab never reached Save draft"
    assert visible_focus(stop), stop
    assert order == fields, f"Tab order {order} is not the order of the fields {fields}"
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/scoring/tasks/{KEYBOARD_BOROUGH}$"))
    assert "Saved your draft scorecard" in page_text(page)


def test_charts_have_text_alternatives_and_tables_of_the_same_figures(visit):
    page = visit(ADMIN)
    for path in (f"{EXPERIMENT}/scoring", f"{EXPERIMENT}/landscape"):
        page.goto(path)
        charts = page.locator("main figure svg")
        assert charts.count() >= 1, f"no chart on {path}"
        for index in range(charts.count()):
            chart = charts.nth(index)
            assert chart.get_attribute("role") == "img", path
            ids = (chart.get_attribute("aria-labelledby") or "").split()
            assert len(ids) == 2, f"{path}: chart needs a title and a description: {ids}"
            title, desc = (chart.locator(f"[id='{i}']") for i in ids)
            assert title.evaluate("e => e.tagName") == "title" and title.text_content().strip()
            assert desc.evaluate("e => e.tagName") == "desc" and desc.text_content().strip()
        assert page.locator("main table").count() >= 1, f"no table of figures on {path}"
        shoot(page, "chart-" + path.rsplit("/", 1)[1])

    page.goto(f"{EXPERIMENT}/scoring")
    points = page.locator("main figure svg g title, main figure svg title").all_text_contents()
    figures = [
        re.match(r"\d+\. (.+): feasibility ([\d.]+) .*desirability ([\d.]+)", p) for p in points
    ]
    figures = [f for f in figures if f]
    assert figures, points
    for found in figures:
        name, feasibility, desirability = found.groups()
        row = page.locator("#ranking + .procure-table-scroll tbody tr", has_text=name)
        text = row.first.inner_text()
        assert feasibility in text and desirability in text, (name, text)


def test_a_table_that_scrolls_sideways_can_be_reached_with_the_keyboard(visit, audit):
    """At 320 px the dashboard's borough ranking overflows its box: the box becomes a
    named region in the tab order, with a visible focus, and scrolls with the arrow keys.
    At 1280 px the tables that fit add no tab stop."""
    page = visit(ADMIN, width=320)
    page.goto(f"{EXPERIMENT}/scoring")
    regions = page.locator('main .procure-table-scroll[role="region"][tabindex="0"]')
    assert regions.count() >= 1
    region = regions.first
    assert region.get_attribute("aria-label")
    region.focus()
    assert visible_focus(focused(page)), "the focused scroll region shows no focus indicator"
    before = region.evaluate("box => box.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("box => box.scrollLeft > 0", arg=region.element_handle())
    assert region.evaluate("box => box.scrollLeft") > before
    audit.check(page, "scoring dashboard at 320 px")

    wide = visit(ADMIN, width=1280)
    wide.goto(f"{EXPERIMENT}/scoring")
    fitting = wide.locator("main .procure-table-scroll").evaluate_all(
        "boxes => boxes.filter(b => b.scrollWidth <= b.clientWidth + 1)"
        ".map(b => b.getAttribute('tabindex'))"
    )
    assert fitting and all(t is None for t in fitting), fitting


def test_procurement_pages_pass_the_audit(visit, audit):
    """The notice's edit form and the conflicts assessment are not in the section links."""
    page = visit(ADMIN)
    problems = []
    for path, label in (
        ("/engagement/new", "Engagement activity form"),
        ("/notice", "UK2 notice"),
        ("/notice/edit", "UK2 notice form"),
        ("/conflicts", "Conflicts assessment"),
    ):
        response = page.goto(EXPERIMENT + path)
        assert response.status == 200, f"{label}: {response.status}"
        problems += audit.problems(page, label)
        shoot(page, f"procurement{path.replace('/', '-')}")
    assert not problems, "Accessibility problems:\n" + "\n".join(problems)


def test_a_workshop_page_exports_its_pack_and_adds_several_attendees(visit, audit):
    page = visit(ADMIN)
    page.goto(f"{EXPERIMENT}/workshops")
    hrefs = page.eval_on_selector_all("main a", "els => els.map(e => e.getAttribute('href'))")
    page.goto(next(h for h in hrefs if h and re.search(r"/workshops/\d+$", h)))
    problems = audit.problems(page, "a workshop as staff")
    export = page.get_by_role("link", name="Export this workshop’s pack (PDF)")
    assert "kind=workshop-pack" in (export.get_attribute("href") or "")

    page.get_by_role("link", name="Add several people with accounts").click()
    problems += audit.problems(page, "add several attendees")
    shoot(page, "workshop-add-several-attendees")
    page.get_by_role("button", name="Add attendees").click()
    assert "Choose at least one person" in page_text(page)
    problems += audit.problems(page, "add several attendees, nothing chosen")
    page.locator("input[name='user_ids']").first.check()
    page.get_by_role("button", name="Add attendees").click()
    assert "Added 1 attendee" in page_text(page)
    assert not problems, "Accessibility problems:\n" + "\n".join(problems)
