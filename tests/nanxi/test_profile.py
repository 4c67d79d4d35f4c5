import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nanxi import roles, services
from nanxi.models import Profile
from tests.factories import make_user


def test_profile_page_needs_login(db, client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_resident_chooses_area_and_sees_it(db, client, area):
    user = make_user(roles.RESIDENT, area=None)
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {"area": area.pk, "display_name": "王阿姨", "phone": ""},
        follow=True,
    )
    assert "已保存" in response.content.decode()
    profile = Profile.objects.get(user=user)
    assert profile.area == area
    assert profile.display_name == "王阿姨"


def test_unknown_area_is_refused_with_a_message_and_nothing_changes(db, client, area):
    user = make_user(roles.RESIDENT, area=area)
    client.force_login(user)
    response = client.post(
        "/accounts/profile/", {"area": 999999, "display_name": "改名"}
    )
    assert response.status_code == 200
    assert "请从列表中选择一个居民区。" in response.content.decode()
    profile = Profile.objects.get(user=user)
    assert profile.area == area and profile.display_name == ""


def test_bad_phone_number_is_refused(db, client, area):
    user = make_user(roles.RESIDENT, area=area)
    client.force_login(user)
    response = client.post("/accounts/profile/", {"area": area.pk, "phone": "call me"})
    assert "电话号码" in response.content.decode()
    assert Profile.objects.get(user=user).phone == ""


def test_moving_area_drops_the_verification(db, area, other_area):
    user = make_user(roles.RESIDENT, area=area, verified=True)
    services.profile_update(profile=user.profile, by=user, area=other_area)
    assert not user.profile.is_verified


def test_moving_area_on_the_page_drops_the_verification_and_the_vote_right(
    client, area, other_area
):
    """The form copies the posted area onto the profile before the service runs:
    the service compares with what is stored, so the move is seen."""
    from projects.permissions import vote_refusal
    from tests.projects.helpers import make_project

    user = make_user(roles.RESIDENT, area=area, verified=True)
    client.force_login(user)
    response = client.post(
        "/accounts/profile/", {"area": other_area.pk, "display_name": "李伯伯"}
    )
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert profile.area == other_area and not profile.is_verified
    user.refresh_from_db()
    voting = make_project(area=other_area, step=6)
    assert vote_refusal(user, voting) is not None


def test_changing_the_number_on_the_page_unconfirms_it(client, area):
    user = make_user(roles.RESIDENT, area=area)
    services.phone_set(user=user, phone="13812345678", verified=True)
    client.force_login(user)
    client.post("/accounts/profile/", {"area": area.pk, "phone": "13900001111"})
    profile = Profile.objects.get(user=user)
    assert profile.phone == "13900001111" and profile.phone_verified_at is None


def test_no_one_changes_someone_elses_profile(db, area, resident):
    other = make_user(roles.RESIDENT, area=area)
    with pytest.raises(PermissionDenied):
        services.profile_update(profile=resident.profile, by=other, area=area)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("same_area_staff", True),
        ("street_staff", True),
        ("other_area_staff", False),
        ("resident", False),
        ("self", False),
    ],
)
def test_who_may_verify_a_resident(db, area, other_area, who, allowed):
    newcomer = make_user(roles.RESIDENT, area=area)
    by = {
        "same_area_staff": lambda: make_user(roles.AREA_STAFF, area=area),
        "street_staff": lambda: make_user(roles.STREET_STAFF),
        "other_area_staff": lambda: make_user(roles.AREA_STAFF, area=other_area),
        "resident": lambda: make_user(roles.RESIDENT, area=area),
        "self": lambda: newcomer,
    }[who]()
    if allowed:
        services.profile_verify(profile=newcomer.profile, by=by)
        assert Profile.objects.get(pk=newcomer.profile.pk).verified_by == by
    else:
        with pytest.raises(PermissionDenied):
            services.profile_verify(profile=newcomer.profile, by=by)
        assert not Profile.objects.get(pk=newcomer.profile.pk).is_verified


def test_a_resident_without_area_cannot_be_verified(db, street_staff):
    newcomer = make_user(roles.RESIDENT, area=None)
    with pytest.raises(ValidationError):
        services.profile_verify(profile=newcomer.profile, by=street_staff)


def test_building_groups_come_grouped_by_area_and_in_reading_order(
    client, area, other_area
):
    from buildings.models import BuildingGroup

    for name in ("陕西北路149弄", "陕西北路30弄", "陕西北路4弄"):
        BuildingGroup.objects.create(name=name, area=area)
    BuildingGroup.objects.create(name="威海路590弄", area=other_area)
    user = make_user(roles.RESIDENT, area=None)
    client.force_login(user)
    page = client.get("/accounts/profile/").content.decode()
    assert page.index('<optgroup label="华业">') < page.index("陕西北路4弄")
    assert page.index("陕西北路4弄") < page.index("陕西北路30弄")
    assert page.index("陕西北路30弄") < page.index("陕西北路149弄")
    assert '<optgroup label="威海">' in page
    # With the area chosen: only its groups, in the same order, no groups.
    user.profile.area = area
    user.profile.save()
    page = client.get("/accounts/profile/").content.decode()
    assert "<optgroup" not in page and "威海路590弄" not in page
    assert page.index("陕西北路30弄") < page.index("陕西北路149弄")


def test_a_group_of_another_area_is_refused_and_nothing_changes(
    client, area, other_area
):
    from buildings.models import BuildingGroup

    theirs = BuildingGroup.objects.create(name="威海路590弄", area=other_area)
    user = make_user(roles.RESIDENT, area=area)
    client.force_login(user)
    response = client.post(
        "/accounts/profile/", {"area": area.pk, "building_group": theirs.pk}
    )
    assert response.status_code == 200
    assert Profile.objects.get(user=user).building_group is None
