"""A specification PDF that is not ready yet: the progress page passes the audit, works
without JavaScript (a link to check again) and, with it, moves on to the file itself."""

from __future__ import annotations

import pytest

from tests.browser.helpers import EXPERIMENT, page_text, shoot

pytestmark = pytest.mark.browser

STATUS = EXPERIMENT + "/specification/0.1/download/pdf?status=1"


def test_the_progress_page_then_the_file(visit, audit):
    page = visit(None, js=False)
    page.goto(STATUS)
    text = page_text(page)
    assert "Check again" in text or "Download the PDF" in text, text
    problems = audit.problems(page, "specification PDF progress page")
    assert not problems, "Accessibility problems:\n" + "\n".join(problems)
    shoot(page, "spec-pdf-progress")

    page = visit(None)
    with page.expect_download(timeout=180_000) as download:
        page.goto(STATUS)
    assert download.value.suggested_filename.endswith("-spec-0.1-public.pdf")
