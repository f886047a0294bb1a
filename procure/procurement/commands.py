"""``flask export ocds``: the notice's OCDS release package, validated, to a file."""

from __future__ import annotations

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app

from procure.cli import export_cli
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.procurement.exports import ocds_package
from procure.procurement.ocds import OcdsInvalid, dumps
from procure.procurement.services import NoticeError


@export_cli.command("ocds")
@click.option("--experiment", "slug", required=True, help="Short name of the experiment")
@click.option("--output", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_ocds_command(slug: str, output: Path) -> None:
    """Write the UK2 notice as an OCDS 1.1 release package (refused when it is not valid)."""
    experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == slug))
    if experiment is None:
        raise click.ClickException(f"No experiment {slug!r}")
    try:
        package = ocds_package(current_app, experiment)
    except NoticeError as exc:
        raise click.ClickException(str(exc)) from exc
    except OcdsInvalid as exc:
        raise click.ClickException(str(exc)) from exc
    output.write_text(dumps(package), encoding="utf-8")
    release = package["releases"][0]
    buyers = [p["name"] for p in release["parties"] if "buyer" in p["roles"]]
    click.echo(f"Wrote {output}: release {release['id']} naming {len(buyers)} buyers")


def register(app: Flask) -> None:
    """Commands register on import (the group is added by procure.cli)."""
