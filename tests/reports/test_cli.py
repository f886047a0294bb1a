"""Report commands: kinds, render, worker, demo canary."""

from __future__ import annotations

import hashlib

import pytest

from procure.sensitivity import Sensitivity
from tests.factories import ExperimentFactory, SpecificationVersionFactory, WorkshopFactory
from tests.redaction import assert_redacted


@pytest.fixture
def experiment(db_session):
    return ExperimentFactory(
        slug="cli-test",
        title="CLI test CLIPUB0001",
        is_published=True,
        summary="Summary CLIPUB0002 [[members: CLIMEM0003]] [[participants: CLIPAR0004]]",
    )


def test_kinds_one_per_line(runner):
    result = runner.invoke(args=["report", "kinds"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "workshop-pack",
        "scoring",
        "requirements",
        "summary",
        "notice",
        "conflicts",
    ]


def test_render_writes_the_file_and_prints_log_and_sha(runner, experiment, tmp_path):
    output = tmp_path / "summary.pdf"
    result = runner.invoke(
        args=[
            "report",
            "render",
            "summary",
            "--experiment",
            "cli-test",
            "--audience",
            "members",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    pdf = output.read_bytes()
    assert f"sha256 {hashlib.sha256(pdf).hexdigest()}" in result.output
    assert "Withheld 1 item: 1 participants" in result.output
    assert "experiment.summary (participants): 1" in result.output
    assert "CLIPAR0004" not in result.output
    assert_redacted(pdf, forbidden=["CLIPAR0004"], required=["CLIPUB0002", "CLIMEM0003"])
    assert [p.name for p in tmp_path.iterdir()] == ["summary.pdf"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["brochure", "--experiment", "cli-test", "--audience", "public"],
            "Unknown report kind 'brochure': choose one of workshop-pack, scoring, requirements, summary",
        ),
        (
            ["summary", "--experiment", "nope", "--audience", "public"],
            "No experiment 'nope'. Experiments:",
        ),
        (
            ["summary", "--experiment", "cli-test", "--audience", "everyone"],
            "Unknown audience 'everyone': choose public, members or participants",
        ),
        (
            ["workshop-pack", "--experiment", "cli-test", "--audience", "public"],
            "This experiment has no workshops yet",
        ),
    ],
)
def test_render_bad_input_exits_non_zero_with_a_clear_error(
    runner, experiment, tmp_path, args, expected
):
    output = tmp_path / "x.pdf"
    result = runner.invoke(args=["report", "render", *args, "--output", str(output)])
    assert result.exit_code != 0
    assert expected in result.output
    assert not output.exists()


def test_render_unknown_workshop_or_version_lists_what_exists(runner, experiment, tmp_path):
    workshop = WorkshopFactory(experiment=experiment, title="Kick-off CLIPUB0005")
    hidden = WorkshopFactory(
        experiment=experiment, title="Secret CLIMEM0006", sensitivity=Sensitivity.MEMBERS
    )
    SpecificationVersionFactory(experiment=experiment, number="0.1")
    output = str(tmp_path / "x.pdf")
    base = ["report", "render", "--experiment", "cli-test", "--output", output]
    result = runner.invoke(
        args=[*base[:2], "workshop-pack", *base[2:], "--audience", "public", "--workshop", "424242"]
    )
    assert result.exit_code != 0
    assert "No workshop 424242 in this experiment. Workshops:" in result.output
    assert f"{workshop.id}: Kick-off CLIPUB0005" in result.output
    assert f"{hidden.id}: [Redacted: members only]" in result.output  # listed, title withheld
    assert "CLIMEM0006" not in result.output
    result = runner.invoke(
        args=[
            *base[:2],
            "workshop-pack",
            *base[2:],
            "--audience",
            "public",
            "--workshop",
            str(hidden.id),
        ]
    )
    assert (
        "This workshop is members only; choose a members or participants audience" in result.output
    )
    result = runner.invoke(
        args=[*base[:2], "requirements", *base[2:], "--audience", "public", "--version", "7.0"]
    )
    assert result.exit_code != 0
    assert "No specification version 7.0 in this experiment. Versions: Version 0.1" in result.output


def test_render_workshop_pack_defaults_to_the_latest_workshop(runner, experiment, tmp_path):
    from datetime import datetime

    WorkshopFactory(
        experiment=experiment, title="Older CLIPUB0007", starts_at=datetime(2026, 1, 1, 10)
    )
    WorkshopFactory(
        experiment=experiment, title="Newer CLIPUB0008", starts_at=datetime(2026, 6, 1, 10)
    )
    output = tmp_path / "pack.pdf"
    result = runner.invoke(
        args=[
            "report",
            "render",
            "workshop-pack",
            "--experiment",
            "cli-test",
            "--audience",
            "public",
            "--output",
            str(output),
        ]
    )
    assert result.exit_code == 0, result.output
    inspection = assert_redacted(
        output.read_bytes(), forbidden=["CLIPUB0007", "CLIMEM0003"], required=["CLIPUB0008"]
    )
    assert inspection.info["/Title"] == "Newer CLIPUB0008: workshop pack"


def test_worker_needs_redis(runner, app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code != 0
    assert "REDIS_URL is not set" in result.output


def test_worker_burst_on_an_empty_queue(runner, app, monkeypatch):
    from redis import Redis
    from rq import Queue

    url = "redis://127.0.0.1:6379/15"
    Queue("reports", connection=Redis.from_url(url)).empty()
    Queue("mail", connection=Redis.from_url(url)).empty()
    monkeypatch.setitem(app.config, "REDIS_URL", url)
    result = runner.invoke(args=["worker", "--burst"])
    assert result.exit_code == 0, result.output
    assert "Worker listening on queues 'reports' and 'mail'" in result.output


def test_canary_refuses_an_existing_slug_and_production(runner, app, experiment, monkeypatch):
    result = runner.invoke(args=["demo", "canary", "--experiment", "cli-test", "--prefix", "ZQX7K"])
    assert result.exit_code != 0
    assert "already exists" in result.output
    monkeypatch.setitem(app.config, "PROCURE_ENV", "production")
    result = runner.invoke(
        args=["demo", "canary", "--experiment", "canary-prod", "--prefix", "ZQX7K"]
    )
    assert result.exit_code != 0
    assert "PROCURE_ENV is production" in result.output
