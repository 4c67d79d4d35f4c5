import pytest

from buildings.models import BuildingGroup, RatingStandard
from nanxi import roles
from tests.factories import PASSWORD, AreaFactory, make_user

# Transactional: the live server's thread reads what the test writes.
pytestmark = pytest.mark.django_db(transaction=True)


def test_street_staff_rate_in_the_admin_and_the_public_sees_the_stars(
    new_page, live_server
):
    area = AreaFactory(name="新福康里", slug="xinfukangli")
    group = BuildingGroup.objects.create(name="升平街65号", area=area, feature="月季苑")
    staff = make_user(roles.STREET_STAFF)
    standard = RatingStandard.objects.get(active=True)

    admin = new_page()
    admin.set_viewport_size({"width": 1280, "height": 900})
    admin.goto(f"{live_server.url}/admin/login/")
    admin.fill("#id_username", staff.username)
    admin.fill("#id_password", PASSWORD)
    admin.click("input[type=submit]")
    admin.goto(
        f"{live_server.url}/admin/buildings/rating/add/?group={group.pk}&year=2020"
    )
    criteria = list(standard.criteria.all())
    for criterion in criteria:
        # Full marks but two points short on the first criterion: 98, five stars.
        points = criterion.max_points - (2 if criterion == criteria[0] else 0)
        admin.fill(f"#id_score_{criterion.pk}", str(points))
    admin.click("input[name=_save]")
    admin.wait_for_load_state()
    assert "成功" in admin.content(), admin.locator(
        ".errornote, .errorlist"
    ).all_inner_texts()

    public = new_page()
    public.goto(f"{live_server.url}/buildings/{group.pk}/")
    assert public.locator("#stars .stars").inner_text().strip() == "★★★★★"
    assert "98" in public.locator("#history").inner_text()
