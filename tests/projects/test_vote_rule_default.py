"""Every area has a vote rule (the street's default, a row), and a vote closes
before its closing day only once those who have not voted cannot change it."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from nanxi import fragments, roles
from nanxi import services as street_services
from projects import selectors, services
from projects.models import Project, StepCode, VoteRule
from tests.factories import AreaFactory, make_user
from tests.projects.helpers import make_member, make_project
from tests.projects.test_permissions import snapshot


def english(call) -> list[str]:
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value.messages


def vote_with(area, staff, *, electorate: int, closes_in: int = 12):
    """A vote open for `closes_in` more days among `electorate` verified residents
    (the first is the proposer; area staff are not verified, not counted)."""
    people = [
        make_user(roles.RESIDENT, area=area, verified=True) for _ in range(electorate)
    ]
    project = make_project(
        area=area, proposer=people[0], staff=staff, step=StepCode.CONSULT
    )
    services.project_move(
        project=project,
        to_step=StepCode.VOTE,
        by=staff,
        vote_closes_on=timezone.localdate() + timedelta(days=closes_in),
    )
    return project, people


def cast(project, people, *choices: str) -> None:
    for voter, choice in zip(people, choices, strict=False):
        services.vote_cast(project=project, voter=voter, choice=choice)


def close(project, staff, note="全体居民意见已明确"):
    return services.project_move(
        project=project, to_step=StepCode.ANNOUNCE, by=staff, note=note
    )


# --- the street's default is data ----------------------------------------------------------------


def test_the_migration_made_the_streets_default_rule(db):
    rule = VoteRule.objects.get(area=None)
    assert (rule.name, rule.min_turnout_percent, rule.min_support_percent) == (
        "街道默认表决规则",
        30,
        50,
    )
    assert rule.is_street_default and str(rule) == "街道默认表决规则"


def test_a_new_area_uses_the_default_with_no_extra_step(area, area_staff):
    new = AreaFactory(name="新区", slug="xinqu")
    assert VoteRule.for_area(new) == VoteRule.objects.get(area=None)
    staff = make_user(roles.AREA_STAFF, area=new)
    project, people = vote_with(new, staff, electorate=3)
    cast(project, people, "support")
    result = selectors.vote_result(project.pk)
    assert result.rule.is_street_default
    assert (result.cast, result.electorate, result.turnout_ok) == (1, 3, True)


def test_an_areas_own_rule_wins_over_the_default(area, other_area):
    own = VoteRule.objects.create(area=area, name="华业规则", min_turnout_percent=60)
    assert VoteRule.for_area(area) == own
    assert VoteRule.for_area(other_area).is_street_default


def test_the_street_has_one_default_only(db):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        VoteRule(name="第二个默认", min_turnout_percent=10).full_clean()
    assert refused.value.messages == [
        "The street already has a default vote rule: change that one."
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteRule.objects.create(name="第二个默认", min_turnout_percent=10)
    assert VoteRule.objects.filter(area=None).count() == 1


def test_a_changed_default_applies_at_once(area, area_staff):
    """The default is read through the names' version the admin moves."""
    project, people = vote_with(area, area_staff, electorate=3)
    cast(project, people, "support")
    assert selectors.vote_result(project.pk).turnout_ok  # 33 %, 30 % needed
    VoteRule.objects.filter(area=None).update(min_turnout_percent=50)
    fragments.bump(fragments.NAMES)  # what the admin's save does
    assert not selectors.vote_result(project.pk).turnout_ok


def test_without_the_default_no_vote_is_announced(area, area_staff, client):
    project, people = vote_with(area, area_staff, electorate=2, closes_in=0)
    cast(project, people, "support", "support")
    VoteRule.objects.filter(area=None).delete()
    fragments.bump(fragments.NAMES)
    before = snapshot(project)
    assert english(lambda: close(project, area_staff)) == [
        "No vote rule applies: the street's default vote rule has been deleted. "
        "Street staff set it again in the admin (Vote rules) before a vote can be "
        "announced."
    ]
    assert snapshot(project) == before
    client.force_login(area_staff)
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert 'id="announce-refused"' in body and "No vote rule applies" in body
    # Control: set again, the vote is announced.
    VoteRule.objects.create(name="街道默认表决规则", min_turnout_percent=30)
    fragments.bump(fragments.NAMES)
    close(project, area_staff)
    assert Project.objects.get(pk=project.pk).step == StepCode.ANNOUNCE


# --- the admin ------------------------------------------------------------------------------------


def test_admin_names_the_rules_and_who_uses_the_default(
    client, area, other_area, street_staff
):
    VoteRule.objects.create(area=area, name="华业规则", min_turnout_percent=60)
    default = VoteRule.objects.get(area=None)
    client.force_login(street_staff)
    body = client.get("/en/admin/projects/voterule/").content.decode()
    assert "街道默认表决规则" in body and "华业规则" in body
    assert "1 area without a rule of its own" in body
    form = client.get(f"/en/admin/projects/voterule/{default.pk}/change/")
    text = form.content.decode()
    assert "Every area without a rule of its own: 威海" in text
    assert 'name="area"' not in text  # the default stays the default


def test_admin_cannot_delete_the_default(client, area, street_staff):
    default = VoteRule.objects.get(area=None)
    own = VoteRule.objects.create(area=area, min_turnout_percent=60)
    client.force_login(street_staff)
    response = client.post(
        f"/admin/projects/voterule/{default.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    both = {"action": "delete_selected", "post": "yes"}
    client.post(
        "/admin/projects/voterule/", {**both, "_selected_action": [default.pk, own.pk]}
    )
    assert VoteRule.objects.count() == 2  # the default among them: nothing deleted
    # Control: an area's own rule is deleted (the area then uses the default).
    client.post("/admin/projects/voterule/", {**both, "_selected_action": [own.pk]})
    assert list(VoteRule.objects.values_list("pk", flat=True)) == [default.pk]


# --- whether the rest can still change it: the rule, exactly --------------------------------------


RULE = VoteRule(min_turnout_percent=30, min_support_percent=50)


@pytest.mark.parametrize(
    ("support", "oppose", "abstain", "electorate", "decided"),
    [
        # Majority: the rest all oppose and it still passes.
        (3, 0, 0, 5, True),  # 3 : 2 at worst, 60 % > 50 %
        (3, 0, 0, 6, False),  # 3 : 3 at worst, 50 % is not above 50 %: a tie fails
        (4, 1, 0, 6, True),  # 4 : 2 at worst
        (2, 2, 0, 4, True),  # everyone voted: it failed, nothing can change that
        (1, 5, 0, 8, True),  # 3 : 5 at best: it cannot pass any more
        (1, 4, 0, 8, True),  # 4 : 4 at best: a tie fails, so it cannot pass
        (1, 3, 0, 8, False),  # 5 : 3 at best, 1 : 7 at worst
        # Turnout: none of the rest vote, and it still (or never) reaches it.
        (3, 0, 0, 11, False),  # 27 %: may reach 30 % (or lose the majority)
        (3, 0, 0, 10, False),  # 30 % exactly, but the other 7 could outvote
        (0, 0, 3, 10, False),  # abstentions: turnout only, no majority yet
        (9, 0, 1, 10, True),  # everyone voted
        (0, 0, 0, 0, True),  # nobody may vote: nothing can change
    ],
)
def test_decided_when_the_rest_cannot_change_it(
    support, oppose, abstain, electorate, decided
):
    counts = dict(support=support, oppose=oppose, abstain=abstain)
    assert RULE.decided(**counts, electorate=electorate) is decided


def test_decided_by_turnout_exactly_at_the_threshold():
    rule = VoteRule(min_turnout_percent=60, min_support_percent=50)
    # 6 of 10 took part (60 %, enough), 6 : 0; the other 4 opposing: 6 : 4.
    assert rule.decided(support=6, oppose=0, abstain=0, electorate=10)
    # 5 of 10 (50 %, short): it passes if one more votes, fails if nobody does.
    assert not rule.decided(support=5, oppose=0, abstain=0, electorate=10)
    # Abstentions count towards turnout: 3 support + 3 abstain is 60 %.
    assert rule.decided(support=3, oppose=0, abstain=3, electorate=10) is False
    assert rule.decided(support=5, oppose=0, abstain=1, electorate=10)


# --- closing early, through the service and the page ------------------------------------------------


def test_closing_early_on_27_percent_twelve_days_before_is_refused(area, area_staff):
    project, people = vote_with(area, area_staff, electorate=11, closes_in=12)
    cast(project, people, "support", "support", "support")  # 3 of 11: 27.27 %
    before = snapshot(project)
    day = (timezone.localdate() + timedelta(days=12)).isoformat()
    assert english(lambda: close(project, area_staff)) == [
        f"The vote is open until the end of {day} and its result can still change: "
        "8 of the 11 residents who may vote have not voted yet. It closes early only "
        "when their votes can no longer change the result; otherwise it runs to its "
        "closing day."
    ]
    assert snapshot(project) == before


def test_closing_early_once_the_majority_is_beyond_reach(area, area_staff):
    project, people = vote_with(area, area_staff, electorate=5)
    cast(project, people, "support", "support")
    with pytest.raises(ValidationError):
        close(project, area_staff)  # 2 : 3 still possible
    cast(project, people[2:], "support")  # 3 : 2 at worst
    close(project, area_staff)
    project.refresh_from_db()
    assert project.step == StepCode.ANNOUNCE
    assert project.vote_closes_on == timezone.localdate()  # it ended today


def test_closing_early_at_a_tie_that_could_happen_is_refused(area, area_staff):
    project, people = vote_with(area, area_staff, electorate=6)
    cast(project, people, "support", "support", "support")  # 3 : 3 possible
    before = snapshot(project)
    assert (
        "its result can still change" in english(lambda: close(project, area_staff))[0]
    )
    assert snapshot(project) == before


def test_closing_early_once_the_turnout_is_reached_and_kept(area, area_staff):
    VoteRule.objects.create(area=area, min_turnout_percent=60)
    project, people = vote_with(area, area_staff, electorate=10)
    cast(project, people, *["support"] * 5)  # 50 %: more may come
    before = snapshot(project)
    assert (
        "its result can still change" in english(lambda: close(project, area_staff))[0]
    )
    assert snapshot(project) == before
    cast(project, people[5:], "abstain")  # 60 % exactly, 5 : 0 and 4 left
    close(project, area_staff)
    assert Project.objects.get(pk=project.pk).step == StepCode.ANNOUNCE


def test_votes_of_those_who_left_leave_nobody_less_to_vote(
    client, area, other_area, area_staff
):
    """A vote stays counted when its voter leaves the electorate, but it is no one's
    of today's electorate: who may still vote is counted, not electorate − cast."""
    project, people = vote_with(area, area_staff, electorate=8)
    member = make_member(area=area, by=area_staff)
    cast(project, people, "support", "support", "oppose")
    cast(project, people[6:], "abstain", "abstain")
    services.vote_enter_paper(
        project=project,
        by=area_staff,
        choice="abstain",
        ballot_number="P-1",
        member=member,
    )
    # Two moved away (unverified in their new area), one member was erased.
    for moved in people[6:]:
        street_services.profile_update(profile=moved.profile, by=moved, area=other_area)
    services.member_erase(member=member, by=area_staff)
    result = selectors.vote_result(project.pk)
    # 6 cast (2 : 1, 3 abstained) by 6 may vote, yet 3 of these 6 have not voted:
    # all opposing, 2 : 4 fails, so the result can still change.
    assert (result.cast, result.electorate, result.not_voted) == (6, 6, 3)
    assert not result.decided
    before = snapshot(project)
    refused = english(lambda: close(project, area_staff))
    assert "3 of the 6 residents who may vote have not voted yet" in refused[0]
    assert snapshot(project) == before
    client.force_login(area_staff)  # the page counts them in its own query
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert 'id="announce-refused"' in body and "3 of the 6 residents" in body
    # Control: once those three have voted, nothing can change it and it closes.
    cast(project, people[3:6], "support", "support", "support")
    close(project, area_staff)
    assert Project.objects.get(pk=project.pk).step == StepCode.ANNOUNCE


def test_a_vote_decided_against_is_not_announced_early(area, area_staff):
    project, people = vote_with(area, area_staff, electorate=8)
    cast(project, people, "support", *["oppose"] * 5)
    assert english(lambda: close(project, area_staff)) == [
        "The vote has not passed (1 support, 5 oppose): a project needs more support "
        "than opposition. Reject it with a reason instead."
    ]


def test_decided_early_still_needs_a_reason(area, area_staff):
    project, people = vote_with(area, area_staff, electorate=2)
    cast(project, people, "support", "support")
    assert (
        "To close it early, write the reason"
        in english(lambda: close(project, area_staff, note=""))[0]
    )
    close(project, area_staff)
    assert Project.objects.get(pk=project.pk).step == StepCode.ANNOUNCE


def test_after_the_closing_day_the_rest_need_not_be_decided(area, area_staff):
    project, people = vote_with(area, area_staff, electorate=3, closes_in=0)
    cast(project, people, "support")  # 33 %, 1 : 0; two never voted
    services.project_move(
        project=project,
        to_step=StepCode.ANNOUNCE,
        by=area_staff,
        at=timezone.now() + timedelta(days=1),
    )
    assert Project.objects.get(pk=project.pk).step == StepCode.ANNOUNCE


def test_the_staff_page_offers_early_closing_only_when_decided(
    client, area, area_staff
):
    project, people = vote_with(area, area_staff, electorate=4)
    cast(project, people, "support", "support")
    client.force_login(area_staff)
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert 'id="announce-refused"' in body
    assert "2 of the 4 residents who may vote have not voted yet" in body
    assert 'name="to_step" value="7"' not in body
    cast(project, people[2:], "support")  # 3 : 1 at worst
    body = client.get(f"/en/projects/{project.pk}/").content.decode()
    assert 'id="announce-refused"' not in body
    assert 'name="to_step" value="7"' in body
    assert "Reason for closing the vote early" in body
