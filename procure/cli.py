"""Flask commands. Groups live here; each feature adds its commands in ``<feature>/commands.py``."""

from __future__ import annotations

import importlib

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from procure.accounts.models import Organisation
from procure.accounts.services import AccountError, set_sign_in_domains
from procure.extensions import db

users_cli = AppGroup("users", help="Manage people who sign in.")
demo_cli = AppGroup("demo", help="Demonstration data.")
import_cli = AppGroup(
    "import", help="Import options, landscape rows or requirements from CSV or XLSX."
)
export_cli = AppGroup("export", help="Export data as CSV, XLSX or JSON.")
report_cli = AppGroup("report", help="Render PDF reports.")
bench_cli = AppGroup("bench", help="Benchmark data.")

FEATURES = ("market", "scoring", "requirements", "workshops", "reports", "mail", "procurement")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option(
    "--role", "site_role", type=click.Choice(["admin", "member", "guest"]), default="member"
)
@click.option(
    "--organisation", "organisation_slug", default=None, help="Short name of the organisation"
)
def create_user_command(
    email: str, name: str, password: str, site_role: str, organisation_slug: str | None
) -> None:
    """Add a person who can sign in."""
    import sqlalchemy as sa

    from procure.accounts.models import Organisation
    from procure.accounts.services import AccountError, create_user

    organisation = None
    if organisation_slug:
        organisation = db.session.scalar(
            sa.select(Organisation).where(Organisation.slug == organisation_slug)
        )
        if organisation is None:
            raise click.ClickException(f"No organisation with the short name {organisation_slug!r}")
    try:
        user = create_user(
            email=email,
            name=name,
            password=password,
            site_role=site_role,
            organisation=organisation,
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {user.email} ({user.site_role})")


@demo_cli.command("load")
def demo_load_command() -> None:
    """Load the demo experiment (idempotent). Refused when configured for production."""
    if current_app.config["PROCURE_ENV"] == "production":
        raise click.ClickException("Refusing to load demo data: PROCURE_ENV is production.")
    from procure.demo import load_demo

    summary = load_demo()
    db.session.commit()
    click.echo(summary)


@users_cli.command("sign-in-domains")
@click.argument("organisation_slug")
@click.argument("domains", nargs=-1)
@click.option(
    "--council-account-only/--passwords-too",
    default=False,
    help="Whether its people may sign in with a password as well",
)
def sign_in_domains_command(
    organisation_slug: str, domains: tuple[str, ...], council_account_only: bool
) -> None:
    """Set the email domains an organisation owns, for sign-in with the council account."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.slug == organisation_slug))
    if org is None:
        raise click.ClickException(f"No organisation with the short name {organisation_slug!r}")
    try:
        set_sign_in_domains(org, " ".join(domains), sso_only=council_account_only)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"{org.name}: {org.email_domains or 'no domains'}")


def init_app(app: Flask) -> None:
    for group in (users_cli, demo_cli, import_cli, export_cli, report_cli, bench_cli):
        app.cli.add_command(group)
    for feature in FEATURES:
        try:
            module = importlib.import_module(f"procure.{feature}.commands")
        except ModuleNotFoundError as exc:
            if exc.name != f"procure.{feature}.commands":
                raise
            continue
        module.register(app)


@bench_cli.command("seed")
@click.option("--boroughs", default=33, show_default=True, type=click.IntRange(1, 200))
@click.option("--options", default=40, show_default=True, type=click.IntRange(2, 500))
@click.option("--criteria", default=16, show_default=True, type=click.IntRange(2, 100))
@click.option("--requirements", default=300, show_default=True, type=click.IntRange(1, 5000))
@click.option("--slug", default="city-scale", show_default=True)
def bench_seed_command(
    boroughs: int, options: int, criteria: int, requirements: int, slug: str
) -> None:
    """Create a large synthetic experiment for benchmarks. Refused in production."""
    import time

    if current_app.config["PROCURE_ENV"] == "production":
        raise click.ClickException("Refusing to seed benchmark data: PROCURE_ENV is production.")
    from bench.seed import SeedSize, seed

    started = time.perf_counter()
    try:
        counts = seed(SeedSize(boroughs, options, criteria, requirements), slug=slug)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(
        ", ".join(f"{v} {k}" for k, v in counts.items()) + f" in {elapsed:.1f}s (experiment {slug})"
    )
