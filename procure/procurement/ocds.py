"""The notice as an OCDS 1.1 release package, validated offline before anyone gets it.

The package is built only from the notice read at ``public`` (a notice is published to
everyone) and from public page addresses under ``PUBLIC_URL`` — never share links, which
carry a secret. It is validated against the OCDS 1.1.5 release package schema bundled in
``procure/procurement/schemas/`` (the package schema refers to the release schema by its
``id`` URL, which a local ``referencing`` registry answers, so nothing is fetched); an
invalid package raises :class:`OcdsInvalid` listing every error, and is never written.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import sqlalchemy as sa
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from procure.experiments.models import Experiment
from procure.extensions import db
from procure.procurement.read_models import AuthorityRow, NoticeView
from procure.requirements.models import SpecificationVersion

OCDS_VERSION = "1.1"
RELEASE_SCHEMA = "release-schema.json"
PACKAGE_SCHEMA = "release-package-schema.json"


class OcdsInvalid(ValueError):
    """The package does not validate; ``errors`` lists each problem with its place."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("The OCDS release package is not valid:\n" + "\n".join(errors))
        self.errors = errors


def _schema(name: str) -> dict[str, Any]:
    text = (resources.files("procure.procurement") / "schemas" / name).read_text("utf-8")
    return json.loads(text)


@cache
def package_validator() -> Draft4Validator:
    """A draft 4 validator of the release package whose references resolve locally only."""
    release = _schema(RELEASE_SCHEMA)
    package = _schema(PACKAGE_SCHEMA)
    registry = Registry().with_resource(
        release["id"], Resource.from_contents(release, default_specification=DRAFT4)
    )
    return Draft4Validator(package, registry=registry)


def validation_errors(package: dict[str, Any]) -> list[str]:
    """Every schema error as ``path: message`` (empty when the package is valid)."""
    errors = sorted(package_validator().iter_errors(package), key=lambda e: list(e.path))
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '(package)'}: {e.message}" for e in errors
    ]


def _stamp(value: datetime | date) -> str:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time.min)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _amount(value: Decimal) -> float | int:
    return int(value) if value == value.to_integral_value() else float(value)


def party_id(prefix: str, org: AuthorityRow) -> str:
    """A party's id from its strongest identifier: PPON, then Companies House, then ours."""
    if org.ppon:
        return f"GB-PPON-{org.ppon}"
    if org.companies_house_number:
        return f"GB-COH-{org.companies_house_number}"
    return f"{prefix}-org-{org.slug}"


def _party(prefix: str, org: AuthorityRow, roles: list[str]) -> dict[str, Any]:
    identifiers = []
    if org.ppon:
        identifiers.append({"scheme": "GB-PPON", "id": org.ppon, "legalName": org.name})
    if org.companies_house_number:
        identifiers.append(
            {"scheme": "GB-COH", "id": org.companies_house_number, "legalName": org.name}
        )
    party: dict[str, Any] = {"id": party_id(prefix, org), "name": org.name, "roles": roles}
    if identifiers:
        party["identifier"] = identifiers[0]
        if identifiers[1:]:
            party["additionalIdentifiers"] = identifiers[1:]
    return party


def _public_url(config: dict[str, Any], path: str) -> str:
    return config["PUBLIC_URL"].rstrip("/") + path


def _documents(
    experiment: Experiment, config: dict[str, Any], paths: dict[str, str], released: str
) -> list[dict[str, Any]]:
    """The market study, the scoring summary and the specification: public pages."""
    documents = []
    if "market" in paths:
        documents.append(
            {
                "id": "market-study",
                "documentType": "marketStudies",
                "title": "Market study",
                "url": _public_url(config, paths["market"]),
                "dateModified": released,
                "language": "en",
            }
        )
    if "scoring" in paths:
        documents.append(
            {
                "id": "scoring-summary",
                "documentType": "evaluationReports",
                "title": "Scoring summary: feasibility and desirability of the options",
                "url": _public_url(config, paths["scoring"]),
                "dateModified": released,
                "language": "en",
            }
        )
    latest = db.session.scalar(
        sa.select(SpecificationVersion)
        .where(SpecificationVersion.experiment_id == experiment.id)
        .order_by(SpecificationVersion.major.desc(), SpecificationVersion.minor.desc())
        .limit(1)
    )
    if latest is not None and "specification" in paths:
        documents.append(
            {
                "id": f"specification-{latest.number}",
                "documentType": "technicalSpecifications",
                "title": f"Joint requirements specification, version {latest.number}",
                "url": _public_url(config, paths["specification"].format(number=latest.number)),
                "datePublished": _stamp(latest.published_at),
                "language": "en",
            }
        )
    return documents


def build_release_package(
    experiment: Experiment,
    notice: NoticeView,
    config: dict[str, Any],
    paths: dict[str, str],
    now: datetime | None = None,
) -> dict[str, Any]:
    """The release package of ``notice`` — which must have been built at ``public``.

    ``paths`` gives the public page paths (``notice``, ``market``, ``scoring``,
    ``specification`` with ``{number}``) of the features installed. Raises
    :class:`OcdsInvalid` when the package does not validate.
    """
    prefix = config["OCDS_OCID_PREFIX"]
    released = _stamp(now or datetime.now(UTC))
    ocid = f"{prefix}-{experiment.slug}"
    parties = [_party(prefix, org, ["buyer"]) for org in notice.authorities]
    tender: dict[str, Any] = {
        "id": f"{ocid}-tender",
        "title": notice.title,
        "description": notice.description_text.strip(),
        "status": "planning",
    }
    if notice.convenor_procures and notice.convenor is not None:
        convenor = _party(prefix, notice.convenor, ["procuringEntity"])
        parties.append(convenor)
        tender["procuringEntity"] = {"id": convenor["id"], "name": convenor["name"]}
    if notice.cpv:
        classifications = [
            {"scheme": "CPV", "id": row.code.split("-")[0], "description": row.description}
            if row.description
            else {"scheme": "CPV", "id": row.code.split("-")[0]}
            for row in notice.cpv
        ]
        tender["classification"] = classifications[0]
        if classifications[1:]:
            tender["additionalClassifications"] = classifications[1:]
    if notice.value_high is not None:
        tender["value"] = {"amount": _amount(notice.value_high), "currency": "GBP"}
    if notice.value_low is not None:
        tender["minValue"] = {"amount": _amount(notice.value_low), "currency": "GBP"}
    if notice.contract_months:
        tender["contractPeriod"] = {"durationInDays": round(notice.contract_months * 365.25 / 12)}
    if notice.engagement_start or notice.engagement_end:
        period: dict[str, str] = {}
        if notice.engagement_start:
            period["startDate"] = _stamp(notice.engagement_start)
        if notice.engagement_end:
            period["endDate"] = _stamp(notice.engagement_end)
        tender["enquiryPeriod"] = period
    if notice.participation_text:
        tender["submissionMethodDetails"] = notice.participation_text.strip()
    if notice.lots:
        tender["lots"] = [
            {
                "id": str(lot.number),
                "title": lot.title,
                "description": lot.description_text.strip(),
                "status": "planning",
            }
            for lot in notice.lots
        ]
    release: dict[str, Any] = {
        "ocid": ocid,
        "id": f"{ocid}-planning-{notice.version}",
        "date": released,
        "tag": ["planning"],
        "initiationType": "tender",
        "language": "en",
        "parties": parties,
        "planning": {
            "rationale": notice.rationale_text.strip(),
            "documents": _documents(experiment, config, paths, released),
        },
        "tender": tender,
    }
    if parties:
        release["buyer"] = {"id": parties[0]["id"], "name": parties[0]["name"]}
    package = {
        "uri": _public_url(config, paths["ocds"]),
        "version": OCDS_VERSION,
        "publishedDate": released,
        "publisher": {"name": config["OCDS_PUBLISHER"]},
        "releases": [release],
    }
    errors = validation_errors(package)
    if errors:
        raise OcdsInvalid(errors)
    return package


def dumps(package: dict[str, Any]) -> str:
    return json.dumps(package, indent=2, ensure_ascii=False) + "\n"


def public_paths(app: Any, experiment: Experiment) -> dict[str, str]:
    """Paths of the public pages an OCDS package links to, for the features installed."""
    adapter = app.url_map.bind("")
    slug = experiment.slug
    paths = {
        "ocds": adapter.build("procurement.ocds", {"slug": slug}),
        "notice": adapter.build("procurement.notice", {"slug": slug}),
    }
    for key, endpoint in (("market", "market.index"), ("scoring", "scoring.dashboard")):
        if endpoint in app.view_functions:
            paths[key] = adapter.build(endpoint, {"slug": slug})
    if "requirements.version" in app.view_functions:
        paths["specification"] = adapter.build(
            "requirements.version", {"slug": slug, "number": "NUMBER"}
        ).replace("NUMBER", "{number}")
    return paths
