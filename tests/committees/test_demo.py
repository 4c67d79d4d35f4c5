import io

import pytest
from django.utils import timezone

from committees import selectors
from committees.models import Election, Member, OwnersCommittee, Role, Status, Step
from nanxi import demo as nanxi_demo


@pytest.fixture
def loaded(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from buildings import demo as buildings_demo
    from committees import demo

    out = io.StringIO()
    nanxi_demo.load(out)
    buildings_demo.load(out)
    demo.load(out)
    return out


def test_demo_reproduces_the_newsletter(loaded):
    figures = selectors.year_figures(2020)
    assert figures["re_elections"] == 3
    assert figures["assessments_passed"] == 19
    assert figures["assessments_taken"] > 19  # some failed
    assert figures["weak_items"] and figures["weak_items"][0][0] == "档案管理"


def test_demo_has_forming_committees_and_one_term_ending_soon(loaded):
    committees = OwnersCommittee.objects.with_status()
    statuses = [c.status for c in committees]
    assert statuses.count(Status.FORMING) == 3
    today = timezone.localdate()
    soon = committees.filter(term_end__gte=today).ending_within(180)
    assert soon.count() == 1


def test_demo_fills_building_groups_estates(loaded):
    from buildings.models import BuildingGroup

    assert not BuildingGroup.objects.filter(estate__isnull=True).exists()


def test_demo_runs_twice(loaded):
    from committees import demo

    count = OwnersCommittee.objects.count()
    demo.load(io.StringIO())
    assert OwnersCommittee.objects.count() == count
    assert selectors.year_figures(2020)["re_elections"] == 3


def test_every_demo_term_has_exactly_one_chair(loaded):
    from django.db.models import Count, Q

    from committees.models import Term

    terms = Term.objects.annotate(
        chairs=Count("members", filter=Q(members__role=Role.CHAIR))
    )
    assert terms.exists() and set(terms.values_list("chairs", flat=True)) == {1}
    assert Member.objects.count() == 5 * terms.count()


def test_demo_elections_are_lawful(loaded):
    filed = Election.objects.filter(step=Step.FILED)
    assert filed.count() == 6
    for election in filed:
        assert election.seats == 5 and election.term.members.count() == 5
        assert (
            election.vote_from - election.changes.get(to_step=2).created_at.date()
        ).days >= 15
        assert not election.filing_overdue() and not election.first_meeting_overdue()


def test_demo_has_an_election_waiting_out_its_publicity_period(loaded, client):
    today = timezone.localdate()
    waiting = Election.objects.get(step=Step.CANDIDATES)
    assert waiting.vote_from > today
    page = client.get(f"/en/committees/{waiting.committee_id}/").content.decode()
    assert f"The owners can vote from {waiting.vote_from.isoformat()}." in page


def test_demo_has_an_overdue_election(loaded):
    from django.contrib.auth import get_user_model

    street = get_user_model().objects.get(email="street@nanxi.example")
    overdue = selectors.overdue_elections(street)
    assert len(overdue) == 1 and overdue[0].first_meeting_late
