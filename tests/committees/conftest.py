import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from committees import services
from committees.models import AssessmentStandard, Election, Role, Step
from nanxi.models import Estate

DAY = datetime.date(2020, 6, 1)


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def make_estate(area, name="华业大楼", households=300, floor_area="30000.00"):
    estate = Estate(
        name=name, area=area, households=households, floor_area=Decimal(floor_area)
    )
    estate.full_clean()
    estate.save()
    return estate


# Candidates stand for membership; the roles are the first meeting's choice.
PEOPLE = [
    ("王建国", Role.CHAIR, "13916210001"),
    ("李秀英", Role.VICE_CHAIR, "13916210002"),
    ("张志强", Role.MEMBER, "13916210003"),
    ("刘美华", Role.MEMBER, "13916210004"),
    ("陈国平", Role.MEMBER, "13916210005"),
]
SEATS = 5
DAYS = datetime.timedelta


def add_candidates(election, by, people=PEOPLE):
    for name, _role, phone in people:
        services.candidate_add(election=election, by=by, name=name, phone=phone)


def first_meeting(election, by, day, chair=0, vices=(1,)):
    """The first meeting: the chair and vice-chairs by their place among PEOPLE."""
    candidates = list(election.candidates.all())
    return services.election_first_meeting(
        election=election,
        by=by,
        held_on=day,
        chair=candidates[chair],
        vice_chairs=[candidates[v] for v in vices],
        at=at(day),
    )


def election_at(
    committee, by, step=Step.PREPARATION, kind=None, when=DAY, people=PEOPLE
):
    """An election moved through the services up to `step` (vote passing by default),
    each move on a day the rules allow, filed on `when`: started 40 days before,
    announced 35 days before for an assembly 20 days before (15 days' notice), the
    result 10 days before, the first meeting 8 days before."""
    kind = kind or (
        Election.Kind.RE_ELECTION
        if committee.terms.exists()
        else Election.Kind.FORMATION
    )
    election = services.election_start(
        committee=committee, kind=kind, by=by, at=at(when - DAYS(40))
    )
    if step == Step.PREPARATION:
        return election
    add_candidates(election, by, people)
    services.election_announce(
        election=election,
        by=by,
        seats=SEATS,
        assembly_on=when - DAYS(20),
        at=at(when - DAYS(35)),
    )
    if step >= Step.VOTE:
        services.election_move(
            election=election, to_step=Step.VOTE, by=by, at=at(when - DAYS(20))
        )
    if step >= Step.RESULTS:
        # Counted and announced on the same day (the result's day).
        record_vote(election, by, voted_on=when - DAYS(10))
        services.election_move(
            election=election, to_step=Step.RESULTS, by=by, at=at(when - DAYS(10))
        )
    if step >= Step.FILED:
        first_meeting(election, by, when - DAYS(8))
        services.election_move(
            election=election, to_step=Step.FILED, by=by, at=at(when)
        )
    return election


def record_vote(
    election, by, owners=240, area="24000", approve=(200, "20000"), voted_on=None
):
    """The vote counted on the assembly's day (its first possible day) by default."""
    services.election_record_vote(
        election=election,
        by=by,
        participating_owners=owners,
        participating_area=area,
        approvals={c.pk: approve for c in election.candidates.all()},
        voted_on=voted_on or election.vote_from,
    )


@pytest.fixture
def estate(area):
    return make_estate(area)


@pytest.fixture
def other_estate(other_area):
    return make_estate(other_area, name="威海公寓")


@pytest.fixture
def committee(estate, street_staff):
    return services.committee_create(estate=estate, by=street_staff)


@pytest.fixture
def other_committee(other_estate, street_staff):
    return services.committee_create(estate=other_estate, by=street_staff)


@pytest.fixture
def standard(db):
    return AssessmentStandard.objects.get(active=True)


def full_marks(standard, minus=0):
    """Every item at its maximum, `minus` points taken off the first items."""
    scores = {}
    for item in standard.items.all():
        off = min(minus, item.max_points)
        scores[item.pk] = item.max_points - off
        minus -= off
    return scores
