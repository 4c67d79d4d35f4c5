from datetime import date
from decimal import Decimal

import pytest

from buildings.models import BuildingGroup, DistrictApplication, Rating, RatingStandard
from nanxi import roles
from projects.models import Contribution, Project, Topic
from tests.factories import make_user


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def build(db, area):
    return Builder(area)


class Builder:
    """Rows for the figures, made directly: the figures read rows, not workflows."""

    def __init__(self, area):
        self.area = area
        self.user = make_user(roles.STREET_STAFF)
        self.standard = RatingStandard.objects.get(version="2020版")
        self.n = 0

    def project(self, *, year, category="event", area=None, step=12, **kw) -> Project:
        self.n += 1
        topics = kw.pop("topics", [])
        money = kw.pop("money", None)
        project = Project.objects.create(
            title=kw.pop("title", f"项目{self.n}"),
            summary="…",
            description="…",
            category=category,
            area=area or self.area,
            proposer=self.user,
            step=step,
            year=year,
            **kw,
        )
        for name in topics:
            project.topics.add(Topic.objects.get_or_create(name=name)[0])
        if money is not None:
            Contribution.objects.create(
                project=project,
                contributor="居民",
                amount=Decimal(money),
                contributed_on=date(year or 2020, 6, 1),
                recorded_by=self.user,
            )
        return project

    def group(self, name=None, area=None, **kw) -> BuildingGroup:
        self.n += 1
        return BuildingGroup.objects.create(
            name=name or f"楼组{self.n}", area=area or self.area, **kw
        )

    def rating(self, group, year, stars) -> Rating:
        return Rating.objects.create(
            group=group,
            standard=self.standard,
            year=year,
            stars=stars,
            total=50 + 10 * stars,
            rated_by=self.user,
        )

    def application(self, group, year) -> DistrictApplication:
        return DistrictApplication.objects.create(group=group, year=year)
