"""``flask import requirements`` and ``flask export spec``."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask

from procure.cli import export_cli, import_cli
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.sensitivity import Audience


def _experiment(slug: str) -> Experiment:
    experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == slug))
    if experiment is None:
        raise click.ClickException(f"No experiment with the short name {slug!r}")
    return experiment


def register(app: Flask) -> None:
    @import_cli.command("requirements")
    @click.option("--experiment", "slug", required=True, help="Short name of the experiment")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--dry-run", is_flag=True, help="Check the file and show what would be imported")
    def import_requirements_command(slug: str, file: Path, dry_run: bool) -> None:
        """Import requirements from a CSV or XLSX file (all or nothing)."""
        from procure.requirements.imports import apply_import, check_import

        experiment = _experiment(slug)
        preview = check_import(experiment, file.name, file.read_bytes())
        for note in preview.notes:
            click.echo(f"Note: {note}", err=True)
        if not preview.ok:
            lines = "\n".join(f"  {p}" for p in preview.problems)
            raise click.ClickException(f"The file has problems; nothing was imported:\n{lines}")
        for row in preview.rows:
            was = f" (was {row.file_reference})" if row.file_reference else ""
            click.echo(f"row {row.row}: {row.new_reference}{was} {row.data.title}")
        if dry_run:
            click.echo(
                f"Dry run: {len(preview.rows)} requirements would be imported with new references."
            )
            return
        created = apply_import(experiment, preview)
        db.session.commit()
        click.echo(
            f"Imported {len(created)} requirements: {created[0].reference} to {created[-1].reference}"
        )

    @export_cli.command("spec")
    @click.option("--experiment", "slug", required=True, help="Short name of the experiment")
    @click.option("--version", "number", default=None, help="Version number (default: the latest)")
    @click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), required=True)
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
    def export_spec_command(slug: str, number: str | None, fmt: str, output: Path | None) -> None:
        """A specification version for participants, as CSV, XLSX or JSON."""
        from procure.requirements.exports import export_version
        from procure.requirements.versions import get_version, latest_version

        experiment = _experiment(slug)
        version = get_version(experiment, number) if number else latest_version(experiment)
        if version is None:
            raise click.ClickException(
                f"No specification version {number} in {slug}"
                if number
                else f"No specification version has been published in {slug}"
            )
        spec = export_version(version, Audience.PARTICIPANTS, fmt)
        db.session.commit()  # the download is audited
        if output is None:
            stream = click.get_binary_stream("stdout")
            stream.write(spec.data)
            stream.flush()
        else:
            output.write_bytes(spec.data)
            click.echo(f"Wrote {output} ({spec.filename})", err=True)
