"""The star standard speaks the page's language; punctuation follows it."""

from django.utils import translation

from buildings import services
from buildings.models import DistrictApplication, RatingStandard


def _standard():
    return RatingStandard.objects.get(version="2020版")


def test_the_2020_standard_has_english_names(db):
    standard = _standard()
    criterion = standard.criteria.get(title="垃圾分类规范，源头分类到位")
    with translation.override("en"):
        assert str(standard) == "2020 edition"
        assert criterion.label == "Waste sorted properly at source"
    assert str(standard) == "2020版"
    assert criterion.label == "垃圾分类规范，源头分类到位"


def test_a_criterion_without_english_name_shows_its_chinese(db):
    criterion = _standard().criteria.first()
    criterion.title_en = ""
    with translation.override("en"):
        assert criterion.label == criterion.title


def test_a_new_version_keeps_the_english_names(db, street_staff):
    copy = services.standard_new_version(standard=_standard(), by=street_staff)
    assert copy.criteria.get(title="非机动车有序停放").title_en == (
        "Bicycles and e-bikes parked in order"
    )


def test_district_applications_follow_the_languages_punctuation(client, group):
    DistrictApplication.objects.create(group=group, year=2020)
    DistrictApplication.objects.create(group=group, year=2021)
    english = client.get(f"/en/buildings/{group.pk}/").content.decode()
    chinese = client.get(f"/buildings/{group.pk}/").content.decode()
    assert "2020: " in english and "：" not in english
    assert "2020：" in chinese
