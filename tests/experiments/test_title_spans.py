"""A span typed into the experiment's title never reaches a lower audience (issue 18).

Tried as a convenor would: on the demo experiment's edit page the title becomes
``Housing management systems [[participants: TOKEN]]``. The form accepts it, since a
title may hold a span, and from then on no page a visitor who is not signed in can
reach, and no PDF rendered for the public, holds the token anywhere: page text,
``<title>``, breadcrumbs, link text, attributes, PDF text, metadata or bookmarks.
"""

from __future__ import annotations

import sqlalchemy as sa

from procure.demo import load_demo
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.reports.document import render_report_pdf
from procure.reports.kinds import KINDS, ReportError, build_document
from procure.sensitivity import Audience
from tests.factories import AdminFactory
from tests.helpers import post_form
from tests.redaction import assert_html_redacted, assert_redacted, inspect_pdf

SECRET = "ZQX7KPAR9901"
MEMBERS_SECRET = "ZQX7KMEM9902"
TITLE = f"Housing management systems [[participants: {SECRET}]] [[members: {MEMBERS_SECRET}]]"
PAGES = (
    "/",
    "/experiments/housing-systems",
    "/experiments/housing-systems/market",
    "/experiments/housing-systems/landscape",
    "/experiments/housing-systems/scoring",
    "/experiments/housing-systems/requirements",
    "/experiments/housing-systems/specification",
    "/experiments/housing-systems/workshops",
)


def _retitle(client, as_user) -> Experiment:
    load_demo()
    experiment = db.session.scalar(
        sa.select(Experiment).where(Experiment.slug == "housing-systems")
    )
    as_user(AdminFactory())
    url = f"/experiments/{experiment.slug}/edit"
    form = {
        "title": TITLE,
        "slug": experiment.slug,
        "domain": experiment.domain,
        "summary": experiment.summary,
        "problem_statement": experiment.problem_statement or "",
        "outcomes": experiment.outcomes or "",
        "public_scores": experiment.public_scores,
        "quadrant_threshold": str(experiment.quadrant_threshold),
        "version": str(experiment.version),
    }
    response = post_form(client, url, form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.refresh(experiment)
    assert experiment.title == TITLE
    client.post("/logout", data={})
    with client.session_transaction() as session:
        session.clear()
    return experiment


def test_a_span_in_the_title_reaches_no_anonymous_page(client, as_user):
    _retitle(client, as_user)
    seen = 0
    for url in PAGES:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert_html_redacted(
            html, forbidden=[SECRET, MEMBERS_SECRET], required=["Housing management systems"]
        )
        seen += 1
    assert seen == len(PAGES)


def test_a_span_in_the_title_reaches_no_public_pdf(client, as_user, app):
    experiment = _retitle(client, as_user)
    rendered = 0
    for kind in KINDS:
        with app.test_request_context():
            try:
                document = build_document(kind, experiment, Audience.PUBLIC)
            except ReportError:
                continue  # e.g. no public workshop: nothing to render
            pdf = render_report_pdf(document)
        inspection = inspect_pdf(pdf)
        assert_redacted(
            inspection,
            forbidden=[SECRET, MEMBERS_SECRET],
            required=["Housing management systems"],
        )
        assert SECRET not in document.title
        rendered += 1
    assert rendered >= 3


def test_members_read_the_members_span_but_not_the_participants_one(client, as_user):
    from procure.accounts.models import User

    _retitle(client, as_user)
    officer = db.session.scalar(sa.select(User).where(User.email == "officer@lewisham.demo.test"))
    as_user(officer)
    html = client.get("/experiments/housing-systems").get_data(as_text=True)
    assert MEMBERS_SECRET in html
    assert SECRET not in html
