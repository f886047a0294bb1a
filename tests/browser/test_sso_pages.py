"""Sign-in with the council's account in the browser, against a real provider on loopback:
the sign-in page with its button, the waiting page, the refusal page and Approvals pass axe."""

from __future__ import annotations

from urllib.parse import quote

import oidc_provider_mock
import pytest
import requests
import sqlalchemy as sa

from procure.accounts.models import Organisation
from procure.extensions import db
from tests.browser.helpers import ADMIN, page_text, shoot

pytestmark = pytest.mark.browser


@pytest.fixture
def council_sign_in(live_app, live_server, monkeypatch):
    with oidc_provider_mock.run_server_in_thread() as server:
        issuer = f"http://localhost:{server.server_port}"
        monkeypatch.setitem(live_app.config, "OIDC_ISSUER", issuer)
        monkeypatch.setitem(live_app.config, "OIDC_CLIENT_ID", "procure-browser")
        monkeypatch.setitem(live_app.config, "OIDC_CLIENT_SECRET", "not-a-real-secret")
        monkeypatch.setitem(live_app.config, "PUBLIC_URL", live_server)
        with live_app.app_context():
            camden = db.session.scalar(sa.select(Organisation).where(Organisation.slug == "camden"))
            camden.email_domains = "camden.demo.test"
            db.session.commit()
        try:
            yield issuer
        finally:
            with live_app.app_context():
                camden = db.session.scalar(
                    sa.select(Organisation).where(Organisation.slug == "camden")
                )
                camden.email_domains = ""
                db.session.commit()


def _through_provider(page, issuer, sub, **claims):
    response = requests.put(f"{issuer}/users/{quote(sub, safe='')}", json=claims, timeout=5)
    assert response.status_code == 204
    page.goto("/login")
    page.get_by_role("button", name="Sign in with your council account").click()
    page.wait_for_url(f"{issuer}/**")
    page.fill('input[name="sub"]', sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()


def test_council_sign_in_pages_pass_the_audit(visit, audit, council_sign_in):
    problems = []
    page = visit(None)
    page.goto("/login")
    problems += audit.problems(page, "Sign in, with the council account button")
    shoot(page, "sso-login")

    _through_provider(
        page,
        council_sign_in,
        "newcomer-1",
        email="newcomer@camden.demo.test",
        email_verified=True,
        name="Nia Newcomer",
    )
    assert "waiting for approval" in page_text(page)
    problems += audit.problems(page, "Waiting for approval")
    shoot(page, "sso-pending")

    _through_provider(
        page, council_sign_in, "stranger-1", email="someone@elsewhere.test", email_verified=True
    )
    assert "does not use Procure yet" in page_text(page)
    problems += audit.problems(page, "Refused: unknown domain")
    shoot(page, "sso-refused")

    admin = visit(ADMIN)
    admin.goto("/admin/approvals")
    assert "Nia Newcomer" in page_text(admin)
    problems += audit.problems(admin, "People waiting for approval")
    shoot(admin, "sso-approvals")
    admin.get_by_role("button", name="Approve Nia Newcomer").click()
    assert "can now sign in" in page_text(admin)

    _through_provider(
        page,
        council_sign_in,
        "newcomer-1",
        email="newcomer@camden.demo.test",
        email_verified=True,
        name="Nia Newcomer",
    )
    assert "Signed in as Nia Newcomer" in page_text(page)
    assert not problems, "Accessibility problems:\n" + "\n".join(problems)
