import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from buildings import services
from buildings.models import (
    BuildingGroup,
    Criterion,
    Rating,
    RatingChange,
    RatingStandard,
)
from buildings.selectors import building_year_figures
from nanxi import roles
from tests.buildings.conftest import full_marks
from tests.factories import make_user


def test_the_2020_standard_has_four_dimensions_and_100_points(standard):
    criteria = list(standard.criteria.all())
    assert len(criteria) >= 12
    assert sum(c.max_points for c in criteria) == 100
    assert {c.dimension for c in criteria} == {
        "shared",
        "deliberation",
        "space",
        "culture",
    }
    assert standard.active


@pytest.mark.parametrize(
    ("total", "stars"),
    [
        (0, 0),
        (59, 0),
        (60, 1),
        (69, 1),
        (70, 2),
        (80, 3),
        (88, 4),
        (94, 4),
        (95, 5),
        (100, 5),
    ],
)
def test_stars_follow_the_thresholds(standard, total, stars):
    assert standard.stars_for(total) == stars


def test_rating_computes_total_and_stars(group, standard, street_staff):
    rating = services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard, 10),
        by=street_staff,
    )
    assert (rating.total, rating.stars) == (90, 4)
    assert rating.scores.count() == standard.criteria.count()
    change = RatingChange.objects.get(rating=rating)
    assert (change.stars_before, change.stars_after, change.changed_by) == (
        None,
        4,
        street_staff,
    )


def test_changing_a_rating_keeps_the_history(group, standard, street_staff):
    rating = services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard, 10),
        by=street_staff,
    )
    services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
        rating=rating,
    )
    changes = list(
        RatingChange.objects.filter(rating=rating).values_list(
            "stars_before", "stars_after", "total_after"
        )
    )
    assert changes == [(None, 4, 90), (4, 5, 100)]
    assert Rating.objects.get(pk=rating.pk).stars == 5


def test_score_above_maximum_is_refused_naming_the_criterion(
    group, standard, street_staff
):
    scores = full_marks(standard)
    first = standard.criteria.first()
    scores[first.pk] = first.max_points + 1
    with pytest.raises(ValidationError) as refused:
        services.rating_save(
            group=group, standard=standard, year=2020, scores=scores, by=street_staff
        )
    assert first.title in refused.value.messages[0]
    assert not Rating.objects.exists()


@pytest.mark.parametrize("bad", [-1, "abc", None])
def test_negative_missing_or_non_numeric_scores_are_refused(
    group, standard, street_staff, bad
):
    scores = full_marks(standard)
    scores[standard.criteria.last().pk] = bad
    with pytest.raises(ValidationError):
        services.rating_save(
            group=group, standard=standard, year=2020, scores=scores, by=street_staff
        )
    assert not Rating.objects.exists()


def test_criterion_of_another_standard_is_refused(group, standard, street_staff):
    other = services.standard_new_version(
        standard=standard, version="2021版", by=street_staff
    )
    scores = full_marks(standard)
    scores[other.criteria.first().pk] = 1
    with pytest.raises(ValidationError, match="2020版"):
        services.rating_save(
            group=group, standard=standard, year=2020, scores=scores, by=street_staff
        )


def test_second_rating_for_the_same_group_and_year_is_refused(
    group, standard, street_staff
):
    services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    with pytest.raises(ValidationError, match="2020"):
        services.rating_save(
            group=group,
            standard=standard,
            year=2020,
            scores=full_marks(standard, 30),
            by=street_staff,
        )
    assert Rating.objects.get().total == 100


@pytest.mark.parametrize("role", [roles.AREA_STAFF, roles.RESIDENT])
def test_only_street_staff_rate(group, standard, area, role):
    with pytest.raises(PermissionDenied):
        services.rating_save(
            group=group,
            standard=standard,
            year=2020,
            scores=full_marks(standard),
            by=make_user(role, area=area),
        )


def test_new_version_copies_criteria_and_leaves_the_old_result(
    group, standard, street_staff
):
    rating = services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard, 12),
        by=street_staff,
    )
    copy = services.standard_new_version(
        standard=standard, version="2021版", by=street_staff
    )
    assert not copy.active and copy.criteria.count() == standard.criteria.count()
    Criterion.objects.filter(standard=copy).update(max_points=1)
    RatingStandard.objects.filter(pk=copy.pk).update(four_stars=99, five_stars=100)
    assert Rating.objects.get(pk=rating.pk).stars == 4
    assert services.standard_is_used(standard) and not services.standard_is_used(copy)


def test_year_figures_compare_with_the_previous_rating(area, standard, street_staff):
    def rate(name, stars_by_year):
        group = BuildingGroup.objects.create(name=name, area=area)
        for year, total in stars_by_year.items():
            services.rating_save(
                group=group,
                standard=standard,
                year=year,
                scores=full_marks(standard, 100 - total),
                by=street_staff,
            )

    rate("新三星", {2019: 72, 2020: 82})  # 2★ → 3★
    rate("首评三星", {2020: 83})  # first rating, 3★: newly three-star
    rate("保持三星", {2019: 81, 2020: 84})  # stays 3★
    rate("升四星", {2018: 80, 2020: 90})  # previous rating two years back
    rate("首评四星", {2020: 90})  # 4★ without a previous rating: not an upgrade
    rate("未达星", {2020: 40})
    figures = building_year_figures(2020)
    assert figures == {
        "star_rated": 5,
        "new_three_star": 2,
        "upgraded_four_star": 1,
        "district_applications": 0,
    }


def test_year_figures_are_one_query_each(
    area, standard, street_staff, django_assert_num_queries
):
    for n in range(20):
        group = BuildingGroup.objects.create(name=f"楼组{n}", area=area)
        services.rating_save(
            group=group,
            standard=standard,
            year=2020,
            scores=full_marks(standard, n),
            by=street_staff,
        )
    with django_assert_num_queries(2):
        building_year_figures(2020)
