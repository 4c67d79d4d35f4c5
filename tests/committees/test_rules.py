"""The national rules: composition (指导规则 art. 31, 32), the periods (物业管理条例
art. 14, 16), a void vote (Civil Code art. 278) and the rules' numbers per estate.

Messages are checked in English (`translation.override("en")`): the Chinese comes
with the merged catalogue.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from committees import selectors, services
from committees.models import CommitteeRules, Election, Member, Role, Step, rules_for
from nanxi import roles
from tests.committees.conftest import (
    DAY,
    PEOPLE,
    SEATS,
    add_candidates,
    at,
    election_at,
    first_meeting,
    make_estate,
    record_vote,
)
from tests.committees.test_services import snapshot
from tests.factories import make_user

DAYS = datetime.timedelta


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(call) -> list[str]:
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        call()
    assert snapshot() == before
    return refused.value.messages


# --- one chair --------------------------------------------------------------------------


def test_a_term_with_two_chairs_is_refused(committee, street_staff):
    two = [("王建国", Role.CHAIR, ""), ("李秀英", Role.CHAIR, "")]
    messages = refusal(
        lambda: services.term_record(
            committee=committee, start=DAY, by=street_staff, members=two
        )
    )
    assert messages == [
        "A committee has exactly one chair (Guiding Rules for Owners' Assemblies "
        "and Committees, art. 32); this term would have 2."
    ]


def test_a_term_with_one_chair_is_recorded(committee, street_staff):
    term = services.term_record(
        committee=committee, start=DAY, by=street_staff, members=PEOPLE
    )
    assert term.members.filter(role=Role.CHAIR).count() == 1


def test_a_term_of_twelve_is_refused(committee, street_staff):
    twelve = [("主任", Role.CHAIR, "")] + [
        (f"委员{n}", Role.MEMBER, "") for n in range(11)
    ]
    messages = refusal(
        lambda: services.term_record(
            committee=committee, start=DAY, by=street_staff, members=twelve
        )
    )
    assert "at most 11 members" in messages[0]


def test_member_save_refuses_a_second_chair(committee, street_staff):
    term = services.term_record(
        committee=committee, start=DAY, by=street_staff, members=PEOPLE
    )
    vice = term.members.get(role=Role.VICE_CHAIR)
    vice.role = Role.CHAIR
    messages = refusal(lambda: services.member_save(member=vice, by=street_staff))
    assert "exactly one chair" in messages[0]
    vice.role = Role.MEMBER
    services.member_save(member=vice, by=street_staff)
    assert Member.objects.get(pk=vice.pk).role == Role.MEMBER


def test_term_check_chair_refuses_a_term_without_its_chair(committee, street_staff):
    term = services.term_record(
        committee=committee, start=DAY, by=street_staff, members=PEOPLE
    )
    services.term_check_chair(term=term)
    term.members.filter(role=Role.CHAIR).update(role=Role.MEMBER)
    with pytest.raises(ValidationError, match="this term would have 0"):
        services.term_check_chair(term=term)


# --- the seats and the number elected -------------------------------------------------------


def announce(election, by, seats=SEATS, assembly_on=None, day=DAY):
    return services.election_announce(
        election=election,
        by=by,
        seats=seats,
        assembly_on=assembly_on or day + DAYS(15),
        at=at(day),
    )


@pytest.mark.parametrize("seats", [3, 4, 13])
def test_seats_outside_the_rules_are_refused(committee, street_staff, seats):
    election = election_at(committee, street_staff)
    add_candidates(election, street_staff)
    messages = refusal(lambda: announce(election, street_staff, seats=seats))
    assert messages[0].startswith("Elect an odd number of members from 5 to 11")


def test_fewer_candidates_than_seats_are_refused(committee, street_staff):
    election = election_at(committee, street_staff)
    add_candidates(election, street_staff)
    messages = refusal(lambda: announce(election, street_staff, seats=7))
    assert messages == ["7 members are to be elected but there are only 5 candidates."]


def test_five_seats_and_five_candidates_are_announced(committee, street_staff):
    election = election_at(committee, street_staff)
    add_candidates(election, street_staff)
    announce(election, street_staff)
    election.refresh_from_db()
    assert (election.step, election.seats) == (Step.CANDIDATES, 5)
    assert election.vote_from == DAY + DAYS(15)


def test_fewer_elected_than_the_minimum_is_refused_at_the_result(
    committee, street_staff
):
    election = election_at(committee, street_staff, Step.VOTE)
    approvals = {c.pk: (200, "20000") for c in election.candidates.all()}
    for c in list(election.candidates.all())[3:]:
        approvals[c.pk] = (100, "10000")  # not elected
    services.election_record_vote(
        election=election,
        by=street_staff,
        participating_owners=240,
        participating_area="24000",
        approvals=approvals,
    )
    messages = refusal(
        lambda: services.election_move(
            election=election, to_step=Step.RESULTS, by=street_staff
        )
    )
    assert messages[0].startswith(
        "3 candidates are elected; a committee has an odd number of members "
        "from 5 to 11"
    )


def test_an_even_number_elected_is_refused_at_filing(committee, street_staff):
    seven = [*PEOPLE, ("赵文杰", Role.MEMBER, ""), ("孙海燕", Role.MEMBER, "")]
    election = election_at(committee, street_staff, Step.VOTE, people=seven)
    record_vote(election, street_staff)
    # The two more are not elected (no tie for the last seat).
    election.candidates.exclude(name__in=[n for n, _, _ in PEOPLE]).update(
        approving_owners=100
    )
    services.election_move(
        election=election, to_step=Step.RESULTS, by=street_staff, at=at(DAY - DAYS(10))
    )
    first_meeting(election, street_staff, DAY - DAYS(8))
    # Corrected after the result: one of the five fewer, one more not elected.
    last = election.candidates.get(name="陈国平")
    election.candidates.filter(pk=last.pk).update(approving_owners=100)
    election.candidates.exclude(name__in=[n for n, _, _ in PEOPLE]).update(
        approving_owners=100
    )
    messages = refusal(
        lambda: services.election_complete(
            election=election, by=street_staff, at=at(DAY)
        )
    )
    assert messages[0].startswith("4 candidates are elected")


def test_the_most_approved_fill_the_seats(committee, street_staff):
    seven = [*PEOPLE, ("赵文杰", Role.MEMBER, ""), ("孙海燕", Role.MEMBER, "")]
    election = election_at(committee, street_staff, Step.VOTE, people=seven)
    candidates = list(election.candidates.all())
    services.election_record_vote(
        election=election,
        by=street_staff,
        participating_owners=240,
        participating_area="24000",
        approvals={
            c.pk: (130 + n, str(13000 + n * 100)) for n, c in enumerate(candidates)
        },
    )
    election.refresh_from_db()
    elected = [c.name for c in election.elected_candidates()]
    assert elected == ["孙海燕", "赵文杰", "陈国平", "刘美华", "张志强"]


# --- the first meeting -------------------------------------------------------------------------


def test_filing_without_the_first_meeting_is_refused(committee, street_staff):
    election = election_at(committee, street_staff, Step.RESULTS)
    messages = refusal(
        lambda: services.election_complete(
            election=election, by=street_staff, at=at(DAY)
        )
    )
    assert messages[0].startswith("Record the committee's first meeting")


def test_first_meeting_with_a_member_not_elected_is_refused(committee, street_staff):
    seven = [*PEOPLE, ("赵文杰", Role.MEMBER, ""), ("孙海燕", Role.MEMBER, "")]
    election = election_at(committee, street_staff, Step.VOTE, people=seven)
    candidates = list(election.candidates.all())
    approvals = {c.pk: (200, "20000") for c in candidates}
    approvals[candidates[5].pk] = (100, "10000")  # 赵文杰: not elected
    approvals[candidates[6].pk] = (100, "10000")  # 孙海燕: not elected
    services.election_record_vote(
        election=election,
        by=street_staff,
        participating_owners=240,
        participating_area="24000",
        approvals=approvals,
        voted_on=DAY,
    )
    services.election_move(
        election=election, to_step=Step.RESULTS, by=street_staff, at=at(DAY)
    )
    messages = refusal(lambda: first_meeting(election, street_staff, DAY, chair=5))
    assert messages == [
        "“赵文杰” is not an elected member: the chair and vice-chairs are chosen "
        "among the elected (Guiding Rules for Owners' Assemblies and Committees, "
        "art. 32)."
    ]
    first_meeting(election, street_staff, DAY, chair=0, vices=(1,))
    election.refresh_from_db()
    assert election.first_meeting_on == DAY
    roles_now = dict(election.candidates.values_list("name", "role"))
    assert roles_now["王建国"] == Role.CHAIR and roles_now["赵文杰"] == ""


def test_a_chair_who_is_also_vice_chair_is_refused(committee, street_staff):
    election = election_at(committee, street_staff, Step.RESULTS)
    messages = refusal(
        lambda: first_meeting(election, street_staff, DAY, chair=0, vices=(0, 1))
    )
    assert "“王建国” cannot be both chair and vice-chair." in messages


@pytest.mark.parametrize("vices", [(), (1, 2, 3)])
def test_vice_chairs_outside_the_rules_are_refused(committee, street_staff, vices):
    election = election_at(committee, street_staff, Step.RESULTS)
    messages = refusal(
        lambda: first_meeting(election, street_staff, DAY, chair=0, vices=vices)
    )
    assert messages[0].startswith(f"{len(vices)} vice-chairs were chosen; from 1 to 2")


def test_first_meeting_before_the_result_is_refused(committee, street_staff):
    election = election_at(committee, street_staff, Step.RESULTS)
    messages = refusal(lambda: first_meeting(election, street_staff, DAY - DAYS(11)))
    assert messages == [
        "The first meeting follows the result, announced on "
        f"{(DAY - DAYS(10)).isoformat()}."
    ]


def test_filed_term_has_one_chair_and_its_vice_chairs(committee, street_staff):
    election = election_at(committee, street_staff, Step.FILED)
    roles_filed = list(election.term.members.values_list("role", flat=True))
    assert roles_filed.count(Role.CHAIR) == 1
    assert roles_filed.count(Role.VICE_CHAIR) == 1 and len(roles_filed) == 5


# --- the periods ------------------------------------------------------------------------------


def test_the_assembly_less_than_15_days_ahead_is_refused(committee, street_staff):
    election = election_at(committee, street_staff)
    add_candidates(election, street_staff)
    messages = refusal(
        lambda: announce(election, street_staff, assembly_on=DAY + DAYS(14))
    )
    assert messages == [
        # The district's default restates the law: the law is cited once.
        "The owners are told at least 15 days before the vote (Property "
        "Management Regulations, art. 14): "
        f"announced today, the assembly can be held from {(DAY + DAYS(15))}."
    ]


def test_the_vote_a_day_early_is_refused_with_the_day_and_allowed_on_it(
    committee, street_staff
):
    election = election_at(committee, street_staff)
    add_candidates(election, street_staff)
    announce(election, street_staff)
    vote_day = DAY + DAYS(15)
    messages = refusal(
        lambda: services.election_move(
            election=election,
            to_step=Step.VOTE,
            by=street_staff,
            at=at(vote_day - DAYS(1)),
        )
    )
    assert messages[0].endswith(f"the vote is possible from {vote_day}.")
    services.election_move(
        election=election, to_step=Step.VOTE, by=street_staff, at=at(vote_day)
    )
    assert Election.objects.get().step == Step.VOTE


def test_recording_the_vote_before_its_day_is_refused(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE)
    later = timezone.localdate() + DAYS(3)
    Election.objects.filter(pk=election.pk).update(vote_from=later)
    election.refresh_from_db()
    messages = refusal(
        lambda: record_vote(election, street_staff, voted_on=timezone.localdate())
    )
    assert messages[0].endswith(f"the vote is possible from {later}.")


def test_the_result_fixes_the_first_meeting_and_filing_days(committee, street_staff):
    election = election_at(committee, street_staff, Step.RESULTS)
    result = DAY - DAYS(10)
    assert (election.results_on, election.first_meeting_due, election.filing_due) == (
        result,
        result + DAYS(7),
        result + DAYS(30),
    )


def test_filing_late_is_allowed_and_shown_overdue(
    client, committee, street_staff, area_staff
):
    election = election_at(committee, street_staff, Step.RESULTS)
    first_meeting(election, street_staff, DAY - DAYS(8))
    late = DAY + DAYS(40)
    services.election_complete(election=election, by=street_staff, at=at(late))
    election.refresh_from_db()
    assert election.step == Step.FILED and election.filing_overdue()
    client.force_login(area_staff)
    page = client.get(f"/en/committees/{committee.pk}/").content.decode()
    assert "Overdue: the filing" in page


def overdue_election(committee, by):
    """Result announced 45 days ago, no first meeting, not filed."""
    today = timezone.localdate()
    return election_at(committee, by, Step.RESULTS, when=today - DAYS(35))


def test_an_overdue_election_is_on_the_work_list_and_the_committee_page(
    client, committee, street_staff, area_staff
):
    overdue_election(committee, street_staff)
    client.force_login(area_staff)
    work = client.get("/en/projects/manage/").content.decode()
    assert 'id="overdue-elections"' in work and "华业大楼" in work
    assert "Overdue: the first meeting was due by" in work
    page = client.get(f"/en/committees/{committee.pk}/").content.decode()
    assert "Overdue: the first meeting and the filing" in page
    zh = client.get(f"/committees/{committee.pk}/").content.decode()
    assert "逾期：首次会议、备案" in zh  # Chinese punctuation, not "逾期: …, …"


def test_an_election_within_its_periods_is_not_on_the_work_list(
    client, committee, street_staff, area_staff
):
    today = timezone.localdate()
    election_at(committee, street_staff, Step.RESULTS, when=today + DAYS(10))
    client.force_login(area_staff)
    work = client.get("/en/projects/manage/").content.decode()
    assert 'id="overdue-elections"' not in work
    assert not selectors.overdue_elections(area_staff)


def test_overdue_elections_of_other_areas_are_not_listed(
    committee, street_staff, other_area
):
    overdue_election(committee, street_staff)
    assert selectors.overdue_elections(street_staff)
    assert not selectors.overdue_elections(make_user(roles.AREA_STAFF, area=other_area))


def test_overdue_elections_are_one_query(
    committee, street_staff, django_assert_num_queries
):
    overdue_election(committee, street_staff)
    with django_assert_num_queries(1):
        assert len(selectors.overdue_elections(street_staff)) == 1


# --- a void vote ---------------------------------------------------------------------------


def test_a_void_vote_says_so_first_and_elects_nobody(client, committee, area_staff):
    election = election_at(committee, area_staff, Step.VOTE)
    record_vote(election, area_staff, owners=150, area="15000", approve=(150, "15000"))
    election.refresh_from_db()
    assert election.void and election.elected_candidates() == []
    summary = selectors.election_summary(election)
    assert summary["void"] and not any(r["elected"] for r in summary["candidates"])
    client.force_login(area_staff)
    page = client.get(f"/en/committees/elections/{election.pk}/").content.decode()
    void = page.index('id="void"')
    assert void < page.index('id="steps"') and void < page.index('id="candidates"')
    assert "The election failed: the vote is void" in page
    assert "15,000 of 30,000 m²" in page and "(50.00%)" in page
    assert '<span class="ok">elected</span>' not in page
    public = client.get(f"/en/committees/{committee.pk}/").content.decode()
    assert '<span class="ok">elected</span>' not in public


def test_recording_a_void_vote_says_it_failed(client, committee, area_staff):
    election = election_at(committee, area_staff, Step.VOTE)
    client.force_login(area_staff)
    data = {"participating_owners": "150", "participating_area": "15000"}
    for c in election.candidates.all():
        data[f"owners_{c.pk}"], data[f"area_{c.pk}"] = "150", "15000"
    page = client.post(
        f"/en/committees/elections/{election.pk}/vote/", data, follow=True
    ).content.decode()
    assert "the election failed" in page
    assert "The vote has been recorded." not in page


def test_a_valid_vote_shows_the_elected(client, committee, area_staff):
    election = election_at(committee, area_staff, Step.RESULTS)
    client.force_login(area_staff)
    page = client.get(f"/en/committees/elections/{election.pk}/").content.decode()
    assert 'id="void"' not in page
    assert page.count('<span class="ok">elected</span>') == 5


# --- the rules' numbers ------------------------------------------------------------------------


def test_the_default_rules_are_seeded_with_the_law(db):
    default = CommitteeRules.objects.get(estate__isnull=True)
    assert (default.min_members, default.max_members) == (5, 11)
    assert (default.notice_days, default.first_meeting_days, default.filing_days) == (
        15,
        7,
        30,
    )
    assert default.source


def test_rules_for_falls_back_to_the_default(estate, area):
    default = CommitteeRules.objects.get(estate__isnull=True)
    assert rules_for(estate) == default
    own = CommitteeRules(
        estate=estate, min_members=7, notice_days=20, source="议事规则"
    )
    own.full_clean()
    own.save()
    assert rules_for(estate) == own
    assert rules_for(make_estate(area, name="别的小区")) == default
    CommitteeRules.objects.all().delete()
    assert rules_for(estate).min_members == 5 and rules_for(estate).pk is None


@pytest.mark.parametrize(
    ("field", "value", "source"),
    [
        ("min_members", 3, "art. 31"),
        ("max_members", 13, "art. 31"),
        ("notice_days", 14, "Property Management Regulations, art. 14"),
        ("first_meeting_days", 8, "art. 32"),
        ("filing_days", 31, "Property Management Regulations, art. 16"),
        ("min_vice_chairs", 0, "art. 32"),
    ],
)
def test_rules_outside_the_law_are_refused(estate, field, value, source):
    rules = CommitteeRules(estate=estate, source="某小区业主大会议事规则（2019年通过）")
    setattr(rules, field, value)
    with pytest.raises(ValidationError) as refused:
        rules.full_clean()
    assert source in " ".join(refused.value.message_dict[field])
    with pytest.raises(IntegrityError), transaction.atomic():
        rules.save()


def test_area_staff_edit_their_estates_rules_in_the_admin_within_the_law(
    client, estate, area_staff, other_area, street_staff
):
    client.force_login(area_staff)
    data = {
        "estate": estate.pk,
        "min_members": "5",
        "max_members": "9",
        "min_vice_chairs": "1",
        "max_vice_chairs": "2",
        "notice_days": "10",
        "first_meeting_days": "7",
        "filing_days": "30",
        "source": "华业大楼业主大会议事规则（2019年通过）",
    }
    page = client.post("/en/admin/committees/committeerules/add/", data)
    assert page.status_code == 200
    assert "Property Management Regulations, art. 14" in page.content.decode()
    assert not CommitteeRules.objects.filter(estate=estate).exists()
    data["notice_days"] = "20"
    response = client.post("/en/admin/committees/committeerules/add/", data)
    assert response.status_code == 302
    assert rules_for(estate).notice_days == 20
    default = CommitteeRules.objects.get(estate__isnull=True)
    url = f"/en/admin/committees/committeerules/{default.pk}/change/"
    refused = client.post(url, {**data, "estate": "", "notice_days": "30"})
    assert refused.status_code == 403
    assert CommitteeRules.objects.get(pk=default.pk).notice_days == 15
    client.force_login(street_staff)
    client.post(url, {**data, "estate": "", "notice_days": "30"})
    assert CommitteeRules.objects.get(pk=default.pk).notice_days == 30


def test_an_estates_notice_days_count(committee, street_staff):
    CommitteeRules.objects.create(
        estate=committee.estate, notice_days=20, source="华业大楼议事规则"
    )
    election = election_at(committee, street_staff)
    add_candidates(election, street_staff)
    messages = refusal(
        lambda: announce(election, street_staff, assembly_on=DAY + DAYS(19))
    )
    assert "at least 20 days" in messages[0]
    # The estate's own rules are cited after the law.
    assert "(Property Management Regulations, art. 14; 华业大楼议事规则)" in messages[0]
    announce(election, street_staff, assembly_on=DAY + DAYS(20))
