"""Stored stars and cached building-group cards.

The rating service copies each group's newest rating onto the group in the same
transaction; every service that changes a group gives its card a new version.
"""

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from PIL import Image

from buildings import services
from buildings.models import BuildingGroup, DistrictApplication, Rating
from nanxi import fragments
from tests.buildings.conftest import full_marks
from tests.conftest import reload_migration_data
from tests.factories import AreaFactory


def _rate(group, standard, by, year, minus=0, rating=None):
    return services.rating_save(
        group=group,
        standard=standard,
        year=year,
        scores=full_marks(standard, minus),
        by=by,
        rating=rating,
    )


def _stored(group):
    group = BuildingGroup.objects.get(pk=group.pk)
    return group.stars, group.rating_total, group.rating_year


def test_the_newest_rating_is_stored_on_the_group(group, standard, street_staff):
    assert _stored(group) == (None, None, None)
    _rate(group, standard, street_staff, 2020, minus=8)
    assert _stored(group) == (4, 92, 2020)
    _rate(group, standard, street_staff, 2019)  # an older year changes nothing
    assert _stored(group) == (4, 92, 2020)
    _rate(group, standard, street_staff, 2021, minus=35)
    assert _stored(group) == (standard.stars_for(65), 65, 2021)


def test_a_correction_moving_a_rating_updates_both_groups(
    group, other_group, standard, street_staff
):
    rating = _rate(group, standard, street_staff, 2020)
    _rate(other_group, standard, street_staff, 2020, minus=8, rating=rating)
    assert _stored(group) == (None, None, None)
    assert _stored(other_group) == (4, 92, 2020)


def test_a_refused_rating_leaves_the_stored_stars(group, standard, street_staff):
    _rate(group, standard, street_staff, 2020, minus=8)
    scores = full_marks(standard)
    scores[next(iter(scores))] += 1  # above the criterion's maximum
    with pytest.raises(ValidationError):
        services.rating_save(
            group=group, standard=standard, year=2021, scores=scores, by=street_staff
        )
    assert _stored(group) == (4, 92, 2020)


def _version(group):
    return cache.get(f"v:{services.group_version(group.pk)}")


def _card(group, language="zh-hans"):
    token = _version(group)
    names = cache.get(f"v:{fragments.NAMES}")  # the cards' variant
    hit = cache.get(f"frag:group:{group.pk}:{language}:{names}")
    assert hit is not None and hit[0] == token
    return hit[1]


def _jpeg():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), "image/jpeg")


def _rerate(group, standard, by):
    _rate(group, standard, by, 2021, minus=35)
    return ">" + "★" * standard.stars_for(65) + "</span>"


def _photo(group, standard, by):
    services.group_add_photo(group=group, upload=_jpeg(), by=by)
    return "card-photo"


def _rename(group, standard, by):
    group.feature = "新的特色"
    services.group_save(group=group, by=by)
    return "新的特色"


@pytest.mark.parametrize("write", [_rerate, _photo, _rename], ids=lambda w: w.__name__)
def test_each_cached_card_changes_when_its_service_runs(
    client, group, standard, street_staff, write, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    _rate(group, standard, street_staff, 2020, minus=8)
    client.get("/en/buildings/")
    before_version, before = _version(group), _card(group, "en")
    shows = write(BuildingGroup.objects.get(pk=group.pk), standard, street_staff)
    assert _version(group) != before_version
    body = client.get("/en/buildings/").content.decode()
    after = _card(group, "en")
    assert after != before and shows in after and after in body


def test_the_showcase_service_gives_new_versions(group, standard, street_staff):
    _rate(group, standard, street_staff, 2020)
    before = _version(group)
    services.group_set_featured(groups=[group], featured=True, by=street_staff)
    assert _version(group) != before


def test_only_street_staff_change_a_group(group, area_staff, resident):
    group.name = "改名"
    for person in (area_staff, resident):
        with pytest.raises(PermissionDenied):
            services.group_save(group=group, by=person)
    assert BuildingGroup.objects.get(pk=group.pk).name == "升平街65号"


def test_a_bad_group_is_refused_and_nothing_saved(group, street_staff):
    group.name = ""
    group.video_url = "javascript:alert(1)"
    with pytest.raises(ValidationError) as refused:
        services.group_save(group=group, by=street_staff)
    assert {"name", "video_url"} <= set(refused.value.message_dict)
    assert BuildingGroup.objects.get(pk=group.pk).name == "升平街65号"


def test_visitors_see_a_new_rating_at_once(
    client, group, other_group, standard, street_staff, settings
):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 300
    _rate(group, standard, street_staff, 2020)
    assert "陕西北路30弄" not in client.get("/buildings/").content.decode()
    assert client.get("/buildings/").context is None  # from the visitors' cache
    _rate(other_group, standard, street_staff, 2020)
    assert "陕西北路30弄" in client.get("/buildings/").content.decode()
    client.get(f"/buildings/{group.pk}/")
    DistrictApplication.objects.create(group=group, year=2021)  # no service: timer
    services.groups_changed(group.pk)  # what the admin does after saving one
    assert "2021" in client.get(f"/buildings/{group.pk}/").content.decode()


def test_list_needs_no_query_of_its_own_once_cached(
    client, group, standard, street_staff, django_assert_max_num_queries
):
    _rate(group, standard, street_staff, 2020)
    client.get("/buildings/")
    with django_assert_max_num_queries(1):  # the filter's areas
        response = client.get("/buildings/")
    assert response.context["page"].paginator.count == 1


def test_admin_changelist_queries_do_not_grow(
    client, standard, street_staff, django_assert_max_num_queries
):
    areas = [AreaFactory() for _ in range(3)]
    groups = BuildingGroup.objects.bulk_create(
        BuildingGroup(name=f"楼组{n}", area=areas[n % 3]) for n in range(120)
    )
    Rating.objects.bulk_create(
        Rating(
            group=g, standard=standard, year=2020, stars=n % 6, rated_by=street_staff
        )
        for n, g in enumerate(groups)
    )
    DistrictApplication.objects.bulk_create(
        DistrictApplication(group=g, year=2020) for g in groups[::2]
    )
    services.groups_refresh_rating()
    client.force_login(street_staff)
    for url in [
        "/admin/buildings/buildinggroup/",
        "/admin/buildings/buildinggroup/?stars=3",
        "/admin/buildings/buildinggroup/?o=3",
        "/admin/buildings/rating/",
    ]:
        client.get(url)
        with django_assert_max_num_queries(12):
            response = client.get(url)
        assert response.status_code == 200
    body = client.get("/admin/buildings/buildinggroup/?stars=5").content.decode()
    assert body.count('class="field-stars_display">★★★★★<') == 20


BEFORE = [("buildings", "0004_estates_years_protected_history")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_fills_the_stored_stars():
    reload_migration_data()  # an earlier transactional test's flush emptied it
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    try:
        old = executor.loader.project_state(BEFORE).apps
        area = old.get_model("nanxi", "ResidentialArea").objects.create(
            name="迁移", slug="migration-stars"
        )
        groups = old.get_model("buildings", "BuildingGroup").objects
        rated = groups.create(name="已评", area_id=area.pk)
        never = groups.create(name="未评", area_id=area.pk)
        user = old.get_model("auth", "User").objects.create(username="rater")
        standard = old.get_model("buildings", "RatingStandard").objects.get(active=True)
        for year, total, stars in [(2020, 90, 4), (2019, 70, 2)]:
            old.get_model("buildings", "Rating").objects.create(
                group_id=rated.pk,
                standard_id=standard.pk,
                year=year,
                total=total,
                stars=stars,
                rated_by_id=user.pk,
            )
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        assert _stored(rated) == (4, 90, 2020)
        assert _stored(never) == (None, None, None)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        reload_migration_data()
