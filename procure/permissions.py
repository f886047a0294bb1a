"""Every permission rule, written once: ``can(user, action, obj)``.

Views call it (403 when it answers no), templates call it to show or hide
controls, and services trust that the view asked. Rules are plain functions in
``RULES`` so a reader finds each one by its action name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from flask import g

from procure.extensions import db
from procure.sensitivity import Audience


def _is_user(user: Any) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_admin(user: Any) -> bool:
    return _is_user(user) and user.site_role == "admin"


def participation_of(user: Any, experiment: Any):
    """The user's organisation's participation in ``experiment`` (cached per request)."""
    from procure.experiments.models import Participation

    if not _is_user(user) or user.organisation_id is None or experiment is None:
        return None
    cache = g.setdefault("_participations", {}) if _has_g() else {}
    key = (user.organisation_id, experiment.id)
    if key not in cache:
        cache[key] = db.session.scalar(
            sa.select(Participation).where(
                Participation.experiment_id == experiment.id,
                Participation.organisation_id == user.organisation_id,
            )
        )
    return cache[key]


def _has_g() -> bool:
    from flask import has_app_context

    return has_app_context()


def audience_for(user: Any, experiment: Any = None) -> Audience:
    """The audience a person reads an experiment at.

    Anonymous → public; an officer of a member organisation → members; an
    officer of an organisation taking part in the experiment, or an admin →
    participants. A guest (non-member organisation) reads at public.
    """
    if not _is_user(user):
        return Audience.PUBLIC
    if is_admin(user):
        return Audience.PARTICIPANTS
    if experiment is not None and participation_of(user, experiment) is not None:
        return Audience.PARTICIPANTS
    org = user.organisation
    if org is not None and org.is_member and user.site_role != "guest":
        return Audience.MEMBERS
    return Audience.PUBLIC


def is_procurement_lead(user: Any, experiment: Any, organisation_id: int | None = None) -> bool:
    """Is ``user`` the nominated procurement lead of their organisation in ``experiment``?"""
    part = participation_of(user, experiment)
    if part is None or part.procurement_lead_id != user.id:
        return False
    return organisation_id is None or part.organisation_id == organisation_id


def is_lead_organisation(user: Any, experiment: Any) -> bool:
    part = participation_of(user, experiment)
    return part is not None and part.role == "lead"


def can_view_experiment(user: Any, experiment: Any) -> bool:
    if experiment.is_published:
        return True
    if is_admin(user):
        return True
    # Unpublished experiments are for the network's members while they are being framed.
    return audience_for(user, experiment) >= Audience.MEMBERS


def can_edit_experiment(user: Any, experiment: Any) -> bool:
    return is_admin(user) or is_lead_organisation(user, experiment)


def can_edit_own_org_row(user: Any, obj: Any) -> bool:
    """A landscape row, scorecard or endorsement: its organisation's procurement lead, or an admin."""
    if is_admin(user):
        return True
    return is_procurement_lead(user, obj.experiment, obj.organisation_id)


def is_organisation_lead(user: Any) -> bool:
    """Is ``user`` the procurement lead of their organisation in any experiment?"""
    from procure.experiments.models import Participation

    if not _is_user(user) or user.organisation_id is None:
        return False
    return (
        db.session.scalar(
            sa.select(Participation.id)
            .where(
                Participation.organisation_id == user.organisation_id,
                Participation.procurement_lead_id == user.id,
            )
            .limit(1)
        )
        is not None
    )


def can_invite(user: Any, organisation: Any = None) -> bool:
    """Admins invite to any organisation; a lead invites to their own (never as admin)."""
    if is_admin(user):
        return True
    if not is_organisation_lead(user):
        return False
    return organisation is None or organisation.id == user.organisation_id


RULES: dict[str, Callable[[Any, Any], bool]] = {
    "admin.access": lambda user, _obj: is_admin(user),
    "organisation.manage": lambda user, _obj: is_admin(user),
    "user.manage": lambda user, _obj: is_admin(user),
    "invitation.manage": can_invite,
    "outbox.view": lambda user, _obj: is_admin(user),
    "experiment.create": lambda user, _obj: is_admin(user),
    "experiment.view": can_view_experiment,
    "experiment.edit": can_edit_experiment,
    "experiment.publish": lambda user, _obj: is_admin(user),
    "experiment.manage_participants": lambda user, _obj: is_admin(user),
    "experiment.move_stage": lambda user, _obj: is_admin(user),
    "experiment.export": lambda user, _obj: is_admin(user),
    # The conflicts assessment of a procurement: convenor staff review every declaration.
    "conflicts.assess": lambda user, _obj: is_admin(user),
    "experiment.set_deadlines": lambda user, _obj: is_admin(user),
    "experiment.view_progress": lambda user, _obj: is_admin(user),
    # Market scan
    "option.create": can_edit_experiment,
    "option.propose": lambda user, exp: (
        can_edit_experiment(user, exp) or is_procurement_lead(user, exp)
    ),
    "option.edit": lambda user, option: can_edit_experiment(user, option.experiment),
    "landscape.edit": can_edit_own_org_row,
    # Scoring
    "criteria.edit": lambda user, _obj: is_admin(user),
    "scorecard.edit": can_edit_own_org_row,
    "weights.edit": can_edit_own_org_row,
    "scorecard.reopen": lambda user, _obj: is_admin(user),
    "scoring.reopen_window": lambda user, _obj: is_admin(user),
    "scores.moderate": lambda user, _obj: is_admin(user),
    "declarations.view": lambda user, _obj: is_admin(user),
    # Requirements
    "requirement.propose": lambda user, exp: (
        can_edit_experiment(user, exp) or is_procurement_lead(user, exp)
    ),
    "requirement.edit": lambda user, req: can_edit_experiment(user, req.experiment),
    "requirement.import": can_edit_experiment,
    "requirement.manage_categories": lambda user, _obj: is_admin(user),
    "endorsement.edit": can_edit_own_org_row,
    "specification.publish": lambda user, _obj: is_admin(user),
    # Workshops
    "workshop.edit": lambda user, exp: can_edit_experiment(user, exp),
    # Governance
    "audit.view": lambda user, _obj: is_admin(user),
}


def can(user: Any, action: str, obj: Any = None) -> bool:
    """Whether ``user`` may do ``action`` to ``obj``. Unknown actions are refused."""
    rule = RULES.get(action)
    if rule is None:
        raise KeyError(f"No permission rule for {action!r}")
    if not _is_user(user) and action != "experiment.view":
        return False
    return bool(rule(user, obj))
