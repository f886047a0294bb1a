"""Handover packs: convenor staff prepare one borough's pack as a report export job."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSubmitInput
from wtforms import RadioField, SubmitField
from wtforms.validators import InputRequired

from procure.experiments.services import experiment_header, load_experiment
from procure.forms import ProcureForm
from procure.permissions import can
from procure.procurement import bp
from procure.procurement.handover import borough_choices
from procure.reports.kinds import ReportError
from procure.reports.services import request_export
from procure.sensitivity import Audience


class HandoverForm(ProcureForm):
    organisation = RadioField(
        "Borough", widget=GovRadioInput(), validators=[InputRequired("Choose the borough")]
    )
    submit = SubmitField("Prepare the handover pack", widget=GovSubmitInput())


@bp.route("/experiments/<slug>/handover", methods=["GET", "POST"])
@login_required
def handover(slug: str):
    experiment = load_experiment(slug)
    if not can(current_user, "experiment.export", experiment):
        abort(403)
    form = HandoverForm()
    form.organisation.choices = [(o.slug, o.name) for o in borough_choices(experiment)]
    if request.method == "POST" and form.validate_on_submit():
        try:
            export = request_export(
                experiment,
                "handover",
                Audience.PARTICIPANTS,
                current_user._get_current_object(),
                organisation=form.organisation.data,
            )
        except ReportError as exc:
            form.organisation.errors.append(str(exc))
        else:
            return redirect(url_for("reports.show", slug=slug, export_id=export.id))
    return render_template(
        "procurement/handover.html", experiment=experiment_header(experiment), form=form
    )
