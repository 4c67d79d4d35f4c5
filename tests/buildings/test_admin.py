import pytest

from buildings import services
from buildings.models import BuildingGroup, BuildingPhoto, Rating
from nanxi import roles
from tests.buildings.conftest import full_marks
from tests.factories import AreaFactory, make_user, photo

ADD = "/admin/buildings/rating/add/"


def rating_post(group, standard, scores, year=2020):
    data = {"group": group.pk, "standard": standard.pk, "year": year}
    data.update({f"score_{pk}": value for pk, value in scores.items()})
    return data


def test_add_form_has_one_box_per_criterion_of_the_active_standard(
    client, street_staff, standard
):
    client.force_login(street_staff)
    body = client.get(ADD).content.decode()
    for criterion in standard.criteria.all():
        assert f'name="score_{criterion.pk}"' in body
        assert criterion.title in body


def test_street_staff_rate_in_the_admin(client, street_staff, group, standard):
    client.force_login(street_staff)
    response = client.post(ADD, rating_post(group, standard, full_marks(standard, 10)))
    assert response.status_code == 302, response.content.decode()[:2000]
    rating = Rating.objects.get()
    assert (rating.total, rating.stars, rating.rated_by) == (90, 4, street_staff)
    assert rating.changes.count() == 1


def test_score_above_maximum_is_refused_with_the_criterion_named(
    client, street_staff, group, standard
):
    client.force_login(street_staff)
    criterion = standard.criteria.first()
    scores = full_marks(standard)
    scores[criterion.pk] = criterion.max_points + 5
    response = client.post(ADD, rating_post(group, standard, scores))
    assert response.status_code == 200
    assert criterion.title in response.content.decode()
    assert not Rating.objects.exists()


def test_second_rating_for_the_year_is_refused(client, street_staff, group, standard):
    services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    client.force_login(street_staff)
    response = client.post(ADD, rating_post(group, standard, full_marks(standard, 40)))
    assert response.status_code == 200
    assert Rating.objects.count() == 1 and Rating.objects.get().total == 100


def test_changing_a_rating_in_the_admin_recomputes_and_keeps_history(
    client, street_staff, group, standard
):
    rating = services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    client.force_login(street_staff)
    url = f"/admin/buildings/rating/{rating.pk}/change/"
    response = client.post(url, rating_post(group, standard, full_marks(standard, 25)))
    assert response.status_code == 302
    rating.refresh_from_db()
    assert (rating.total, rating.stars) == (75, 2)
    assert rating.changes.count() == 2


def test_resident_posting_to_the_admin_is_sent_to_log_in(
    client, resident, group, standard
):
    client.force_login(resident)
    response = client.post(ADD, rating_post(group, standard, full_marks(standard)))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Rating.objects.exists()


def test_area_staff_cannot_rate_but_see_their_area(
    client, area, group, other_group, standard, street_staff
):
    staff = make_user(roles.AREA_STAFF, area=area)
    services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    services.rating_save(
        group=other_group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    client.force_login(staff)
    assert (
        client.post(
            ADD, rating_post(group, standard, full_marks(standard), year=2021)
        ).status_code
        == 403
    )
    assert Rating.objects.count() == 2
    listing = client.get("/admin/buildings/rating/")
    assert listing.status_code == 200
    assert [r.group for r in listing.context["cl"].result_list] == [group]


def test_used_standard_thresholds_are_read_only(client, street_staff, group, standard):
    services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    client.force_login(street_staff)
    body = client.get(
        f"/admin/buildings/ratingstandard/{standard.pk}/change/"
    ).content.decode()
    assert 'name="four_stars"' not in body
    assert 'name="criteria-0-max_points"' not in body


def test_export_csv_opens_in_excel(client, street_staff, group, standard):
    services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    client.force_login(street_staff)
    response = client.post(
        "/admin/buildings/buildinggroup/",
        {"action": "export_csv", "_selected_action": [group.pk]},
    )
    content = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert content.startswith("\ufeff")
    assert "升平街65号" in content and "华业" in content


def test_export_csv_neutralises_cells_a_spreadsheet_would_run(
    client, street_staff, area
):
    import csv
    import io

    BuildingGroup.objects.create(
        name='=HYPERLINK("http://evil.example","点我")',
        area=area,
        address="+86 cmd|' /C calc'!A0",
        leader="@SUM(1+1)",
        feature="-2+3",
    )
    client.force_login(street_staff)
    response = client.post(
        "/admin/buildings/buildinggroup/",
        {
            "action": "export_csv",
            "_selected_action": list(
                BuildingGroup.objects.values_list("pk", flat=True)
            ),
        },
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    name, area_name, address, households, leader, feature = rows[1][:6]
    assert name == """'=HYPERLINK("http://evil.example","点我")"""
    assert address.startswith("'+86")
    assert leader == "'@SUM(1+1)"
    assert feature == "'-2+3"
    assert area_name == "华业"


def test_mark_featured_action(client, street_staff, group):
    client.force_login(street_staff)
    client.post(
        "/admin/buildings/buildinggroup/",
        {"action": "mark_featured", "_selected_action": [group.pk]},
    )
    assert BuildingGroup.objects.get(pk=group.pk).featured


def test_photo_upload_in_the_admin_refuses_non_images(
    client, street_staff, group, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(street_staff)
    url = f"/admin/buildings/buildinggroup/{group.pk}/change/"
    base = {
        "name": group.name,
        "area": group.area_id,
        "households": 0,
        "photos-TOTAL_FORMS": 1,
        "photos-INITIAL_FORMS": 0,
        "photos-MIN_NUM_FORMS": 0,
        "photos-MAX_NUM_FORMS": 1000,
    }
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")
    response = client.post(
        url, {**base, "photos-0-image": fake, "photos-0-caption": "x"}
    )
    assert response.status_code == 200
    assert not BuildingPhoto.objects.exists()
    response = client.post(
        url, {**base, "photos-0-image": photo(), "photos-0-caption": "月季苑"}
    )
    assert response.status_code == 302
    saved = BuildingPhoto.objects.get()
    assert saved.image.name.endswith(".jpg") and saved.thumbnail


def test_invalid_video_url_is_refused(client, street_staff, group):
    client.force_login(street_staff)
    url = f"/admin/buildings/buildinggroup/{group.pk}/change/"
    response = client.post(
        url,
        {
            "name": group.name,
            "area": group.area_id,
            "households": 0,
            "video_url": "javascript:alert(1)",
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
            "photos-MIN_NUM_FORMS": 0,
            "photos-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 200
    assert BuildingGroup.objects.get(pk=group.pk).video_url == ""


@pytest.fixture
def many_rated(standard, street_staff):
    areas = [AreaFactory() for _ in range(4)]
    for n in range(60):
        group = BuildingGroup.objects.create(name=f"楼组{n}", area=areas[n % 4])
        services.rating_save(
            group=group,
            standard=standard,
            year=2020,
            scores=full_marks(standard, n % 40),
            by=street_staff,
        )


@pytest.mark.parametrize(
    "url",
    [
        "/admin/buildings/buildinggroup/",
        "/admin/buildings/rating/",
        "/admin/buildings/rating/add/",
    ],
)
def test_admin_pages_run_a_constant_number_of_queries(
    client, street_staff, many_rated, url, django_assert_max_num_queries
):
    client.force_login(street_staff)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_rating_change_form_runs_a_constant_number_of_queries(
    client, street_staff, many_rated, django_assert_max_num_queries
):
    client.force_login(street_staff)
    rating = Rating.objects.first()
    with django_assert_max_num_queries(14):
        assert (
            client.get(f"/admin/buildings/rating/{rating.pk}/change/").status_code
            == 200
        )


def test_save_and_add_another_keeps_the_year_and_standard(
    client, street_staff, standard, group
):
    client.force_login(street_staff)
    data = rating_post(group, standard, full_marks(standard), year=2021)
    response = client.post(ADD, {**data, "_addanother": "1"})
    assert response.status_code == 302
    assert f"year=2021&standard={standard.pk}" in response["Location"]
    form = client.get(response["Location"]).content.decode()
    assert 'name="year" value="2021"' in form
