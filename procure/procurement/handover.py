"""The handover pack of one borough: everything it needs to go to market, as one ZIP.

The pack holds the latest specification version (PDF and XLSX), the scoring report, the
UK2 notice draft (PDF and OCDS JSON, both public), the engagement record (CSV) and the
conflicts assessment (PDF),
each built by its own feature for its own audience — never above the export's — and a
``manifest.json`` listing every file with its SHA-256, size and audience. It is rendered
as a report export job (``procure.reports.services.process_export``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from procure.accounts.models import Organisation
from procure.experiments.models import Experiment, Participation
from procure.extensions import db
from procure.procurement.engagement import build_engagement_view, engagement_csv
from procure.procurement.exports import ocds_filename, ocds_package
from procure.procurement.ocds import dumps
from procure.procurement.services import notice_of
from procure.reports.document import render_report_pdf, slugify
from procure.reports.kinds import ReportError, build_document, versions_of
from procure.requirements.exports import to_xlsx
from procure.requirements.snapshots import view_of_version
from procure.sensitivity import Audience, Redactor

ZIP_DATE = (2026, 1, 1, 0, 0, 0)  # fixed member dates: the same content makes the same file


@dataclass
class HandoverPack:
    data: bytes
    filename: str
    manifest: list[dict[str, Any]]
    redaction_log: list[dict[str, Any]] = field(default_factory=list)


def borough_choices(experiment: Experiment) -> list[Organisation]:
    """Boroughs that may take a pack: those taking part (not observers)."""
    return list(
        db.session.scalars(
            sa.select(Organisation)
            .join(Participation, Participation.organisation_id == Organisation.id)
            .where(
                Participation.experiment_id == experiment.id,
                Participation.role.in_(("lead", "participant")),
            )
            .order_by(Organisation.name)
        )
    )


def resolve_borough(experiment: Experiment, slug: str | None) -> str:
    boroughs = borough_choices(experiment)
    if not slug:
        raise ReportError("Choose the borough the handover pack is for", "organisation")
    if slug not in {o.slug for o in boroughs}:
        known = ", ".join(o.slug for o in boroughs) or "none"
        raise ReportError(f"No borough {slug!r} takes part. Boroughs: {known}", "organisation")
    return slug


def build_handover(
    app: Any, experiment: Experiment, audience: Audience, organisation: str
) -> HandoverPack:
    """The ZIP for ``organisation`` at ``audience`` (the manifest names each file's audience)."""
    files: list[tuple[str, bytes, Audience]] = []
    log: list[dict[str, Any]] = []

    def report(kind: str, name: str, file_audience: Audience, **params: Any) -> None:
        document = build_document(kind, experiment, file_audience, **params)
        files.append((name, render_report_pdf(document), file_audience))
        log.extend(document.redaction_log.as_list())

    versions = versions_of(experiment)
    if versions:
        latest = versions[0]
        report(
            "requirements", f"specification-{latest.number}.pdf", audience, version=latest.number
        )
        redactor = Redactor(audience)
        view = view_of_version(latest, redactor)
        files.append(
            (f"specification-{latest.number}.xlsx", to_xlsx(view, redactor.log.as_list()), audience)
        )
        log.extend(redactor.log.as_list())
    report("scoring", "scoring-report.pdf", audience)
    record = build_engagement_view(experiment, Redactor(audience))
    if record.activities:
        files.append(("engagement-record.csv", engagement_csv(record), audience))
    if notice_of(experiment) is not None:
        report("notice", "uk2-notice.pdf", Audience.PUBLIC)
        package = ocds_package(app, experiment)
        files.append((ocds_filename(experiment), dumps(package).encode("utf-8"), Audience.PUBLIC))
    if audience >= Audience.PARTICIPANTS:
        report("conflicts", "conflicts-assessment.pdf", Audience.PARTICIPANTS)
    manifest = [
        {
            "file": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "bytes": len(data),
            "audience": file_audience.slug,
        }
        for name, data, file_audience in files
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        document = {
            "experiment": experiment.slug,
            "organisation": organisation,
            "audience": audience.slug,
            "files": manifest,
        }
        for name, data in [("manifest.json", json.dumps(document, indent=2).encode())] + [
            (n, d) for n, d, _a in files
        ]:
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data)
    filename = f"{slugify(experiment.slug)}-handover-{slugify(organisation)}-{audience.slug}.zip"
    return HandoverPack(buffer.getvalue(), filename, manifest, log)
