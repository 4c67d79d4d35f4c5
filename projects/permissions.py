"""Who may do what with a project. Shared by services, views, admin and templates."""

from nanxi import permissions as street
from nanxi import roles
from projects.models import Project, StepCode


def is_staff_member(user) -> bool:
    return street.is_street_staff(user) or roles.has_role(user, roles.AREA_STAFF)


def can_manage(user, project: Project) -> bool:
    """Residents' committee staff of the project's area, or street staff."""
    return user.is_authenticated and street.is_area_staff_for(user, project.area_id)


def is_proposer(user, project: Project) -> bool:
    return user.is_authenticated and project.proposer_id == user.pk


def can_edit(user, project: Project) -> bool:
    return (
        is_proposer(user, project)
        and project.is_open
        and project.step <= StepCode.SUBMIT
    )


def can_withdraw(user, project: Project) -> bool:
    return (
        is_proposer(user, project)
        and project.is_open
        and project.step < StepCode.ANNOUNCE
    )


def can_comment(user, project: Project) -> bool:
    return (
        user.is_authenticated and project.is_open and project.step == StepCode.CONSULT
    )


def vote_refusal(user, project: Project) -> str | None:
    """Why this person may not vote on this project now, or None if they may."""
    from django.utils.translation import gettext as _

    if not project.is_open or project.step != StepCode.VOTE:
        return _("Voting is open only while the project is at step 6 (residents vote).")
    if not user.is_authenticated:
        return _("Log in to vote.")
    profile = getattr(user, "profile", None)
    if profile is None or profile.area_id != project.area_id:
        return _("Only residents of this project's residential area can vote on it.")
    if not profile.is_verified:
        return _(
            "Your residents' committee has not verified that you live in the area yet, "
            "so you cannot vote."
        )
    return None
