"""Who may do what with a project now. Services, views, the admin and templates ask here.

Each predicate is "who" (nanxi's staff scope, the proposer, a verified resident)
and "when" (`workflow.is_open_for`); neither is written anywhere else.
"""

from dataclasses import dataclass
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from nanxi import permissions as street
from projects import workflow
from projects.models import AreaMember, Comment, Need, Pledge, Project
from projects.workflow import Activity, Move


def can_manage(user, project: Project) -> bool:
    """Residents' committee staff of the project's area, or street staff."""
    return street.can_act_in_area(user, project.area_id)


def is_proposer(user, project: Project) -> bool:
    return user.is_authenticated and project.proposer_id == user.pk


def acts_for_proposer(user, project: Project) -> bool:
    """The proposer, or for a proposal handed in on paper, staff of its area.

    A paper proposal (线下) was handed in at the residents' committee: its staff
    submit, change or withdraw it on the proposer's behalf (a member of the area
    has no account to do it with; a resident with one may still do it themselves).
    """
    return is_proposer(user, project) or (
        project.on_paper and can_manage(user, project)
    )


def proposal_refusal(user, area_id: int | None) -> str | None:
    """Why this person may not propose a project in this area, or None if they may:
    residents in the area where their committee verified them; staff in the areas
    they act for (paper proposals: `can_enter_paper_proposal`)."""
    if not user.is_authenticated:
        return _("Log in to make a proposal.")
    if street.can_act_in_area(user, area_id):
        return None
    who = standing(user, area_id)
    if who == "resident":
        return None
    if who == "staff":
        return _("As staff, you propose projects in the residential areas you act for.")
    profile = getattr(user, "profile", None)
    if who == "outsider" and profile is not None and profile.is_verified:
        return _(
            "Residents propose projects in the residential area where their "
            "residents' committee verified them: choose your own area."
        )
    return not_verified(
        user,
        _(
            "Until then you cannot propose a project; you can post a need on the "
            "needs board."
        ),
    )


def not_verified(user, until_then: str) -> str:
    """A resident of the area who is not verified: whether the committee has not
    checked yet or declined (the reason is on their profile), then what they cannot
    do until then. Pages put the link to "How verification works" beside it."""
    profile = getattr(user, "profile", None)
    if profile is not None and profile.is_declined:
        status = _(
            "Your residents' committee could not verify that you live in the area: "
            "the reason is on your profile, where you can correct your details and "
            "ask again."
        )
    else:
        status = _(
            "Your residents' committee has not yet verified that you live in the area."
        )
    return _("%(status)s %(until_then)s") % {"status": status, "until_then": until_then}


def proposal_areas(user, areas):
    """The areas (of the queryset `areas`) where this person may propose."""
    if street.is_street_staff(user):
        return areas
    ids = set(street.staff_area_ids(user))
    profile = getattr(user, "profile", None)
    if profile is not None and profile.is_verified and profile.area_id:
        ids.add(profile.area_id)
    return areas.filter(pk__in=sorted(ids))


def can_edit(user, project: Project) -> bool:
    return acts_for_proposer(user, project) and workflow.is_open_for(
        project, Activity.EDIT
    )


def can_withdraw(user, project: Project) -> bool:
    return acts_for_proposer(user, project) and workflow.is_open_for(
        project, Activity.WITHDRAW
    )


def can_reject(user, project: Project) -> bool:
    return can_manage(user, project) and workflow.is_open_for(project, Activity.REJECT)


def can_stop(user, project: Project) -> bool:
    """Staff of the area stop (终止) a project from step 8 on (workflow.STOP_FROM)."""
    return can_manage(user, project) and workflow.is_open_for(project, Activity.STOP)


def can_move_money_to(user, project: Project, target: Project) -> bool:
    """Money of a stopped project may move (转入) to another project of its area
    that takes contributions now (open, steps 8–9), recorded there by this person."""
    return (
        target.pk != project.pk
        and target.area_id == project.area_id
        and can_contribute(user, target)
    )


def finish_refusal(project: Project) -> str | None:
    """Why a project at step 12 cannot be completed yet, or None if it can."""
    if not project.case_summary.strip():
        return _(
            "Write the case summary first: step 12 is to summarise and share, and a "
            "project is completed once its summary can go to the showcase."
        )
    return None


def can_finish(user, project: Project) -> bool:
    return (
        can_manage(user, project)
        and workflow.is_open_for(project, Activity.FINISH)
        and finish_refusal(project) is None
    )


def can_write_summary(user, project: Project) -> bool:
    """Staff of the area write the case summary (总结) at step 12."""
    return can_manage(user, project) and workflow.is_open_for(
        project, Activity.SUMMARISE
    )


def comment_refusal(user, project: Project) -> str | None:
    """Why this person may not comment on this project now, or None if they may."""
    if not workflow.is_open_for(project, Activity.COMMENT):
        if project.is_open and project.step < min(workflow.OPEN_AT[Activity.COMMENT]):
            return _(
                "Comments open at step 4, once the residents' committee accepts "
                "the proposal."
            )
        return _(
            "The consultation is closed: comments are open during steps 4–6 only. "
            "The comments made can still be read."
        )
    if not user.is_authenticated:
        return _("Log in to take part in the consultation.")
    if can_manage(user, project):
        return None  # the residents' committee answers in its own consultation
    who = standing(user, project.area_id)
    if who == "staff":
        return _(
            "You are staff of another residential area: you can read this "
            "consultation; the area's verified residents and its residents' "
            "committee take part in it."
        )
    if who == "outsider":
        return _(
            "Only verified residents of this project's residential area take part "
            "in its consultation; you can read it."
        )
    if who == "unverified":
        return not_verified(
            user, _("Until then you can read the consultation but not take part.")
        )
    return None


def standing(user, area_id: int | None) -> str:
    """Who a logged-in person is in an area's participation (comments, votes,
    pledges, ratings, needs' support): "resident" (a verified resident of the
    area), "staff" (street or residents' committee staff, not one), "outsider" (a
    resident of another area), or "unverified" (lives there, not verified yet).

    Staff are told what staff do, never that they are not verified.
    """
    profile = getattr(user, "profile", None)
    lives_here = (
        profile is not None and area_id is not None and profile.area_id == area_id
    )
    if lives_here and profile.is_verified:
        return "resident"
    if street.is_staff_member(user):
        return "staff"
    return "unverified" if lives_here else "outsider"


def _staff_wording(user, project: Project, *, manage: str, other: str) -> str:
    return manage if can_manage(user, project) else other


def can_comment(user, project: Project) -> bool:
    return comment_refusal(user, project) is None


def can_hide_comment(user, comment: Comment) -> bool:
    return can_manage(user, comment.project)


def can_contribute(user, project: Project) -> bool:
    """Record a contribution (staff, while crowdfunding and carrying out)."""
    return can_manage(user, project) and workflow.is_open_for(
        project, Activity.CONTRIBUTE
    )


def pledge_refusal(user, project: Project) -> str | None:
    """Why this person may not pledge money to this project now, or None if they may."""
    if not workflow.is_open_for(project, Activity.CONTRIBUTE):
        return _(
            "Pledges are taken while the project crowdfunds and is carried out "
            "(steps 8–9)."
        )
    if not user.is_authenticated:
        return _("Log in to pledge a contribution.")
    who = standing(user, project.area_id)
    if who == "staff":
        return _staff_wording(
            user,
            project,
            manage=_(
                "Residents pledge here. As staff of this area, you confirm their "
                "pledges when the money arrives, and record contributions."
            ),
            other=_("Only residents of this project's residential area can pledge."),
        )
    if who == "outsider":
        return _("Only residents of this project's residential area can pledge.")
    if who == "unverified":
        return not_verified(user, _("Until then you cannot pledge."))
    return None


def can_pledge(user, project: Project) -> bool:
    return pledge_refusal(user, project) is None


def can_confirm_pledge(user, pledge: Pledge) -> bool:
    """Staff confirm the money arrived, with the same rules as recording it."""
    return can_contribute(user, pledge.project)


def can_cancel_pledge(user, pledge: Pledge) -> bool:
    """Staff of the area, or the person who pledged, while it waits."""
    return pledge.status == Pledge.Status.PENDING and (
        can_manage(user, pledge.project)
        or (user.is_authenticated and pledge.pledger_id == user.pk)
    )


def can_set_payment(user, project: Project) -> bool:
    """Staff tell residents how to pay (a transfer reference) until crowdfunding ends."""
    return (
        can_manage(user, project)
        and project.is_open
        and project.step <= max(workflow.OPEN_AT[Activity.CONTRIBUTE])
    )


def can_post_progress(user, project: Project) -> bool:
    return (
        can_manage(user, project) or is_proposer(user, project)
    ) and workflow.is_open_for(project, Activity.PROGRESS)


def can_evaluate(user, project: Project) -> bool:
    """Staff's part of step 11: the beneficiaries, and residents' paper forms."""
    return can_manage(user, project) and workflow.is_open_for(
        project, Activity.EVALUATE
    )


def evaluation_refusal(user, project: Project) -> str | None:
    """Why this person may not rate this project now, or None if they may."""
    if not workflow.is_open_for(project, Activity.EVALUATE):
        return _(
            "Residents rate a project at step 11 (residents evaluate), once its "
            "results are accepted."
        )
    if not user.is_authenticated:
        return _("Log in to rate this project.")
    who = standing(user, project.area_id)
    if who == "staff":
        return _staff_wording(
            user,
            project,
            manage=_(
                "Residents rate the project here. As staff of this area, you record "
                "the beneficiaries and enter paper evaluation forms."
            ),
            other=_("Only residents of this project's residential area can rate it."),
        )
    if who == "outsider":
        return _("Only residents of this project's residential area can rate it.")
    if who == "unverified":
        return not_verified(user, _("Until then you cannot rate the project."))
    return None


def can_rate(user, project: Project) -> bool:
    return evaluation_refusal(user, project) is None


def may_make(user, project: Project, move: Move) -> bool:
    """Whether this person is the one who makes `move` (proposer, or area staff)."""
    if move.by_proposer:
        return acts_for_proposer(user, project)
    return can_manage(user, project)


def next_moves(user, project: Project) -> list[Move]:
    """The moves this person may make on this project now (none, or the one next)."""
    move = workflow.next_move(project.step)
    if move is None or not project.is_open or not may_make(user, project, move):
        return []
    return [move]


def vote_deadline_passed(project: Project, today: date | None = None) -> bool:
    """Whether the vote's closing day is over (a vote without a closing day never is)."""
    today = today or timezone.localdate()
    return project.vote_closes_on is not None and today > project.vote_closes_on


def vote_closes_early(project: Project, today: date | None = None) -> bool:
    """Whether closing the vote now would be before its closing day is over (then
    `services.close_refusal` asks that the outcome be decided)."""
    return project.vote_closes_on is not None and not vote_deadline_passed(
        project, today
    )


def voting_open(project: Project, today: date | None = None) -> bool:
    return workflow.is_open_for(project, Activity.VOTE) and not vote_deadline_passed(
        project, today
    )


def can_enter_paper_vote(user, project: Project) -> bool:
    """Staff of the area enter paper ballots while the vote is open (线下)."""
    return can_manage(user, project) and voting_open(project)


def vote_refusal(user, project: Project, today: date | None = None) -> str | None:
    """Why this person may not vote on this project now, or None if they may."""
    if not workflow.is_open_for(project, Activity.VOTE):
        return _("Voting is open only while the project is at step 6 (residents vote).")
    if vote_deadline_passed(project, today):
        return _("Voting closed at the end of %(day)s.") % {
            "day": project.vote_closes_on.isoformat()
        }
    if not user.is_authenticated:
        return _("Log in to vote.")
    who = standing(user, project.area_id)
    if who == "staff":
        return _staff_wording(
            user,
            project,
            manage=_(
                "Residents vote here. As staff of this area, you enter paper "
                "ballots in the residents' committee actions."
            ),
            other=_(
                "Only residents of this project's residential area can vote on it."
            ),
        )
    if who == "outsider":
        return _("Only residents of this project's residential area can vote on it.")
    if who == "unverified":
        return not_verified(user, _("Until then you cannot vote."))
    return None


@dataclass(frozen=True)
class Allowed:
    """Everything one person may do on one project now: for its page and its tests."""

    manage: bool
    edit: bool
    withdraw: bool
    moves: list[Move]
    reject: bool
    stop: bool
    finish: bool
    summarise: bool
    comment: bool
    contribute: bool
    progress: bool
    evaluate: bool
    vote_refusal: str | None
    voting_open: bool
    comments_open: bool
    comment_refusal: str | None
    pledge_refusal: str | None
    evaluation_refusal: str | None
    paper_vote: bool
    set_payment: bool

    @property
    def staff_actions(self) -> bool:
        return self.manage and (
            any(not m.by_proposer for m in self.moves)
            or self.reject
            or self.stop
            or self.finish
            or self.summarise
            or self.contribute
            or self.set_payment
            or self.paper_vote
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
        stop=can_stop(user, project),
        finish=can_finish(user, project),
        summarise=can_write_summary(user, project),
        comment=can_comment(user, project),
        contribute=can_contribute(user, project),
        progress=can_post_progress(user, project),
        evaluate=can_evaluate(user, project),
        vote_refusal=vote_refusal(user, project),
        voting_open=voting_open(project),
        comments_open=workflow.is_open_for(project, Activity.COMMENT),
        comment_refusal=comment_refusal(user, project),
        pledge_refusal=pledge_refusal(user, project),
        evaluation_refusal=evaluation_refusal(user, project),
        paper_vote=can_enter_paper_vote(user, project),
        set_payment=can_set_payment(user, project),
    )


# --- the needs board (step 1) -------------------------------------------------------------


def need_post_refusal(user) -> str | None:
    if not user.is_authenticated:
        return _("Log in to post a need.")
    profile = getattr(user, "profile", None)
    if profile is None or profile.area_id is None:
        return _("Choose your residential area in your profile first.")
    return None


def need_support_refusal(user, need: Need) -> str | None:
    """Why this person may not say "I need it too" now, or None if they may."""
    if need.status != Need.Status.OPEN:
        return _("This need is no longer open.")
    if not user.is_authenticated:
        return _("Log in to say you need it too.")
    if need.author_id == user.pk:
        return _("You posted this need yourself.")
    who = standing(user, need.area_id)
    if who == "staff":
        return _(
            "Neighbours say they need it too. As staff, you reply to the need, "
            "merge it, or turn it into a proposal."
        )
    if who == "outsider":
        return _("Only neighbours in the same residential area can support a need.")
    # "unverified": kept, and counted once verified (NeedQuerySet.with_support).
    return None


def can_manage_need(user, need: Need) -> bool:
    """Staff of the need's area reply to it, merge, close or turn it into a proposal."""
    return street.can_act_in_area(user, need.area_id)


def can_act_on_need(user, need: Need) -> bool:
    return can_manage_need(user, need) and need.status == Need.Status.OPEN


# --- offline residents (线下): members of the area and paper entries ---------------------


def can_manage_members(user, area_id: int | None) -> bool:
    """Staff of an area record its members without an account, and enter paper
    proposals for them or for residents with one."""
    return street.can_act_in_area(user, area_id)


def can_change_member(user, member: AreaMember) -> bool:
    """Staff of the member's area, while the record is not erased."""
    return not member.is_erased and can_manage_members(user, member.area_id)


def can_erase_member(user, member: AreaMember) -> bool:
    return can_change_member(user, member)


def can_enter_paper_proposal(user, area_id: int | None) -> bool:
    return can_manage_members(user, area_id)


def member_refusal(member: AreaMember, area_id: int) -> str | None:
    """Why a paper entry cannot be made in the name of this member, or None."""
    if member.is_erased:
        return _("This member's record has been erased; it cannot be used again.")
    if member.area_id != area_id:
        return _(
            "%(name)s is not a member of this residential area: choose a member "
            "of the project's area."
        ) % {"name": member.name}
    return None


def resident_refusal(user, area_id: int) -> str | None:
    """Why a paper proposal cannot be entered for this account, or None."""
    profile = getattr(user, "profile", None)
    if not user.is_active or profile is None or profile.erased_at is not None:
        return _("This account is closed.")
    if profile.area_id != area_id:
        return _("This resident does not live in the proposal's residential area.")
    return None
