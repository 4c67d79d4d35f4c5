"""What a walk through the demo found: a vote window years long, ballot numbers
counted twice by their letter case, money received before it was pledged."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from projects import services
from projects.models import Pledge, StepCode, Vote
from tests.projects.helpers import make_project


def test_a_vote_stays_open_at_most_sixty_days(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        services.project_move(
            project=project,
            to_step=StepCode.VOTE,
            by=area_staff,
            vote_closes_on=today + timedelta(days=61),
        )
    assert refused.value.messages == [
        f"投票最多开放 60 天：请选择 {(today + timedelta(days=60)).isoformat()} 或更早的日期。"
    ]
    project.refresh_from_db()
    assert project.step == StepCode.CONSULT
    services.project_move(
        project=project,
        to_step=StepCode.VOTE,
        by=area_staff,
        vote_closes_on=today + timedelta(days=60),
    )
    assert project.step == StepCode.VOTE


def test_a_ballot_number_is_one_number_whatever_the_case_or_keyboard(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    services.vote_enter_paper(
        project=project, by=area_staff, choice="support", ballot_number="A001"
    )
    for same in ("a001", " Ａ００１ "):
        with pytest.raises(ValidationError):
            services.vote_enter_paper(
                project=project, by=area_staff, choice="oppose", ballot_number=same
            )
    services.vote_enter_paper(
        project=project, by=area_staff, choice="oppose", ballot_number="ｂ００２"
    )
    numbers = set(
        Vote.objects.filter(project=project, paper=True).values_list(
            "ballot_number", flat=True
        )
    )
    assert numbers == {"A001", "B002"}


def test_money_cannot_arrive_before_it_was_pledged(area, area_staff, resident):
    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    pledge = services.pledge_make(project=project, by=resident, amount="50")
    with pytest.raises(ValidationError) as refused:
        services.pledge_confirm(
            pledge=pledge,
            by=area_staff,
            received_on=timezone.localdate() - timedelta(days=400),
        )
    assert "认捐" in refused.value.messages[0]
    assert Pledge.objects.get(pk=pledge.pk).status == Pledge.Status.PENDING


def test_the_same_person_is_not_recorded_twice_as_a_member(area, area_staff):
    from tests.projects.helpers import make_member

    first = make_member(area=area, by=area_staff, name="周老伯")
    for same in ("周老伯", " 周 老伯 "):
        with pytest.raises(ValidationError) as refused:
            services.member_record(
                by=area_staff, name=same, area=area, building_group=first.building_group
            )
        assert "周老伯" in refused.value.message_dict["name"][0]
    other = services.member_record(
        by=area_staff,
        name="周老伯（2号）",
        area=area,
        building_group=first.building_group,
    )
    assert other.pk != first.pk
    services.member_update(
        member=first, by=area_staff, name="周老伯", building_group=first.building_group
    )  # saving a record again is not a duplicate of itself


def test_a_vote_closed_early_or_by_rejection_ends_that_day(client, area, area_staff):
    today = timezone.localdate()
    later = today + timedelta(days=30)
    early = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    services.project_move(
        project=early, to_step=StepCode.VOTE, by=area_staff, vote_closes_on=later
    )
    services.vote_enter_paper(
        project=early, by=area_staff, choice="support", ballot_number="1"
    )
    services.project_move(
        project=early, to_step=StepCode.ANNOUNCE, by=area_staff, note="全员已投票"
    )
    early.refresh_from_db()
    assert early.vote_closes_on == today

    rejected = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    services.project_move(
        project=rejected, to_step=StepCode.VOTE, by=area_staff, vote_closes_on=later
    )
    services.project_reject(project=rejected, by=area_staff, reason="与规划冲突")
    rejected.refresh_from_db()
    assert rejected.vote_closes_on == today
    page = client.get(f"/en/projects/{rejected.pk}/").content.decode()
    assert f"Voting closed at the end of {today.isoformat()}." in page
