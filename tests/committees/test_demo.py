import io

import pytest
from django.utils import timezone

from committees import selectors
from committees.models import OwnersCommittee, Status
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
