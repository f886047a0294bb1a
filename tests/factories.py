"""factory-boy factories for every model. Persistence is ``flush``: the test's transaction rolls back."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

import factory
from factory.alchemy import SQLAlchemyModelFactory

from procure import models as m
from procure.db import utcnow
from procure.sensitivity import Sensitivity

_FACTORIES: list[type[SQLAlchemyModelFactory]] = []
PASSWORD = "correct-horse-battery"


def bind(session) -> None:
    """Point every factory at the test's session."""
    for cls in _FACTORIES:
        cls._meta.sqlalchemy_session = session


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "flush"

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        _FACTORIES.append(cls)


class OrganisationFactory(Base):
    class Meta:
        model = m.Organisation

    name = factory.Sequence(lambda n: f"London Borough {n}")
    slug = factory.Sequence(lambda n: f"borough-{n}")
    kind = "borough"
    is_member = True


class UserFactory(Base):
    class Meta:
        model = m.User

    email = factory.Sequence(lambda n: f"person{n}@example.gov.uk")
    name = factory.Sequence(lambda n: f"Person {n}")
    site_role = "member"
    organisation = factory.SubFactory(OrganisationFactory)
    password_hash = factory.LazyFunction(lambda: _hash(PASSWORD))


def _hash(password: str) -> str:
    # A cheap hash keeps the suite fast; the login tests use the real default.
    from werkzeug.security import generate_password_hash

    return generate_password_hash(password, method="pbkdf2:sha256:1000")


class AdminFactory(UserFactory):
    site_role = "admin"


class ExperimentFactory(Base):
    class Meta:
        model = m.Experiment

    slug = factory.Sequence(lambda n: f"experiment-{n}")
    title = factory.Sequence(lambda n: f"Experiment {n}")
    domain = "Housing management systems"
    summary = "A joint look at housing systems."
    stage = "framing"
    is_published = False


class ParticipationFactory(Base):
    class Meta:
        model = m.Participation

    experiment = factory.SubFactory(ExperimentFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "participant"
    procurement_lead = None


class StageTransitionFactory(Base):
    class Meta:
        model = m.StageTransition

    experiment = factory.SubFactory(ExperimentFactory)
    from_stage = "framing"
    to_stage = "market_scan"


class OptionFactory(Base):
    class Meta:
        model = m.Option

    experiment = factory.SubFactory(ExperimentFactory)
    kind = "product"
    name = factory.Sequence(lambda n: f"Housing system {n}")
    supplier = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    summary = "A cloud housing management system."
    status = "shortlist"
    cost_low = Decimal("100000")
    cost_high = Decimal("250000")


class LandscapeEntryFactory(Base):
    class Meta:
        model = m.LandscapeEntry

    experiment = factory.SubFactory(ExperimentFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    product_name = "Legacy Housing 5"
    supplier = "Legacy Systems plc"
    contract_start = date(2020, 4, 1)
    contract_end = date(2027, 3, 31)
    extension_months = 12
    annual_cost = Decimal("180000")


class CriterionFactory(Base):
    class Meta:
        model = m.Criterion

    experiment = factory.SubFactory(ExperimentFactory)
    dimension = "feasibility"
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = 1
    guidance = "How well does the option meet this?"


class DeclarationFactory(Base):
    class Meta:
        model = m.Declaration

    experiment = factory.SubFactory(ExperimentFactory)
    user = factory.SubFactory(UserFactory)
    organisation = factory.SelfAttribute("user.organisation")
    has_interest = False


class ScorecardFactory(Base):
    class Meta:
        model = m.Scorecard

    option = factory.SubFactory(OptionFactory)
    experiment = factory.SelfAttribute("option.experiment")
    organisation = factory.SubFactory(OrganisationFactory)
    status = "draft"


class ScoreFactory(Base):
    class Meta:
        model = m.Score

    scorecard = factory.SubFactory(ScorecardFactory)
    criterion = factory.SubFactory(
        CriterionFactory, experiment=factory.SelfAttribute("..scorecard.experiment")
    )
    score = 3
    reason = "Meets the need."


class ModeratedScoreFactory(Base):
    class Meta:
        model = m.ModeratedScore

    option = factory.SubFactory(OptionFactory)
    experiment_id = factory.SelfAttribute("option.experiment_id")
    criterion = factory.SubFactory(
        CriterionFactory, experiment=factory.SelfAttribute("..option.experiment")
    )
    score = 3
    rationale = "Agreed at moderation."


class RequirementFactory(Base):
    class Meta:
        model = m.Requirement

    experiment = factory.SubFactory(ExperimentFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Requirement {n}")
    statement = "The system must let residents report a repair online."
    acceptance_criteria = factory.LazyFunction(lambda: ["A resident can report a repair"])
    category = "Functional"
    priority = "must"
    status = "agreed"


class EndorsementFactory(Base):
    class Meta:
        model = m.Endorsement

    requirement = factory.SubFactory(RequirementFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    position = "adopt"
    revision = factory.SelfAttribute("requirement.revision")


class SpecificationVersionFactory(Base):
    class Meta:
        model = m.SpecificationVersion

    experiment = factory.SubFactory(ExperimentFactory)
    number = "0.1"
    major = 0
    minor = 1
    snapshot = factory.LazyFunction(lambda: {"requirements": []})
    changelog = factory.LazyFunction(lambda: {"added": [], "changed": [], "withdrawn": []})


class WorkshopFactory(Base):
    class Meta:
        model = m.Workshop

    experiment = factory.SubFactory(ExperimentFactory)
    title = factory.Sequence(lambda n: f"Workshop {n}")
    starts_at = factory.LazyFunction(lambda: datetime(2026, 10, 5, 10, 0))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    stage = "market_scan"
    purpose = "Share what the market scan found."
    facilitator = "Genta Okafor"


class AgendaItemFactory(Base):
    class Meta:
        model = m.AgendaItem

    workshop_id = factory.LazyFunction(lambda: WorkshopFactory().id)
    title = "Welcome and introductions"
    starts = "10:00"


class AttendeeFactory(Base):
    class Meta:
        model = m.Attendee

    workshop_id = factory.LazyFunction(lambda: WorkshopFactory().id)
    name = factory.Sequence(lambda n: f"Attendee {n}")
    organisation = factory.SubFactory(OrganisationFactory)


class NoteSectionFactory(Base):
    class Meta:
        model = m.NoteSection

    workshop_id = factory.LazyFunction(lambda: WorkshopFactory().id)
    heading = "Discussion"
    body = "Boroughs discussed the options."
    sensitivity = Sensitivity.MEMBERS


class DecisionFactory(Base):
    class Meta:
        model = m.Decision

    workshop_id = factory.LazyFunction(lambda: WorkshopFactory().id)
    text = "Shortlist the three cloud products."


class WorkshopActionFactory(Base):
    class Meta:
        model = m.WorkshopAction

    workshop_id = factory.LazyFunction(lambda: WorkshopFactory().id)
    text = "Share contract end dates."
    owner_organisation = factory.SubFactory(OrganisationFactory)
    due_on = date(2026, 12, 1)


class ReportExportFactory(Base):
    class Meta:
        model = m.ReportExport

    experiment = factory.SubFactory(ExperimentFactory)
    kind = "summary"
    audience = "public"
    content_version = 1


class AuditEventFactory(Base):
    class Meta:
        model = m.AuditEvent

    action = "test.event"
    summary = "A test event"


class InvitationFactory(Base):
    class Meta:
        model = m.Invitation

    email = factory.Sequence(lambda n: f"invitee{n}@example.gov.uk")
    organisation = factory.SubFactory(OrganisationFactory)
    site_role = "member"
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: utcnow() + timedelta(days=7))
    state = "pending"


class ProcurementNoticeFactory(Base):
    class Meta:
        model = m.ProcurementNotice

    experiment = factory.SubFactory(ExperimentFactory)
    title = factory.Sequence(lambda n: f"Housing systems notice {n}")
    description = "The boroughs intend to buy a housing management system."
    rationale = "The experiment tested the market first."
    participation = "A supplier day and a questionnaire."
    cpv_codes = factory.LazyFunction(lambda: ["48000000-8"])


class NoticeAuthorityFactory(Base):
    class Meta:
        model = m.NoticeAuthority

    notice = factory.SubFactory(ProcurementNoticeFactory)
    organisation = factory.SubFactory(OrganisationFactory)
