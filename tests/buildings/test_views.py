import io

import pytest
from django.core.management import call_command
from PIL import Image

from buildings import services
from buildings.models import BuildingGroup, DistrictApplication
from buildings.selectors import building_year_figures
from tests.buildings.conftest import full_marks
from tests.factories import AreaFactory


@pytest.fixture
def rated(group, standard, street_staff):
    services.rating_save(
        group=group,
        standard=standard,
        year=2019,
        scores=full_marks(standard, 25),
        by=street_staff,
    )
    services.rating_save(
        group=group,
        standard=standard,
        year=2020,
        scores=full_marks(standard, 8),
        by=street_staff,
    )
    DistrictApplication.objects.create(group=group, year=2020)
    return group


def test_public_list_shows_star_rated_groups_only(client, rated, area):
    BuildingGroup.objects.create(name="未评定楼组", area=area)
    body = client.get("/buildings/").content.decode()
    assert "升平街65号" in body and "未评定楼组" not in body
    assert "★★★★" in body


def test_list_filters_by_area_and_stars(
    client, rated, other_group, standard, street_staff
):
    services.rating_save(
        group=other_group,
        standard=standard,
        year=2020,
        scores=full_marks(standard, 35),
        by=street_staff,
    )

    def names(**q):  # the page holds the ids of its cards, in order
        ids = client.get("/buildings/", q).context["page"]
        return [BuildingGroup.objects.get(pk=pk).name for pk in ids]

    assert names(stars=4) == ["升平街65号"]
    assert names(stars=1) == ["陕西北路30弄"]
    assert names(area=other_group.area_id) == ["陕西北路30弄"]
    assert client.get("/buildings/", {"stars": "9", "area": "x"}).status_code == 200


def test_detail_shows_history_dimensions_and_application(client, rated):
    response = client.get(f"/buildings/{rated.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    history = [(r.year, r.stars) for r in response.context["history"]]
    assert history == [(2019, 2), (2020, 4)]
    assert [d["maximum"] for d in response.context["dimensions"]] == [25, 25, 25, 25]
    assert sum(d["points"] for d in response.context["dimensions"]) == 92
    assert "已申报" in body


def test_unknown_group_is_404(client, db):
    assert client.get("/buildings/999/").status_code == 404


def test_showcase_lists_featured_groups(
    client, rated, other_group, standard, street_staff
):
    services.rating_save(
        group=other_group,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    BuildingGroup.objects.filter(pk=rated.pk).update(
        featured=True, story="月季苑的故事"
    )
    body = client.get("/buildings/showcase/").content.decode()
    assert "月季苑的故事" in body and "陕西北路30弄" not in body


def test_poster_is_an_a4_pdf(client, rated):
    BuildingGroup.objects.filter(pk=rated.pk).update(
        video_url="https://nanxi.example/v/65"
    )
    response = client.get(f"/buildings/{rated.pk}/poster.pdf")
    assert response["Content-Type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF")
    assert b"/MediaBox [ 0 0 595.2756 841.8898 ]" in pdf


def test_list_query_count_is_constant(
    client, standard, street_staff, django_assert_max_num_queries, tmp_path, settings
):
    settings.MEDIA_ROOT = tmp_path
    areas = [AreaFactory() for _ in range(3)]
    for n in range(40):
        group = BuildingGroup.objects.create(name=f"楼组{n}", area=areas[n % 3])
        services.rating_save(
            group=group,
            standard=standard,
            year=2020,
            scores=full_marks(standard, n % 30),
            by=street_staff,
        )
        if n % 4 == 0:
            buffer = io.BytesIO()
            Image.new("RGB", (40, 30)).save(buffer, "JPEG")
            from django.core.files.uploadedfile import SimpleUploadedFile

            services.group_add_photo(
                group=group,
                upload=SimpleUploadedFile("p.jpg", buffer.getvalue(), "image/jpeg"),
                by=street_staff,
            )
    with django_assert_max_num_queries(6):
        response = client.get("/buildings/")
    assert len(response.context["page"]) == 24


def test_detail_query_count_is_constant(
    client, rated, standard, street_staff, django_assert_max_num_queries
):
    for year in range(2015, 2019):
        services.rating_save(
            group=rated,
            standard=standard,
            year=year,
            scores=full_marks(standard, year - 2000),
            by=street_staff,
        )
    with django_assert_max_num_queries(8):
        client.get(f"/buildings/{rated.pk}/")


def test_demo_reproduces_the_newsletters_2020_building_figures(db):
    call_command("demo", stdout=io.StringIO())
    assert building_year_figures(2020) == {
        "star_rated": 107,
        "new_three_star": 3,
        "upgraded_four_star": 5,
        "district_applications": 66,
    }
    featured = set(
        BuildingGroup.objects.filter(featured=True).values_list("name", flat=True)
    )
    assert featured == {"升平街65号", "陕西北路30弄", "花园公寓"}
