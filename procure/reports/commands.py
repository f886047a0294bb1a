"""Report commands: ``report kinds``, ``report render``, ``worker`` and ``demo canary``."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import with_appcontext

from procure.cli import demo_cli, report_cli
from procure.extensions import db


def _experiment(slug: str):
    from procure.experiments.models import Experiment

    experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == slug))
    if experiment is None:
        known = db.session.scalars(sa.select(Experiment.slug).order_by(Experiment.slug)).all()
        raise click.ClickException(
            f"No experiment {slug!r}. Experiments: {', '.join(known) or 'none yet'}"
        )
    return experiment


@report_cli.command("kinds")
def kinds_command() -> None:
    """List the report kinds, one per line."""
    from procure.reports.kinds import KINDS

    for kind in KINDS:
        click.echo(kind)


@report_cli.command("queue-spec")
@click.argument("slug")
@click.argument("version")
@with_appcontext
def queue_spec_command(slug: str, version: str) -> None:
    """Queue a published specification version's PDF for each audience (as publishing does)."""
    from procure.reports.kinds import ReportError
    from procure.reports.services import queue_version_files

    try:
        exports = queue_version_files(_experiment(slug), version)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for export in exports:
        click.echo(f"{export.audience}: export {export.id} {export.status}")


@report_cli.command("render")
@click.argument("kind")
@click.option("--experiment", "slug", required=True, help="Short name of the experiment")
@click.option("--audience", required=True, help="public, members or participants")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--workshop", "workshop_id", default=None, help="Workshop id (default: latest)")
@click.option("--version", "version", default=None, help="Specification version (default: latest)")
def render_command(
    kind: str,
    slug: str,
    audience: str,
    output: Path,
    workshop_id: str | None,
    version: str | None,
) -> None:
    """Render a report to a PDF file and print its redaction log summary and sha256."""
    from procure.reports.kinds import ReportError
    from procure.reports.services import redaction_summary, render_now, write_atomically

    experiment = _experiment(slug)
    try:
        pdf, document = render_now(
            experiment, kind, audience, workshop_id=workshop_id, version=version
        )
    except ReportError as exc:
        raise click.ClickException(str(exc)) from exc
    write_atomically(output.resolve().parent, output.name, pdf)
    items = document.redaction_log.as_list()
    click.echo(f"Wrote {output} ({len(pdf)} bytes) for the {document.audience.slug} audience")
    click.echo(redaction_summary(items))
    for kind_name, count in sorted(_count_types(items).items()):
        click.echo(f"  {kind_name}: {count}")
    click.echo(f"sha256 {hashlib.sha256(pdf).hexdigest()}")


def _count_types(items: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        key = f"{item['type']} ({item['level']})"
        counts[key] = counts.get(key, 0) + 1
    return counts


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Run an RQ worker for report and mail jobs (needs REDIS_URL)."""
    url = current_app.config.get("REDIS_URL")
    if not url:
        raise click.ClickException(
            "REDIS_URL is not set. Without it, reports render on the in-app worker of the "
            "web process and no separate worker is needed."
        )
    from redis import Redis
    from rq import Worker

    from procure.mail.jobs import QUEUE_NAME as MAIL_QUEUE
    from procure.reports.jobs import QUEUE_NAME

    click.echo(f"Worker listening on queues {QUEUE_NAME!r} and {MAIL_QUEUE!r}")
    # The scheduler runs the outbox's delayed retries.
    Worker([QUEUE_NAME, MAIL_QUEUE], connection=Redis.from_url(url)).work(
        burst=burst, with_scheduler=True
    )


@demo_cli.command("canary")
@click.option("--experiment", "slug", required=True, help="Short name of the new experiment")
@click.option("--prefix", required=True, help="Token prefix, e.g. ZQX7K")
def canary_command(slug: str, prefix: str) -> None:
    """Plant a canary experiment and print every token, one per line."""
    if current_app.config["PROCURE_ENV"] == "production":
        raise click.ClickException("Refusing to plant canary data: PROCURE_ENV is production.")
    from procure.canary import CanaryError, plant_canary

    try:
        ctx = plant_canary(slug, prefix)
    except CanaryError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    for token in ctx.tokens:
        click.echo(token)


def register(app: Flask) -> None:
    app.cli.add_command(worker_command)
