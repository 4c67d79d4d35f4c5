"""The twelve steps as data: which move follows each step, and what each step opens.

The one home of "what is allowed at which step". Permissions combine these with
who the person is; services, views, the admin and templates ask the permissions.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from projects.models import Project, StepCode


@dataclass(frozen=True)
class Move:
    """The one move on from a step: to which step, whether the proposer makes it, its button."""

    to_step: int
    by_proposer: bool
    action: Promise


MOVES: dict[int, Move] = {
    StepCode.DRAFT: Move(StepCode.SUBMIT, True, _("Submit the proposal")),
    StepCode.SUBMIT: Move(StepCode.ACCEPT, False, _("Accept")),
    StepCode.ACCEPT: Move(StepCode.CONSULT, False, _("Open consultation")),
    StepCode.CONSULT: Move(StepCode.VOTE, False, _("Open the vote")),
    StepCode.VOTE: Move(StepCode.ANNOUNCE, False, _("Close the vote and announce")),
    StepCode.ANNOUNCE: Move(StepCode.CROWDFUND, False, _("Open crowdfunding")),
    StepCode.CROWDFUND: Move(StepCode.CARRY_OUT, False, _("Start carrying out")),
    StepCode.CARRY_OUT: Move(StepCode.ACCEPT_RESULTS, False, _("Accept the results")),
    StepCode.ACCEPT_RESULTS: Move(
        StepCode.EVALUATE, False, _("Open residents' evaluation")
    ),
    StepCode.EVALUATE: Move(StepCode.SHARE, False, _("Summarise and share")),
}
FINISH_ACTION = _("Mark as completed")

# From crowdfunding (step 8) on, money is pledged or received: a project that cannot
# go on is no longer rejected but stopped (终止), saying what happened to each
# contribution's money. Before this step it is rejected with a reason.
STOP_FROM = StepCode.CROWDFUND


class Activity(StrEnum):
    EDIT = "edit"
    WITHDRAW = "withdraw"
    REJECT = "reject"
    STOP = "stop"
    COMMENT = "comment"
    VOTE = "vote"
    CONTRIBUTE = "contribute"
    PROGRESS = "progress"
    EVALUATE = "evaluate"
    SUMMARISE = "summarise"
    FINISH = "finish"


# The steps at which each activity is open (always only while the project is open).
OPEN_AT: dict[Activity, frozenset[int]] = {
    Activity.EDIT: frozenset({StepCode.DRAFT, StepCode.SUBMIT}),
    # Until the vote opens (step 6) its proposer may take it back; not while
    # residents are voting on it, nor once it is announced.
    Activity.WITHDRAW: frozenset(range(StepCode.COLLECT_NEEDS, StepCode.VOTE)),
    Activity.REJECT: frozenset(range(StepCode.SUBMIT, STOP_FROM)),
    Activity.STOP: frozenset(range(STOP_FROM, StepCode.SHARE + 1)),
    # Deliberation: from acceptance until the vote closes; read-only afterwards.
    Activity.COMMENT: frozenset({StepCode.ACCEPT, StepCode.CONSULT, StepCode.VOTE}),
    Activity.VOTE: frozenset({StepCode.VOTE}),
    Activity.CONTRIBUTE: frozenset({StepCode.CROWDFUND, StepCode.CARRY_OUT}),
    Activity.PROGRESS: frozenset({StepCode.CARRY_OUT}),
    Activity.EVALUATE: frozenset({StepCode.EVALUATE}),
    # The case summary (总结) is written at step 12, before the project is completed;
    # finishing also needs it written (permissions.finish_refusal).
    Activity.SUMMARISE: frozenset({StepCode.SHARE}),
    Activity.FINISH: frozenset({StepCode.SHARE}),
}


def is_open_for(project: Project, activity: Activity) -> bool:
    return project.is_open and project.step in OPEN_AT[activity]


def next_move(step: int) -> Move | None:
    return MOVES.get(step)


def next_action(step: int):
    """What the next thing to do at `step` is called (a button, the work list)."""
    move = MOVES.get(step)
    if move is not None:
        return move.action
    return FINISH_ACTION if step in OPEN_AT[Activity.FINISH] else ""
