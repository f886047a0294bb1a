"""Helpers for the browser tests: sign-in sessions, the axe audit, titles, screenshots."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

PASSWORD = "procure-demo"
SLUG = "housing-systems"
EXPERIMENT = f"/experiments/{SLUG}"
ADMIN = "admin@demo.test"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
ROOT = Path(__file__).resolve().parents[2]
SCREENS = ROOT / "test-artifacts" / "screens"
WIDTHS = (320, 1280)

# "page: rule — why" lines for violations a test deliberately lets through; printed in
# the pytest summary so that they are never silent.
EXEMPTED: list[str] = []


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def sign_in(page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the form, as a person would."""
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    with contextlib.suppress(PlaywrightTimeout):  # the assertion below says what went wrong
        page.wait_for_url(lambda url: "/login" not in url, timeout=10_000)
    assert "/login" not in page.url, f"sign-in failed for {email}: {page_text(page)[:300]}"


def page_text(page) -> str:
    return _squash(page.locator("body").inner_text())


class Sessions:
    """One sign-in per person for the whole session; each test gets a fresh context."""

    def __init__(self, browser, base_url: str, folder: Path) -> None:
        self.browser = browser
        self.base_url = base_url
        self.folder = folder
        self.states: dict[str, str] = {}

    def _state(self, email: str) -> str:
        if email not in self.states:
            context = self.browser.new_context(base_url=self.base_url, bypass_csp=True)
            page = context.new_page()
            sign_in(page, email)
            path = self.folder / f"{email}.json"
            context.storage_state(path=str(path))
            context.close()
            self.states[email] = str(path)
        return self.states[email]

    def context(self, who: str | None, *, js: bool = True, width: int = 1280):
        context = self.browser.new_context(
            base_url=self.base_url,
            bypass_csp=True,
            java_script_enabled=js,
            viewport={"width": width, "height": 900},
            storage_state=self._state(who) if who else None,
            accept_downloads=True,
        )
        context.set_default_timeout(20_000)
        return context


@dataclass
class Auditor:
    """Runs axe-core on a page and checks its title; remembers titles to prove them unique."""

    axe: Axe = field(default_factory=Axe)
    titles: dict[str, str] = field(default_factory=dict)  # title -> path

    def problems(self, page, label: str, *, exempt: dict[str, str] | None = None) -> list[str]:
        exempt = exempt or {}
        where = f"{label} ({urlsplit(page.url).path})"
        results = self.axe.run(
            page,
            options={"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]},
        )
        found = []
        for violation in results.response["violations"]:
            if violation["id"] in exempt:
                EXEMPTED.append(f"{where}: {violation['id']} — {exempt[violation['id']]}")
                continue
            targets = "; ".join(
                " ".join(map(str, node["target"])) for node in violation["nodes"][:8]
            )
            found.append(
                f"{where}: axe rule {violation['id']} ({violation['impact']}): "
                f"{violation['help']} — {len(violation['nodes'])} node(s): {targets}"
            )
        for problem in self.title_problems(page, where):
            if "page-title" in exempt:
                EXEMPTED.append(f"{problem} — {exempt['page-title']}")
            else:
                found.append(problem)
        return found

    def title_problems(self, page, where: str) -> list[str]:
        title = _squash(page.title())
        path = urlsplit(page.url).path
        headings = [_squash(h) for h in page.locator("main h1").all_inner_texts()]
        found = []
        if len(headings) != 1:
            found.append(f"{where}: expected one <h1> in <main>, found {len(headings)}")
        elif headings[0].startswith("Redacted"):
            if "redacted" not in title.lower():
                found.append(f"{where}: the heading is redacted but the title {title!r} is not")
        elif headings[0].lower() not in title.lower():
            found.append(
                f"{where}: the title {title!r} does not contain the heading {headings[0]!r}"
            )
        if not title.endswith("– Procure"):
            found.append(f"{where}: the title {title!r} does not name the service")
        other = self.titles.setdefault(title, path)
        if other != path:
            found.append(f"{where}: the title {title!r} is also the title of {other}")
        return found

    def check(self, page, label: str, *, exempt: dict[str, str] | None = None) -> None:
        problems = self.problems(page, label, exempt=exempt)
        assert not problems, "Accessibility problems:\n" + "\n".join(problems)


def shoot(page, name: str) -> None:
    """Save full-page screenshots at 320 and 1280 px wide; fail if 320 px scrolls sideways."""
    SCREENS.mkdir(parents=True, exist_ok=True)
    before = page.viewport_size
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENS / f"{name}-{width}.png"), full_page=True)
            if width == 320:
                overflow = page.evaluate("document.documentElement.scrollWidth")
                assert overflow <= 320, (
                    f"{name} ({urlsplit(page.url).path}) scrolls sideways at 320 px: "
                    f"the page is {overflow} px wide (WCAG 1.4.10 Reflow)"
                )
    finally:
        if before:
            page.set_viewport_size(before)


def focused(page) -> dict:
    """What has the keyboard focus: tag, name, id, label text and its focus indicator."""
    return page.evaluate(
        r"""() => {
          const e = document.activeElement;
          if (!e || e === document.body) return {tag: 'body'};
          const label = (e.labels && e.labels[0]) ? e.labels[0].innerText : '';
          const s = getComputedStyle(e);
          return {tag: e.tagName.toLowerCase(), name: e.getAttribute('name') || '',
                  id: e.id || '', type: e.getAttribute('type') || '',
                  text: (label || e.innerText || e.value || '').trim().replace(/\s+/g, ' '),
                  href: e.getAttribute('href') || '',
                  outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
                    && s.outlineColor !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(s.outlineColor),
                  shadow: s.boxShadow && s.boxShadow !== 'none',
                  background: s.backgroundColor};
        }"""
    )


def tab(page, times: int = 1) -> dict:
    for _ in range(times):
        page.keyboard.press("Tab")
    return focused(page)


def tab_to(page, predicate, limit: int = 200) -> tuple[dict, list[dict]]:
    """Press Tab until ``predicate(focused)``; returns it and every stop on the way."""
    stops = []
    for _ in range(limit):
        now = tab(page)
        stops.append(now)
        if predicate(now):
            return now, stops
    raise AssertionError(f"Tab never reached the element; stops: {stops[-15:]}")


def visible_focus(state: dict) -> bool:
    return bool(state.get("outline") or state.get("shadow"))
