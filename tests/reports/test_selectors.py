from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import Project
from reports import selectors
from reports.selectors import CommitteeFigures, year_figures
from tests.factories import AreaFactory

TODAY = date(2021, 3, 1)


@pytest.fixture
def no_committees(monkeypatch):
    monkeypatch.setattr(selectors, "committee_figures", lambda year: {})


def test_projects_count_in_the_year_they_were_announced(build, no_committees):
    build.project(year=2020, category="event", beneficiaries=100, money="300.50")
    build.project(year=2020, category="team", beneficiaries=50, topics=["垃圾分类"])
    build.project(
        year=2020, category="doorstep", topics=["垃圾分类", "楼道整治"], money="200"
    )
    # Rejected after its announcement (step 7): it still counts in 2020.
    build.project(year=2020, category="event", step=9, outcome="rejected")
    # Withdrawn before step 7: never announced, no year, never counted.
    build.project(year=None, category="event", step=5, outcome="withdrawn", money="99")
    build.project(year=2019, category="team", beneficiaries=999, money="1000")

    p = year_figures(2020, today=TODAY).projects

    assert (p.total, p.event, p.team, p.doorstep) == (4, 2, 1, 1)
    assert p.beneficiaries == 150
    assert p.crowdfunding == Decimal("500.50")
    assert p.by_topic == (("垃圾分类", 2), ("楼道整治", 1))
    assert (9, Project.Outcome.REJECTED, 1) in p.by_step
    assert len(p.rows) == 4


def test_a_group_rated_in_two_years_compares_with_its_previous_rating(
    build, no_committees
):
    climber, steady, new, upgraded, below = (build.group() for _ in range(5))
    build.rating(climber, 2019, 2)
    build.rating(climber, 2020, 3)  # newly three-star
    build.rating(steady, 2019, 3)
    build.rating(steady, 2020, 3)  # three-star again: not new
    build.rating(new, 2020, 3)  # first rating, three stars: new
    build.rating(upgraded, 2019, 3)
    build.rating(upgraded, 2020, 4)  # upgraded to four
    build.rating(below, 2020, 0)  # rated, but no star
    build.application(upgraded, 2020)
    build.application(steady, 2019)

    b = year_figures(2020, today=TODAY).buildings
    earlier = year_figures(2019, today=TODAY).buildings

    assert (b.star_rated, b.new_three_star, b.upgraded_four_star) == (4, 2, 1)
    assert b.district_applications == 1
    assert dict(b.stars) == {0: 1, 1: 0, 2: 0, 3: 3, 4: 1, 5: 0}
    assert (earlier.star_rated, earlier.new_three_star) == (3, 2)
    assert earlier.district_applications == 1


def test_figures_by_residential_area_list_every_area(build, no_committees):
    other = AreaFactory(name="威海", slug="weihai")
    quiet = AreaFactory(name="重华", slug="chonghua")
    build.project(year=2020, category="team", area=other, beneficiaries=7)
    build.rating(build.group(area=other), 2020, 3)

    areas = {a.area: a for a in year_figures(2020, today=TODAY).areas}

    assert areas["威海"].projects == 1
    assert areas["威海"].team == 1
    assert areas["威海"].beneficiaries == 7
    assert areas["威海"].new_three_star == 1
    assert areas[quiet.name].projects == 0
    assert areas[build.area.name].projects == 0


def test_committee_figures_take_a_plain_dict_and_leave_unknown_ones_empty(
    build, monkeypatch
):
    asked = []

    def figures(year):
        asked.append(year)
        return {"re_elections": 3, "weak_items": [("财务公开", 4), ("档案管理", 2)]}

    monkeypatch.setattr(selectors, "committee_figures", figures)

    c = year_figures(2020, today=TODAY).committees

    assert asked == [2020]  # a committee assessed in another year is not asked for
    assert c.re_elections == 3
    assert c.assessments_passed is None
    assert c.weak_items == (("财务公开", 4), ("档案管理", 2))
    assert CommitteeFigures.from_dict({}).known is False


def test_figures_are_json_ready_for_the_report_record(build, no_committees):
    build.project(year=2020, money="18500.00")
    data = year_figures(2020, today=TODAY).as_json()
    assert Decimal(data["projects"]["crowdfunding"]) == Decimal("18500")
    assert data["year"] == 2020


def _queries(year=2020) -> int:
    with CaptureQueriesContext(connection) as queries:
        year_figures(year, today=TODAY)
    return len(queries)


def test_query_count_does_not_grow_with_the_data(build, no_committees):
    build.project(year=2020, topics=["垃圾分类"], money="10")
    build.rating(build.group(featured=True), 2020, 3)
    small = _queries()

    areas = [AreaFactory() for _ in range(4)]
    for n in range(40):
        area = areas[n % 4]
        build.project(
            year=2020, area=area, topics=["垃圾分类", f"话题{n % 5}"], money="10"
        )
        group = build.group(area=area, featured=n % 10 == 0)
        build.rating(group, 2019, n % 5)
        build.rating(group, 2020, (n + 1) % 6)
        build.application(group, 2020)
    large = _queries()

    assert small == large == 14


def test_home_headlines_do_not_switch_to_a_year_just_begun(build):
    build.project(year=2020)
    build.rating(build.group(), 2020, 3)
    build.project(year=2021)  # one project announced in the new year

    complete, to_date, years = selectors.home_years(today=TODAY)

    assert complete.year == 2020 and complete.complete
    assert to_date.year == 2021 and not to_date.complete
    assert years == [2021, 2020]


def test_a_new_year_with_nothing_yet_is_not_shown(build):
    build.project(year=2020)
    complete, to_date, _years = selectors.home_years(today=date(2021, 1, 2))
    assert complete.year == 2020
    assert to_date is None
