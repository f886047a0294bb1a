"""The complete access table: every route in the URL map × every kind of person.

One row per (route, method, URL). Each row says what every role gets on a
published experiment and on an unpublished one. A new route without a row
fails ``test_every_route_has_a_row``, so nothing ships unchecked.

GET rows name the exact status. POST rows send a valid CSRF token and a
minimal (usually invalid) body: roles without permission get 403 (302 to the
sign-in page when anonymous) and nothing in the database changes; roles with
permission get anything but 403 or 500. Rows also cover object-level rules
(one borough's scorecard, landscape row, endorsement and task lists reached
with another borough's login) and tampered ids (an option, workshop, note,
requirement, criterion, export, link or organisation of the OTHER experiment).

Cases are grouped per role: one world per test keeps the suite fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from procure.extensions import db
from procure.sensitivity import Audience, Sensitivity
from tests.factories import (
    AdminFactory,
    AuditEventFactory,
    CriterionFactory,
    DeclarationFactory,
    EndorsementFactory,
    ExperimentFactory,
    InvitationFactory,
    LandscapeEntryFactory,
    NoteSectionFactory,
    NoticeAuthorityFactory,
    OptionFactory,
    OrganisationFactory,
    ParticipationFactory,
    ProcurementNoticeFactory,
    ReportExportFactory,
    RequirementFactory,
    ScorecardFactory,
    ScoreFactory,
    SpecificationVersionFactory,
    UserFactory,
    WorkshopFactory,
)

AN, MEM, OFF, PL, OL, OBS, LO, AD = (
    "anonymous",
    "member",  # an officer of a member organisation not taking part
    "officer",  # an officer of participating borough A
    "procurement_lead",  # the procurement lead of borough A
    "other_lead",  # the procurement lead of ANOTHER participating borough (B)
    "observer",  # an officer of an observer organisation
    "lead_org_officer",  # an officer of the experiment's lead organisation
    "admin",
)
ROLES = [AN, MEM, OFF, PL, OL, OBS, LO, AD]
SIGNED_IN = ROLES[1:]
EDITORS = {LO, AD}  # experiment.edit: admins and the lead organisation
PROPOSERS = {PL, OL, LO, AD}  # option.propose / requirement.propose
PARTICIPANTS = {OFF, PL, OL, OBS, LO, AD}  # read at the participants audience

OK = "not 403 or 500"  # a permitted POST: whatever the (minimal) body earns, never refused


# --- expectations ----------------------------------------------------------------------------


def page(kind: str) -> dict[str, Any]:
    """A public page: everyone on a published experiment; members and up on an unpublished one."""
    return {r: 404 if (r == AN and kind == "draft") else 200 for r in ROLES}


def everyone(status: Any) -> dict[str, Any]:
    return dict.fromkeys(ROLES, status)


def signed_in(allowed: set[str], ok: Any = 200, denied: Any = 403) -> dict[str, Any]:
    """A page behind the sign-in: anonymous → sign-in page; ``allowed`` → ``ok``; others → denied."""
    return {r: 302 if r == AN else ok if r in allowed else denied for r in ROLES}


def posted(allowed: set[str]) -> dict[str, Any]:
    return signed_in(allowed, ok=OK)


def tampered(allowed: set[str] | None = None) -> dict[str, Any]:
    """An id from the other experiment: 404 (anonymous → sign-in page).

    ``allowed``: when the view checks the permission before loading the object,
    roles without it get 403 first, which is as good.
    """
    return signed_in(allowed or set(SIGNED_IN), ok=404, denied=403)


@dataclass(frozen=True)
class Row:
    endpoint: str
    method: str
    path: str  # format string over the world's ids; o_* are the OTHER experiment's ids
    expect: Any  # dict role → status, or a function kind → dict
    scope: str = "experiment"  # "experiment": run on both experiments; "site": once


def expected(row: Row, kind: str) -> dict[str, Any]:
    return row.expect(kind) if callable(row.expect) else row.expect


def both(endpoint: str, path: str, allowed: set[str]) -> list[Row]:
    """A form page: GET 200 and POST permitted for ``allowed``; 403 for everyone else."""
    return [
        Row(endpoint, "GET", path, signed_in(allowed)),
        Row(endpoint, "POST", path, posted(allowed)),
    ]


ADMIN = {AD}
LEADS = {PL, OL, AD}  # who may invite: admins, and procurement leads for their own organisation
E = "/experiments/{slug}"

SITE_ROWS = [
    Row("accounts.login", "GET", "/login", {r: 200 if r == AN else 302 for r in ROLES}, "site"),
    Row("accounts.login", "POST", "/login", everyone(OK), "site"),
    *[Row(r.endpoint, r.method, r.path, r.expect, "site") for r in both("accounts.organisations", "/admin/organisations", ADMIN)],
    *[Row(r.endpoint, r.method, r.path, r.expect, "site") for r in both("accounts.users", "/admin/users", ADMIN)],
    Row("experiments.accessibility", "GET", "/accessibility", everyone(200), "site"),
    # Forgotten passwords, invitations and the Account page (issue 14)
    Row("accounts.forgot_password", "GET", "/forgot-password", everyone(200), "site"),
    Row("accounts.forgot_password", "POST", "/forgot-password", everyone(OK), "site"),
    Row("accounts.reset_link", "GET", "/reset-password/not-a-real-token", everyone(404), "site"),
    Row("accounts.reset_password", "GET", "/reset-password", everyone(404), "site"),
    Row("accounts.reset_password", "POST", "/reset-password", everyone(404), "site"),
    Row("accounts.invitation_link", "GET", "/invitation/not-a-real-token", everyone(404), "site"),
    Row("accounts.accept_invitation", "GET", "/invitation", everyone(404), "site"),
    Row("accounts.accept_invitation", "POST", "/invitation", everyone(404), "site"),
    *[Row(r.endpoint, r.method, r.path, r.expect, "site") for r in both("accounts.account", "/account", set(SIGNED_IN))],
    *[Row(r.endpoint, r.method, r.path, r.expect, "site") for r in both("accounts.invitations", "/invitations", LEADS)],
    # Sign-in with the council account is not configured in the suite: no such pages.
    Row("accounts.sso_start", "GET", "/login/council", everyone(404), "site"),
    Row("accounts.sso_callback", "GET", "/login/council/callback", everyone(404), "site"),
    Row("accounts.approvals", "GET", "/admin/approvals", signed_in(LEADS), "site"),
    Row("accounts.approve_person", "POST", "/admin/approvals/987654321", signed_in(LEADS, ok=404), "site"),
    Row("accounts.resend_invitation", "POST", "/invitations/{invitation_a}/resend", posted({PL, AD}), "site"),
    Row("accounts.resend_invitation", "POST", "/invitations/{invitation_b}/resend", posted({OL, AD}), "site"),
    Row("accounts.resend_invitation", "POST", "/invitations/987654321/resend", signed_in(LEADS, ok=404), "site"),
    Row("mail.outbox", "GET", "/admin/outbox", signed_in(ADMIN), "site"),
    Row("experiments.index", "GET", "/", everyone(200), "site"),
    Row("work.index", "GET", "/work", signed_in(set(SIGNED_IN)), "site"),
    *[Row(r.endpoint, r.method, r.path, r.expect, "site") for r in both("experiments.create", "/experiments/new", ADMIN)],
    Row("governance.audit_trail", "GET", "/admin/audit", signed_in(ADMIN), "site"),
    Row("governance.audit_csv", "GET", "/admin/audit.csv", signed_in(ADMIN), "site"),
    Row("governance.object_history", "GET", "/admin/audit/Option/{option}", signed_in(ADMIN), "site"),
    Row("governance.object_history", "GET", "/admin/audit/Option/987654321", signed_in(ADMIN, ok=404), "site"),
    Row("governance.shared_file", "GET", "/share/{token}", everyone(200), "site"),
    Row("governance.shared_file", "GET", "/share/{o_token}", everyone(200), "site"),
    Row("governance.shared_file", "GET", "/share/not-a-real-token", everyone(404), "site"),
]  # fmt: skip

EXPERIMENT_ROWS = [
    # Experiments
    Row("experiments.show", "GET", E, page),
    *both("experiments.edit", E + "/edit", EDITORS),
    *both("experiments.manage_participants", E + "/participants", ADMIN),
    *both("experiments.stage", E + "/stage", ADMIN),
    Row("experiments.publish", "POST", E + "/publish", posted(ADMIN)),
    Row("experiments.remove", "POST", E + "/participants/{o_spare}/remove", tampered(ADMIN)),
    # Sharing
    *both("governance.share", E + "/share", ADMIN),
    Row("governance.revoke_link", "POST", E + "/share/{o_link}/revoke", tampered(ADMIN)),
    # Market scan
    Row("market.index", "GET", E + "/market", page),
    Row("market.landscape", "GET", E + "/landscape", page),
    Row("market.option", "GET", E + "/market/options/{option}", page),
    # An option above the reader's audience does not exist for them.
    Row("market.option", "GET", E + "/market/options/{secret_option}",
        {r: 404 if r in (AN, MEM) else 200 for r in ROLES}),
    # A proposal: its proposer (borough A's lead) and the editors only.
    Row("market.option", "GET", E + "/market/options/{proposal}",
        {r: 200 if r in {PL, LO, AD} else 404 for r in ROLES}),
    Row("market.option", "GET", E + "/market/options/{o_option}", everyone(404)),
    *both("market.create", E + "/market/options/new", PROPOSERS),
    *both("market.edit", E + "/market/options/{option}/edit", EDITORS),
    Row("market.edit", "GET", E + "/market/options/{o_option}/edit", tampered()),
    Row("market.edit", "POST", E + "/market/options/{o_option}/edit", tampered()),
    Row("market.accept", "POST", E + "/market/options/{proposal}/accept", posted(EDITORS)),
    Row("market.accept", "POST", E + "/market/options/{o_proposal}/accept", tampered()),
    *both("market.edit_landscape", E + "/landscape/{org_a}/edit", {PL, AD}),
    *both("market.edit_landscape", E + "/landscape/{org_b}/edit", {OL, AD}),
    Row("market.edit_landscape", "GET", E + "/landscape/{o_only_org}/edit", tampered()),
    Row("market.edit_landscape", "POST", E + "/landscape/{o_only_org}/edit", tampered()),
    Row("market.edit_landscape", "GET", E + "/landscape/{member_org}/edit", tampered()),
    Row("market.export", "GET", E + "/market/export/options.csv", page),
    Row("market.export", "GET", E + "/market/export/landscape.xlsx", page),
    *both("market.import_upload", E + "/market/import/options", EDITORS),
    *both("market.import_upload", E + "/market/import/landscape", {PL, OL, AD}),
    Row("market.import_confirm", "POST", E + "/market/import/options/confirm", posted(EDITORS)),
    Row("market.import_confirm", "POST", E + "/market/import/landscape/confirm", posted({PL, OL, AD})),
    # Scoring
    Row("scoring.dashboard", "GET", E + "/scoring", page),
    Row("scoring.agenda", "GET", E + "/scoring/agenda", page),
    Row("scoring.option", "GET", E + "/scoring/options/{option}", page),
    Row("scoring.option", "GET", E + "/scoring/options/{o_option}", everyone(404)),
    # At public, boroughs are anonymised: no page is addressed by a borough's name.
    # Blind scoring: a borough that has not submitted everything sees only its own page;
    # readers outside the scoring (a member organisation not taking part) see no borough's.
    Row("scoring.borough", "GET", E + "/scoring/boroughs/{org_a_slug}",
        {**{r: 404 if r == AN else 200 for r in ROLES}, LO: 403, MEM: 403}),
    Row("scoring.borough", "GET", E + "/scoring/boroughs/{org_b_slug}",
        {**{r: 404 if r == AN else 200 for r in ROLES}, OFF: 403, PL: 403, LO: 403, MEM: 403}),
    Row("scoring.borough", "GET", E + "/scoring/boroughs/{o_only_slug}", everyone(404)),
    Row("scoring.export_csv", "GET", E + "/scoring/scores.csv", page),
    Row("scoring.export_xlsx", "GET", E + "/scoring/scores.xlsx", page),
    *both("scoring.criteria", E + "/scoring/criteria", ADMIN),
    Row("scoring.starter_set", "POST", E + "/scoring/criteria/starter-set", posted(ADMIN)),
    *both("scoring.edit_criterion", E + "/scoring/criteria/{criterion}/edit", ADMIN),
    Row("scoring.edit_criterion", "GET", E + "/scoring/criteria/{o_criterion}/edit", tampered()),
    Row("scoring.remove_criterion", "POST", E + "/scoring/criteria/{o_spare_criterion}/delete", tampered()),
    *both("scoring.moderate", E + "/scoring/moderation/{option}/{criterion}", ADMIN),
    Row("scoring.moderate", "GET", E + "/scoring/moderation/{o_option}/{criterion}", tampered()),
    Row("scoring.moderate", "GET", E + "/scoring/moderation/{option}/{o_criterion}", tampered()),
    *both("scoring.declaration", E + "/scoring/declaration", PARTICIPANTS),
    Row("scoring.declarations_register", "GET", E + "/scoring/declarations", signed_in(ADMIN)),
    # Each scoring borough's lead is sent on to their own task list.
    Row("scoring.tasks_index", "GET", E + "/scoring/tasks",
        {**signed_in(ADMIN), PL: 302, OL: 302}),
    Row("scoring.tasks", "GET", E + "/scoring/tasks/{org_a_slug}", signed_in({PL, AD})),
    Row("scoring.tasks", "GET", E + "/scoring/tasks/{org_b_slug}", signed_in({OL, AD})),
    Row("scoring.tasks", "GET", E + "/scoring/tasks/{o_only_slug}", tampered()),
    *both("scoring.scorecard", E + "/scoring/tasks/{org_a_slug}/{option}", {PL, AD}),
    *both("scoring.scorecard", E + "/scoring/tasks/{org_b_slug}/{option}", {OL, AD}),
    Row("scoring.scorecard", "GET", E + "/scoring/tasks/{org_a_slug}/{o_option}", tampered()),
    Row("scoring.scorecard", "POST", E + "/scoring/tasks/{org_a_slug}/{o_option}", tampered()),
    Row("scoring.scorecard", "GET", E + "/scoring/tasks/{o_only_slug}/{option}", tampered()),
    # Check your answers: A's draft is incomplete and B's is submitted, so both send the
    # permitted person back to the scorecard (302); everyone else is refused.
    Row("scoring.check", "GET", E + "/scoring/tasks/{org_a_slug}/{option}/check", signed_in({PL, AD}, ok=302)),
    Row("scoring.check", "POST", E + "/scoring/tasks/{org_a_slug}/{option}/check", posted({PL, AD})),
    Row("scoring.check", "GET", E + "/scoring/tasks/{org_b_slug}/{option}/check", signed_in({OL, AD}, ok=302)),
    Row("scoring.check", "GET", E + "/scoring/tasks/{org_a_slug}/{o_option}/check", tampered()),
    Row("scoring.check", "POST", E + "/scoring/tasks/{org_a_slug}/{o_option}/check", tampered()),
    *both("scoring.borough_weights", E + "/scoring/tasks/{org_a_slug}/weights", {PL, AD}),
    *both("scoring.borough_weights", E + "/scoring/tasks/{org_b_slug}/weights", {OL, AD}),
    Row("scoring.borough_weights", "GET", E + "/scoring/tasks/{o_only_slug}/weights", tampered()),
    Row("scoring.borough_weights", "POST", E + "/scoring/tasks/{o_only_slug}/weights", tampered()),
    *both("scoring.reopen", E + "/scoring/tasks/{org_b_slug}/{option}/reopen", ADMIN),
    Row("scoring.reopen", "GET", E + "/scoring/tasks/{org_b_slug}/{o_option}/reopen", tampered()),
    # Deadlines, scoring reopened for one organisation, progress: the convenor's.
    *both("work.deadlines", E + "/deadlines", ADMIN),
    *both("work.reopen", E + "/deadlines/reopen/{org_b_slug}", ADMIN),
    Row("work.reopen", "GET", E + "/deadlines/reopen/{o_only_slug}", tampered(ADMIN)),
    Row("work.progress", "GET", E + "/progress", signed_in(ADMIN)),
    # Requirements and specifications
    Row("requirements.index", "GET", E + "/requirements", page),
    Row("requirements.matrix", "GET", E + "/requirements/matrix", page),
    Row("requirements.show", "GET", E + "/requirements/{req}", page),
    Row("requirements.show", "GET", E + "/requirements/{o_req}", everyone(404)),
    *both("requirements.propose", E + "/requirements/new", PROPOSERS),
    *both("requirements.edit", E + "/requirements/{req}/edit", EDITORS),
    Row("requirements.edit", "GET", E + "/requirements/{o_req}/edit", tampered()),
    Row("requirements.edit", "POST", E + "/requirements/{o_req}/edit", tampered()),
    Row("requirements.agree", "POST", E + "/requirements/{req}/agree", posted(EDITORS)),
    Row("requirements.agree", "POST", E + "/requirements/{o_req}/agree", tampered()),
    *both("requirements.withdraw", E + "/requirements/{req}/withdraw", EDITORS),
    Row("requirements.withdraw", "GET", E + "/requirements/{o_req}/withdraw", tampered()),
    *both("requirements.endorse_requirement", E + "/requirements/{req}/endorse/{org_a_slug}", {PL, AD}),
    *both("requirements.endorse_requirement", E + "/requirements/{req}/endorse/{org_b_slug}", {OL, AD}),
    Row("requirements.endorse_requirement", "GET", E + "/requirements/{req}/endorse/{o_only_slug}", tampered()),
    Row("requirements.endorse_requirement", "POST", E + "/requirements/{req}/endorse/{o_only_slug}", tampered()),
    Row("requirements.endorse_requirement", "GET", E + "/requirements/{o_req}/endorse/{org_a_slug}", tampered()),
    # Task lists: your own organisation's (observers and non-participants have none).
    Row("requirements.tasks", "GET", E + "/requirements/tasks",
        {**signed_in({OFF, PL, OL, LO, AD}), MEM: 404, OBS: 404}),
    Row("requirements.tasks", "GET", E + "/requirements/tasks?organisation={org_a_slug}",
        signed_in({OFF, PL, AD})),
    *both("requirements.categories", E + "/requirements/categories", ADMIN),
    *both("requirements.import_requirements", E + "/requirements/import", EDITORS),
    Row("requirements.versions", "GET", E + "/specification", page),
    Row("requirements.version", "GET", E + "/specification/{spec}", page),
    Row("requirements.version", "GET", E + "/specification/{o_spec}", everyone(404)),
    Row("requirements.download", "GET", E + "/specification/{spec}/download/csv", page),
    Row("requirements.download", "GET", E + "/specification/{spec}/download/json", page),
    Row("requirements.download", "GET", E + "/specification/{o_spec}/download/csv", everyone(404)),
    # PDFs come from the report pipeline's cached file (rendered by a job, never here).
    Row("requirements.download", "GET", E + "/specification/{spec}/download/pdf", page),
    Row("requirements.download", "GET", E + "/specification/{spec}/download/pdf?status=1", page),
    Row("requirements.download", "GET", E + "/specification/{o_spec}/download/pdf", everyone(404)),
    # Asking for a copy above your own audience is refused.
    Row("requirements.download", "GET", E + "/specification/{spec}/download/csv?audience=participants",
        lambda kind: {**page(kind), MEM: 403, AN: 403 if kind == "published" else 404}),
    *both("requirements.publish", E + "/specification/publish", ADMIN),
    # Workshops
    Row("workshops.index", "GET", E + "/workshops", page),
    Row("workshops.show", "GET", E + "/workshops/{workshop}", page),
    Row("workshops.show", "GET", E + "/workshops/{o_workshop}", everyone(404)),
    *both("workshops.create", E + "/workshops/new", EDITORS),
    *both("workshops.edit", E + "/workshops/{workshop}/edit", EDITORS),
    Row("workshops.edit", "GET", E + "/workshops/{o_workshop}/edit", tampered(EDITORS)),
    Row("workshops.edit", "POST", E + "/workshops/{o_workshop}/edit", tampered(EDITORS)),
    *both("workshops.discussed", E + "/workshops/{workshop}/discussed", EDITORS),
    *both("workshops.add_item", E + "/workshops/{workshop}/notes/new", EDITORS),
    *both(
        "workshops.add_attendees_view", E + "/workshops/{workshop}/attendees/add-several", EDITORS
    ),
    Row(
        "workshops.add_attendees_view",
        "GET",
        E + "/workshops/{o_workshop}/attendees/add-several",
        tampered(EDITORS),
    ),
    Row("workshops.add_item", "GET", E + "/workshops/{o_workshop}/notes/new", tampered(EDITORS)),
    *both("workshops.edit_item", E + "/workshops/{workshop}/notes/{note}/edit", EDITORS),
    Row("workshops.edit_item", "GET", E + "/workshops/{workshop}/notes/{o_note}/edit", tampered(EDITORS)),
    Row("workshops.edit_item", "POST", E + "/workshops/{workshop}/notes/{o_note}/edit", tampered(EDITORS)),
    Row("workshops.remove", "GET", E + "/workshops/{workshop}/notes/{spare_note}/remove", signed_in(EDITORS)),
    Row("workshops.remove", "POST", E + "/workshops/{workshop}/notes/{o_spare_note}/remove", tampered(EDITORS)),
    Row("workshops.delete", "GET", E + "/workshops/{spare_workshop}/delete", signed_in(EDITORS)),
    Row("workshops.delete", "POST", E + "/workshops/{o_spare_workshop}/delete", tampered(EDITORS)),
    # From experiment to tender: the UK2 notice draft (a public document) and its OCDS file
    Row("procurement.engagement", "GET", E + "/engagement", page),
    *both("procurement.add_engagement", E + "/engagement/new", EDITORS),
    Row("procurement.notice", "GET", E + "/notice", page),
    *both("procurement.edit_notice", E + "/notice/edit", EDITORS),
    Row("procurement.ocds", "GET", E + "/notice/ocds.json", page),
    Row("procurement.notice_pdf", "GET", E + "/notice/notice.pdf", page),
    *both("procurement.conflicts", E + "/conflicts", ADMIN),
    Row("procurement.conflicts_download", "GET", E + "/conflicts.csv", signed_in(ADMIN)),
    Row("procurement.conflicts_download", "GET", E + "/conflicts.xlsx", signed_in(ADMIN)),
    *both("procurement.handover", E + "/handover", ADMIN),
    # Report packs (admins choose the audience; never above their own)
    *both("reports.index", E + "/reports", ADMIN),
    Row("reports.show", "GET", E + "/reports/{export}", signed_in(ADMIN)),
    Row("reports.show", "GET", E + "/reports/{o_export}", tampered(ADMIN)),
    Row("reports.download", "GET", E + "/reports/{export}/download", signed_in(ADMIN)),
    Row("reports.download", "GET", E + "/reports/{o_export}/download", tampered(ADMIN)),
]  # fmt: skip

# Posts that delete or withdraw something: run after every other case of the role.
DESTRUCTIVE_ROWS = [
    Row("experiments.remove", "POST", E + "/participants/{spare}/remove", posted(ADMIN)),
    Row("governance.revoke_link", "POST", E + "/share/{link}/revoke", posted(ADMIN)),
    Row("scoring.remove_criterion", "POST", E + "/scoring/criteria/{spare_criterion}/delete", posted(ADMIN)),
    Row("workshops.remove", "POST", E + "/workshops/{workshop}/notes/{spare_note}/remove", posted(EDITORS)),
    Row("workshops.delete", "POST", E + "/workshops/{spare_workshop}/delete", posted(EDITORS)),
    Row("accounts.withdraw_invitation", "POST", "/invitations/{invitation_a}/withdraw", posted({PL, AD}), "site"),
    Row("accounts.withdraw_invitation", "POST", "/invitations/{invitation_b}/withdraw", posted({OL, AD}), "site"),
]  # fmt: skip

LAST_ROWS = [
    Row("accounts.sign_out_everywhere_view", "POST", "/account/sign-out-everywhere", posted(set(SIGNED_IN)), "site"),
    Row("accounts.logout", "POST", "/logout", everyone(OK), "site"),
]  # fmt: skip

ALL_ROWS = SITE_ROWS + EXPERIMENT_ROWS + DESTRUCTIVE_ROWS + LAST_ROWS

# Routes deliberately left out of the table, each with its reason.
EXCLUDED: dict[tuple[str, str], str] = {
    ("static", "GET"): "built assets, public by design; no data",
}


def test_every_route_has_a_row(app):
    """Every rule × method in the URL map is in the table or in EXCLUDED (with a reason)."""
    covered = {(row.endpoint, row.method) for row in ALL_ROWS}
    missing = []
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            key = (rule.endpoint, method)
            if key not in covered and key not in EXCLUDED:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "Routes with no access row:\n" + "\n".join(missing)
    stale = sorted(k for k in covered if k[0] not in app.view_functions)
    assert not stale, f"Rows for routes that no longer exist: {stale}"


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    people: dict[str, Any]
    ids: dict[str, dict[str, Any]]  # kind ("published" / "draft") → ids and slugs


def _experiment(kind: str, orgs: dict, people: dict, reports_dir: Path, n: int) -> dict[str, Any]:
    exp = ExperimentFactory(
        slug=f"access-{kind}", title=f"Access {kind}", is_published=kind == "published"
    )
    ParticipationFactory(experiment=exp, organisation=orgs["lead"], role="lead")
    ParticipationFactory(
        experiment=exp, organisation=orgs["a"], procurement_lead=people[PL], role="participant"
    )
    ParticipationFactory(
        experiment=exp, organisation=orgs["b"], procurement_lead=people[OL], role="participant"
    )
    ParticipationFactory(experiment=exp, organisation=orgs["observer"], role="observer")
    only = ParticipationFactory(experiment=exp, role="participant")  # only in this experiment
    spare = ParticipationFactory(experiment=exp, role="participant")  # removed by the admin
    for who in (PL, OL, AD):
        DeclarationFactory(experiment=exp, user=people[who], organisation=people[who].organisation)
    option = OptionFactory(experiment=exp, status="shortlist")
    secret = OptionFactory(experiment=exp, sensitivity=Sensitivity.PARTICIPANTS)
    proposal = OptionFactory(experiment=exp, accepted=False, proposed_by=people[PL])
    criterion = CriterionFactory(experiment=exp, dimension="feasibility")
    CriterionFactory(experiment=exp, dimension="desirability")
    spare_criterion = CriterionFactory(experiment=exp, dimension="desirability")
    card_a = ScorecardFactory(option=option, organisation=orgs["a"], status="draft")
    card_b = ScorecardFactory(option=option, organisation=orgs["b"], status="submitted")
    for card in (card_a, card_b):
        ScoreFactory(scorecard=card, criterion=criterion, score=3)
    # Borough B has submitted every shortlisted option, so it sees every borough's scores;
    # borough A (a draft) and the lead organisation (nothing yet) are still blind.
    for shortlisted in (secret, proposal):
        ScorecardFactory(option=shortlisted, organisation=orgs["b"], status="submitted")
    for org in ("a", "b"):
        LandscapeEntryFactory(experiment=exp, organisation=orgs[org])
    req = RequirementFactory(experiment=exp, number=n, status="agreed")
    EndorsementFactory(requirement=req, organisation=orgs["a"])
    spec = SpecificationVersionFactory(experiment=exp, number=f"0.{n}", major=0, minor=n)
    workshop = WorkshopFactory(experiment=exp)
    spare_workshop = WorkshopFactory(experiment=exp)
    note = NoteSectionFactory(workshop_id=workshop.id)
    spare_note = NoteSectionFactory(workshop_id=workshop.id)
    pdf = reports_dir / f"access-{kind}.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% access table\n")
    notice = ProcurementNoticeFactory(experiment=exp)
    for org in ("a", "b"):
        NoticeAuthorityFactory(notice=notice, organisation=orgs[org])
    export = ReportExportFactory(
        experiment=exp, status="done", file_path=pdf.name, filename=pdf.name, audience="public"
    )
    db.session.flush()
    from procure.governance.services import create_share_link

    link, token = create_share_link(
        exp,
        audience=Audience.PUBLIC,
        expires_on=date.today() + timedelta(days=7),
        label="Access table",
        creator=people[AD],
        creator_audience=Audience.PARTICIPANTS,
        specification_version_id=spec.id,
        spec_format="csv",
    )
    db.session.flush()
    return {
        "slug": exp.slug,
        "option": option.id,
        "secret_option": secret.id,
        "proposal": proposal.id,
        "criterion": criterion.id,
        "spare_criterion": spare_criterion.id,
        "org_a": orgs["a"].id,
        "org_a_slug": orgs["a"].slug,
        "org_b": orgs["b"].id,
        "org_b_slug": orgs["b"].slug,
        "only_org": only.organisation_id,
        "only_slug": only.organisation.slug,
        "member_org": orgs["member"].id,
        "spare": spare.id,
        "req": f"REQ-{n:03d}",
        "spec": spec.number,
        "workshop": workshop.id,
        "spare_workshop": spare_workshop.id,
        "note": note.id,
        "spare_note": spare_note.id,
        "export": export.id,
        "link": link.id,
        "token": token,
    }


@pytest.fixture
def world(app, db_session) -> World:
    return build_world(app, db_session)


def build_world(app, db_session) -> World:
    """Two experiments (published, unpublished) with the same organisations and people."""
    orgs = {k: OrganisationFactory() for k in ("lead", "a", "b", "observer", "member")}
    people: dict[str, Any] = {
        AN: None,
        MEM: UserFactory(organisation=orgs["member"]),
        OFF: UserFactory(organisation=orgs["a"]),
        PL: UserFactory(organisation=orgs["a"]),
        OL: UserFactory(organisation=orgs["b"]),
        OBS: UserFactory(organisation=orgs["observer"]),
        LO: UserFactory(organisation=orgs["lead"]),
        AD: AdminFactory(organisation=None),
    }
    reports_dir = Path(app.config["REPORTS_DIR"])
    with app.test_request_context():
        ids = {
            "published": _experiment("published", orgs, people, reports_dir, 1),
            "draft": _experiment("draft", orgs, people, reports_dir, 2),
        }
    AuditEventFactory(object_type="Option", object_id=ids["published"]["option"])
    for key in ("a", "b"):
        invitation = InvitationFactory(organisation=orgs[key], invited_by=people[AD])
        for kind_ids in ids.values():
            kind_ids[f"invitation_{key}"] = invitation.id
    db_session.flush()
    return World(people, ids)


# --- running the table -------------------------------------------------------------------------

_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def _csrf(client, signed_in_: bool) -> str:
    html = client.get("/" if signed_in_ else "/login").get_data(as_text=True)
    match = _TOKEN.search(html)
    assert match, "no CSRF token on the start page"
    return match.group(1)


def _snapshot() -> dict[str, tuple[int, int]]:
    """Rows and the sum of versions of every table: a forbidden post must change neither."""
    parts = []
    for table in db.metadata.sorted_tables:
        version = "COALESCE(SUM(version), 0)" if "version" in table.c else "0"
        parts.append(f"SELECT '{table.name}', COUNT(*), {version} FROM {table.name}")  # noqa: S608 - names from the models
    rows = db.session.execute(sa.text(" UNION ALL ".join(parts))).all()
    return {name: (int(count), int(total)) for name, count, total in rows}


def _matches(expect: Any, got: int) -> bool:
    if expect == OK:
        return got not in (403, 500)
    return got == expect


def run_table(client, role: str, world: World, rows: list[Row]) -> list[str]:
    failures = []
    token = _csrf(client, role != AN)
    pub, draft = world.ids["published"], world.ids["draft"]
    for row in rows:
        kinds = [("published", pub, draft)]
        if row.scope == "experiment":
            kinds.append(("draft", draft, pub))
        for kind, mine, other in kinds:
            values = {**mine, **{f"o_{k}": v for k, v in other.items()}}
            path = row.path.format(**values)
            want = expected(row, kind)[role]
            if row.method == "GET":
                got = client.get(path).status_code
            else:
                before = _snapshot() if want in (403, 302) else None
                got = client.post(path, data={"csrf_token": token}).status_code
                if before is not None and _snapshot() != before:
                    failures.append(f"{role} POST {path} was refused but wrote to the database")
            if not _matches(want, got):
                failures.append(f"{role} {row.method} {path} expected {want} got {got}")
    return failures


@pytest.mark.parametrize("role", ROLES)
def test_access_table(client, as_user, world, role):
    if world.people[role] is not None:
        as_user(world.people[role])
    failures = run_table(client, role, world, ALL_ROWS)
    assert not failures, f"{len(failures)} access failures:\n" + "\n".join(failures)
