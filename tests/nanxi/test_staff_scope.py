"""Staff scope is a grant made by the street (StaffAssignment), never one's own profile."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nanxi import permissions, roles, services
from nanxi.models import Profile, StaffAssignment
from tests.factories import make_user


def fresh(user):
    """The same person as a new request sees them (nothing cached on the object)."""
    return type(user).objects.get(pk=user.pk)


# --- the grant ----------------------------------------------------------------------------


def test_street_staff_grant_an_area_and_the_person_becomes_area_staff(
    db, area, street_staff
):
    person = make_user(roles.RESIDENT, area=area)
    assignment = services.staff_assignment_grant(
        user=person, area=area, by=street_staff
    )
    person = fresh(person)
    assert assignment.granted_by == street_staff
    assert roles.has_role(person, roles.AREA_STAFF) and person.is_staff
    assert permissions.staff_area_ids(person) == {area.pk}


@pytest.mark.parametrize("who", ["area_staff", "resident"])
def test_only_street_staff_grant_areas(db, request, area, other_area, who):
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.staff_assignment_grant(user=actor, area=other_area, by=actor)
    assert not StaffAssignment.objects.filter(area=other_area).exists()


def test_granting_the_same_area_twice_is_refused_with_a_message(
    db, area, area_staff, street_staff
):
    with pytest.raises(ValidationError) as caught:
        services.staff_assignment_grant(user=area_staff, area=area, by=street_staff)
    assert caught.value.messages == [f"{area_staff} 已经是{area}的工作人员。"]
    assert StaffAssignment.objects.filter(user=area_staff).count() == 1


def test_revoking_the_last_area_ends_the_role(db, area, area_staff, street_staff):
    assignment = StaffAssignment.objects.get(user=area_staff)
    services.staff_assignment_revoke(assignment=assignment, by=street_staff)
    person = fresh(area_staff)
    assert not roles.has_role(person, roles.AREA_STAFF)
    assert not permissions.can_act_in_area(person, area.pk)


# --- the hole this closes: editing one's profile never widens the scope ------------------------


def test_changing_ones_profile_area_never_changes_the_staff_scope(
    client, area, other_area, area_staff
):
    client.force_login(area_staff)
    response = client.post(
        "/accounts/profile/",
        {"area": other_area.pk, "display_name": "华业居委会", "phone": ""},
    )
    assert response.status_code == 302
    assert Profile.objects.get(user=area_staff).area == other_area
    person = fresh(area_staff)
    assert permissions.staff_area_ids(person) == {area.pk}
    assert permissions.can_act_in_area(person, area.pk)
    assert not permissions.can_act_in_area(person, other_area.pk)


def test_a_staff_role_without_a_grant_acts_nowhere(db, area):
    person = make_user(roles.AREA_STAFF, area=None)
    Profile.objects.filter(user=person).update(area=area)
    person = fresh(person)
    assert not permissions.is_staff_member(person)
    assert not permissions.can_act_in_area(person, area.pk)
    assert permissions.in_scope(Profile.objects.all(), person).count() == 0


def test_street_staff_and_superusers_act_everywhere(db, area, other_area, street_staff):
    operator = make_user(None, is_superuser=True)
    for person in (street_staff, operator):
        assert permissions.can_act_in_area(person, area.pk)
        assert permissions.can_act_in_area(person, other_area.pk)
        assert permissions.area_scope(person) is None


def test_scope_is_read_in_one_query(db, area, area_staff, django_assert_num_queries):
    person = fresh(area_staff)
    with django_assert_num_queries(1):
        assert permissions.is_staff_member(person)
        assert permissions.can_act_in_area(person, area.pk)
        assert not permissions.is_street_staff(person)


# --- verification of residents: a street-wide job in nanxi ------------------------------------


def test_staff_verify_a_resident_of_their_area_only(
    client, area, other_area, area_staff
):
    newcomer = make_user(roles.RESIDENT, area=area)
    outsider = make_user(roles.RESIDENT, area=other_area)
    client.force_login(area_staff)
    client.post(
        f"/accounts/residents/{newcomer.profile.pk}/verify/",
        {"confirm": "on", "details": newcomer.profile.details_key()},
    )
    assert Profile.objects.get(pk=newcomer.profile.pk).is_verified
    response = client.post(f"/accounts/residents/{outsider.profile.pk}/verify/")
    assert response.status_code == 403
    assert not Profile.objects.get(pk=outsider.profile.pk).is_verified


def test_staff_who_moved_their_profile_cannot_verify_in_the_new_area(
    client, area, other_area, area_staff
):
    Profile.objects.filter(user=area_staff).update(area=other_area)
    outsider = make_user(roles.RESIDENT, area=other_area)
    client.force_login(area_staff)
    response = client.post(f"/accounts/residents/{outsider.profile.pk}/verify/")
    assert response.status_code == 403
    assert not Profile.objects.get(pk=outsider.profile.pk).is_verified
    body = client.get("/accounts/residents/").content.decode()
    assert outsider.email not in body


def test_verification_list_offers_only_unverified_residents_of_the_scope(
    client, area, other_area, area_staff
):
    make_user(roles.AREA_STAFF, area=area)  # a colleague: staff are not residents
    waiting = make_user(roles.RESIDENT, area=area)
    make_user(roles.RESIDENT, area=other_area)
    client.force_login(area_staff)
    response = client.get("/accounts/residents/")
    assert list(response.context["unverified"]) == [waiting.profile]


def test_residents_page_is_for_staff_only(client, resident):
    client.force_login(resident)
    assert client.get("/accounts/residents/").status_code == 403
    assert (
        client.post(f"/accounts/residents/{resident.profile.pk}/verify/").status_code
        == 403
    )


def test_verifying_an_unknown_or_huge_id_is_a_404(client, area_staff):
    client.force_login(area_staff)
    assert client.post("/accounts/residents/999999/verify/").status_code == 404
    assert client.post(f"/accounts/residents/{10**30}/verify/").status_code == 404


# --- the admin of grants ----------------------------------------------------------------------

ADD = "/admin/nanxi/staffassignment/add/"


def test_street_staff_grant_in_the_admin_by_email(client, area, street_staff):
    person = make_user(roles.RESIDENT, area=None)
    client.force_login(street_staff)
    response = client.post(ADD, {"email": person.email.upper(), "area": area.pk})
    assert response.status_code == 302
    assignment = StaffAssignment.objects.get(user=person)
    assert (assignment.area, assignment.granted_by) == (area, street_staff)


def test_admin_grant_for_an_unknown_email_is_refused(client, area, street_staff):
    client.force_login(street_staff)
    response = client.post(ADD, {"email": "nobody@example.com", "area": area.pk})
    assert response.status_code == 200
    assert "没有人用这个电子邮件地址注册。" in response.content.decode()
    assert not StaffAssignment.objects.exists()


def test_admin_grant_twice_says_why_and_keeps_one(
    client, area, area_staff, street_staff
):
    client.force_login(street_staff)
    response = client.post(
        ADD, {"email": area_staff.email, "area": area.pk}, follow=True
    )
    assert "已经是" in response.content.decode()
    assert StaffAssignment.objects.filter(user=area_staff).count() == 1


def test_area_staff_cannot_open_the_grants(client, area_staff):
    client.force_login(area_staff)
    assert client.get(ADD).status_code == 403
    assert client.get("/admin/nanxi/staffassignment/").status_code == 403


def test_admin_delete_revokes_through_the_service(
    client, area, area_staff, street_staff
):
    assignment = StaffAssignment.objects.get(user=area_staff)
    client.force_login(street_staff)
    response = client.post(
        f"/admin/nanxi/staffassignment/{assignment.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not roles.has_role(fresh(area_staff), roles.AREA_STAFF)
