"""Deliberation at steps 4–6, and a vote with a closing day, a turnout and a rule."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from nanxi import roles
from projects import selectors, services
from projects.models import Comment, Project, StepCode, Vote, VoteRule
from tests.factories import make_user
from tests.projects.helpers import make_project
from tests.projects.test_permissions import snapshot

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=SHANGHAI)


def english(call):
    """The messages of the ValidationError `call` raises, in English (new strings)."""
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value.messages


def voting(area, area_staff, closes_on: date, opened: date | None = None) -> Project:
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    services.project_move(
        project=project,
        to_step=StepCode.VOTE,
        by=area_staff,
        vote_closes_on=closes_on,
        at=at(opened) if opened else None,
    )
    return project


# --- opening the vote -------------------------------------------------------------------------


def test_opening_the_vote_records_its_closing_day(area, area_staff):
    closes = timezone.localdate() + timedelta(days=10)
    project = voting(area, area_staff, closes)
    assert Project.objects.get(pk=project.pk).vote_closes_on == closes


def test_opening_the_vote_needs_a_closing_day(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    before = snapshot(project)
    assert english(
        lambda: services.project_move(project=project, to_step=6, by=area_staff)
    ) == ["Give the day the vote closes: residents can vote until its end."]
    assert snapshot(project) == before


def test_closing_day_cannot_be_before_the_opening(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    before = snapshot(project)
    assert english(
        lambda: services.project_move(
            project=project,
            to_step=6,
            by=area_staff,
            vote_closes_on=date(2021, 3, 31),
            at=at(date(2021, 4, 1)),
        )
    ) == ["The vote cannot close before it opens: choose 2021-04-01 or later."]
    assert snapshot(project) == before


# --- the deadline ------------------------------------------------------------------------------


def test_vote_on_the_closing_day_counts(area, area_staff, resident):
    project = voting(area, area_staff, date(2021, 4, 10), opened=date(2021, 4, 1))
    services.vote_cast(
        project=project, voter=resident, choice="support", at=at(date(2021, 4, 10), 23)
    )
    assert Vote.objects.filter(project=project).count() == 1


def test_vote_after_the_deadline_is_refused(area, area_staff, resident):
    project = voting(area, area_staff, date(2021, 4, 10), opened=date(2021, 4, 1))
    assert english(
        lambda: services.vote_cast(
            project=project, voter=resident, choice="support", at=at(date(2021, 4, 11))
        )
    ) == ["Voting closed at the end of 2021-04-10."]
    # Also today, without an explicit time: the closing day is long over.
    with pytest.raises(ValidationError):
        services.vote_cast(project=project, voter=resident, choice="support")
    assert not Vote.objects.filter(project=project).exists()


def test_closing_early_needs_a_reason(area, area_staff, resident):
    project = voting(area, area_staff, timezone.localdate() + timedelta(days=3))
    services.vote_cast(project=project, voter=resident, choice="support")
    # Everyone who may vote has: decided (test_vote_rule_default has the rest).
    services.vote_cast(project=project, voter=project.proposer, choice="support")
    before = snapshot(project)
    day = (timezone.localdate() + timedelta(days=3)).isoformat()
    assert english(
        lambda: services.project_move(project=project, to_step=7, by=area_staff)
    ) == [
        f"The vote is open until the end of {day}. To close it early, "
        "write the reason in the note."
    ]
    assert snapshot(project) == before
    services.project_move(
        project=project, to_step=7, by=area_staff, note="全体居民已投票"
    )
    assert project.step == 7
    assert project.step_changes.last().note == "全体居民已投票"


def test_closing_after_the_deadline_needs_no_reason(area, area_staff, resident):
    project = voting(area, area_staff, date(2021, 4, 10), opened=date(2021, 4, 1))
    services.vote_cast(
        project=project, voter=resident, choice="support", at=at(date(2021, 4, 5))
    )
    services.project_move(
        project=project, to_step=7, by=area_staff, at=at(date(2021, 4, 11))
    )
    assert Project.objects.get(pk=project.pk).step == 7


# --- the rule --------------------------------------------------------------------------------


def test_default_rule_counts_turnout_of_verified_residents(area, area_staff, resident):
    project = voting(area, area_staff, timezone.localdate())
    make_user(roles.RESIDENT, area=area)  # unverified: not in the electorate
    services.vote_cast(project=project, voter=resident, choice="support")
    result = selectors.vote_result(project.pk)
    # Verified residents of 华业: the proposer (make_project) and `resident`.
    assert (result.cast, result.electorate, str(result.turnout_percent)) == (
        1,
        2,
        "50.00%",
    )
    assert result.passed and result.rule.is_street_default


def after_the_closing_day() -> datetime:
    return at(timezone.localdate() + timedelta(days=1))


def test_area_rule_minimum_turnout_refuses_a_thin_vote(area, area_staff, resident):
    VoteRule.objects.create(area=area, min_turnout_percent=60)
    project = voting(area, area_staff, timezone.localdate())
    services.vote_cast(project=project, voter=resident, choice="support")
    before = snapshot(project)
    assert english(
        lambda: services.project_move(
            project=project, to_step=7, by=area_staff, at=after_the_closing_day()
        )
    ) == [
        "The vote has not passed: 1 of the 2 residents who may vote took part "
        "(50.00%), fewer than the 60% this area requires. Reject it with a reason "
        "instead."
    ]
    assert snapshot(project) == before
    services.vote_cast(project=project, voter=project.proposer, choice="abstain")
    services.project_move(
        project=project, to_step=7, by=area_staff, at=after_the_closing_day()
    )
    assert project.step == 7


def test_area_rule_qualified_majority(area, area_staff, resident):
    VoteRule.objects.create(area=area, min_support_percent=66)
    project = voting(area, area_staff, timezone.localdate())
    services.vote_cast(project=project, voter=resident, choice="support")
    services.vote_cast(project=project, voter=project.proposer, choice="oppose")
    assert english(
        lambda: services.project_move(
            project=project, to_step=7, by=area_staff, note="x"
        )
    ) == [
        "The vote has not passed (1 support, 1 oppose): this area requires support "
        "above 66% of support and oppose votes. Reject it with a reason instead."
    ]


def test_rule_of_another_area_does_not_apply(area, other_area, area_staff, resident):
    VoteRule.objects.create(area=other_area, min_turnout_percent=100)
    project = voting(area, area_staff, timezone.localdate())
    services.vote_cast(project=project, voter=resident, choice="support")
    services.project_move(
        project=project, to_step=7, by=area_staff, at=after_the_closing_day()
    )
    assert project.step == 7


def test_rule_percentages_are_checked(area):
    with pytest.raises(ValidationError):
        VoteRule(area=area, min_turnout_percent=101).full_clean()
    with pytest.raises(ValidationError):
        VoteRule(area=area, min_support_percent=49).full_clean()


# --- withdrawing -------------------------------------------------------------------------------


def test_withdraw_asks_for_confirmation_first(client, area, area_staff, resident):
    project = make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.CONSULT
    )
    client.force_login(resident)
    detail = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/withdraw/"' in detail
    page = client.get(f"/projects/{project.pk}/withdraw/")
    assert page.status_code == 200
    assert 'id="withdraw-meaning"' in page.content.decode()
    assert Project.objects.get(pk=project.pk).outcome == "open"
    client.post(f"/projects/{project.pk}/withdraw/", {"note": "邻居已解决"})
    project.refresh_from_db()
    assert project.outcome == "withdrawn"
    assert project.step_changes.last().note == "邻居已解决"


def test_withdraw_page_is_refused_while_voting(client, area, area_staff, resident):
    project = make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.VOTE
    )
    client.force_login(resident)
    assert "/withdraw/" not in client.get(f"/projects/{project.pk}/").content.decode()
    assert client.get(f"/projects/{project.pk}/withdraw/").status_code == 403
    assert client.post(f"/projects/{project.pk}/withdraw/").status_code == 403
    assert Project.objects.get(pk=project.pk).outcome == "open"


def test_withdraw_page_is_the_proposers_only(client, area, area_staff, resident):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    client.force_login(resident)
    assert client.get(f"/projects/{project.pk}/withdraw/").status_code == 403


# --- the page ----------------------------------------------------------------------------------


def test_page_shows_deadline_turnout_and_rule(client, area, area_staff, resident):
    closes = timezone.localdate() + timedelta(days=5)
    project = voting(area, area_staff, closes)
    services.vote_cast(project=project, voter=resident, choice="support")
    with translation.override("en"):
        body = client.get(
            f"/projects/{project.pk}/", HTTP_ACCEPT_LANGUAGE="en"
        ).content.decode()
    assert closes.isoformat() in body and 'id="vote-deadline"' in body
    assert 'id="turnout"' in body and 'id="vote-rule"' in body


def test_staff_open_the_vote_through_the_page(client, area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    client.force_login(area_staff)
    body = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'name="vote_closes_on"' in body
    closes = timezone.localdate() + timedelta(days=7)
    client.post(
        f"/projects/{project.pk}/move/",
        {"to_step": 6, "note": "", "vote_closes_on": closes.isoformat()},
    )
    project.refresh_from_db()
    assert (project.step, project.vote_closes_on) == (6, closes)


def test_move_form_has_no_closing_day_for_other_moves(client, area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.ACCEPT)
    client.force_login(area_staff)
    body = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'name="vote_closes_on"' not in body


def test_opening_without_a_day_through_the_page_says_why(client, area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    client.force_login(area_staff)
    with translation.override("en"):
        response = client.post(
            f"/projects/{project.pk}/move/",
            {"to_step": 6, "note": ""},
            follow=True,
            HTTP_ACCEPT_LANGUAGE="en",
        )
    messages = [str(m) for m in response.context["messages"]]
    assert Project.objects.get(pk=project.pk).step == 5
    assert len(messages) == 1


@pytest.mark.parametrize("step", [StepCode.ANNOUNCE, StepCode.SHARE])
def test_comments_are_read_only_after_the_vote_with_a_message(
    client, area, area_staff, resident, step
):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    services.comment_add(project=project, author=resident, body="支持装灯")
    project = make_project(area=area, staff=area_staff, step=step)
    Comment.objects.create(project=project, author=resident, body="早先的意见")
    client.force_login(resident)
    body = client.get(f"/projects/{project.pk}/").content.decode()
    assert "早先的意见" in body
    assert 'id="comments-closed"' in body
    assert f'action="/projects/{project.pk}/comment/"' not in body
    response = client.post(
        f"/projects/{project.pk}/comment/", {"body": "还能说吗"}, follow=True
    )
    assert not Comment.objects.filter(body="还能说吗").exists()
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        str(
            services.permissions.comment_refusal(
                resident, Project.objects.get(pk=project.pk)
            )
        )
    ]


def test_comment_refusal_messages(area, area_staff, resident):
    with translation.override("en"):
        early = make_project(area=area, staff=area_staff, step=StepCode.SUBMIT)
        late = make_project(area=area, staff=area_staff, step=StepCode.ANNOUNCE)
        assert english(
            lambda: services.comment_add(project=early, author=resident, body="x")
        ) == [
            "Comments open at step 4, once the residents' committee accepts the "
            "proposal."
        ]
        assert english(
            lambda: services.comment_add(project=late, author=resident, body="x")
        ) == [
            "The consultation is closed: comments are open during steps 4–6 only. "
            "The comments made can still be read."
        ]


def test_outsider_cannot_open_the_vote(area, other_area):
    project = make_project(area=area, step=StepCode.CONSULT)
    with pytest.raises(PermissionDenied):
        services.project_move(
            project=project,
            to_step=6,
            by=make_user(roles.AREA_STAFF, area=other_area),
            vote_closes_on=timezone.localdate(),
        )


def test_street_staff_set_an_areas_rule_in_the_admin(client, area, street_staff):
    client.force_login(street_staff)
    response = client.post(
        "/admin/projects/voterule/add/",
        {"area": area.pk, "min_turnout_percent": 30, "min_support_percent": 50},
    )
    assert response.status_code == 302
    assert VoteRule.objects.get(area=area).min_turnout_percent == 30


def test_area_staff_cannot_change_the_rule(client, area, area_staff):
    rule = VoteRule.objects.create(area=area, min_turnout_percent=30)
    client.force_login(area_staff)
    client.post(
        "/admin/projects/voterule/add/",
        {"area": area.pk, "min_turnout_percent": 0, "min_support_percent": 50},
    )
    client.post(
        f"/admin/projects/voterule/{rule.pk}/change/",
        {"area": area.pk, "min_turnout_percent": 0, "min_support_percent": 50},
    )
    assert VoteRule.objects.get(area=area).min_turnout_percent == 30


# --- paper ballots (线下) ------------------------------------------------------------------------


def test_paper_ballot_counts_once_and_is_marked(area, area_staff, resident):
    project = voting(area, area_staff, timezone.localdate())
    services.vote_cast(project=project, voter=resident, choice="support")
    services.vote_enter_paper(
        project=project, by=area_staff, choice="oppose", ballot_number=" 007 "
    )
    assert english(
        lambda: services.vote_enter_paper(
            project=project, by=area_staff, choice="support", ballot_number="007"
        )
    ) == ["Ballot 007 has already been entered for this project."]
    paper = Vote.objects.get(paper=True)
    assert (paper.ballot_number, paper.entered_by, paper.voter) == (
        "007",
        area_staff,
        None,
    )
    totals = Project.objects.with_totals().get(pk=project.pk)
    assert (totals.votes_support, totals.votes_oppose, totals.votes_paper) == (1, 1, 1)
    assert selectors.vote_result(project.pk).cast == 2


def test_paper_ballot_needs_a_number_and_a_choice(area, area_staff):
    project = voting(area, area_staff, timezone.localdate())
    assert english(
        lambda: services.vote_enter_paper(
            project=project, by=area_staff, choice="support", ballot_number=" "
        )
    ) == ["Enter the number printed on the ballot."]
    with pytest.raises(ValidationError):
        services.vote_enter_paper(
            project=project, by=area_staff, choice="maybe", ballot_number="1"
        )
    assert not Vote.objects.exists()


def test_paper_ballot_after_the_deadline_is_refused(area, area_staff):
    project = voting(area, area_staff, date(2021, 4, 10), opened=date(2021, 4, 1))
    assert english(
        lambda: services.vote_enter_paper(
            project=project, by=area_staff, choice="support", ballot_number="1"
        )
    ) == ["Voting closed at the end of 2021-04-10."]


def test_residents_cannot_enter_paper_ballots(area, area_staff, resident):
    project = voting(area, area_staff, timezone.localdate())
    with pytest.raises(PermissionDenied):
        services.vote_enter_paper(
            project=project, by=resident, choice="support", ballot_number="1"
        )


def test_database_refuses_a_paper_ballot_twice(area, area_staff):
    from django.db import IntegrityError, transaction

    project = voting(area, area_staff, timezone.localdate())
    fields = {
        "project": project,
        "choice": "support",
        "paper": True,
        "ballot_number": "9",
        "entered_by": area_staff,
    }
    Vote.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(**fields)


def test_staff_enter_a_paper_ballot_on_the_page(client, area, area_staff):
    project = voting(area, area_staff, timezone.localdate())
    client.force_login(area_staff)
    body = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'action="/projects/{project.pk}/paper_vote/"' in body
    client.post(
        f"/projects/{project.pk}/paper_vote/",
        {"ballot_number": "12", "choice": "abstain"},
    )
    assert Vote.objects.get().paper
    body = client.get(f"/projects/{project.pk}/").content.decode()
    assert "(1 " in body or "1 张" in body


def test_staff_see_why_a_failing_vote_cannot_be_announced_before_they_try(
    client, area, area_staff
):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    client.force_login(area_staff)
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert 'id="announce-refused"' in body
    # Open until the end of today, and nobody has voted: it runs to its day.
    assert "its result can still change" in body
    assert 'name="to_step" value="7"' not in body  # no reason asked for in vain
    assert "Reject with a reason" in body
    voter = make_user(roles.RESIDENT, area=area, verified=True)
    services.vote_cast(project=project, voter=voter, choice="support")
    services.vote_cast(project=project, voter=project.proposer, choice="support")
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert 'id="announce-refused"' not in body
    assert 'name="to_step" value="7"' in body


def test_members_without_an_account_are_in_the_electorate(area, area_staff, resident):
    """They vote on paper: without them, turnout could pass 100 %."""
    from tests.projects.helpers import make_member

    project = voting(area, area_staff, timezone.localdate())
    members = [
        make_member(area=area, by=area_staff, name=name, phone=phone)
        for name, phone in (("李阿婆", "13800000001"), ("王老伯", "13800000002"))
    ]
    erased = make_member(area=area, by=area_staff, name="赵阿姨", phone="13800000003")
    services.member_erase(member=erased, by=area_staff)
    for number, member in enumerate(members, start=1):
        services.vote_enter_paper(
            project=project,
            by=area_staff,
            choice="support",
            ballot_number=f"P{number}",
            member=member,
        )
    services.vote_cast(project=project, voter=resident, choice="support")
    result = selectors.vote_result(project.pk)
    # The proposer and `resident` (verified), two members; not the erased one.
    assert (result.cast, result.electorate, str(result.turnout_percent)) == (
        3,
        4,
        "75.00%",
    )
