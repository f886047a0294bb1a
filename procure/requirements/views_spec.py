"""Specification pages: published versions, publishing, downloads, and importing requirements."""

from __future__ import annotations

import base64
import binascii

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from procure.experiments.services import experiment_header
from procure.extensions import db, limiter
from procure.permissions import audience_for, can
from procure.reports.services import published_file, queue_version_files
from procure.reports.serving import is_status_poll, preparing_page, send_export
from procure.requirements import bp
from procure.requirements.exports import FORMATS, export_version, log_download
from procure.requirements.forms import ImportForm, PublishVersionForm
from procure.requirements.imports import apply_import, check_import
from procure.requirements.services import RequirementError
from procure.requirements.snapshots import summary_of_version, view_of_version
from procure.requirements.versions import get_version, latest_version, publish_version, versions_of
from procure.requirements.views import load_experiment
from procure.sensitivity import Audience, Redactor
from procure.tabular import MAX_BYTES

AUDIENCES = [a for a in Audience]


@bp.route("/experiments/<slug>/specification")
def versions(slug: str):
    experiment = load_experiment(slug)
    audience = audience_for(current_user, experiment)
    views = [summary_of_version(v, Redactor(audience)) for v in versions_of(experiment)]
    return render_template(
        "requirements/versions.html",
        experiment=experiment_header(experiment),
        versions=views,
        audience=audience,
        audiences=[a for a in AUDIENCES if a <= audience],
    )


@bp.route("/experiments/<slug>/specification/<number>")
def version(slug: str, number: str):
    experiment = load_experiment(slug)
    found = get_version(experiment, number)
    if found is None:
        abort(404)
    audience = audience_for(current_user, experiment)
    view = view_of_version(found, Redactor(audience), with_endorsements=False)
    return render_template(
        "requirements/version.html",
        experiment=experiment_header(experiment),
        spec=view,
        audience=audience,
        audiences=[a for a in AUDIENCES if a <= audience],
    )


@bp.route("/experiments/<slug>/specification/publish", methods=["GET", "POST"])
@login_required
def publish(slug: str):
    experiment = load_experiment(slug)
    if not can(current_user, "specification.publish", experiment):
        abort(403)
    form = PublishVersionForm()
    last = latest_version(experiment)
    if request.method == "GET" and not form.number.data:
        form.number.data = f"{last.major}.{last.minor + 1}" if last else "0.1"
    if form.validate_on_submit():
        try:
            published = publish_version(
                experiment, form.number.data, form.release_notes.data or "", current_user
            )
        except RequirementError as exc:
            getattr(form, exc.field or "number").errors.append(str(exc))
        else:
            queue_version_files(experiment, published.number)
            flash(f"Published version {published.number}", "success")
            return redirect(url_for("requirements.version", slug=slug, number=published.number))
    return render_template(
        "requirements/publish.html",
        experiment=experiment_header(experiment),
        form=form,
        last_number=last.number if last else None,
    )


def _requested_audience(own: Audience) -> Audience:
    """The audience asked for in ``?audience=``, never above the reader's own."""
    wanted = request.args.get("audience")
    if not wanted:
        return own
    try:
        chosen = Audience.parse(wanted)
    except ValueError:
        abort(400)
    if chosen > own:
        abort(403)
    return chosen


def _not_limited() -> bool:
    """Anonymous readers are rate-limited per client; signed-in people and the progress
    page's own polls are not."""
    return current_user.is_authenticated or is_status_poll()


@bp.route("/experiments/<slug>/specification/<number>/download/<fmt>")
@limiter.limit(lambda: current_app.config["PUBLIC_DOWNLOAD_RATE_LIMIT"], exempt_when=_not_limited)
def download(slug: str, number: str, fmt: str):
    experiment = load_experiment(slug)
    found = get_version(experiment, number)
    if found is None or fmt not in (*FORMATS, "pdf"):
        abort(404)
    audience = _requested_audience(audience_for(current_user, experiment))
    if fmt == "pdf":
        return _pdf_download(experiment, found, audience)
    spec = export_version(found, audience, fmt)
    return Response(
        spec.data,
        mimetype=spec.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{spec.filename}"'},
    )


def _pdf_download(experiment, version, audience: Audience):
    """The version's PDF from the report pipeline, or a progress page while it is made."""
    export = published_file(experiment, "requirements", audience, version=version.number)
    filename = f"{experiment.slug}-spec-{version.number}-{audience.slug}.pdf"
    wants_status = request.args.get("status") == "1"
    if export.status == "done" and not wants_status:
        response = send_export(export, filename)
        if response is not None:
            log_download(version, "pdf", audience, sha256=export.sha256)
            db.session.commit()
            return response
    args = {"slug": experiment.slug, "number": version.number, "fmt": "pdf"}
    if request.args.get("audience"):
        args["audience"] = audience.slug
    db.session.commit()  # hand a new export to the worker before answering
    return preparing_page(
        export,
        heading=f"Specification {version.number} (PDF, {audience.label.lower()} audience)",
        check_url=url_for("requirements.download", **args),
        status_url=url_for("requirements.download", **args, status="1"),
        ready=export.status == "done",
    )


@bp.route("/experiments/<slug>/requirements/import", methods=["GET", "POST"])
@login_required
def import_requirements(slug: str):
    experiment = load_experiment(slug)
    if not can(current_user, "requirement.import", experiment):
        abort(403)
    form = ImportForm()
    preview = None
    filename, encoded = "", ""
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        upload = request.files.get("file")
        if upload and upload.filename:
            filename, data = upload.filename, upload.read(MAX_BYTES + 1)
        else:
            filename = request.form.get("filename", "")
            try:
                data = base64.b64decode(request.form.get("data", ""), validate=True)
            except (binascii.Error, ValueError):
                data = b""
        if not filename:
            form.file.errors = ["Choose a CSV or XLSX file to import"]
        else:
            preview = check_import(experiment, filename, data)
            encoded = base64.b64encode(data).decode()
            if preview.ok and request.form.get("confirm") == "yes":
                created = apply_import(experiment, preview, current_user)
                flash(
                    f"Imported {len(created)} requirements as drafts or agreed, "
                    f"{created[0].reference} to {created[-1].reference}",
                    "success",
                )
                return redirect(url_for("requirements.index", slug=slug))
    status = 422 if preview is not None and not preview.ok else 200
    return (
        render_template(
            "requirements/import.html",
            experiment=experiment_header(experiment),
            form=form,
            preview=preview,
            filename=filename,
            encoded=encoded,
        ),
        status,
    )
