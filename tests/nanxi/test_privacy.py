"""Personal data (PIPL): neutral names, consent, the data export, deleting an account,
staff's view of phones."""

import json
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from nanxi import personal_data, roles, services
from nanxi.models import PersonalDataAccess, Profile
from projects import services as project_services
from projects.models import Comment, Project, Vote
from tests.factories import PASSWORD, UserFactory, make_user
from tests.projects.helpers import make_project

User = get_user_model()
STRONG = "Nanxi-garden-2020!"
PHONE = "13812345678"


def signup(client, email, consent=True):
    data = {"email": email, "password1": STRONG, "password2": STRONG}
    if consent:
        data["privacy_consent"] = "on"
    return client.post("/en/accounts/signup/", data)


# --- neutral names ---------------------------------------------------------------------


def test_a_phone_number_email_never_appears_on_a_public_page(
    db, client, area, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, f"{PHONE}@example.com")
    user = User.objects.get(email=f"{PHONE}@example.com")
    assert PHONE not in user.username
    profile = user.profile
    profile.area = area
    profile.verified_at = timezone.now()  # residents propose once verified
    profile.save()
    project = make_project(area=area, proposer=user)
    Comment.objects.create(project=project, author=user, body="我同意。")

    for url in [
        f"/projects/{project.pk}/",
        f"/en/projects/{project.pk}/",
        "/projects/",
    ]:
        page = Client().get(url).content.decode()
        assert PHONE not in page, url
    english = Client().get(f"/en/projects/{project.pk}/").content.decode()
    assert "Resident of 华业" in english


def test_the_chosen_name_is_shown_and_no_area_gives_a_plain_resident(db, area):
    person = make_user(roles.RESIDENT, area=area)
    assert "华业" in str(person.profile)
    assert person.username not in str(person.profile)
    person.profile.display_name = "王阿姨"
    assert str(person.profile) == "王阿姨"
    nowhere = make_user(roles.RESIDENT)
    assert nowhere.username not in str(nowhere.profile)
    assert nowhere.email.split("@")[0] not in str(nowhere.profile)


def test_a_staff_member_without_profile_is_not_shown_by_username(db):
    from nanxi.models import public_name

    staff = UserFactory(username="13900001111")
    assert "13900001111" not in public_name(staff)


# --- consent -----------------------------------------------------------------------------


def test_signup_without_consent_is_refused_and_creates_nothing(
    db, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = signup(client, "new@example.com", consent=False)
    assert response.status_code == 200
    assert "Please read the privacy notice and agree to it" in response.content.decode()
    assert not User.objects.filter(email="new@example.com").exists()
    assert mail.outbox == []


def test_signup_stores_when_and_which_notice_was_agreed(
    db, client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client, "new@example.com")
    profile = Profile.objects.get(user__email="new@example.com")
    assert profile.privacy_consent_at is not None
    assert profile.privacy_notice_version == settings.PRIVACY_NOTICE_VERSION


def test_the_signup_form_links_the_notice(db, client):
    assert 'href="/en/privacy/"' in client.get("/en/accounts/signup/").content.decode()
    assert 'href="/privacy/"' in client.get("/accounts/signup/").content.decode()


def test_register_without_consent_is_refused_by_the_service(db):
    from django.core.exceptions import ValidationError

    user = UserFactory()
    with pytest.raises(ValidationError):
        services.resident_register(user=user, privacy_consent=False)
    assert not Profile.objects.filter(user=user).exists()


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_the_privacy_notice_is_public_in_both_languages(db, client, prefix, settings):
    response = client.get(f"{prefix}/privacy/")
    assert response.status_code == 200
    assert settings.PRIVACY_NOTICE_VERSION in response.content.decode()


# --- the data export ------------------------------------------------------------------------


def test_data_pages_need_a_login(db, client):
    for url in [
        "/accounts/data/",
        "/accounts/data/?format=json",
        "/accounts/data/delete/",
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    response = client.post("/accounts/data/delete/", {"password": PASSWORD})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_export_holds_ones_own_data_and_no_one_elses(db, client, area, resident):
    resident.profile.phone = PHONE
    resident.profile.save()
    other = make_user(roles.RESIDENT, area=area, verified=True)
    project = make_project(area=area, proposer=resident)
    Comment.objects.create(project=project, author=resident, body="my own words")
    Comment.objects.create(project=project, author=other, body="someone else's")
    client.force_login(resident)

    response = client.get("/en/accounts/data/?format=json")

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["nanxi"]["account"][0]["email"] == resident.email
    assert data["nanxi"]["profile"][0]["phone"] == PHONE
    assert [c["body"] for c in data["projects"]["comments"]] == ["my own words"]
    assert [p["id"] for p in data["projects"]["projects"]] == [project.pk]
    assert other.email not in response.content.decode()

    page = client.get("/en/accounts/data/").content.decode()
    assert "my own words" in page and "someone else" not in page
    assert resident.email in page and other.email not in page


def test_the_export_asks_the_database_a_fixed_number_of_times(
    db, client, area, resident, django_assert_max_num_queries
):
    project = make_project(area=area, proposer=resident)
    client.force_login(resident)
    with django_assert_max_num_queries(16) as few:
        client.get("/accounts/data/")
    Comment.objects.bulk_create(
        [Comment(project=project, author=resident, body=f"c{n}") for n in range(40)]
    )
    for n in range(5):
        make_project(area=area, proposer=resident, title=f"项目{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/accounts/data/")


def test_every_app_part_is_registered():
    labels = [part.app_label for part in personal_data.parts()]
    assert labels[0] == "nanxi" and "projects" in labels


# --- deleting an account ----------------------------------------------------------------------


@pytest.fixture
def active_resident(db, area, client):
    """A resident with a proposal, a comment and a vote on someone else's project."""
    user = make_user(roles.RESIDENT, area=area, verified=True)
    user.profile.display_name = "王阿姨"
    user.profile.phone = PHONE
    user.profile.save()
    mine = make_project(area=area, proposer=user)
    Comment.objects.create(project=mine, author=user, body="请大家支持")
    client.force_login(user)
    return user, mine


def test_wrong_password_deletes_nothing(client, active_resident):
    user, _project = active_resident
    response = client.post(
        "/en/accounts/data/delete/", {"password": "wrong", "confirm": "on"}
    )
    assert response.status_code == 200
    assert "This is not your password." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email and user.profile.phone == PHONE
    assert EmailAddress.objects.filter(user=user).exists()


def test_missing_confirmation_deletes_nothing(client, active_resident):
    user, _project = active_resident
    response = client.post("/en/accounts/data/delete/", {"password": PASSWORD})
    assert "Tick the box to confirm." in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email


def test_deleting_erases_personal_data_and_keeps_the_record_anonymised(
    client, area, active_resident
):
    user, project = active_resident
    email = user.email
    votes_before = Vote.objects.filter(project__area=area).count()

    response = client.post(
        "/en/accounts/data/delete/", {"password": PASSWORD, "confirm": "on"}
    )

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert user.email == "" and email not in user.username
    assert not EmailAddress.objects.filter(user=user).exists()
    profile = user.profile
    assert (profile.display_name, profile.phone, profile.area) == ("", "", None)
    assert profile.erased_at is not None
    # The record stays, shown without a name.
    assert Project.objects.filter(pk=project.pk, proposer=user).exists()
    assert Comment.objects.filter(author=user).count() == 1
    assert Vote.objects.filter(project__area=area).count() == votes_before
    page = Client().get(f"/en/projects/{project.pk}/").content.decode()
    assert "Deleted resident" in page and "王阿姨" not in page
    # And the account cannot log in again.
    again = Client().post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert "_auth_user_id" not in again.wsgi_request.session


def test_a_deleted_accounts_other_sessions_end(area, active_resident):
    user, _project = active_resident
    elsewhere = Client()
    elsewhere.force_login(user)
    services.account_erase(user=user, by=user)
    assert elsewhere.get("/accounts/data/").status_code == 302


def test_no_one_deletes_someone_elses_account(db, area, resident):
    other = make_user(roles.AREA_STAFF, area=area)
    with pytest.raises(PermissionDenied):
        services.account_erase(user=resident, by=other)
    resident.refresh_from_db()
    assert resident.is_active and resident.email


def test_staff_deleting_a_user_in_the_admin_uses_the_same_service(
    db, client, area, active_resident
):
    user, project = active_resident
    operator = UserFactory(is_staff=True, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(operator)

    confirm = admin_client.get(f"/admin/auth/user/{user.pk}/delete/")
    assert confirm.status_code == 200
    response = admin_client.post(f"/admin/auth/user/{user.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.is_active and user.email == "" and user.profile.erased_at
    assert Project.objects.filter(pk=project.pk).exists()


def test_bulk_delete_in_the_admin_erases_each_user(db, area):
    operator = UserFactory(is_staff=True, is_superuser=True)
    people = [make_user(roles.RESIDENT, area=area, verified=True) for _ in range(2)]
    for person in people:
        make_project(area=area, proposer=person)
    admin_client = Client()
    admin_client.force_login(operator)
    response = admin_client.post(
        "/admin/auth/user/",
        {
            "action": "delete_selected",
            "_selected_action": [p.pk for p in people],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert (
        User.objects.filter(pk__in=[p.pk for p in people], is_active=False).count() == 2
    )


# --- staff see phones only where they verify, and it is logged ---------------------------------


def test_the_verification_page_shows_phones_and_logs_each_view(
    db, client, area, other_area, area_staff, django_assert_max_num_queries
):
    waiting = [make_user(roles.RESIDENT, area=area) for _ in range(3)]
    for number, person in enumerate(waiting[:2]):
        person.profile.phone = f"1380000000{number}"
        person.profile.save()
    elsewhere = make_user(roles.RESIDENT, area=other_area)
    elsewhere.profile.phone = "13999999999"
    elsewhere.profile.save()
    client.force_login(area_staff)

    with django_assert_max_num_queries(10):
        page = client.get("/en/accounts/residents/").content.decode()

    assert "13800000000" in page and "13800000001" in page
    assert "13999999999" not in page
    logged = PersonalDataAccess.objects.filter(viewer=area_staff)
    assert sorted(logged.values_list("subject_id", flat=True)) == sorted(
        p.pk for p in waiting[:2]
    )
    assert set(logged.values_list("what", flat=True)) == {"phone"}


def test_residents_cannot_open_the_verification_page(db, client, resident):
    client.force_login(resident)
    assert client.get("/accounts/residents/").status_code == 403
    assert not PersonalDataAccess.objects.exists()


def test_the_profile_admin_does_not_show_phones(db, client, area):
    person = make_user(roles.RESIDENT, area=area)
    person.profile.phone = PHONE
    person.profile.save()
    operator = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(operator)
    page = client.get(f"/admin/nanxi/profile/{person.profile.pk}/change/")
    assert page.status_code == 200
    assert PHONE not in page.content.decode()


def test_a_resident_sees_who_was_shown_their_phone(db, client, area, area_staff):
    person = make_user(roles.RESIDENT, area=area)
    person.profile.phone = PHONE
    person.profile.save()
    staff_client = Client()
    staff_client.force_login(area_staff)
    staff_client.get("/accounts/residents/")
    client.force_login(person)
    data = client.get("/accounts/data/?format=json").json()
    assert len(data["nanxi"]["personal_data_accesses"]) == 1


def test_vote_cast_still_counts_after_the_voter_is_deleted(db, area):
    voter = make_user(roles.RESIDENT, area=area, verified=True)
    project = make_project(area=area, step=6)
    project_services.vote_cast(project=project, voter=voter, choice="support")
    before = Vote.objects.filter(project=project).count()
    services.account_erase(user=voter, by=voter)
    assert Vote.objects.filter(project=project).count() == before


def test_the_export_holds_ones_needs_and_supports(db, client, area, resident):
    from projects import services as project_services

    other = make_user(roles.RESIDENT, area=area, verified=True)
    mine = project_services.need_post(
        by=resident, title="楼道装灯", body="晚上太暗", area=area
    )
    theirs = project_services.need_post(
        by=other, title="加装扶手", body="老人上楼难", area=area
    )
    project_services.need_support(need=theirs, by=resident)
    client.force_login(resident)
    data = client.get("/en/accounts/data/?format=json").json()
    assert [n["title"] for n in data["projects"]["needs"]] == [mine.title]
    assert [s["need_title"] for s in data["projects"]["need_supports"]] == [
        theirs.title
    ]


def test_the_readable_export_says_choices_in_words_and_times_the_portals_way(
    db, client, area, resident
):
    project = make_project(area=area, step=6)
    project_services.vote_cast(project=project, voter=resident, choice="support")
    client.force_login(resident)
    page = client.get("/accounts/data/").content.decode()
    assert "<td>赞成</td>" in page and "<td>support</td>" not in page
    assert re.search(r"<td>\d{4}-\d{2}-\d{2} \d{2}:\d{2}</td>", page)
    data = json.loads(client.get("/accounts/data/?format=json").content)
    assert data["projects"]["votes"][0]["choice"] == "support"
