"""Bad requests write nothing: forged CSRF, tampered ids in form fields, oversized uploads.

Tampered ids in URLs are rows of the access table (test_access_table.py); here
are the ids hidden in form fields, and requests a browser would never send.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from procure.extensions import db
from procure.governance.models import ShareLink
from procure.market.models import LandscapeEntry, Option
from procure.reports.models import ReportExport
from procure.requirements.models import Requirement
from procure.workshops.models import Workshop
from tests.conftest import login
from tests.governance.test_access_table import AD, ALL_ROWS, OL, PL, _snapshot, build_world
from tests.helpers import csrf_token

POST_ROWS = [row for row in ALL_ROWS if row.method == "POST"]


@pytest.fixture
def world(app, db_session):
    """The access table's world: two experiments, every kind of person."""
    return build_world(app, db_session)


def _path(row, world) -> str:
    mine, other = world.ids["published"], world.ids["draft"]
    return row.path.format(**mine, **{f"o_{k}": v for k, v in other.items()})


@pytest.mark.parametrize("forgery", ["missing", "made up", "another session's"])
def test_forged_csrf_is_refused_everywhere_and_writes_nothing(app, client, as_user, world, forgery):
    """Every POST route, as an admin (who may do everything): 400 and no change at all."""
    token = {"missing": None, "made up": "IjEyMzQ1Njc4OTAi.forged.token"}.get(forgery)
    if forgery == "another session's":
        other = app.test_client()
        login(other, world.people[PL])
        token = csrf_token(other, "/")
    as_user(world.people[AD])
    before = _snapshot()
    failures = []
    for row in POST_ROWS:
        path = _path(row, world)
        data = {"publish": "y", "reason": "x", "summary": "forged"}
        if token:
            data["csrf_token"] = token
        got = client.post(path, data=data).status_code
        if got != 400:
            failures.append(f"admin POST {path} with a {forgery} token expected 400 got {got}")
    assert not failures, "\n".join(failures)
    assert _snapshot() == before, "a forged post changed the database"


# --- ids of other things in form fields --------------------------------------------------------


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _post(client, url: str, data: dict):
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data})


def test_a_requirement_cannot_cite_another_experiments_workshop(client, as_user, world):
    as_user(world.people[AD])
    pub, draft = world.ids["published"], world.ids["draft"]
    before = _count(Requirement)
    response = _post(
        client,
        f"/experiments/{pub['slug']}/requirements/new",
        {
            "title": "Tampered source",
            "statement": "The system must do this.",
            "category": "Functional",
            "priority": "must",
            "sensitivity": "public",
            "source": f"workshop:{draft['workshop']}",
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert _count(Requirement) == before


def test_a_workshop_cannot_link_another_experiments_option(client, as_user, world, db_session):
    as_user(world.people[AD])
    pub, draft = world.ids["published"], world.ids["draft"]
    url = f"/experiments/{pub['slug']}/workshops/{pub['workshop']}/discussed"
    response = _post(client, url, {"option_ids": str(draft["option"])})
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db.session.get(Workshop, pub["workshop"]).options == []


def test_a_landscape_row_cannot_point_at_another_experiments_option(client, as_user, world):
    as_user(world.people[PL])
    pub, draft = world.ids["published"], world.ids["draft"]
    url = f"/experiments/{pub['slug']}/landscape/{pub['org_a']}/edit"
    response = _post(
        client,
        url,
        {
            "option_id": str(draft["option"]),
            "product_name": "Tampered",
            "supplier": "Someone",
            "contract_end": ["31", "3", "2028"],
            "extension_months": "0",
            "cost_sensitivity": "participants",
            "sensitivity": "members",
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    entries = db.session.scalars(
        sa.select(LandscapeEntry.product_name).where(LandscapeEntry.option_id == draft["option"])
    ).all()
    assert "Tampered" not in entries


def test_a_share_link_cannot_name_another_experiments_version(client, as_user, world):
    as_user(world.people[AD])
    pub, draft = world.ids["published"], world.ids["draft"]
    from procure.requirements.models import SpecificationVersion

    other_version = db.session.scalar(
        sa.select(SpecificationVersion.id).where(SpecificationVersion.number == draft["spec"])
    )
    before = _count(ShareLink)
    expires = date.today() + timedelta(days=5)
    response = _post(
        client,
        f"/experiments/{pub['slug']}/share",
        {
            "target": f"spec:{other_version}:csv",
            "audience": "public",
            "label": "Tampered",
            "expires_on": [str(expires.day), str(expires.month), str(expires.year)],
        },
    )
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert _count(ShareLink) == before


def test_a_report_cannot_be_made_of_another_experiments_workshop(client, as_user, world):
    as_user(world.people[AD])
    pub, draft = world.ids["published"], world.ids["draft"]
    before = _count(ReportExport)
    response = _post(
        client,
        f"/experiments/{pub['slug']}/reports",
        {"kind": "workshop-pack", "audience": "public", "workshop_id": str(draft["workshop"])},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.get_data(as_text=True)
    assert _count(ReportExport) == before


def test_a_lead_cannot_import_another_boroughs_contract(client, as_user, world):
    """A spreadsheet row naming borough B, uploaded by borough A's lead: a problem, not a write."""
    as_user(world.people[PL])
    pub = world.ids["published"]
    before = _count(LandscapeEntry)
    csv = f"organisation,contract_end\n{pub['org_b_slug']},2029-03-31\n".encode()
    url = f"/experiments/{pub['slug']}/market/import/landscape"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "upload": (io.BytesIO(csv), "rows.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "you may not edit the contract of" in html
    assert "Import these rows" not in html, "no confirm button for a file with problems"
    assert _count(LandscapeEntry) == before
    # Borough B's own lead may.
    as_user(world.people[OL])
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "upload": (io.BytesIO(csv), "rows.csv")},
        content_type="multipart/form-data",
    )
    assert "you may not edit" not in response.get_data(as_text=True)


# --- oversized uploads -------------------------------------------------------------------------


def _multipart(fields: dict[str, str], name: str, filename: str, data: bytes):
    """A multipart body built here: the test client would spool a large one to a temporary
    file that it never closes."""
    boundary = "procure-boundary"
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'
        for k, v in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.mark.parametrize(
    ("route", "field"),
    [("/market/import/options", "upload"), ("/requirements/import", "file")],
)
def test_an_upload_over_the_request_limit_gets_a_friendly_413(app, client, as_user, world, route, field):  # fmt: skip
    as_user(world.people[AD])
    url = f"/experiments/{world.ids['published']['slug']}{route}"
    token = csrf_token(client, url)
    big = b"name,kind\n" + b"x" * app.config["MAX_CONTENT_LENGTH"]
    body, content_type = _multipart({"csrf_token": token}, field, "huge.csv", big)
    before = _snapshot()
    response = client.post(url, data=body, content_type=content_type)
    html = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "That file is too large" in html and "Upload a smaller file" in html
    assert "Traceback" not in html
    assert _snapshot() == before


def test_an_upload_under_the_request_limit_but_over_the_import_limit_is_explained(
    client, as_user, world
):
    from procure.tabular import MAX_BYTES

    as_user(world.people[AD])
    url = f"/experiments/{world.ids['published']['slug']}/market/import/options"
    before = _count(Option)
    big = b"name,kind\n" + b"a,product\n" * (MAX_BYTES // 10 + 10)
    body, content_type = _multipart(
        {"csrf_token": csrf_token(client, url)}, "upload", "big.csv", big
    )
    response = client.post(url, data=body, content_type=content_type)
    assert response.status_code == 200
    assert "The file is larger than" in response.get_data(as_text=True)
    assert _count(Option) == before
