"""Who may do what with a project now. Services, views, the admin and templates ask here.

Each predicate is "who" (nanxi's staff scope, the proposer, a verified resident)
and "when" (`workflow.is_open_for`); neither is written anywhere else.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from nanxi import permissions as street
from projects import workflow
from projects.models import Comment, Project
from projects.workflow import Activity, Move


def can_manage(user, project: Project) -> bool:
    """Residents' committee staff of the project's area, or street staff."""
    return street.can_act_in_area(user, project.area_id)


def is_proposer(user, project: Project) -> bool:
    return user.is_authenticated and project.proposer_id == user.pk


def can_edit(user, project: Project) -> bool:
    return is_proposer(user, project) and workflow.is_open_for(project, Activity.EDIT)


def can_withdraw(user, project: Project) -> bool:
    return is_proposer(user, project) and workflow.is_open_for(
        project, Activity.WITHDRAW
    )


def can_reject(user, project: Project) -> bool:
    return can_manage(user, project) and workflow.is_open_for(project, Activity.REJECT)


def can_finish(user, project: Project) -> bool:
    return can_manage(user, project) and workflow.is_open_for(project, Activity.FINISH)


def can_comment(user, project: Project) -> bool:
    return user.is_authenticated and workflow.is_open_for(project, Activity.COMMENT)


def can_hide_comment(user, comment: Comment) -> bool:
    return can_manage(user, comment.project)


def can_contribute(user, project: Project) -> bool:
    """Record a contribution (staff, while crowdfunding and carrying out)."""
    return can_manage(user, project) and workflow.is_open_for(
        project, Activity.CONTRIBUTE
    )


def can_post_progress(user, project: Project) -> bool:
    return (
        can_manage(user, project) or is_proposer(user, project)
    ) and workflow.is_open_for(project, Activity.PROGRESS)


def can_evaluate(user, project: Project) -> bool:
    return can_manage(user, project) and workflow.is_open_for(
        project, Activity.EVALUATE
    )


def may_make(user, project: Project, move: Move) -> bool:
    """Whether this person is the one who makes `move` (proposer, or area staff)."""
    return is_proposer(user, project) if move.by_proposer else can_manage(user, project)


def next_moves(user, project: Project) -> list[Move]:
    """The moves this person may make on this project now (none, or the one next)."""
    move = workflow.next_move(project.step)
    if move is None or not project.is_open or not may_make(user, project, move):
        return []
    return [move]


def vote_refusal(user, project: Project) -> str | None:
    """Why this person may not vote on this project now, or None if they may."""
    if not workflow.is_open_for(project, Activity.VOTE):
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


@dataclass(frozen=True)
class Allowed:
    """Everything one person may do on one project now: for its page and its tests."""

    manage: bool
    edit: bool
    withdraw: bool
    moves: list[Move]
    reject: bool
    finish: bool
    comment: bool
    contribute: bool
    progress: bool
    evaluate: bool
    vote_refusal: str | None
    voting_open: bool
    comments_open: bool

    @property
    def staff_actions(self) -> bool:
        return self.manage and (
            any(not m.by_proposer for m in self.moves)
            or self.reject
            or self.finish
            or self.contribute
            or self.evaluate
        )

    @property
    def submit(self) -> Move | None:
        return next((m for m in self.moves if m.by_proposer), None)


def allowed(user, project: Project) -> Allowed:
    return Allowed(
        manage=can_manage(user, project),
        edit=can_edit(user, project),
        withdraw=can_withdraw(user, project),
        moves=next_moves(user, project),
        reject=can_reject(user, project),
        finish=can_finish(user, project),
        comment=can_comment(user, project),
        contribute=can_contribute(user, project),
        progress=can_post_progress(user, project),
        evaluate=can_evaluate(user, project),
        vote_refusal=vote_refusal(user, project),
        voting_open=workflow.is_open_for(project, Activity.VOTE),
        comments_open=workflow.is_open_for(project, Activity.COMMENT),
    )
