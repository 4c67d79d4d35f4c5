"""The home page's figures are cached, and every service that writes them shows at once.

`reports.selectors.cached_headlines` keeps the headlines by the versions the
writing services bump (`projects`, `project-figures`, `groups`); these tests run
each service between two reads and look for the change.
"""

from decimal import Decimal

from django.utils import timezone

from buildings import services as building_services
from buildings.models import BuildingGroup, RatingStandard
from nanxi import roles
from projects import services
from projects.models import StepCode
from reports import selectors
from tests.buildings.conftest import full_marks
from tests.factories import make_user
from tests.projects.helpers import advance, make_project


def this_year():
    return selectors.cached_headlines().get(timezone.localdate().year)


def test_each_writing_service_changes_the_cached_figures(db, area, street_staff):
    staff = make_user(roles.AREA_STAFF, area=area)
    project = make_project(area=area, staff=staff, step=StepCode.VOTE)
    assert this_year() is None  # cached: nothing announced this year yet

    advance(project, staff=staff, step=StepCode.ANNOUNCE)  # project_move → step 7
    assert this_year().projects["total"] == 1
    assert this_year().projects["crowdfunding"] == 0

    advance(project, staff=staff, step=StepCode.CROWDFUND)
    assert this_year().projects["crowdfunding"] == 0  # cached after the move
    services.contribution_record(
        project=project,
        by=staff,
        contributor="王阿姨",
        amount="88.50",
        contributed_on=timezone.localdate(),
    )
    assert this_year().projects["crowdfunding"] == Decimal("88.50")

    advance(project, staff=staff, step=StepCode.EVALUATE)
    assert this_year().projects["beneficiaries"] == 0
    services.evaluation_record(project=project, by=staff, beneficiaries=321)
    assert this_year().projects["beneficiaries"] == 321

    assert this_year().buildings["star_rated"] == 0
    standard = RatingStandard.objects.get(active=True)
    building_services.rating_save(
        group=BuildingGroup.objects.create(name="测试楼组", area=area),
        standard=standard,
        year=timezone.localdate().year,
        scores=full_marks(standard),
        by=street_staff,
    )
    assert this_year().buildings["star_rated"] == 1


def test_the_home_page_reads_its_figures_from_the_cache(
    client, area, resident, django_assert_max_num_queries
):
    staff = make_user(roles.AREA_STAFF, area=area)
    make_project(area=area, staff=staff, step=StepCode.ANNOUNCE, title="门口停车")
    client.force_login(resident)
    assert client.get("/").status_code == 200  # the first request fills the cache
    # Session, person, figures and people's counts from the cache; only the
    # list of published reports is read.
    with django_assert_max_num_queries(1):
        response = client.get("/")
    assert response.context["main"].projects["total"] == 1
