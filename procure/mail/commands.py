"""``flask outbox send-due`` and ``flask outbox export``."""

from __future__ import annotations

import json

import click
from flask import Flask
from flask.cli import AppGroup

from procure.extensions import db
from procure.mail import outbox
from procure.mail.delivery import send_due

outbox_cli = AppGroup("outbox", help="The email outbox: send what is due, or print it.")


@outbox_cli.command("send-due")
def send_due_command() -> None:
    """Send every queued message and every retry whose time has come (run it from cron)."""
    counts = send_due(commit=True)
    db.session.commit()
    if not counts:
        click.echo("Nothing due")
    else:
        click.echo(", ".join(f"{n} {state}" for state, n in sorted(counts.items())))


@outbox_cli.command("export")
@click.option("--experiment", "slug", default=None, help="Only messages about this experiment")
def export_command(slug: str | None) -> None:
    """Print the outbox as a JSON list, newest last."""
    click.echo(json.dumps(outbox.export(slug), indent=2, ensure_ascii=False))


def register(app: Flask) -> None:
    app.cli.add_command(outbox_cli)
