"""Who may do what to owners' committees: every role × every action (and step).

A refused action raises PermissionDenied and changes nothing; an allowed one works.
"""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from committees import permissions, services
from committees.models import Step
from nanxi import roles
from tests.committees.conftest import (
    DAY,
    add_candidates,
    election_at,
    first_meeting,
    full_marks,
    record_vote,
)
from tests.committees.test_services import snapshot
from tests.factories import make_user

PEOPLE = {
    "anonymous": lambda area, other: AnonymousUser(),
    "unverified resident": lambda area, other: make_user(roles.RESIDENT, area=area),
    "verified resident": lambda area, other: make_user(
        roles.RESIDENT, area=area, verified=True
    ),
    "resident of another area": lambda area, other: make_user(
        roles.RESIDENT, area=other, verified=True
    ),
    "area staff": lambda area, other: make_user(roles.AREA_STAFF, area=area),
    "area staff of another area": lambda area, other: make_user(
        roles.AREA_STAFF, area=other
    ),
    "street staff": lambda area, other: make_user(roles.STREET_STAFF),
    "superuser": lambda area, other: make_user(None, is_superuser=True),
}
AREA_STAFF_AND_UP = {"area staff", "street staff", "superuser"}
STREET_ONLY = {"street staff", "superuser"}


# Each action prepares its state with street staff, then returns what `user` tries.


def _start(committee, street):
    return lambda user: services.election_start(
        committee=committee, kind="formation", by=user
    )


def _add_candidate(committee, street):
    election = election_at(committee, street)
    return lambda user: services.candidate_add(election=election, by=user, name="赵六")


def _record_vote(committee, street):
    election = election_at(committee, street, Step.VOTE)
    return lambda user: record_vote(election, user)


def _move_from(step):
    def prepare(committee, street):
        if step == Step.PREPARATION:
            election = election_at(committee, street)
            add_candidates(election, street)
            return lambda user: services.election_announce(
                election=election,
                by=user,
                seats=5,
                assembly_on=timezone.localdate() + datetime.timedelta(days=20),
            )
        election = election_at(committee, street, step)
        if step == Step.VOTE:
            record_vote(election, street)
        if step == Step.RESULTS:
            first_meeting(election, street, DAY)
        return lambda user: services.election_move(
            election=election, to_step=step + 1, by=user
        )

    return prepare


def _first_meeting(committee, street):
    election = election_at(committee, street, Step.RESULTS)
    return lambda user: first_meeting(election, user, DAY)


def _end_without_result(committee, street):
    election = election_at(committee, street, Step.VOTE)
    record_vote(election, street, owners=150, area="15000", approve=(100, "10000"))
    return lambda user: services.election_end_without_result(
        election=election, by=user, reason="参与表决的业主未达三分之二"
    )


def _standard():
    from committees.models import AssessmentStandard

    return AssessmentStandard.objects.get(active=True)


def _assess(committee, street):
    standard = _standard()
    return lambda user: services.assessment_save(
        committee=committee,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=user,
    )


def _record_term(committee, street):
    return lambda user: services.term_record(
        committee=committee, start=datetime.date(2016, 1, 1), by=user
    )


def _dissolve(committee, street):
    return lambda user: services.committee_dissolve(
        committee=committee, by=user, on=datetime.date(2020, 1, 1)
    )


def _edit_standard(committee, street):
    standard = _standard()
    standard.pass_mark = 70

    def edit(user):
        services.standard_save(standard=standard, by=user)

    return edit


def standard_snapshot():
    return list(_standard().__class__.objects.values_list("pk", "pass_mark"))


ACTIONS = {
    "start an election": (_start, AREA_STAFF_AND_UP),
    "add a candidate (step 1)": (_add_candidate, AREA_STAFF_AND_UP),
    "record the vote (step 3)": (_record_vote, AREA_STAFF_AND_UP),
    "move 1 → 2": (_move_from(Step.PREPARATION), AREA_STAFF_AND_UP),
    "move 2 → 3": (_move_from(Step.CANDIDATES), AREA_STAFF_AND_UP),
    "move 3 → 4": (_move_from(Step.VOTE), AREA_STAFF_AND_UP),
    "move 4 → 5 (file)": (_move_from(Step.RESULTS), AREA_STAFF_AND_UP),
    "record the first meeting (step 4)": (_first_meeting, AREA_STAFF_AND_UP),
    "end without result (step 3)": (_end_without_result, AREA_STAFF_AND_UP),
    "record an assessment": (_assess, AREA_STAFF_AND_UP),
    "record a term": (_record_term, AREA_STAFF_AND_UP),
    "record the dissolution": (_dissolve, STREET_ONLY),
    "change the assessment standard": (_edit_standard, STREET_ONLY),
}


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("person", list(PEOPLE))
def test_role_by_action(person, action, committee, area, other_area, street_staff):
    user = PEOPLE[person](area, other_area)
    prepare, allowed = ACTIONS[action]
    attempt = prepare(committee, street_staff)
    before = (snapshot(), standard_snapshot(), committee_snapshot())
    if person in allowed:
        attempt(user)
        assert (snapshot(), standard_snapshot(), committee_snapshot()) != before
        return
    with pytest.raises(PermissionDenied):
        attempt(user)
    assert (snapshot(), standard_snapshot(), committee_snapshot()) == before


def committee_snapshot():
    from committees.models import Election, OwnersCommittee

    return (
        list(OwnersCommittee.objects.values_list("pk", "dissolved_on")),
        Election.objects.count(),
    )


@pytest.mark.parametrize("person", list(PEOPLE))
def test_phones_and_staff_pages(person, committee, area, other_area):
    user = PEOPLE[person](area, other_area)
    assert permissions.can_see_phones(user, committee) is (person in AREA_STAFF_AND_UP)
    assert permissions.can_manage(user, committee) is (person in AREA_STAFF_AND_UP)


@pytest.mark.parametrize("person", list(PEOPLE))
def test_coaching_sheet_by_role(person, committee, area, other_area, client):
    user = PEOPLE[person](area, other_area)
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(f"/committees/{committee.pk}/coaching/")
    if person in AREA_STAFF_AND_UP:
        assert response.status_code == 200
    elif person == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("person", list(PEOPLE))
def test_posting_a_move_by_role_changes_nothing_unless_allowed(
    person, committee, area, other_area, street_staff, client
):
    user = PEOPLE[person](area, other_area)
    election = election_at(committee, street_staff, Step.CANDIDATES)
    if user.is_authenticated:
        client.force_login(user)
    client.post(f"/committees/elections/{election.pk}/move/", {"to_step": Step.VOTE})
    election.refresh_from_db()
    expected = Step.VOTE if person in AREA_STAFF_AND_UP else Step.CANDIDATES
    assert election.step == expected
