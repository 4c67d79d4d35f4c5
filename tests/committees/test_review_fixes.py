"""The review's four fixes: a tie for the last seat needs a run-off; the periods
count from the vote's day (自选举产生之日起); one chair per term, also in the
database; the members' bound is the estate's rules.

Messages are checked in English (`translation.override("en")`, `/en/` pages).
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from committees import selectors, services
from committees.models import CommitteeRules, Election, Member, Role, Step
from tests.committees.conftest import (
    DAY,
    PEOPLE,
    add_candidates,
    at,
    election_at,
    record_vote,
)
from tests.committees.test_services import snapshot

DAYS = datetime.timedelta
SIX = [*PEOPLE, ("赵文杰", Role.MEMBER, "")]


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


def vote(election, by, approvals, voted_on=None):
    """240 of 300 owners and 24,000 of 30,000 m² took part; `approvals` is a list
    of (owners, area) in the candidates' order."""
    candidates = list(election.candidates.all())
    services.election_record_vote(
        election=election,
        by=by,
        participating_owners=240,
        participating_area="24000",
        approvals={c.pk: a for c, a in zip(candidates, approvals, strict=True)},
        voted_on=voted_on or election.vote_from,
    )


def announce_result(election, by, day=DAY):
    return services.election_move(
        election=election, to_step=Step.RESULTS, by=by, at=at(day)
    )


# --- 1. a tie for the last seat ----------------------------------------------------------


def test_a_tie_across_the_last_seat_is_refused_with_the_tied_names(
    client, committee, street_staff, area_staff
):
    election = election_at(committee, street_staff, Step.VOTE, people=SIX)
    # Five seats: 陈国平 (5th) and 赵文杰 (6th) are exactly equal.
    vote(election, street_staff, [(200, "20000")] * 4 + [(150, "15000")] * 2)
    messages = refusal(lambda: announce_result(election, street_staff))
    assert messages == [
        "“陈国平”, “赵文杰” are tied for the last seat (15,000 m² and 150 owners "
        "approving each): the ballot's order elects nobody, a run-off is needed. "
        "Record the vote again after the run-off, or end the election without a "
        "result."
    ]
    # The page says so too, and marks neither of the two elected.
    client.force_login(area_staff)
    page = client.get(f"/en/committees/elections/{election.pk}/").content.decode()
    assert "are tied for the last seat" in page
    assert page.count("tied: run-off needed") == 2
    summary = selectors.election_summary(Election.objects.get(pk=election.pk))
    assert [row["elected"] for row in summary["candidates"]] == [True] * 4 + [False] * 2


def test_after_the_run_off_the_vote_recorded_again_elects(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE, people=SIX)
    vote(election, street_staff, [(200, "20000")] * 4 + [(150, "15000")] * 2)
    vote(
        election, street_staff, [(200, "20000")] * 4 + [(150, "15000"), (149, "15000")]
    )
    announce_result(election, street_staff)
    assert Election.objects.get().step == Step.RESULTS
    assert [c.name for c in election.elected_candidates()][-1] == "陈国平"


def test_a_tied_election_can_end_without_a_result(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE, people=SIX)
    vote(election, street_staff, [(200, "20000")] * 4 + [(150, "15000")] * 2)
    services.election_end_without_result(
        election=election, by=street_staff, reason="平票，未能补选"
    )
    assert Election.objects.get().ended_without_result


@pytest.mark.parametrize(
    "approvals",
    [
        # Tied within the seats (4th and 5th), the 6th and 7th lower.
        [(200, "20000")] * 3 + [(180, "18000")] * 2 + [(150, "15000"), (140, "15000")],
        # Tied below the cut (6th and 7th), both passing, neither elected.
        [(200, "20000")] * 5 + [(150, "15000")] * 2,
    ],
)
def test_a_tie_that_does_not_cross_the_cut_is_fine(committee, street_staff, approvals):
    seven = [*SIX, ("孙海燕", Role.MEMBER, "")]
    election = election_at(committee, street_staff, Step.VOTE, people=seven)
    vote(election, street_staff, approvals)
    assert not election.tied_at_cut()
    announce_result(election, street_staff)
    assert Election.objects.get().step == Step.RESULTS
    assert len(election.elected_candidates()) == 5


# --- 2. the periods count from the vote's day ---------------------------------------------


def test_the_periods_count_from_the_vote_not_a_late_announcement(
    client, committee, street_staff, area_staff
):
    today = timezone.localdate()
    election = election_at(committee, street_staff, Step.VOTE, when=today - DAYS(20))
    voted = today - DAYS(40)
    record_vote(election, street_staff, voted_on=voted)
    # Staff move 3→4 forty days after the owners elected the committee.
    services.election_move(election=election, to_step=Step.RESULTS, by=street_staff)
    election.refresh_from_db()
    assert (election.voted_on, election.results_on) == (voted, voted)
    assert (election.first_meeting_due, election.filing_due) == (
        voted + DAYS(7),
        voted + DAYS(30),
    )
    assert election.first_meeting_overdue() and election.filing_overdue()
    assert selectors.overdue_elections(area_staff) == [election]
    client.force_login(area_staff)
    page = client.get(f"/en/committees/elections/{election.pk}/").content.decode()
    assert "Overdue" in page and voted.isoformat() in page


def test_the_vote_day_in_the_future_is_refused(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE)
    tomorrow = timezone.localdate() + DAYS(1)
    messages = refusal(lambda: record_vote(election, street_staff, voted_on=tomorrow))
    assert messages == [
        f"The vote's day, {tomorrow}, is in the future: record the vote once held."
    ]


def test_the_vote_day_before_the_vote_was_possible_is_refused(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE)
    first_day = election.vote_from
    messages = refusal(
        lambda: record_vote(election, street_staff, voted_on=first_day - DAYS(1))
    )
    assert messages[0].endswith(f"the vote is possible from {first_day}.")
    record_vote(election, street_staff, voted_on=first_day)
    assert Election.objects.get().voted_on == first_day


def test_the_result_is_not_announced_before_the_vote_day(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE)
    record_vote(election, street_staff, voted_on=DAY - DAYS(12))
    messages = refusal(lambda: announce_result(election, street_staff, DAY - DAYS(13)))
    assert messages == [
        f"The result is announced on or after the vote's day, {DAY - DAYS(12)}."
    ]


def test_the_vote_form_asks_the_day_today_by_default(client, committee, area_staff):
    election = election_at(committee, area_staff, Step.VOTE, when=timezone.localdate())
    client.force_login(area_staff)
    url = f"/en/committees/elections/{election.pk}/"
    page = client.get(url).content.decode()
    today = timezone.localdate()
    assert f'name="voted_on" value="{today.isoformat()}"' in page
    data = {
        "voted_on": (today - DAYS(1)).isoformat(),
        "participating_owners": "240",
        "participating_area": "24000",
    }
    for c in election.candidates.all():
        data[f"owners_{c.pk}"], data[f"area_{c.pk}"] = "200", "20000"
    client.post(url + "vote/", data)
    assert Election.objects.get().voted_on == today - DAYS(1)
    refused = client.post(
        url + "vote/", {**data, "voted_on": "not a day"}, follow=True
    ).content.decode()
    assert "Enter a valid date." in refused
    assert Election.objects.get().voted_on == today - DAYS(1)


def test_the_vote_days_box_holds_an_iso_day_in_chinese(client, committee, area_staff):
    """The browser's date box shows nothing for 2026/12/08: it needs 2026-12-08."""
    election = election_at(committee, area_staff, Step.VOTE, when=timezone.localdate())
    client.force_login(area_staff)
    with translation.override("zh-hans"):
        page = client.get(f"/committees/elections/{election.pk}/").content.decode()
    today = timezone.localdate().isoformat()
    assert f'name="voted_on" value="{today}"' in page


def test_a_recorded_vote_has_its_day_in_the_database(committee, street_staff):
    election = election_at(committee, street_staff, Step.RESULTS)
    with pytest.raises(IntegrityError), transaction.atomic():
        Election.objects.filter(pk=election.pk).update(voted_on=None)


# --- 3. one chair, also under concurrent saves ------------------------------------------


def test_the_database_refuses_a_second_chair(committee, street_staff):
    term = services.term_record(
        committee=committee, start=DAY, by=street_staff, members=PEOPLE
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.create(term=term, name="赵六", role=Role.CHAIR)
    Member.objects.create(term=term, name="赵六", role=Role.MEMBER)


def test_a_concurrent_second_chair_gets_the_clear_message(
    committee, street_staff, monkeypatch
):
    """Another save makes a chair between the check and this save: the database's
    constraint refuses it, with the same words as the check."""
    term = services.term_record(
        committee=committee, start=DAY, by=street_staff, members=PEOPLE
    )
    term.members.filter(role=Role.CHAIR).update(role=Role.MEMBER)
    vice = term.members.get(role=Role.VICE_CHAIR)
    vice.role = Role.CHAIR
    save = Member.save

    def other_save_first(self, *args, **kwargs):
        # The other save commits its chair after this one's check.
        Member.objects.filter(term=term, name="王建国").update(role=Role.CHAIR)
        save(self, *args, **kwargs)

    monkeypatch.setattr(Member, "save", other_save_first)
    with pytest.raises(ValidationError) as refused:
        services.member_save(member=vice, by=street_staff)
    assert refused.value.messages == [
        "A committee has exactly one chair (Guiding Rules for Owners' Assemblies "
        "and Committees, art. 32); this term would have 2."
    ]
    assert Member.objects.get(pk=vice.pk).role == Role.VICE_CHAIR


def test_member_save_locks_the_committee_first(committee, street_staff, monkeypatch):
    term = services.term_record(
        committee=committee, start=DAY, by=street_staff, members=PEOPLE
    )
    locked = []
    lock = services._locked_committee
    monkeypatch.setattr(
        services, "_locked_committee", lambda c: locked.append(c.pk) or lock(c)
    )
    member = term.members.get(name="张志强")
    member.phone = "13916219999"
    services.member_save(member=member, by=street_staff)
    assert locked == [committee.pk]


# --- 4. the members' bound is the estate's rules ------------------------------------------


@pytest.fixture
def seven_at_most(estate, street_staff):
    rules = CommitteeRules(
        estate=estate,
        min_members=5,
        max_members=7,
        source="华业大楼议事规则（2019）",
    )
    return services.rules_save(rules=rules, by=street_staff)


def people(n):
    return [("主任", Role.CHAIR, "")] + [
        (f"委员{i}", Role.MEMBER, "") for i in range(n - 1)
    ]


def test_a_hand_entered_term_over_the_estates_most_is_refused(
    committee, street_staff, seven_at_most
):
    messages = refusal(
        lambda: services.term_record(
            committee=committee, start=DAY, by=street_staff, members=people(9)
        )
    )
    assert messages == [
        "A committee has at most 7 members (Guiding Rules for Owners' Assemblies "
        "and Committees, art. 31; 华业大楼议事规则（2019）); this term would have 9."
    ]


def test_a_hand_entered_term_within_the_estates_most_is_recorded(
    committee, street_staff, seven_at_most
):
    term = services.term_record(
        committee=committee, start=DAY, by=street_staff, members=people(7)
    )
    assert term.members.count() == 7
    # Hand-entered history may be incomplete: no fewest, no odd number.
    other = services.term_record(
        committee=committee, start=DAY + DAYS(2000), by=street_staff, members=people(4)
    )
    assert other.members.count() == 4


def test_member_save_refuses_one_more_than_the_estates_most(
    committee, street_staff, seven_at_most
):
    term = services.term_record(
        committee=committee, start=DAY, by=street_staff, members=people(6)
    )
    services.member_save(
        member=Member(term=term, name="第七", role=Role.MEMBER), by=street_staff
    )
    messages = refusal(
        lambda: services.member_save(
            member=Member(term=term, name="第八", role=Role.MEMBER), by=street_staff
        )
    )
    assert messages[0].startswith("A committee has at most 7 members")
    assert messages[0].endswith("this term would have 8.")


def test_an_election_is_held_to_the_same_most(committee, street_staff, seven_at_most):
    nine = people(9)
    election = election_at(committee, street_staff, Step.PREPARATION)
    add_candidates(election, street_staff, nine)
    messages = refusal(
        lambda: services.election_announce(
            election=election,
            by=street_staff,
            seats=9,
            assembly_on=DAY + DAYS(15),
            at=at(DAY),
        )
    )
    assert "from 5 to 7" in messages[0]
