"""Importing options and landscape rows: preview, every problem by row, all or nothing; web and CLI."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from procure.market.models import LandscapeEntry, Option
from procure.tabular import MAX_BYTES
from tests import factories as f
from tests.market.conftest import csrf

OPTION_HEADER = "name,kind,supplier,status,exclusion_reason,cost_low,cost_high,sensitivity\n"
GOOD_OPTIONS = (
    OPTION_HEADER
    + "Keystone Cloud,product,Keystone Ltd,shortlist,,100000,200000,public\n"
    + "Framework call-off,approach,National framework,longlist,,,,members\n"
)
LANDSCAPE_HEADER = "organisation,contract_start,contract_end,extension_months,annual_cost\n"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# name → (kind, file name, bytes, text expected in the problems)
def bad_files(world) -> dict[str, tuple[str, str, bytes, str]]:
    return {
        "empty": ("options", "o.csv", b"", "The file is empty."),
        "too big": (
            "options",
            "o.csv",
            OPTION_HEADER.encode() + b"x" * (MAX_BYTES + 10),
            "larger than 2 MB",
        ),
        "not csv or xlsx": ("options", "o.txt", GOOD_OPTIONS.encode(), "is not a .csv or .xlsx"),
        "image named csv": ("options", "o.csv", b"\x89PNG\r\n\x1a\nxxxx", "looks like a PNG"),
        "utf-16": ("options", "o.csv", GOOD_OPTIONS.encode("utf-16"), "UTF-16"),
        "undecodable": (
            "options",
            "o.csv",
            OPTION_HEADER.encode() + b"Caf\x81,product\n",
            "could not be read",
        ),
        "missing column": ("options", "o.csv", b"name,supplier\nX,Y\n", "kind"),
        "extra column": (
            "options",
            "o.csv",
            b"name,kind,colour\nX,product,red\n",
            "unexpected column",
        ),
        "header only": ("options", "o.csv", OPTION_HEADER.encode(), "no rows of data"),
        "duplicate in file": (
            "options",
            "o.csv",
            (OPTION_HEADER + "Same,product,,,,,,\nsame ,product,,,,,,\n").encode(),
            "also used in row 2",
        ),
        "duplicate existing": (
            "options",
            "o.csv",
            (OPTION_HEADER + "Existing Option,product,,,,,,\n").encode(),
            "already an option called",
        ),
        "negative cost": (
            "options",
            "o.csv",
            (OPTION_HEADER + "X,product,,,,-5,10,\n").encode(),
            "cannot be negative",
        ),
        "excluded without reason": (
            "options",
            "o.csv",
            (OPTION_HEADER + "X,product,,excluded,,,,\n").encode(),
            "because the status is excluded",
        ),
        "bad kind": (
            "options",
            "o.csv",
            (OPTION_HEADER + "X,gadget,,,,,,\n").encode(),
            "must be one of product, approach",
        ),
        "formula csv": (
            "options",
            "o.csv",
            (OPTION_HEADER + "X,product,=HYPERLINK(1),,,,,\n").encode(),
            "formula cells are not accepted",
        ),
        "formula xlsx": (
            "options",
            "o.xlsx",
            xlsx([["name", "kind", "supplier"], ["X", "product", "=1+1"]]),
            "formula cells are not accepted",
        ),
        "end before start": (
            "landscape",
            "l.csv",
            (LANDSCAPE_HEADER + "Alpha Borough,2027-04-01,2027-03-31,0,\n").encode(),
            "the contract ends before it starts",
        ),
        "impossible date": (
            "landscape",
            "l.csv",
            (LANDSCAPE_HEADER + "alpha,2020-01-01,2027-02-30,0,\n").encode(),
            "must be a real date",
        ),
        "negative annual cost": (
            "landscape",
            "l.csv",
            (LANDSCAPE_HEADER + "alpha,,2027-03-31,0,-1\n").encode(),
            "cannot be negative",
        ),
        "not taking part": (
            "landscape",
            "l.csv",
            (LANDSCAPE_HEADER + "Nowhere,,2027-03-31,0,\n").encode(),
            "does not take part",
        ),
        "same organisation twice": (
            "landscape",
            "l.csv",
            (LANDSCAPE_HEADER + "alpha,,2027-03-31,0,\nAlpha Borough,,2028-03-31,0,\n").encode(),
            "also in row 2",
        ),
    }


CASES = [
    "empty",
    "too big",
    "not csv or xlsx",
    "image named csv",
    "utf-16",
    "undecodable",
    "missing column",
    "extra column",
    "header only",
    "duplicate in file",
    "duplicate existing",
    "negative cost",
    "excluded without reason",
    "bad kind",
    "formula csv",
    "formula xlsx",
    "end before start",
    "impossible date",
    "negative annual cost",
    "not taking part",
    "same organisation twice",
]


def counts(db_session, world) -> tuple[int, int]:
    def count(model):
        return db_session.scalar(
            sa.select(sa.func.count())
            .select_from(model)
            .where(model.experiment_id == world.experiment.id)
        )

    return count(Option), count(LandscapeEntry)


def upload(client, world, kind: str, name: str, data: bytes):
    url = f"/experiments/{world.experiment.slug}/market/import/{kind}"
    token = csrf(client, url)
    # The body is built here as bytes: the test client would spool a large one to a
    # temporary file that it never closes.
    boundary = "procure-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="upload"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


@pytest.mark.parametrize("case", CASES)
def test_web_preview_names_the_problem_and_writes_nothing(as_user, world, db_session, case):
    f.OptionFactory(experiment=world.experiment, name="Existing Option")
    before = counts(db_session, world)
    kind, name, data, expected = bad_files(world)[case]
    response = upload(as_user(world.admin), world, kind, name, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert expected in html.replace("&#34;", '"'), case
    assert "Nothing was imported" in html and "Import these rows" not in html
    assert counts(db_session, world) == before


def test_problems_are_listed_by_row_and_column(as_user, world):
    data = (OPTION_HEADER + "Good,product,,,,,,\n,product,,,,,,\nBad,product,,,,-1,x,\n").encode()
    html = upload(as_user(world.admin), world, "options", "o.csv", data).get_data(as_text=True)
    assert "row 3, column “name”: enter the option" in html
    assert "row 4, column “cost_low”: cannot be negative" in html
    assert "row 4, column “cost_high”: must be an amount in pounds" in html


@pytest.mark.parametrize("case", CASES)
def test_cli_refuses_bad_files_naming_rows(runner, world, db_session, tmp_path, case):
    f.OptionFactory(experiment=world.experiment, name="Existing Option")
    before = counts(db_session, world)
    kind, name, data, expected = bad_files(world)[case]
    path = tmp_path / name
    path.write_bytes(data)
    result = runner.invoke(args=["import", kind, "--experiment", world.experiment.slug, str(path)])
    assert result.exit_code != 0, result.output
    assert expected in result.output, result.output
    assert counts(db_session, world) == before


def test_web_import_preview_then_confirm_writes_all(as_user, world, db_session, app, tmp_path):
    app.config["MARKET_UPLOAD_DIR"] = str(tmp_path)
    try:
        client = as_user(world.admin)
        data = b"\xef\xbb\xbf" + GOOD_OPTIONS.encode()  # a byte-order mark is fine
        html = upload(client, world, "options", "options.csv", data).get_data(as_text=True)
        assert "Check what will be imported" in html and "Keystone Cloud" in html
        assert counts(db_session, world)[0] == 0  # nothing yet
        assert len(list(tmp_path.glob("*.upload"))) == 1
        token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
        csrf_token = csrf(client, f"/experiments/{world.experiment.slug}/market")
        response = client.post(
            f"/experiments/{world.experiment.slug}/market/import/options/confirm",
            data={"csrf_token": csrf_token, "token": token},
        )
        assert response.status_code == 302
        names = set(
            db_session.scalars(
                sa.select(Option.name).where(Option.experiment_id == world.experiment.id)
            )
        )
        assert names == {"Keystone Cloud", "Framework call-off"}
        assert list(tmp_path.glob("*.upload")) == []
        # The token cannot be replayed.
        response = client.post(
            f"/experiments/{world.experiment.slug}/market/import/options/confirm",
            data={"csrf_token": csrf_token, "token": token},
        )
        assert response.status_code == 302 and "/import/options" in response.headers["Location"]
        assert counts(db_session, world)[0] == 2
    finally:
        app.config.pop("MARKET_UPLOAD_DIR")


def test_confirm_is_all_or_nothing_when_the_database_changed(
    as_user, world, db_session, app, tmp_path
):
    app.config["MARKET_UPLOAD_DIR"] = str(tmp_path)
    try:
        client = as_user(world.admin)
        html = upload(client, world, "options", "o.csv", GOOD_OPTIONS.encode()).get_data(
            as_text=True
        )
        token = html.split('name="token" type="hidden" value="')[1].split('"')[0]
        f.OptionFactory(experiment=world.experiment, name="Framework call-off")  # added meanwhile
        db_session.flush()
        csrf_token = csrf(client, f"/experiments/{world.experiment.slug}/market")
        response = client.post(
            f"/experiments/{world.experiment.slug}/market/import/options/confirm",
            data={"csrf_token": csrf_token, "token": token},
        )
        assert response.status_code == 409
        assert "row 3, column “name”: there is already an option" in response.get_data(as_text=True)
        assert counts(db_session, world)[0] == 1  # Keystone Cloud was not written either
    finally:
        app.config.pop("MARKET_UPLOAD_DIR")


def test_confirm_with_another_token_is_refused(as_user, world, db_session):
    client = as_user(world.admin)
    csrf_token = csrf(client, f"/experiments/{world.experiment.slug}/market")
    response = client.post(
        f"/experiments/{world.experiment.slug}/market/import/options/confirm",
        data={"csrf_token": csrf_token, "token": "../../etc/passwd"},
    )
    assert response.status_code == 302
    assert counts(db_session, world) == (0, 0)


def test_procurement_lead_imports_only_their_own_row(as_user, world, db_session):
    data = (LANDSCAPE_HEADER + "alpha,2020-04-01,2027-03-31,6,1000\nbeta,,2028-03-31,0,\n").encode()
    html = upload(as_user(world.lead_a), world, "landscape", "l.csv", data).get_data(as_text=True)
    assert "row 3, column “organisation”: you may not edit the contract of Beta Borough" in html
    assert counts(db_session, world)[1] == 0


def test_cli_import_dry_run_then_real_and_landscape_update(runner, world, db_session, tmp_path):
    path = tmp_path / "options.xlsx"
    path.write_bytes(
        xlsx(
            [
                ["name", "kind", "cost_low", "cost_high", "used_by"],
                ["Keystone Cloud", "product", 100000, 200000, "alpha; Beta Borough"],
            ]
        )
    )
    args = ["import", "options", "--experiment", world.experiment.slug, str(path)]
    result = runner.invoke(args=[*args, "--dry-run"])
    assert result.exit_code == 0 and "row 2: create Keystone Cloud" in result.output
    assert counts(db_session, world)[0] == 0
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    option = db_session.scalar(sa.select(Option).where(Option.name == "Keystone Cloud"))
    assert [o.name for o in option.used_by] == ["Alpha Borough", "Beta Borough"]

    f.LandscapeEntryFactory(experiment=world.experiment, organisation=world.org_a)
    path = tmp_path / "landscape.csv"
    path.write_text(
        LANDSCAPE_HEADER + "alpha,01/04/2021,31/03/2029,3,£1,500\n".replace("£1,500", '"£1,500"')
    )
    result = runner.invoke(
        args=["import", "landscape", "--experiment", world.experiment.slug, str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "row 2: update Alpha Borough" in result.output
    entry = db_session.scalar(
        sa.select(LandscapeEntry).where(LandscapeEntry.organisation_id == world.org_a.id)
    )
    db_session.refresh(entry)
    assert entry.contract_end == date(2029, 3, 31) and entry.extension_months == 3


def test_cli_unknown_experiment(runner, tmp_path):
    path = tmp_path / "o.csv"
    path.write_text(GOOD_OPTIONS)
    result = runner.invoke(args=["import", "options", "--experiment", "nope", str(path)])
    assert result.exit_code != 0 and "No experiment" in result.output
