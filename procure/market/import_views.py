"""Spreadsheet imports on the web: upload → preview (every problem by row) → confirm."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from procure.accounts.models import Organisation
from procure.experiments.models import Experiment
from procure.experiments.services import experiment_header
from procure.market import bp, uploads
from procure.market.forms import ConfirmImportForm, ImportForm
from procure.market.importing import (
    LANDSCAPE_COLUMNS,
    LANDSCAPE_REQUIRED,
    OPTION_COLUMNS,
    OPTION_REQUIRED,
    ImportRefused,
    apply_import,
    preview_import,
)
from procure.market.landscape_views import OrganisationRow
from procure.market.views import load_experiment
from procure.permissions import can, is_admin, is_procurement_lead
from procure.tabular import MAX_BYTES

KIND_WORDS = {"options": "options", "landscape": "landscape rows"}


def import_permission(kind: str, experiment: Experiment) -> Callable[[Organisation], bool] | None:
    """Abort 403 unless the person may import ``kind``; returns the per-organisation check.

    Options: admins and the lead organisation. Landscape rows: admins (any
    organisation), or a procurement lead for their own organisation's row only —
    a row for any other organisation is a problem in the preview.
    """
    if kind == "options":
        if not can(current_user, "option.create", experiment):
            abort(403)
        return None
    if is_admin(current_user):
        return None
    if not is_procurement_lead(current_user, experiment):
        abort(403)
    return lambda org: can(current_user, "landscape.edit", OrganisationRow(experiment, org.id))


def _render(experiment, kind, form, preview=None, confirm=None, status=200):
    columns, required = (
        (OPTION_COLUMNS, OPTION_REQUIRED) if kind == "options" else
        (LANDSCAPE_COLUMNS, LANDSCAPE_REQUIRED)
    )  # fmt: skip
    return (
        render_template(
            "market/import.html",
            experiment=experiment_header(experiment),
            kind=kind,
            kind_words=KIND_WORDS[kind],
            form=form,
            # The validated values hold records for the import; the page shows rows only.
            preview=dataclasses.replace(preview, values=[]) if preview else None,
            confirm=confirm,
            columns=columns,
            required=required,
        ),
        status,
    )


@bp.route(
    "/experiments/<slug>/market/import/<any(options, landscape):kind>", methods=["GET", "POST"]
)
@login_required
def import_upload(slug: str, kind: str):
    experiment = load_experiment(slug)
    may_edit = import_permission(kind, experiment)
    form = ImportForm()
    if not form.validate_on_submit():
        return _render(experiment, kind, form)
    upload = form.upload.data
    if not upload or not getattr(upload, "filename", ""):
        form.upload.errors.append("Choose a CSV or XLSX file to upload")
        return _render(experiment, kind, form)
    # Read one byte past the limit: enough to say "too large" without reading it all.
    try:
        data = upload.read(MAX_BYTES + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: release it now
    preview = preview_import(
        kind, experiment, upload.filename, data, may_edit_organisation=may_edit
    )
    confirm = None
    if preview.ok:
        token = uploads.hold(kind, experiment.id, upload.filename, data)
        confirm = ConfirmImportForm(token=token)
    return _render(experiment, kind, form, preview, confirm)


@bp.route(
    "/experiments/<slug>/market/import/<any(options, landscape):kind>/confirm", methods=["POST"]
)
@login_required
def import_confirm(slug: str, kind: str):
    experiment = load_experiment(slug)
    may_edit = import_permission(kind, experiment)
    confirm = ConfirmImportForm()
    if not confirm.validate_on_submit():
        abort(400)
    held = uploads.held(confirm.token.data or "", kind, experiment.id)
    if held is None:
        flash("The file you checked is no longer held here. Upload it again.", "error")
        return redirect(url_for("market.import_upload", slug=slug, kind=kind))
    filename, data = held
    try:
        preview = apply_import(
            kind,
            experiment,
            filename,
            data,
            actor=current_user._get_current_object(),
            may_edit_organisation=may_edit,
        )
    except ImportRefused as exc:
        # Something changed since the preview (say, an option of the same name was added).
        uploads.discard()
        return _render(experiment, kind, ImportForm(), exc.preview, status=409)
    uploads.discard()
    flash(f"Imported {len(preview.rows)} {KIND_WORDS[kind]} from {filename}", "success")
    target = "market.index" if kind == "options" else "market.landscape"
    return redirect(url_for(target, slug=slug))
