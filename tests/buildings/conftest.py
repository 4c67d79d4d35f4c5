import pytest

from buildings.models import BuildingGroup, RatingStandard
from tests.factories import AreaFactory


@pytest.fixture
def standard(db):
    return RatingStandard.objects.get(version="2020版")


@pytest.fixture
def group(area):
    return BuildingGroup.objects.create(name="升平街65号", area=area, feature="月季苑")


@pytest.fixture
def other_group(db):
    return BuildingGroup.objects.create(
        name="陕西北路30弄", area=AreaFactory(name="威海", slug="weihai")
    )


def full_marks(standard, minus: int = 0) -> dict[int, int]:
    """Every criterion at its maximum, less `minus` points on the first ones."""
    scores = {c.pk: c.max_points for c in standard.criteria.all()}
    for pk in scores:
        take = min(minus, scores[pk])
        scores[pk] -= take
        minus -= take
    return scores
