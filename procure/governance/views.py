from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required

from procure.audit import AuditEvent
from procure.db import utcnow
from procure.experiments.services import experiment_header, get_experiment_or_404
from procure.extensions import db, limiter
from procure.forms import ProcureForm
from procure.governance import bp
from procure.governance.forms import AuditFilterForm, ShareLinkForm
from procure.governance.models import ShareLink
from procure.governance.read_models import audit_event_row, audit_page, share_link_row
from procure.governance.services import (
    AUDIT_COLUMNS,
    AuditFilter,
    ShareError,
    audit_query,
    audit_rows,
    create_share_link,
    filter_choices,
    object_types,
    record_use,
    resolve_share_token,
    revoke,
    share_links,
)
from procure.permissions import audience_for, can
from procure.reports.services import published_file
from procure.reports.serving import is_status_poll, preparing_page, send_export
from procure.sensitivity import Audience
from procure.tabular import write_csv

PAGE_SIZE = 50
CSV_LIMIT = 50_000


def _filter_form() -> tuple[AuditFilterForm, AuditFilter]:
    form = AuditFilterForm(request.args)
    experiments, organisations = filter_choices()
    form.experiment_id.choices = [(0, "All experiments")] + [(e.id, e.title) for e in experiments]
    form.organisation_id.choices = [(0, "All organisations")] + [
        (o.id, o.name) for o in organisations
    ]
    form.object_type.choices = [("", "All kinds")] + [(t, t) for t in object_types()]
    valid = form.validate() if request.args else True
    if not valid:
        return form, AuditFilter()
    return form, AuditFilter(
        experiment_id=form.experiment_id.data or None,
        person=form.person.data or "",
        organisation_id=form.organisation_id.data or None,
        object_type=form.object_type.data or "",
        object_id=form.object_id.data,
        date_from=form.date_from.data,
        date_to=form.date_to.data,
    )


@bp.route("/admin/audit")
@login_required
def audit_trail():
    if not can(current_user, "audit.view"):
        abort(403)
    form, filters = _filter_form()
    page = db.paginate(audit_query(filters), per_page=PAGE_SIZE, error_out=False)
    return render_template(
        "governance/audit.html",
        filter_form=form,
        form=None,
        page=audit_page(page),
        args=filters.as_args(),
    )


@bp.route("/admin/audit.csv")
@login_required
def audit_csv():
    if not can(current_user, "audit.view"):
        abort(403)
    _form, filters = _filter_form()
    events = db.session.scalars(audit_query(filters).limit(CSV_LIMIT)).all()
    data = write_csv(AUDIT_COLUMNS, audit_rows(list(events))).encode("utf-8-sig")
    stamp = utcnow().strftime("%Y%m%d-%H%M")
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="procure-audit-{stamp}.csv"'},
    )


@bp.route("/admin/audit/<object_type>/<int:object_id>")
@login_required
def object_history(object_type: str, object_id: int):
    if not can(current_user, "audit.view"):
        abort(403)
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.id)
    ).all()
    if not events:
        abort(404)
    return render_template(
        "governance/history.html",
        events=[audit_event_row(e) for e in events],
        object_type=object_type,
        object_id=object_id,
    )


def _share_targets(experiment):
    """Choices for what may be shared: published versions in each format, finished exports."""
    from procure.reports.models import ReportExport
    from procure.requirements.models import SpecificationVersion

    versions = db.session.scalars(
        sa.select(SpecificationVersion)
        .where(SpecificationVersion.experiment_id == experiment.id)
        .order_by(SpecificationVersion.major.desc(), SpecificationVersion.minor.desc())
    ).all()
    exports = db.session.scalars(
        sa.select(ReportExport)
        .where(ReportExport.experiment_id == experiment.id, ReportExport.status == "done")
        .order_by(ReportExport.id.desc())
        .limit(50)
    ).all()
    choices = [
        (f"spec:{v.id}:{fmt}", f"Specification {v.number} ({fmt.upper()})")
        for v in versions
        for fmt in ("pdf", "xlsx", "csv", "json")
    ]
    choices += [
        (
            f"report:{e.id}",
            f"Report #{e.id}: {e.kind} for {e.audience}, {e.created_at:%d %b %Y %H:%M}",
        )
        for e in exports
    ]
    return choices, {e.id: e for e in exports}


@bp.route("/experiments/<slug>/share", methods=["GET", "POST"])
@login_required
def share(slug: str):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.export", experiment):
        abort(403)
    own = audience_for(current_user, experiment)
    form = ShareLinkForm()
    targets, exports = _share_targets(experiment)
    form.target.choices = targets or [("", "Nothing to share yet")]
    form.audience.choices = [(a.slug, a.label) for a in Audience if a <= own]
    if request.method == "GET":
        form.expires_on.data = (utcnow() + timedelta(days=30)).date()
    created = None
    if form.validate_on_submit():
        kind, _, rest = form.target.data.partition(":")
        kwargs: dict = {}
        audience = Audience.parse(form.audience.data)
        if kind == "spec":
            version_id, _, fmt = rest.partition(":")
            kwargs = {"specification_version_id": int(version_id), "spec_format": fmt}
        elif kind == "report" and rest.isdigit() and int(rest) in exports:
            kwargs = {"report_export_id": int(rest)}
            # A finished report is already redacted for its own audience: share it as it is.
            audience = Audience.parse(exports[int(rest)].audience)
        else:
            form.target.errors.append("Choose something to share from the list")
        if kwargs:
            try:
                link, token = create_share_link(
                    experiment,
                    audience=audience,
                    expires_on=form.expires_on.data,
                    label=form.label.data,
                    creator=current_user,
                    creator_audience=own,
                    **kwargs,
                )
            except ShareError as exc:
                getattr(form, exc.field or "target").errors.append(str(exc))
            else:
                created = (
                    share_link_row(link),
                    url_for("governance.shared_file", token=token, _external=True),
                )
    return render_template(
        "governance/share.html",
        experiment=experiment_header(experiment),
        form=form,
        links=[share_link_row(link) for link in share_links(experiment)],
        created=created,
        revoke_form=ProcureForm(),
    )


@bp.route("/experiments/<slug>/share/<int:link_id>/revoke", methods=["POST"])
@login_required
def revoke_link(slug: str, link_id: int):
    experiment = get_experiment_or_404(slug)
    if not can(current_user, "experiment.export", experiment):
        abort(403)
    link = db.session.get(ShareLink, link_id)
    if link is None or link.experiment_id != experiment.id:
        abort(404)
    if not ProcureForm().validate_on_submit():
        abort(400)
    revoke(link)
    flash("The link has been withdrawn: it no longer works", "success")
    return redirect(url_for("governance.share", slug=slug))


@bp.route("/share/<token>")
@limiter.limit(lambda: current_app.config["PUBLIC_DOWNLOAD_RATE_LIMIT"], exempt_when=is_status_poll)
def shared_file(token: str):
    try:
        link = resolve_share_token(token)
    except ShareError as exc:
        db.session.commit()  # keep the refusal in the audit trail although the response is an error
        return render_template("governance/share_refused.html", message=str(exc)), 404
    audience = Audience.parse(link.audience)
    if link.target == "report":
        from procure.reports.models import ReportExport
        from procure.reports.services import export_file

        export = db.session.get(ReportExport, link.report_export_id)
        path = export_file(export) if export else None
        if path is None:
            return render_template(
                "governance/share_refused.html",
                message="The file for this link is no longer available.",
            ), 404
        record_use(link)
        return send_file(
            path,
            mimetype="application/pdf",
            as_attachment=True,
            download_name=export.filename or path.name,
        )
    from procure.requirements.models import SpecificationVersion

    version = db.session.get(SpecificationVersion, link.specification_version_id)
    if link.spec_format == "pdf":
        experiment = version.experiment
        export = published_file(experiment, "requirements", audience, version=version.number)
        if export.status == "done" and request.args.get("status") != "1":
            response = send_export(
                export, f"{experiment.slug}-spec-{version.number}-{audience.slug}.pdf"
            )
            if response is not None:
                record_use(link)
                return response
        db.session.commit()  # hand a new export to the worker before answering
        return preparing_page(
            export,
            heading=f"Shared specification {version.number} (PDF)",
            check_url=url_for("governance.shared_file", token=token),
            status_url=url_for("governance.shared_file", token=token, status="1"),
            ready=export.status == "done",
        )
    from procure.requirements.exports import export_version

    spec = export_version(version, audience, link.spec_format)
    record_use(link)
    return Response(
        spec.data,
        mimetype=spec.mimetype,
        headers={"Content-Disposition": f'attachment; filename="{spec.filename}"'},
    )
