"""The election's five steps as data: which move follows each step, what each opens.

The one home of "what is allowed at which step" for elections. Permissions combine
these with who the person is; services, views, the admin and templates ask them.
"""

from dataclasses import dataclass
from enum import StrEnum

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from committees.models import Election, Step


@dataclass(frozen=True)
class Move:
    to_step: int
    action: Promise


MOVES: dict[int, Move] = {
    Step.PREPARATION: Move(Step.CANDIDATES, _("Announce the candidates")),
    Step.CANDIDATES: Move(Step.VOTE, _("Hold the owners' assembly vote")),
    Step.VOTE: Move(Step.RESULTS, _("Announce the results")),
    Step.RESULTS: Move(Step.FILED, _("File the election and start the new term")),
}


class Activity(StrEnum):
    CANDIDATES = "candidates"
    VOTE = "vote"
    # 首次会议: the elected choose their chair and vice-chairs (指导规则 art. 32).
    FIRST_MEETING = "first_meeting"


OPEN_AT: dict[Activity, frozenset[int]] = {
    Activity.CANDIDATES: frozenset({Step.PREPARATION}),
    Activity.VOTE: frozenset({Step.VOTE}),
    Activity.FIRST_MEETING: frozenset({Step.RESULTS}),
}

# From the owners' assembly vote on, an election can end without a result
# (选举未成功: art. 278 not met); before it there is no vote to fail.
END_WITHOUT_RESULT_AT: frozenset[int] = frozenset({Step.VOTE, Step.RESULTS})


def next_move(step: int) -> Move | None:
    return MOVES.get(step)


def is_open_for(election: Election, activity: Activity) -> bool:
    return election.is_open and election.step in OPEN_AT[activity]


def can_end_without_result(election: Election) -> bool:
    return election.is_open and election.step in END_WITHOUT_RESULT_AT
