"""Imports every model so that Alembic and ``db.create_all`` see the whole schema."""

from procure.accounts.models import Invitation, Organisation, PasswordReset, User
from procure.audit import AuditEvent
from procure.experiments.models import Experiment, Participation, StageTransition
from procure.governance.models import ShareLink
from procure.mail.models import OutboxMessage
from procure.market.models import LandscapeEntry, Option
from procure.procurement.models import (
    ConflictAssessment,
    EngagementActivity,
    EngagementQuestion,
    EngagementShare,
    NoticeAuthority,
    NoticeLot,
    ProcurementNotice,
)
from procure.reports.models import ReportExport
from procure.requirements.models import Endorsement, Requirement, SpecificationVersion
from procure.scoring.models import Criterion, Declaration, ModeratedScore, Score, Scorecard
from procure.workshops.models import (
    AgendaItem,
    Attendee,
    Decision,
    NoteSection,
    Workshop,
    WorkshopAction,
)

__all__ = [
    "AgendaItem",
    "Attendee",
    "AuditEvent",
    "ConflictAssessment",
    "Criterion",
    "Decision",
    "Declaration",
    "Endorsement",
    "EngagementActivity",
    "EngagementQuestion",
    "EngagementShare",
    "Experiment",
    "Invitation",
    "LandscapeEntry",
    "ModeratedScore",
    "NoteSection",
    "NoticeAuthority",
    "NoticeLot",
    "Option",
    "Organisation",
    "OutboxMessage",
    "Participation",
    "PasswordReset",
    "ProcurementNotice",
    "ReportExport",
    "Requirement",
    "Score",
    "Scorecard",
    "ShareLink",
    "SpecificationVersion",
    "StageTransition",
    "User",
    "Workshop",
    "WorkshopAction",
]
