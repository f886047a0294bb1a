"""Every text a person types, and what it may hold: one policy per field, written once.

A text column either **accepts spans** — ``[[members: …]]`` and ``[[participants: …]]``
keep part of it from wider audiences, so it reaches a page or a file only through the
``Redactor`` (``Redactor.text`` / ``Redactor.markdown``) — or it is **plain**: shown as
typed wherever its record is shown, so every form and import refuses ``[[`` in it with a
message beside the field. Titles, headings and free text accept spans; names, labels
and short facts (an organisation, a person, a supplier, a place, a share link's label)
are plain. README's *Redaction* section shows this table.

Columns that are not text a person types (short names used in addresses, values held
to a list by a check constraint, emails, hashes, file names and copies the app makes)
are in :data:`NOT_TYPED_TEXT`, each with its reason. The canary
(:mod:`procure.canary`) plants a token in every other string column, found by
introspecting every mapper, and a test fails for a string column that is in neither
table: a column added tomorrow must be given a policy the day it is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapper

from procure.sensitivity import Sensitivity

SPANS = "spans"
PLAIN = "plain"


@dataclass(frozen=True)
class TextField:
    """The policy of one text column.

    ``level`` is the lowest audience the field is meant for on its own (a person's name
    is personal data, shown from ``members`` up; working detail for the convenor from
    ``participants``). ``level_from`` names the record's own sensitivity column that
    applies to this field, if any. The canary codes its tokens from both.
    """

    policy: str
    level: Sensitivity = Sensitivity.PUBLIC
    level_from: str | None = None

    @property
    def accepts_spans(self) -> bool:
        return self.policy == SPANS


_PUB, _MEM, _PAR = Sensitivity.PUBLIC, Sensitivity.MEMBERS, Sensitivity.PARTICIPANTS


def _spans(level_from: str | None = "sensitivity", level: Sensitivity = _PUB) -> TextField:
    return TextField(SPANS, level, level_from)


def _plain(level_from: str | None = "sensitivity", level: Sensitivity = _PUB) -> TextField:
    return TextField(PLAIN, level, level_from)


#: Every text column a person types, keyed ``table.column``.
TEXT_FIELDS: dict[str, TextField] = {
    # accounts
    "organisations.name": _plain(None),
    "users.name": _plain(None, _MEM),  # personal data: never at public
    # experiments
    "experiments.title": _spans(None),
    "experiments.domain": _plain(None),
    "experiments.summary": _spans(None),
    "experiments.problem_statement": _spans(None),
    "experiments.outcomes": _spans(None),
    "experiments.requirement_categories": _plain(None),  # a list of category names
    "stage_transitions.reason": _spans(None, _PAR),  # the convenor's working record
    # market
    "options.name": _plain(),
    "options.supplier": _plain(),
    "options.website": _plain(),
    "options.cost_basis": _plain("commercial_sensitivity"),
    "options.summary": _spans(),
    "options.description": _spans(),
    "options.standards": _spans(),
    "options.evidence": _spans(),
    "options.timescale": _spans(),
    "options.constraints": _spans(),
    "options.supplier_remarks": _spans("commercial_sensitivity"),
    "options.exclusion_reason": _spans(),
    "landscape_entries.product_name": _plain(),
    "landscape_entries.supplier": _plain(),
    "landscape_entries.notes": _spans(),
    # scoring
    "criteria.name": _plain(None),
    "criteria.guidance": _spans(None),
    "criteria.descriptors": _plain(None),
    "scores.reason": _spans("reason_sensitivity"),
    "moderated_scores.rationale": _spans("rationale_sensitivity"),
    "declarations.interest": _spans(),
    "scorecards.reopened_reason": _spans(None, _PAR),
    "scoring_reopenings.reason": _spans(None, _PAR),  # the convenor's working record
    # requirements
    "requirements.title": _spans(),
    "requirements.statement": _spans(),
    "requirements.acceptance_criteria": _spans(),  # a list of criteria, each with spans
    "requirements.category": _plain(),  # one of the experiment's category names
    "requirements.withdrawn_reason": _spans(),
    "endorsements.comment": _spans("comment_sensitivity"),
    "specification_versions.release_notes": _spans(None),
    # workshops
    "workshops.title": _spans(),
    "workshops.location": _plain(),
    "workshops.purpose": _spans(),
    "workshops.facilitator": _plain("sensitivity", _MEM),
    "agenda_items.title": _spans(),
    "agenda_items.presenter": _plain("sensitivity", _MEM),
    "attendees.name": _plain(None, _MEM),
    "note_sections.heading": _spans(),
    "note_sections.body": _spans(),
    "decisions.text": _spans(),
    "workshop_actions.text": _spans(),
    # procurement: a notice is a public document; its free text may still hold spans
    "procurement_notices.title": _spans(None),
    "procurement_notices.description": _spans(None),
    "procurement_notices.rationale": _spans(None),
    "procurement_notices.participation": _spans(None),
    "notice_lots.title": _spans(None),
    "notice_lots.description": _spans(None),
    "conflict_assessments.mitigation": _spans(None, _PAR),  # the convenor's working record
    "engagement_activities.title": _spans(),
    "engagement_activities.summary": _spans(),
    "engagement_shares.document": _plain(None),  # a document's name, as given to suppliers
    "engagement_shares.document_version": _plain(None),
    "engagement_questions.question": _spans(None),
    "engagement_questions.answer": _spans(None),
    # governance
    "share_links.label": _plain(None, _PAR),  # the convenor's own list of links
}

#: String columns that are not text a person types, each with its reason. Keys are
#: ``table.column``, or ``type:NAME`` for every column of a column type.
NOT_TYPED_TEXT: dict[str, str] = {
    "type:SensitivityType": "a sensitivity level (public, members or participants), not text",
    "experiments.slug": "a short name used in addresses: letters, digits and hyphens only",
    "organisations.slug": "a short name used in addresses: letters, digits and hyphens only",
    "experiments.stage": "one of the stages, held by a check constraint",
    "experiments.public_scores": "one of two settings, held by a check constraint",
    "organisations.kind": "one of the organisation kinds, held by a check constraint",
    "organisations.ppon": "a PPON, checked as P, three letters, four digits and four letters",
    "organisations.companies_house_number": "a Companies House number, checked for format",
    "engagement_activities.kind": "one of the activity kinds, held by a check constraint",
    "engagement_activities.format": "one of the activity formats, held by a check constraint",
    "conflict_assessments.outcome": "one of the assessment outcomes, held by a check constraint",
    "procurement_notices.cpv_codes": "CPV codes, each checked as eight digits and a check digit",
    "users.email": "an email address, checked as one; shown only to convenor staff",
    "users.password_hash": "a password hash, never shown",
    "users.site_role": "one of the site roles, held by a check constraint",
    "organisations.email_domains": "email domains, each checked as one; shown only to convenor staff",
    "user_identities.issuer": "the council sign-in service's issuer URL, from configuration",
    "user_identities.subject": "an identifier the council sign-in service sends, never shown",
    "user_identities.email": "an email address the council sign-in service verified; shown only to its owner",
    "participations.role": "one of the roles in an experiment, held by a check constraint",
    "options.kind": "product or approach, held by a check constraint",
    "options.hosting_model": "one of the hosting models, held by a check constraint",
    "options.status": "longlist, shortlist or excluded, held by a check constraint",
    "criteria.dimension": "feasibility or desirability, held by a check constraint",
    "scorecards.status": "draft or submitted, held by a check constraint",
    "requirements.priority": "a MoSCoW priority, held by a check constraint",
    "requirements.source_kind": "where a requirement came from, held by a check constraint",
    "requirements.status": "draft, agreed or withdrawn, held by a check constraint",
    "endorsements.position": "one of the endorsement positions, held by a check constraint",
    "specification_versions.number": "a version number, checked as digits and one dot",
    "specification_versions.snapshot": "the app's frozen copy of requirements planted above",
    "specification_versions.changelog": "the app's comparison of two snapshots",
    "workshops.stage": "one of the stages, held by a check constraint",
    "agenda_items.starts": "a time of day, checked as HH:MM",
    "workshop_actions.status": "one of the action states, held by a check constraint",
    "stage_transitions.from_stage": "one of the stages, held by a check constraint",
    "stage_transitions.to_stage": "one of the stages, held by a check constraint",
    "share_links.lookup": "the public half of a link's token, made by the app",
    "share_links.secret_hash": "the hash of a link's secret half, never shown",
    "share_links.target": "report or specification, held by a check constraint",
    "share_links.spec_format": "a file format, held by a check constraint",
    "share_links.audience": "an audience, held by a check constraint",
    "report_exports.kind": "a report kind, held by a check constraint",
    "report_exports.audience": "an audience, held by a check constraint",
    "report_exports.status": "a job state, held by a check constraint",
    "report_exports.error": "the app's own message about a failed render",
    "report_exports.filename": "made by the app from the redacted title (the canary reads it)",
    "report_exports.file_path": "where the app stored the file, never shown",
    "report_exports.sha256": "a checksum of the file",
    "report_exports.params": "the app's record of the options a report was asked with",
    "report_exports.redaction_log": "what a report withheld: type, id and level, never text",
    "audit_events.action": "an action name written by the app",
    "audit_events.object_type": "a record type written by the app",
    "audit_events.request_id": "a request id written by the app",
    "audit_events.summary": "written by the app; read by convenor staff only",
    "audit_events.changes": "the app's record of an edit; read by convenor staff only",
    "outbox_messages.kind": "a message kind from procure.mail.messages.MESSAGE_KINDS",
    "outbox_messages.to_address": "an email address, shown only to convenor staff",
    "outbox_messages.subject": "the app's copy of a message, built from read models at the recipient's audience (the canary reads it)",
    "outbox_messages.text_body": "the app's copy of a message, built from read models at the recipient's audience (the canary reads it)",
    "outbox_messages.html_body": "the app's copy of a message, built from read models at the recipient's audience (the canary reads it)",
    "outbox_messages.audience": "an audience written by the app",
    "outbox_messages.state": "a sending state, held by a check constraint",
    "outbox_messages.last_error": "the transport's own message about a failed send; convenor staff only",
    "invitations.email": "an email address, checked as one; shown to the inviter only",
    "invitations.site_role": "one of the site roles, held by a check constraint",
    "invitations.token_hash": "the hash of an invitation's token, never shown",
    "invitations.state": "one of the invitation states, held by a check constraint",
    "invitations.next_path": "a path inside Procure written by the app",
    "password_resets.token_hash": "the hash of a reset link's token, never shown",
}


def _is_text_type(column_type: Any) -> bool:
    impl = column_type.impl if isinstance(column_type, sa.types.TypeDecorator) else column_type
    return isinstance(impl, (sa.String, sa.JSON))


def string_columns(mappers: Any) -> list[tuple[Mapper, str, sa.Column]]:
    """Every string (or JSON) column of every mapper: (mapper, ``table.column``, column)."""
    found = []
    for mapper in sorted(mappers, key=lambda m: m.local_table.name):
        for attr in mapper.column_attrs:
            column = attr.columns[0]
            if isinstance(column, sa.Column) and _is_text_type(column.type):
                found.append((mapper, f"{mapper.local_table.name}.{column.name}", column))
    return found


def excluded(key: str, column: sa.Column) -> bool:
    return key in NOT_TYPED_TEXT or f"type:{type(column.type).__name__}" in NOT_TYPED_TEXT


#: How README's table names each table's records.
RECORD_NAMES = {
    "organisations": "Organisation",
    "users": "Person",
    "experiments": "Experiment",
    "stage_transitions": "Stage move",
    "options": "Option",
    "landscape_entries": "Landscape entry",
    "criteria": "Criterion",
    "scores": "Score",
    "moderated_scores": "Moderated score",
    "declarations": "Declaration",
    "scorecards": "Scorecard",
    "scoring_reopenings": "Scoring reopened for a borough",
    "requirements": "Requirement",
    "endorsements": "Endorsement",
    "specification_versions": "Specification version",
    "workshops": "Workshop",
    "agenda_items": "Agenda item",
    "attendees": "Attendee",
    "note_sections": "Notes section",
    "decisions": "Decision",
    "workshop_actions": "Action",
    "procurement_notices": "Notice (UK2 draft)",
    "notice_lots": "Notice lot",
    "conflict_assessments": "Conflicts assessment",
    "engagement_activities": "Engagement activity",
    "engagement_shares": "Document shared with suppliers",
    "engagement_questions": "Supplier question",
    "share_links": "Share link",
}


def policy_table() -> str:
    """The policy as the Markdown table in README's *Redaction* section (a test compares)."""
    rows: dict[str, dict[str, list[str]]] = {}
    for key, field in TEXT_FIELDS.items():
        table, column = key.split(".")
        note = {_MEM: " (members up)", _PAR: " (participants)"}.get(field.level, "")
        rows.setdefault(table, {SPANS: [], PLAIN: []})[field.policy].append(f"`{column}`{note}")
    lines = [
        "| record | accepts spans: through the `Redactor` everywhere | plain: refuses `[[…]]` |",
        "| --- | --- | --- |",
    ]
    for table, cells in rows.items():
        spans, plain = (", ".join(cells[p]) or "—" for p in (SPANS, PLAIN))
        lines.append(f"| {RECORD_NAMES.get(table, table)} | {spans} | {plain} |")
    return "\n".join(lines)


# --- what a form or an import refuses ------------------------------------------------

# Every "[[" in text that accepts spans must open a span the Redactor understands:
# "[[ members:" or "[[Members :" would otherwise be shown to everyone as typed.
_BAD_OPENING = re.compile(r"\[\[(?!(?:members|participants):)", re.IGNORECASE)
SPAN_FORMS = "[[members: …]] or [[participants: …]]"


def span_problem(value: Any, accepts_spans: bool, label: str) -> str | None:
    """Why ``value`` cannot be saved in a field with this policy, or None."""
    texts = value if isinstance(value, (list, tuple)) else [value]
    for text in texts:
        if not isinstance(text, str) or "[[" not in text:
            continue
        if not accepts_spans:
            return (
                f"{label} cannot use {SPAN_FORMS}: it is shown as typed wherever it appears. "
                "Remove the double square brackets"
            )
        if _BAD_OPENING.search(text):
            return f"{label} has “[[” that does not start {SPAN_FORMS}: write one of those exactly"
    return None


def policy(key: str) -> TextField:
    """The policy of ``table.column`` (a KeyError names a column without one)."""
    return TEXT_FIELDS[key]
