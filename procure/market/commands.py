"""``flask import options|landscape`` and ``flask export options|landscape``."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from procure.cli import export_cli, import_cli
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.market.exports import export_csv
from procure.market.importing import ImportPreview, ImportRefused, apply_import, preview_import
from procure.sensitivity import Audience, Redactor


def _experiment(slug: str) -> Experiment:
    experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == slug))
    if experiment is None:
        raise click.ClickException(f"No experiment with the short name {slug!r}")
    return experiment


def _refuse(preview: ImportPreview) -> None:
    lines = [preview.message or "The file has problems; nothing was imported."]
    lines += [f"  {problem}" for problem in preview.problems]
    raise click.ClickException("\n".join(lines))


def _run_import(kind: str, slug: str, file: str, dry_run: bool) -> None:
    experiment = _experiment(slug)
    path = Path(file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"Cannot read {file}: {exc.strerror}") from None
    for note in (preview := preview_import(kind, experiment, path.name, data)).notes:
        click.echo(f"Note: {note}", err=True)
    if not preview.ok:
        _refuse(preview)
    for row in preview.rows:
        click.echo(f"row {row.number}: {row.action.lower()} {row.title}")
    if dry_run:
        click.echo(f"Dry run: {len(preview.rows)} rows would be imported; nothing was written.")
        return
    try:
        apply_import(kind, experiment, path.name, data)
    except ImportRefused as exc:
        db.session.rollback()
        _refuse(exc.preview)
    db.session.commit()
    click.echo(f"Imported {len(preview.rows)} {kind} rows into {experiment.slug}.")


def register(app: Flask) -> None:
    @import_cli.command("options")
    @click.option("--experiment", "slug", required=True, help="Short name of the experiment")
    @click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing")
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_options(slug: str, file: str, dry_run: bool) -> None:
        """Import market-scan options from a CSV or XLSX file (all or nothing)."""
        _run_import("options", slug, file, dry_run)

    @import_cli.command("landscape")
    @click.option("--experiment", "slug", required=True, help="Short name of the experiment")
    @click.option("--dry-run", is_flag=True, help="Check the file and report; write nothing")
    @click.argument("file", type=click.Path(dir_okay=False))
    def import_landscape(slug: str, file: str, dry_run: bool) -> None:
        """Import each organisation's current contract from a CSV or XLSX file (all or nothing)."""
        _run_import("landscape", slug, file, dry_run)

    @export_cli.command("options")
    @click.option("--experiment", "slug", required=True, help="Short name of the experiment")
    def export_options(slug: str) -> None:
        """Options as CSV on standard output (participants audience)."""
        redactor = Redactor(Audience.PARTICIPANTS)
        click.echo(export_csv("options", _experiment(slug), redactor), nl=False)

    @export_cli.command("landscape")
    @click.option("--experiment", "slug", required=True, help="Short name of the experiment")
    def export_landscape(slug: str) -> None:
        """Landscape rows as CSV on standard output (participants audience)."""
        redactor = Redactor(Audience.PARTICIPANTS)
        click.echo(export_csv("landscape", _experiment(slug), redactor), nl=False)
