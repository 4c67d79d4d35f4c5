"""Building groups: who may rate, change standards and the showcase; hostile admin input."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import ProtectedError
from django.utils import timezone

from buildings import permissions, services
from buildings.models import (
    BuildingGroup,
    BuildingPhoto,
    Criterion,
    Rating,
    RatingChange,
    RatingStandard,
)
from nanxi import roles
from tests.buildings.conftest import full_marks
from tests.factories import make_user, photo

ACTORS = [
    "anonymous",
    "resident",
    "area_staff",
    "other_staff",
    "street_staff",
    "superuser",
]
RATERS = {"street_staff", "superuser"}
VIEWERS = RATERS | {"area_staff", "other_staff"}

BIG = 10**30


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def people(area, other_area, resident, area_staff, street_staff):
    return {
        "anonymous": AnonymousUser(),
        "resident": resident,
        "area_staff": area_staff,
        "other_staff": make_user(roles.AREA_STAFF, area=other_area),
        "street_staff": street_staff,
        "superuser": make_user(None, is_superuser=True),
    }


def state() -> tuple:
    return (
        list(Rating.objects.values_list("pk", "year", "total", "stars")),
        list(RatingChange.objects.values_list("pk")),
        list(RatingStandard.objects.values_list("pk", "version", "active", "one_star")),
        list(Criterion.objects.values_list("pk", "title", "max_points")),
        list(BuildingGroup.objects.values_list("pk", "featured")),
        list(BuildingPhoto.objects.values_list("pk")),
    )


ACTIONS = {
    "rate": lambda g, s, by: services.rating_save(
        group=g, standard=s, year=2020, scores=full_marks(s), by=by
    ),
    "new_version": lambda g, s, by: services.standard_new_version(standard=s, by=by),
    "feature": lambda g, s, by: services.group_set_featured(
        groups=[g], featured=True, by=by
    ),
    "add_photo": lambda g, s, by: services.group_add_photo(
        group=g, upload=photo(), by=by
    ),
    "change_thresholds": lambda g, s, by: services.standard_save(
        standard=_with(s, one_star=55), by=by
    ),
}


def _with(standard, **changes):
    fresh = RatingStandard.objects.get(pk=standard.pk)
    for name, value in changes.items():
        setattr(fresh, name, value)
    return fresh


@pytest.mark.parametrize("who", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_role_by_action(people, group, standard, action, who):
    before = state()
    if who in RATERS:
        ACTIONS[action](group, standard, people[who])
        assert state() != before
    else:
        with pytest.raises(PermissionDenied):
            ACTIONS[action](group, standard, people[who])
        assert state() == before


@pytest.mark.parametrize("who", ACTORS)
def test_who_sees_ratings(people, who):
    assert permissions.can_view_ratings(people[who]) == (who in VIEWERS)


@pytest.mark.parametrize("who", ACTORS)
def test_admin_changelists_by_role(client, people, group, other_group, who):
    if who != "anonymous":
        client.force_login(people[who])
    response = client.get("/admin/buildings/buildinggroup/")
    if who not in VIEWERS:
        assert response.status_code in (302, 403)
        return
    body = response.content.decode()
    assert response.status_code == 200
    # Street staff see every area; residents' committee staff their own only.
    assert (group.name in body) == (who in RATERS | {"area_staff"})
    assert (other_group.name in body) == (who in RATERS | {"other_staff"})


# --- a standard that ratings used is frozen -------------------------------------------------------


def test_used_standard_keeps_its_thresholds_and_criteria(group, standard, street_staff):
    ACTIONS["rate"](group, standard, street_staff)
    before = state()
    with pytest.raises(ValidationError):
        services.standard_save(standard=_with(standard, one_star=50), by=street_staff)
    criterion = standard.criteria.first()
    criterion.max_points = 50
    with pytest.raises(ValidationError):
        services.criterion_save(criterion=criterion, by=street_staff)
    with pytest.raises(ValidationError):
        services.criterion_delete(criterion=standard.criteria.first(), by=street_staff)
    assert state() == before


def test_used_standard_may_still_be_taken_out_of_use(group, standard, street_staff):
    ACTIONS["rate"](group, standard, street_staff)
    services.standard_save(standard=_with(standard, active=False), by=street_staff)
    assert not RatingStandard.objects.get(pk=standard.pk).active


def test_putting_a_standard_in_use_retires_the_other(standard, street_staff):
    copy = services.standard_new_version(standard=standard, by=street_staff)
    services.standard_save(standard=_with(copy, active=True), by=street_staff)
    assert list(RatingStandard.objects.filter(active=True)) == [copy]


def test_new_version_twice_makes_two_copies(standard, street_staff):
    first = services.standard_new_version(standard=standard, by=street_staff)
    second = services.standard_new_version(standard=standard, by=street_staff)
    assert (first.version, second.version) == ("2020版 修订1", "2020版 修订2")
    assert second.criteria.count() == standard.criteria.count()


def test_new_version_with_a_taken_name_is_refused(standard, street_staff):
    with pytest.raises(ValidationError) as refused:
        services.standard_new_version(
            standard=standard, version="2020版", by=street_staff
        )
    assert refused.value.messages == ["已有名为 2020版 的标准。"]


# --- years and history -----------------------------------------------------------------------------


@pytest.mark.parametrize("year", [0, 2014, 2099, 99999, timezone.localdate().year + 1])
def test_rating_years_are_bounded(group, standard, street_staff, year):
    with pytest.raises(ValidationError) as refused:
        services.rating_save(
            group=group,
            standard=standard,
            year=year,
            scores=full_marks(standard),
            by=street_staff,
        )
    this_year = timezone.localdate().year
    assert refused.value.messages == [f"请填写 2015 至 {this_year} 之间的年份。"]
    assert not Rating.objects.exists()


def test_a_rating_with_history_cannot_be_deleted(group, standard, street_staff):
    rating = ACTIONS["rate"](group, standard, street_staff)
    with pytest.raises(ProtectedError):
        rating.delete()
    with pytest.raises(ProtectedError):
        group.delete()
    assert RatingChange.objects.filter(rating=rating).count() == 1


def test_the_admin_offers_no_delete_of_ratings(client, group, standard, street_staff):
    rating = ACTIONS["rate"](group, standard, street_staff)
    client.force_login(street_staff)
    response = client.post(
        f"/admin/buildings/rating/{rating.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Rating.objects.filter(pk=rating.pk).exists()


# --- hostile admin input: a clear page, never a 500 ----------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/admin/buildings/ratingstandard/add/",
        "/admin/buildings/rating/add/?group=abc",
        f"/admin/buildings/rating/add/?group={BIG}",
        "/admin/buildings/rating/add/?group=-1&year=abc&standard=abc",
        f"/admin/buildings/rating/add/?standard={BIG}&year={BIG}",
        f"/admin/buildings/buildinggroup/?rated_in={BIG}",
        f"/admin/buildings/buildinggroup/?area__id__exact={BIG}",
        f"/admin/buildings/rating/?year={BIG}",
        f"/admin/projects/project/?area__id__exact={BIG}",
    ],
)
def test_admin_pages_survive_hostile_addresses(client, street_staff, url):
    client.force_login(street_staff)
    assert client.get(url).status_code in (200, 302)


def test_admin_new_version_action_twice_gives_a_message(client, standard, street_staff):
    client.force_login(street_staff)
    for _ in range(2):
        response = client.post(
            "/admin/buildings/ratingstandard/",
            {"action": "new_version", "_selected_action": [standard.pk]},
            follow=True,
        )
        assert response.status_code == 200
    assert RatingStandard.objects.count() == 3


def test_admin_rating_for_a_future_year_is_refused(
    client, group, standard, street_staff
):
    client.force_login(street_staff)
    data = {"group": group.pk, "standard": standard.pk, "year": 2099}
    data.update({f"score_{pk}": v for pk, v in full_marks(standard).items()})
    response = client.post("/admin/buildings/rating/add/", data)
    assert response.status_code == 200
    assert "请填写 2015 至" in response.content.decode()
    assert not Rating.objects.exists()


def test_showcase_field_is_read_only_in_the_admin(client, group, street_staff):
    client.force_login(street_staff)
    client.post(
        f"/admin/buildings/buildinggroup/{group.pk}/change/",
        {
            "name": group.name,
            "area": group.area_id,
            "households": 0,
            "featured": "on",
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
        },
    )
    assert not BuildingGroup.objects.get(pk=group.pk).featured


def test_showcase_actions_go_through_the_service(
    client, group, area_staff, street_staff
):
    for who, expected in ((area_staff, False), (street_staff, True)):
        client.force_login(who)
        client.post(
            "/admin/buildings/buildinggroup/",
            {"action": "mark_featured", "_selected_action": [group.pk]},
        )
        assert BuildingGroup.objects.get(pk=group.pk).featured is expected
