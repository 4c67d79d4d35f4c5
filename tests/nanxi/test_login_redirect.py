import pytest

from nanxi import roles
from tests.factories import PASSWORD, make_user


def log_in(client, user, url="/accounts/login/"):
    return client.post(url, {"login": user.email, "password": PASSWORD})


@pytest.mark.parametrize("role", [roles.AREA_STAFF, roles.STREET_STAFF])
def test_staff_land_on_the_work_list_after_login(client, area, role):
    user = make_user(role, area=area)
    response = log_in(client, user)
    assert response.status_code == 302
    assert response["Location"] == "/projects/manage/"


def test_residents_land_on_their_profile_after_login(client, resident):
    response = log_in(client, resident)
    assert response.status_code == 302
    assert response["Location"] == "/accounts/profile/"


def test_an_explicit_next_wins_over_the_work_list(client, area_staff):
    response = log_in(client, area_staff, "/accounts/login/?next=/needs/")
    assert response["Location"] == "/needs/"


def test_area_staff_without_a_grant_are_not_sent_to_the_work_list(client, area):
    user = make_user(roles.AREA_STAFF)  # no area granted: no work list
    response = log_in(client, user)
    assert response["Location"] != "/projects/manage/"
