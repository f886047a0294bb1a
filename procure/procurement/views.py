"""The UK2 notice draft: its page, its edit form and its OCDS download."""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from procure.concurrency import StaleEdit
from procure.experiments.services import experiment_header, load_experiment
from procure.extensions import db, limiter
from procure.identifiers import parse_cpv_codes
from procure.market.views import page_redactor
from procure.procurement import bp
from procure.procurement.exports import ocds_filename, ocds_package
from procure.procurement.forms import NoticeForm
from procure.procurement.ocds import OcdsInvalid, dumps
from procure.procurement.read_models import build_notice_view
from procure.procurement.services import (
    NoticeError,
    NoticeInput,
    authority_choices,
    convenor_of,
    notice_of,
    save_notice,
)
from procure.reports.services import published_file
from procure.reports.serving import is_status_poll, preparing_page, send_export
from procure.sensitivity import Audience

NOTICE_LABELS = {
    "title": "Title",
    "description": "Description",
    "rationale": "Why the boroughs are engaging the market",
    "participation": "How suppliers take part",
    "cpv_codes": "CPV codes",
    "value_low": "Estimated value, lower end",
    "value_high": "Estimated value, upper end",
    "contract_months": "Contract length in months",
    "engagement_start": "Engagement start date",
    "engagement_end": "Engagement end date",
    "convenor_procures": "The convenor runs the procurement",
}


@bp.route("/experiments/<slug>/notice")
def notice(slug: str):
    experiment = load_experiment(slug)
    record = notice_of(experiment)
    view = (
        build_notice_view(record, page_redactor(experiment), convenor_of())
        if record is not None
        else None
    )
    return render_template(
        "procurement/notice.html", experiment=experiment_header(experiment), notice=view
    )


@bp.route("/experiments/<slug>/notice/edit", methods=["GET", "POST"])
@login_required
def edit_notice(slug: str):
    experiment = load_experiment(slug, "experiment.edit")
    record = notice_of(experiment)
    form = NoticeForm(obj=record)
    authorities = authority_choices(experiment)
    form.authority_ids.choices = [
        (o.id, o.name + (f" (PPON {o.ppon})" if o.ppon else "")) for o in authorities
    ]
    if request.method == "GET" and record is not None:
        form.version.data = record.version
        form.cpv_codes.data = "\n".join(record.cpv_codes or [])
        form.authority_ids.data = [a.organisation_id for a in record.authorities]
    conflict = None
    if form.validate_on_submit():
        codes, _problems = parse_cpv_codes(form.cpv_codes.data or "")
        data = NoticeInput(
            title=form.title.data or "",
            description=form.description.data or "",
            rationale=form.rationale.data or "",
            participation=form.participation.data or "",
            cpv_codes=codes,
            value_low=form.value_low.data,
            value_high=form.value_high.data,
            contract_months=form.contract_months.data,
            engagement_start=form.engagement_start.data,
            engagement_end=form.engagement_end.data,
            convenor_procures=bool(form.convenor_procures.data),
            authority_ids=list(form.authority_ids.data or []),
        )
        try:
            save_notice(experiment, data, form.version.data)
        except StaleEdit as exc:
            conflict = {k: "" if v is None else str(v) for k, v in dict(exc.current).items()}
            form.version.data = record.version if record else None
        except NoticeError as exc:
            getattr(form, exc.field or "title").errors.append(str(exc))
        else:
            flash("Saved the UK2 notice draft", "success")
            return redirect(url_for("procurement.notice", slug=slug))
    return (
        render_template(
            "procurement/edit.html",
            form=form,
            experiment=experiment_header(experiment),
            conflict=conflict,
            labels=NOTICE_LABELS,
        ),
        409 if conflict else 200,
    )


@bp.route("/experiments/<slug>/notice/ocds.json")
def ocds(slug: str):
    """The release package, built at ``public`` whoever asks (the notice is public)."""
    experiment = load_experiment(slug)
    if notice_of(experiment) is None:
        abort(404)
    try:
        package = ocds_package(current_app, experiment)
    except OcdsInvalid as exc:
        return (
            render_template(
                "procurement/ocds_refused.html",
                experiment=experiment_header(experiment),
                errors=exc.errors,
            ),
            409,
        )
    return Response(
        dumps(package),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{ocds_filename(experiment)}"'},
    )


def _not_limited() -> bool:
    """Anonymous readers are rate-limited per client; signed-in people and the progress
    page's own polls are not."""
    return current_user.is_authenticated or is_status_poll()


@bp.route("/experiments/<slug>/notice/notice.pdf")
@limiter.limit(lambda: current_app.config["PUBLIC_DOWNLOAD_RATE_LIMIT"], exempt_when=_not_limited)
def notice_pdf(slug: str):
    """The notice as the public will read it, as a tagged and marked PDF — a file from the
    report pipeline (never rendered in the request), or a progress page while it is made."""
    experiment = load_experiment(slug)
    if notice_of(experiment) is None:
        abort(404)
    export = published_file(experiment, "notice", Audience.PUBLIC)
    if export.status == "done" and not is_status_poll():
        response = send_export(export, export.filename or f"{experiment.slug}-uk2-notice.pdf")
        if response is not None:
            return response
    db.session.commit()  # hand a new export to the worker before answering
    return preparing_page(
        export,
        heading="UK2 notice draft (PDF, public)",
        check_url=url_for("procurement.notice_pdf", slug=slug),
        status_url=url_for("procurement.notice_pdf", slug=slug, status="1"),
        ready=export.status == "done",
    )
