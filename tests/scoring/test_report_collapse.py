"""The scoring report shows *that* reasons are withheld, once per option, not a marker per cell."""

from __future__ import annotations

import pytest

from procure.extensions import db
from procure.reports import kinds
from procure.reports.document import render_report_html
from procure.sensitivity import Audience, Sensitivity
from tests.scoring.helpers import scorecard


@pytest.fixture(autouse=True)
def _scoring_closed(world):
    """Public and members reports carry scores once scoring has closed (blind.py)."""
    world.experiment.stage = "requirements"
    db.session.flush()


def test_public_report_counts_withheld_reasons_instead_of_marking_each(world):
    w = world
    public_reason = ("Public reason RPTPUB0001.", Sensitivity.PUBLIC)
    scorecard(
        w.option_a, w.org1, {w.f1: 5, w.f2: 2, w.d1: 4, w.d2: 3}, reasons={w.f1: public_reason}
    )
    scorecard(w.option_a, w.org2, {w.f1: 3, w.f2: 3, w.d1: 1, w.d2: 5})
    scorecard(
        w.option_b,
        w.org1,
        {w.f1: 1, w.f2: 1, w.d1: 2, w.d2: 2},
        sensitivity=Sensitivity.PARTICIPANTS,
    )

    document = kinds.build_document("scoring", w.experiment, Audience.PUBLIC)
    html = render_report_html(document)

    assert "Redacted: members only" not in html
    assert "Redacted: participants only" not in html
    assert "RPTPUB0001" in html
    # Apple: 8 reasons, one public; Banana: 4 participants-only reasons.
    assert "7 members-only reasons withheld from this copy." in html
    assert "4 participants-only reasons withheld from this copy." in html
    # Scores stay in a criterion × borough table.
    assert '<th class="num">A</th>' in html and '<th class="num">B</th>' in html
    assert "Columns A to B are the boroughs, anonymised." in html
    # The redaction log still lists every reason withheld.
    reasons = [i for i in document.redaction_log.as_list() if i["type"] == "score.reason"]
    assert len(reasons) == 11


def test_members_report_shows_the_reasons(world):
    w = world
    scorecard(w.option_a, w.org1, {w.f1: 5, w.f2: 2, w.d1: 4, w.d2: 3}, reason="Why RPTMEM0002.")
    html = render_report_html(kinds.build_document("scoring", w.experiment, Audience.MEMBERS))
    assert html.count("RPTMEM0002") == 4
    assert "withheld from this copy" not in html


def test_named_boroughs_get_numbered_columns_and_a_key(world):
    w = world
    scorecard(w.option_a, w.org1, {w.f1: 5, w.f2: 2, w.d1: 4, w.d2: 3})
    html = render_report_html(kinds.build_document("scoring", w.experiment, Audience.MEMBERS))
    assert '<th class="num">1</th>' in html
    assert "<strong>Boroughs:</strong> 1 Zeta Borough." in html
