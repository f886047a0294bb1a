from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.experiments.read_models import build_experiment_view
from procure.experiments.services import get_experiment_or_404, participations
from procure.extensions import db
from procure.permissions import audience_for, can
from procure.reports import bp
from procure.reports.forms import ExportForm
from procure.reports.kinds import KINDS, ReportError, version_choices, workshop_choices
from procure.reports.models import ReportExport
from procure.reports.read_models import build_export_view
from procure.reports.services import ExportForbidden, export_file, exports_of, request_export
from procure.sensitivity import Audience, Redactor


def _load(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.export", experiment):
        abort(403)
    return experiment


@bp.route("/experiments/<slug>/reports", methods=["GET", "POST"])
@login_required
def index(slug: str):
    experiment = _load(slug)
    own = audience_for(current_user, experiment)
    redactor = Redactor(own)
    workshops = workshop_choices(experiment, own)
    form = ExportForm()
    form.set_choices([a for a in Audience if a <= own], workshops, version_choices(experiment))
    if request.method == "GET":
        # A link from elsewhere (a workshop's page) may choose the report beforehand.
        kind, audience_slug = request.args.get("kind"), request.args.get("audience")
        form.kind.data = kind if kind in KINDS else "summary"
        offered = [value for value, _label in form.audience.choices]
        form.audience.data = audience_slug if audience_slug in offered else "public"
        workshop_id = request.args.get("workshop_id", "")
        if workshop_id in [str(value) for value, _label in form.workshop_id.choices]:
            form.workshop_id.data = workshop_id
    if form.validate_on_submit():
        try:
            audience = Audience.parse(form.audience.data)
        except ValueError:
            form.audience.errors.append("Choose public, members or participants")
        else:
            if audience > own:
                abort(403)
            try:
                export = request_export(
                    experiment,
                    form.kind.data,
                    audience,
                    current_user._get_current_object(),
                    workshop_id=form.workshop_id.data or None,
                    version=form.version.data or None,
                )
            except ExportForbidden:
                abort(403)
            except ReportError as exc:
                getattr(form, exc.field or "kind", form.kind).errors.append(str(exc))
            else:
                if export.status == "done":
                    flash(
                        "The report was ready: nothing has changed since it was last made",
                        "success",
                    )
                return redirect(url_for("reports.show", slug=slug, export_id=export.id))
    by_id = {c.value: c for c in workshops}
    exports = [build_export_view(e, redactor, by_id) for e in exports_of(experiment)]
    view = build_experiment_view(experiment, participations(experiment), redactor)
    return render_template("reports/index.html", experiment=view, form=form, exports=exports)


def _export_or_404(experiment, export_id: int) -> ReportExport:
    export = db.session.get(ReportExport, export_id)
    if export is None or export.experiment_id != experiment.id:
        abort(404)
    if Audience.parse(export.audience) > audience_for(current_user, experiment):
        abort(403)
    return export


@bp.route("/experiments/<slug>/reports/<int:export_id>")
@login_required
def show(slug: str, export_id: int):
    experiment = _load(slug)
    export = _export_or_404(experiment, export_id)
    own = audience_for(current_user, experiment)
    redactor = Redactor(own)
    by_id = {c.value: c for c in workshop_choices(experiment, own)}
    view = build_experiment_view(experiment, participations(experiment), redactor)
    return render_template(
        "reports/show.html",
        experiment=view,
        export=build_export_view(export, redactor, by_id),
    )


@bp.route("/experiments/<slug>/reports/<int:export_id>/download")
@login_required
def download(slug: str, export_id: int):
    experiment = _load(slug)
    export = _export_or_404(experiment, export_id)
    path = export_file(export)
    if path is None:
        abort(404)
    return Response(
        path.read_bytes(),
        mimetype="application/zip" if path.suffix == ".zip" else "application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{export.filename or "report.pdf"}"'
        },
    )
