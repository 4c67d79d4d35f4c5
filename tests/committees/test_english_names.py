"""The assessment standard speaks the page's language; punctuation follows it."""

import pytest

from committees import services
from committees.models import Step
from tests.committees.conftest import election_at, full_marks


@pytest.fixture
def weak_in_records(committee, street_staff, area_staff, standard):
    election_at(committee, street_staff, Step.FILED)
    scores = full_marks(standard)
    scores[standard.items.get(title="档案管理").pk] = 1
    services.assessment_save(
        committee=committee, standard=standard, year=2020, scores=scores, by=area_staff
    )
    return committee


def test_english_pages_show_english_items_and_colons(
    client, weak_in_records, area_staff
):
    client.force_login(area_staff)
    page = client.get(f"/en/committees/{weak_in_records.pk}/").content.decode()
    assert "Records: 1 / 8" in page
    assert "档案管理" not in page and "：" not in page
    sheet = client.get(
        f"/en/committees/{weak_in_records.pk}/coaching/"
    ).content.decode()
    assert "Minutes, contracts, receipts" in sheet and "2020 edition (example)" in sheet
    assert "Coach:" in sheet and "：" not in sheet


def test_chinese_pages_keep_chinese_names_and_full_width_colons(
    client, weak_in_records, area_staff
):
    client.force_login(area_staff)
    page = client.get(f"/committees/{weak_in_records.pk}/").content.decode()
    assert "档案管理：1 / 8" in page and "Records" not in page
    sheet = client.get(f"/committees/{weak_in_records.pk}/coaching/").content.decode()
    assert "2020版（示例）：" in sheet and "辅导人：" in sheet


def test_an_empty_english_name_falls_back_to_the_chinese(
    client, weak_in_records, area_staff, standard
):
    standard.items.filter(title="档案管理").update(title_en="")
    client.force_login(area_staff)
    page = client.get(f"/en/committees/{weak_in_records.pk}/").content.decode()
    assert "档案管理: 1 / 8" in page


def test_a_new_version_keeps_the_english_names(standard, street_staff):
    copy = services.standard_new_version(standard=standard, by=street_staff)
    assert copy.items.get(title="档案管理").title_en == "Records"
    assert copy.items.get(title="档案管理").guidance_en.startswith("Minutes")
