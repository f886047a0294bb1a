"""``flask export scores`` (CSV of every score) and ``flask export summary`` (JSON analysis)."""

from __future__ import annotations

import json

import click
import sqlalchemy as sa
from flask import Flask

from procure.cli import export_cli
from procure.experiments.models import Experiment
from procure.extensions import db
from procure.sensitivity import Audience, Redactor


def _experiment(slug: str) -> Experiment:
    experiment = db.session.scalar(sa.select(Experiment).where(Experiment.slug == slug))
    if experiment is None:
        raise click.ClickException(f"No experiment with the short name {slug!r}")
    return experiment


@export_cli.command("scores")
@click.option("--experiment", "slug", required=True, help="Short name of the experiment")
def export_scores_command(slug: str) -> None:
    """Every individual score as CSV (participants audience) on standard output."""
    from procure.scoring.exports import scores_csv

    click.echo(scores_csv(_experiment(slug), Redactor(Audience.PARTICIPANTS)), nl=False)


@export_cli.command("summary")
@click.option("--experiment", "slug", required=True, help="Short name of the experiment")
def export_summary_command(slug: str) -> None:
    """The scoring analysis as JSON (participants audience) on standard output."""
    from procure.scoring.exports import summary

    data = summary(_experiment(slug), Redactor(Audience.PARTICIPANTS))
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def register(app: Flask) -> None:
    """Commands attach to the shared groups when this module is imported."""
