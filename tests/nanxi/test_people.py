"""The logged-in person comes from the cache, and every change shows on the next request.

`nanxi.people` keeps the user, profile, roles and unread count of a person by a
version bumped by every write to them; sessions are read from the cache
(`nanxi.sessions`). These tests log in through the client and look at what the
next request sees, not at the cache.
"""

import pytest
from django.contrib.auth.models import Group

from nanxi import notifications, roles, services
from nanxi.models import Profile
from tests.factories import make_user
from tests.nanxi.test_outages import redis_down  # noqa: F401 (fixture)

PRIVACY = "/privacy/"


def who(client):
    """The user of the client's next request (None: logged out)."""
    response = client.get(PRIVACY)
    user = response.wsgi_request.user
    return user if user.is_authenticated else None


def test_a_logged_in_page_reads_session_and_person_without_a_query(
    client, resident, django_assert_num_queries
):
    client.force_login(resident)
    client.get(PRIVACY)  # the first request loads the person
    with django_assert_num_queries(0):
        response = client.get(PRIVACY)
    assert response.wsgi_request.user == resident
    assert "logout/" in response.content.decode()


def test_revoking_a_grant_takes_effect_on_the_next_request(
    client, area, other_area, street_staff
):
    staff = make_user(roles.AREA_STAFF, area=area)
    services.staff_assignment_grant(user=staff, area=other_area, by=street_staff)
    client.force_login(staff)
    assert client.get("/projects/manage/").status_code == 200
    assert roles.granted_areas(who(client)) == {area.pk, other_area.pk}

    for assignment in staff.staff_assignments.all():
        services.staff_assignment_revoke(assignment=assignment, by=street_staff)
    assert roles.granted_areas(who(client)) == frozenset()
    assert client.get("/projects/manage/").status_code == 403


def test_a_role_removed_in_the_admin_takes_effect_on_the_next_request(
    client, street_staff
):
    client.force_login(street_staff)
    assert roles.has_role(who(client), roles.STREET_STAFF)
    # The admin's user form sets the groups directly, not through a service.
    street_staff.groups.remove(Group.objects.get(name=roles.STREET_STAFF))
    assert not roles.has_role(who(client), roles.STREET_STAFF)
    # … and from the group's side too.
    Group.objects.get(name=roles.STREET_STAFF).user_set.add(street_staff)
    assert roles.has_role(who(client), roles.STREET_STAFF)
    Group.objects.get(name=roles.STREET_STAFF).user_set.clear()
    assert not roles.has_role(who(client), roles.STREET_STAFF)


def test_a_deactivated_account_is_logged_out_on_the_next_request(client, resident):
    client.force_login(resident)
    assert who(client) == resident
    resident.is_active = False
    resident.save()  # as the admin does
    assert who(client) is None


def test_an_erased_account_is_logged_out_on_the_next_request(client, resident):
    client.force_login(resident)
    assert who(client) == resident
    services.account_erase(user=resident, by=resident)
    assert who(client) is None


def test_a_changed_password_ends_other_sessions_on_their_next_request(client, resident):
    client.force_login(resident)
    assert who(client) == resident
    resident.set_password("a new long password 2025")
    resident.save()
    assert who(client) is None


def test_profile_changes_show_on_the_next_request(client, area, other_area):
    person = make_user(roles.RESIDENT, area=area, verified=True)
    client.force_login(person)
    assert who(client).profile.area_id == area.pk
    services.profile_update(
        profile=Profile.objects.get(user=person), by=person, area=other_area
    )
    seen = who(client).profile
    assert seen.area_id == other_area.pk and not seen.is_verified


def test_the_unread_count_follows_notify_and_mark_read(client, resident):
    client.force_login(resident)
    client.get(PRIVACY)

    def badge():
        return notifications.unread_count(who(client))

    assert badge() == 0
    notifications.notify(
        recipients=[resident],
        kind=notifications.ACCOUNT_VERIFIED,
        text="验证通过",
        key="test-people-1",
    )
    assert badge() == 1
    assert ">1</span>" in client.get(PRIVACY).content.decode()
    notifications.mark_read(user=resident)
    assert badge() == 0


def test_bumps_made_inside_a_transaction_are_repeated_once_at_commit(db, resident):
    from django.db import connection, transaction

    from nanxi import fragments, people

    name = people.version(resident.pk)
    with transaction.atomic():
        people.changed(resident.pk)
        during = fragments.current([name])[name]
        fragments.bump("projects")
        fragments.bump("groups")
        ours = [
            entry[1]
            for entry in connection.run_on_commit
            if getattr(entry[1], "nanxi_versions", False)
        ]
    # One callback (one round trip) for every name the transaction bumped …
    assert len(ours) == 1
    assert {name, "projects", "groups"} <= ours[0].names
    # … which makes new tokens again: what a page cached under `during`, from the
    # data before the commit, is not used after it.
    ours[0]()
    assert fragments.current([name])[name] != during


@pytest.mark.usefixtures("redis_down")
def test_with_redis_down_people_log_in_and_a_revoked_grant_still_ends(
    client, area, other_area, street_staff
):
    staff = make_user(roles.AREA_STAFF, area=area)
    client.force_login(staff)
    assert client.get("/projects/manage/").status_code == 200
    services.staff_assignment_revoke(
        assignment=staff.staff_assignments.get(), by=street_staff
    )
    assert client.get("/projects/manage/").status_code == 403
    assert who(client) == staff  # still logged in: the session is in the database
