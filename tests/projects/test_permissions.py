"""Who may do what, at which step: a role × action table through the services.

Every refused action leaves the project and everything hanging on it unchanged.
"""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.timezone import localdate

from projects import permissions, services, workflow
from projects.models import AreaMember, Comment, Pledge, Project, StepCode
from tests.projects.helpers import (
    ACTORS,
    STAFF,
    make_member,
    make_paper_project,
    make_project,
    proposal,
    votes_ran_their_course,
)


def snapshot(project: Project) -> tuple:
    """Everything an action could change, read fresh from the database."""
    row = Project.objects.filter(pk=project.pk).values().get()
    row.pop("updated_at")
    return (
        row,
        list(project.topics.values_list("pk", flat=True)),
        list(project.step_changes.values_list("pk", "to_step", "outcome")),
        list(project.votes.values_list("voter", "choice")),
        list(project.comments.values_list("pk", "hidden_at")),
        list(project.contributions.values_list("pk", "amount")),
        list(project.progress_updates.values_list("pk")),
        list(project.pledges.values_list("pk", "status", "contribution")),
        list(project.evaluations.values_list("pk", "stars")),
    )


def _comment(project, people):
    return services.comment_add(
        project=project, author=people["neighbour"], body="楼道里能装灯吗？"
    )


# Deliberation: the area's verified residents and its staff (test_participation).
TAKE_PART = {"proposer", "neighbour"} | STAFF

# action → (the step it is open at, who may, how it is done)
ACTIONS = {
    "submit": (
        StepCode.DRAFT,
        {"proposer"},
        lambda p, by, _: services.project_move(project=p, to_step=3, by=by),
    ),
    "accept": (
        StepCode.SUBMIT,
        STAFF,
        lambda p, by, _: services.project_move(project=p, to_step=4, by=by),
    ),
    "open_vote": (
        StepCode.CONSULT,
        STAFF,
        lambda p, by, _: services.project_move(
            project=p, to_step=6, by=by, vote_closes_on=localdate() + timedelta(7)
        ),
    ),
    "announce": (
        StepCode.VOTE,
        STAFF,
        lambda p, by, _: services.project_move(project=p, to_step=7, by=by),
    ),
    "reject": (
        StepCode.CONSULT,
        STAFF,
        lambda p, by, _: services.project_reject(project=p, by=by, reason="重复"),
    ),
    "withdraw": (
        StepCode.CONSULT,
        {"proposer"},
        lambda p, by, _: services.project_withdraw(project=p, by=by),
    ),
    "finish": (
        StepCode.SHARE,
        STAFF,
        lambda p, by, _: services.project_finish(project=p, by=by),
    ),
    "summarise": (
        StepCode.SHARE,
        STAFF,
        lambda p, by, _: services.project_write_summary(
            project=p, by=by, text="居民出力出钱，楼道焕然一新。"
        ),
    ),
    "edit": (
        StepCode.SUBMIT,
        {"proposer"},
        lambda p, by, _: services.project_update(
            project=p, by=by, area=p.area, **proposal(title="改过的标题")
        ),
    ),
    "correct": (
        StepCode.CARRY_OUT,
        STAFF,
        lambda p, by, _: services.project_correct_texts(
            project=p, by=by, title="更正", summary="更正", description="更正"
        ),
    ),
    # Deliberation is open from acceptance (4) until the vote closes (6).
    "comment_on_accept": (
        StepCode.ACCEPT,
        TAKE_PART,
        lambda p, by, _: services.comment_add(project=p, author=by, body="同意"),
    ),
    "comment": (
        StepCode.CONSULT,
        TAKE_PART,
        lambda p, by, _: services.comment_add(project=p, author=by, body="同意"),
    ),
    "comment_while_voting": (
        StepCode.VOTE,
        TAKE_PART,
        lambda p, by, _: services.comment_add(project=p, author=by, body="同意"),
    ),
    "hide": (
        StepCode.CONSULT,
        STAFF,
        lambda p, by, people: services.comment_hide(
            comment=Comment.objects.get(project=p), by=by, reason="广告"
        ),
    ),
    "vote": (
        StepCode.VOTE,
        {"proposer", "neighbour"},
        lambda p, by, _: services.vote_cast(project=p, voter=by, choice="support"),
    ),
    "contribute": (
        StepCode.CROWDFUND,
        STAFF,
        lambda p, by, _: services.contribution_record(
            project=p,
            by=by,
            contributor="居民",
            amount="50",
            contributed_on=date(2020, 6, 1),
        ),
    ),
    "paper_vote": (
        StepCode.VOTE,
        STAFF,
        lambda p, by, _: services.vote_enter_paper(
            project=p, by=by, choice="support", ballot_number="0042"
        ),
    ),
    "pledge": (
        StepCode.CROWDFUND,
        {"proposer", "neighbour"},
        lambda p, by, _: services.pledge_make(project=p, by=by, amount="50"),
    ),
    "pledge_while_carrying_out": (
        StepCode.CARRY_OUT,
        {"proposer", "neighbour"},
        lambda p, by, _: services.pledge_make(project=p, by=by, amount="50"),
    ),
    "confirm_pledge": (
        StepCode.CROWDFUND,
        STAFF,
        lambda p, by, _: services.pledge_confirm(
            pledge=Pledge.objects.get(project=p), by=by, received_on=localdate()
        ),
    ),
    "cancel_pledge": (
        StepCode.CROWDFUND,
        STAFF | {"neighbour"},  # the neighbour made it
        lambda p, by, _: services.pledge_cancel(
            pledge=Pledge.objects.get(project=p), by=by
        ),
    ),
    "set_payment": (
        StepCode.ANNOUNCE,
        STAFF,
        lambda p, by, _: services.project_set_payment(
            project=p, by=by, transfer_reference="工商银行 尾号1234 备注项目名"
        ),
    ),
    "progress": (
        StepCode.CARRY_OUT,
        STAFF | {"proposer"},
        lambda p, by, _: services.progress_post(project=p, by=by, body="已开工"),
    ),
    "evaluate": (
        StepCode.EVALUATE,
        STAFF,
        lambda p, by, _: services.evaluation_record(
            project=p, by=by, beneficiaries=300
        ),
    ),
    "rate": (
        StepCode.EVALUATE,
        {"proposer", "neighbour"},
        lambda p, by, _: services.evaluation_add(
            project=p, by=by, stars=4, comment="很好"
        ),
    ),
    "enter_paper_form": (
        StepCode.EVALUATE,
        STAFF,
        lambda p, by, _: services.evaluation_enter_paper(
            project=p, by=by, stars=3, form_number="A-17"
        ),
    ),
    # Offline residents (线下): ballots and forms naming a member of the area, and
    # staff acting for the proposer of a proposal handed in on paper.
    "paper_vote_for_member": (
        StepCode.VOTE,
        STAFF,
        lambda p, by, _: services.vote_enter_paper(
            project=p,
            by=by,
            choice="oppose",
            ballot_number="0044",
            member=AreaMember.objects.get(area=p.area),
        ),
    ),
    "paper_form_for_member": (
        StepCode.EVALUATE,
        STAFF,
        lambda p, by, _: services.evaluation_enter_paper(
            project=p,
            by=by,
            stars=2,
            form_number="A-18",
            member=AreaMember.objects.get(area=p.area),
        ),
    ),
    "on_paper_edit": (
        StepCode.SUBMIT,
        STAFF,
        lambda p, by, _: services.project_update(
            project=p, by=by, area=p.area, **proposal(title="照纸质提案更正")
        ),
    ),
    "on_paper_withdraw": (
        StepCode.CONSULT,
        STAFF,
        lambda p, by, _: services.project_withdraw(project=p, by=by),
    ),
    "on_paper_accept": (
        StepCode.SUBMIT,
        STAFF,
        lambda p, by, _: services.project_move(project=p, to_step=4, by=by),
    ),
}


def project_for(action: str, area, people, area_staff, step=None) -> Project:
    step = step or ACTIONS[action][0]
    if action.startswith("on_paper_"):
        # Handed in on paper by a member of the area without an account.
        return make_paper_project(area=area, staff=area_staff, step=step)
    project = make_project(
        area=area, proposer=people["proposer"], staff=area_staff, step=step
    )
    if action.endswith("_for_member"):
        make_member(area=area, by=area_staff)
    if action == "announce":
        services.vote_cast(project=project, voter=people["neighbour"], choice="support")
        votes_ran_their_course(project)  # not closed early (test_vote_rule_default)
    if action == "hide":
        _comment(project, people)
    if action == "finish" and project.step == StepCode.SHARE:  # 结项 needs a summary
        services.project_write_summary(project=project, by=area_staff, text="总结")
    if action in ("confirm_pledge", "cancel_pledge"):
        services.pledge_make(project=project, by=people["neighbour"], amount="80")
    return project


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_by_action(area, area_staff, people, action, who):
    _, allowed, act = ACTIONS[action]
    project = project_for(action, area, people, area_staff)
    before = snapshot(project)
    if who in allowed:
        act(project, people[who], people)
        assert snapshot(project) != before
    else:
        with pytest.raises((PermissionDenied, ValidationError)):
            act(project, people[who], people)
        assert snapshot(project) == before


# An action asked for at a step where it is closed: refused even for whom it is allowed.
CLOSED = [
    ("submit", StepCode.SUBMIT, "proposer"),
    ("accept", StepCode.DRAFT, "area_staff"),
    ("reject", StepCode.DRAFT, "area_staff"),
    ("withdraw", StepCode.ANNOUNCE, "proposer"),
    # Not while residents vote on it.
    ("withdraw", StepCode.VOTE, "proposer"),
    ("open_vote", StepCode.ACCEPT, "area_staff"),
    ("finish", StepCode.EVALUATE, "area_staff"),
    # The case summary is written at step 12 only, before completion.
    ("summarise", StepCode.EVALUATE, "area_staff"),
    ("edit", StepCode.ACCEPT, "proposer"),
    # Deliberation is open at steps 4–6: before, the proposal is not accepted yet;
    # after, the comments are read-only.
    ("comment", StepCode.SUBMIT, "neighbour"),
    ("comment", StepCode.ANNOUNCE, "neighbour"),
    ("comment", StepCode.CROWDFUND, "area_staff"),
    ("vote", StepCode.CONSULT, "neighbour"),
    ("vote", StepCode.ANNOUNCE, "neighbour"),
    ("contribute", StepCode.ANNOUNCE, "area_staff"),
    ("contribute", StepCode.ACCEPT_RESULTS, "area_staff"),
    ("paper_vote", StepCode.CONSULT, "area_staff"),
    ("paper_vote", StepCode.ANNOUNCE, "area_staff"),
    ("pledge", StepCode.ANNOUNCE, "neighbour"),
    ("pledge", StepCode.ACCEPT_RESULTS, "neighbour"),
    ("set_payment", StepCode.ACCEPT_RESULTS, "area_staff"),
    ("progress", StepCode.CROWDFUND, "proposer"),
    ("evaluate", StepCode.ACCEPT_RESULTS, "area_staff"),
    ("rate", StepCode.ACCEPT_RESULTS, "neighbour"),
    ("rate", StepCode.SHARE, "neighbour"),
    ("enter_paper_form", StepCode.ACCEPT_RESULTS, "area_staff"),
    ("enter_paper_form", StepCode.SHARE, "area_staff"),
    ("paper_vote_for_member", StepCode.CONSULT, "area_staff"),
    ("paper_vote_for_member", StepCode.ANNOUNCE, "area_staff"),
    ("paper_form_for_member", StepCode.ACCEPT_RESULTS, "area_staff"),
    ("paper_form_for_member", StepCode.SHARE, "area_staff"),
    # Staff act for a paper proposal's proposer, with the proposer's limits.
    ("on_paper_edit", StepCode.ACCEPT, "area_staff"),
    ("on_paper_withdraw", StepCode.VOTE, "area_staff"),
    ("on_paper_withdraw", StepCode.ANNOUNCE, "street_staff"),
]


@pytest.mark.parametrize(("action", "step", "who"), CLOSED)
def test_action_at_a_closed_step_is_refused(
    area, area_staff, people, action, step, who
):
    _, _, act = ACTIONS[action]
    project = project_for(action, area, people, area_staff, step=step)
    before = snapshot(project)
    with pytest.raises((PermissionDenied, ValidationError)):
        act(project, people[who], people)
    assert snapshot(project) == before


@pytest.mark.parametrize(
    "action", ["accept", "comment", "contribute", "evaluate", "summarise"]
)
def test_nothing_moves_once_a_project_is_closed(area, area_staff, people, action):
    step, _, act = ACTIONS[action]
    project = make_project(
        area=area, proposer=people["proposer"], staff=area_staff, step=step
    )
    if step >= workflow.STOP_FROM:  # money is involved: stopped, not rejected
        services.project_stop(
            project=project, by=area_staff, reason="不符合条件", dispositions={}
        )
    else:
        services.project_reject(project=project, by=area_staff, reason="不符合条件")
    before = snapshot(project)
    with pytest.raises(ValidationError):
        act(project, area_staff if action != "comment" else people["neighbour"], people)
    assert snapshot(project) == before


def test_pledge_cannot_be_confirmed_once_crowdfunding_is_over(area, area_staff, people):
    project = make_project(
        area=area,
        proposer=people["proposer"],
        staff=area_staff,
        step=StepCode.CARRY_OUT,
    )
    pledge = services.pledge_make(project=project, by=people["neighbour"], amount="80")
    services.project_move(project=project, to_step=10, by=area_staff)
    before = snapshot(project)
    with pytest.raises(ValidationError):
        services.pledge_confirm(pledge=pledge, by=area_staff, received_on=localdate())
    assert snapshot(project) == before
    # It can still be cancelled (or it expires).
    services.pledge_cancel(pledge=pledge, by=area_staff, reason="未收到")
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.CANCELLED


# --- what the page offers is what the services allow ----------------------------------------


@pytest.mark.parametrize("who", ACTORS)
def test_next_moves_match_the_service(area, area_staff, people, who):
    project = make_project(area=area, proposer=people["proposer"], staff=area_staff)
    moves = permissions.next_moves(people[who], project)
    assert [m.to_step for m in moves] == ([4] if who in STAFF else [])


def test_allowed_offers_nothing_on_a_closed_project(area, area_staff, people):
    project = make_project(
        area=area, proposer=people["proposer"], staff=area_staff, step=StepCode.CONSULT
    )
    services.project_withdraw(project=project, by=people["proposer"])
    for who in ACTORS:
        can = permissions.allowed(people[who], project)
        assert not (can.moves or can.reject or can.comment or can.withdraw)


# --- reading drafts and withdrawn projects -------------------------------------------------------

READERS = {"proposer", "area_staff", "street_staff", "superuser"}


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("state", ["draft", "withdrawn"])
def test_who_reads_drafts_and_withdrawn_projects(
    client, area, area_staff, people, who, state
):
    project = make_project(
        area=area,
        proposer=people["proposer"],
        staff=area_staff,
        step=StepCode.DRAFT if state == "draft" else StepCode.SUBMIT,
    )
    if state == "withdrawn":
        services.project_withdraw(project=project, by=people["proposer"])
    if who != "anonymous":
        client.force_login(people[who])
    response = client.get(f"/projects/{project.pk}/")
    assert response.status_code == (200 if who in READERS else 404)
    listed = Project.objects.visible_to(people[who]).filter(pk=project.pk).exists()
    assert listed == (who in READERS)
