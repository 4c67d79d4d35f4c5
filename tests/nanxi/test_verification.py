"""Verifying a resident: a confirmation with the details to check, or a decline with
a reason the resident is told, can act on, and answer by asking again."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from nanxi import (
    demo,
    notifications,
    permissions,
    personal_data,
    roles,
    selectors,
    services,
)
from nanxi.models import (
    Notification,
    NotificationPreference,
    PersonalDataAccess,
    Profile,
    VerificationDecline,
)
from tests.factories import make_user

REASON = "No room 1202 in our register: please check your room."


def waiting(area, **details):
    user = make_user(roles.RESIDENT, area=area)
    Profile.objects.filter(user=user).update(**details)
    return Profile.objects.select_related("user", "area").get(user=user)


def fresh(profile) -> Profile:
    return Profile.objects.get(pk=profile.pk)


def review_url(profile) -> str:
    return f"/en/accounts/residents/{profile.pk}/"


def confirm(client, profile, **data):
    return client.post(
        f"{review_url(profile)}verify/",
        {"confirm": "on", "details": profile.details_key(), **data},
    )


def decline(client, profile, reason=REASON):
    return client.post(f"{review_url(profile)}decline/", {"reason": reason})


# --- verifying: a confirmation on the page of the details -------------------------------------


def test_the_list_shows_what_to_check_and_links_to_the_confirmation(
    client, area, area_staff
):
    person = waiting(area, display_name="陈阿姨", room="4号201室", phone="13800000001")
    client.force_login(area_staff)
    body = client.get("/en/accounts/residents/").content.decode()
    for shown in ("陈阿姨", "4号201室", "13800000001", area.name):
        assert shown in body
    assert timezone.localtime(person.user.date_joined).strftime("%Y-%m-%d") in body
    assert review_url(person) in body
    # No one-click verification on the list.
    assert "/verify/" not in body


def test_the_confirmation_page_asks_about_the_place_and_logs_the_phone(
    client, area, area_staff
):
    person = waiting(area, room="302", phone="13800000002")
    client.force_login(area_staff)
    body = client.get(review_url(person)).content.decode()
    assert (
        f"Do you confirm that this resident lives at {area.name} residential area "
        "302?" in body
    )
    assert "13800000002" in body
    assert PersonalDataAccess.objects.filter(
        viewer=area_staff, subject=person.user, what="phone"
    ).exists()


def test_a_get_of_the_verification_changes_nothing(client, area, area_staff):
    person = waiting(area)
    client.force_login(area_staff)
    response = client.get(f"{review_url(person)}verify/")
    assert response.status_code == 302
    assert response["Location"] == review_url(person)
    assert not fresh(person).is_verified


def test_a_post_without_the_confirmation_changes_nothing(client, area, area_staff):
    person = waiting(area)
    client.force_login(area_staff)
    response = client.post(f"{review_url(person)}verify/")
    assert response.status_code == 200
    assert "Confirm on this page" in response.content.decode()
    assert not fresh(person).is_verified
    assert not Notification.objects.filter(recipient=person.user).exists()


def test_confirming_verifies_and_tells_the_resident(client, area, area_staff):
    person = waiting(area)
    client.force_login(area_staff)
    response = confirm(client, person)
    assert response.status_code == 302
    stored = fresh(person)
    assert stored.is_verified and stored.verified_by == area_staff
    assert Notification.objects.filter(
        recipient=person.user, kind=notifications.ACCOUNT_VERIFIED
    ).exists()


def test_details_changed_after_the_page_was_opened_are_not_verified(
    client, area, area_staff
):
    person = waiting(area, room="302")
    seen = person.details_key()
    services.profile_update(
        profile=person, by=person.user, area=area, room="1202", display_name=""
    )
    client.force_login(area_staff)
    response = client.post(
        f"{review_url(person)}verify/", {"confirm": "on", "details": seen}, follow=True
    )
    assert "changed their details" in response.content.decode()
    assert "1202" in response.content.decode()  # the page shows them again
    assert not fresh(person).is_verified


def test_verifying_twice_is_refused_and_keeps_the_first(area, area_staff, street_staff):
    person = waiting(area)
    services.profile_verify(profile=person, by=area_staff)
    with pytest.raises(ValidationError, match="已经核实"):
        services.profile_verify(profile=fresh(person), by=street_staff)
    assert fresh(person).verified_by == area_staff


@pytest.mark.parametrize("action", ["review", "verify", "decline"])
def test_staff_of_another_area_are_refused(client, area, other_area, action):
    person = waiting(area)
    outsider = make_user(roles.AREA_STAFF, area=other_area)
    client.force_login(outsider)
    if action == "review":
        response = client.get(review_url(person))
    elif action == "verify":
        response = confirm(client, person)
    else:
        response = decline(client, person)
    assert response.status_code == 403
    stored = fresh(person)
    assert not stored.is_verified and not stored.is_declined
    assert not PersonalDataAccess.objects.filter(viewer=outsider).exists()
    assert person.pk not in [p.pk for p in selectors.unverified_residents(outsider)] + [
        p.pk for p in selectors.declined_residents(outsider)
    ]


def test_the_services_refuse_staff_of_another_area(area, other_area):
    person = waiting(area)
    outsider = make_user(roles.AREA_STAFF, area=other_area)
    with pytest.raises(PermissionDenied):
        services.profile_decline(profile=person, by=outsider, reason=REASON)
    assert not VerificationDecline.objects.exists()


def test_a_person_without_an_area_has_nothing_to_verify(client, street_staff):
    person = make_user(roles.RESIDENT, area=None)
    client.force_login(street_staff)
    assert client.get(review_url(person.profile)).status_code == 404
    assert confirm(client, person.profile).status_code == 404


def test_residents_cannot_decide(client, area, resident):
    person = waiting(area)
    client.force_login(resident)
    assert client.get(review_url(person)).status_code == 403
    assert decline(client, person).status_code == 403
    assert not fresh(person).is_declined


# --- declining, with a reason ---------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   ", "x" * 301])
def test_a_decline_without_a_reason_or_too_long_is_refused(
    client, area, area_staff, reason
):
    person = waiting(area)
    client.force_login(area_staff)
    response = decline(client, person, reason)
    assert response.status_code == 200
    assert response.context["decline_form"].errors["reason"]
    assert not fresh(person).is_declined
    assert not VerificationDecline.objects.exists()
    assert not Notification.objects.filter(recipient=person.user).exists()


def test_the_service_refuses_a_blank_reason(area, area_staff):
    person = waiting(area)
    with pytest.raises(ValidationError) as refused:
        services.profile_decline(profile=person, by=area_staff, reason=" \n ")
    assert "reason" in refused.value.message_dict
    assert not VerificationDecline.objects.exists()


def test_declining_records_who_when_why_and_tells_the_resident(
    client, area, area_staff, mailoutbox, django_capture_on_commit_callbacks
):
    person = waiting(area)
    client.force_login(area_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = decline(client, person)
    assert response.status_code == 302
    stored = fresh(person)
    assert stored.is_declined and not stored.is_verified
    record = stored.verification_decline
    assert (record.declined_by, record.reason) == (area_staff, REASON)
    assert record.declined_at <= timezone.now()
    [notice] = Notification.objects.filter(
        recipient=person.user, kind=notifications.VERIFICATION_DECLINED
    )
    assert REASON in notice.text_en and REASON in notice.text
    assert notice.link.endswith("/accounts/profile/")
    # By e-mail too, unless they chose the inbox only.
    [message] = mailoutbox
    assert message.to == [person.user.email]
    # Nothing was deleted: the resident is still a resident of the area.
    assert Profile.objects.filter(pk=person.pk, area=area).exists()
    assert person.user.groups.filter(name=roles.RESIDENT).exists()


def test_a_resident_who_chose_the_inbox_only_gets_no_mail(
    area, area_staff, mailoutbox, django_capture_on_commit_callbacks
):
    person = waiting(area)
    NotificationPreference.objects.create(
        user=person.user, kind=notifications.VERIFICATION_DECLINED, email=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.profile_decline(profile=person, by=area_staff, reason=REASON)
    assert Notification.objects.filter(recipient=person.user).count() == 1
    assert mailoutbox == []


def test_a_verified_resident_cannot_be_declined(client, area, area_staff):
    person = waiting(area)
    services.profile_verify(profile=person, by=area_staff)
    with pytest.raises(ValidationError, match="已经核实"):
        services.profile_decline(profile=fresh(person), by=area_staff, reason=REASON)
    client.force_login(area_staff)
    response = decline(client, person)
    assert response.status_code == 302
    stored = fresh(person)
    assert stored.is_verified and not stored.is_declined
    assert not VerificationDecline.objects.exists()
    # The page offers no decline for them.
    assert "Decline and tell the resident" not in (
        client.get(review_url(person)).content.decode()
    )


def test_declining_twice_is_refused(area, area_staff):
    person = waiting(area)
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    with pytest.raises(ValidationError, match="已标为未通过"):
        services.profile_decline(profile=fresh(person), by=area_staff, reason="again")
    assert VerificationDecline.objects.count() == 1


def test_a_declined_resident_can_later_be_verified_and_the_decline_stays(
    client, area, area_staff
):
    person = waiting(area)
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    client.force_login(area_staff)
    assert confirm(client, fresh(person)).status_code == 302
    stored = fresh(person)
    assert stored.is_verified and not stored.is_declined
    assert VerificationDecline.objects.filter(profile=person, reason=REASON).exists()


# --- the resident sees the reason and asks again -----------------------------------------------


def test_the_resident_sees_the_reason_on_their_profile(client, area, area_staff):
    person = waiting(area)
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    client.force_login(person.user)
    body = client.get("/en/accounts/profile/").content.decode()
    assert REASON in body and "Ask again" in body


def test_asking_again_puts_the_resident_back_on_the_list(client, area, area_staff):
    person = waiting(area)
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    assert person.pk not in [p.pk for p in selectors.unverified_residents(area_staff)]
    assert [p.pk for p in selectors.declined_residents(area_staff)] == [person.pk]
    client.force_login(person.user)
    assert client.post("/en/accounts/profile/ask-again/").status_code == 302
    stored = fresh(person)
    assert stored.is_waiting and not stored.is_declined
    assert [p.pk for p in selectors.unverified_residents(area_staff)] == [person.pk]
    # The decline stays on record.
    assert VerificationDecline.objects.filter(profile=person).count() == 1
    client.force_login(area_staff)
    body = client.get(review_url(person)).content.decode()
    assert "Declined before" in body and REASON in body


def test_asking_again_without_a_decline_is_refused(area, resident):
    with pytest.raises(ValidationError):
        services.profile_ask_again(profile=resident.profile, by=resident)


def test_no_one_asks_again_for_someone_else(area, area_staff):
    person = waiting(area)
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    with pytest.raises(PermissionDenied):
        services.profile_ask_again(profile=fresh(person), by=area_staff)
    assert fresh(person).is_declined


@pytest.mark.parametrize(
    "change", [{"room": "1203"}, {"area": "other"}, {"building_group": "group"}]
)
def test_correcting_where_one_lives_asks_again(area, other_area, area_staff, change):
    from buildings.models import BuildingGroup

    person = waiting(area, room="1202")
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    details = {"area": area, "room": "1202", "building_group": None}
    if change.get("area"):
        details["area"] = other_area
    if change.get("building_group"):
        details["building_group"] = BuildingGroup.objects.create(
            name="升平街65号", area=area
        )
    if change.get("room"):
        details["room"] = change["room"]
    services.profile_update(profile=fresh(person), by=person.user, **details)
    stored = fresh(person)
    assert not stored.is_declined and stored.is_waiting
    assert VerificationDecline.objects.filter(profile=person).count() == 1


def test_changing_only_the_name_keeps_the_decline(area, area_staff):
    person = waiting(area, room="1202")
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    services.profile_update(
        profile=fresh(person),
        by=person.user,
        area=area,
        room="1202",
        display_name="赵先生",
    )
    assert fresh(person).is_declined


def test_the_room_is_entered_on_the_profile_with_a_limit(client, area):
    person = waiting(area)
    client.force_login(person.user)
    data = {"area": area.pk, "display_name": "", "phone": "", "building_group": ""}
    response = client.post("/en/accounts/profile/", {**data, "room": "x" * 21})
    assert response.status_code == 200
    assert response.context["form"].errors["room"]
    assert fresh(person).room == ""
    response = client.post("/en/accounts/profile/", {**data, "room": " 302室 "})
    assert response.status_code == 302
    assert fresh(person).room == "302室"


# --- personal data ---------------------------------------------------------------------------


def test_the_export_holds_the_room_and_the_declines(area, area_staff):
    person = waiting(area, room="1202室")
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    exported = personal_data.as_json(personal_data.gather(person.user))["nanxi"]
    [profile] = exported["profile"]
    assert profile["room"] == "1202室"
    assert profile["verification_declined"] is True
    [record] = exported["verification_declines"]
    assert record["reason"] == REASON
    assert record["declined_by"] == str(fresh(area_staff.profile))
    assert record["declined_at"] is not None


def test_erasing_the_account_clears_the_room_and_the_declines(area, area_staff):
    person = waiting(area, room="1202室")
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    services.account_erase(user=person.user, by=person.user)
    stored = fresh(person)
    assert (stored.room, stored.verification_decline) == ("", None)
    assert not VerificationDecline.objects.filter(profile=person).exists()
    exported = personal_data.as_json(personal_data.gather(person.user))["nanxi"]
    assert exported["verification_declines"] == []


# --- the page's cost, the help page, the demo ----------------------------------------------------


def test_the_list_asks_a_fixed_number_of_queries(
    client, area, area_staff, django_assert_max_num_queries
):
    people = [waiting(area, phone=f"138000000{n:02d}") for n in range(30)]
    for person in people[:10]:
        services.profile_decline(profile=person, by=area_staff, reason=REASON)
    client.force_login(area_staff)
    client.get("/en/accounts/residents/")  # the person's cache, warm
    with django_assert_max_num_queries(10):
        response = client.get("/en/accounts/residents/")
    assert len(response.context["unverified"]) == 20
    assert len(response.context["declined"]) == 10


def test_the_confirmation_page_asks_a_fixed_number_of_queries(
    client, area, area_staff, django_assert_max_num_queries
):
    person = waiting(area, phone="13800000009")
    for _ in range(5):
        services.profile_decline(profile=fresh(person), by=area_staff, reason=REASON)
        services.profile_ask_again(profile=fresh(person), by=person.user)
    client.force_login(area_staff)
    with django_assert_max_num_queries(12):
        response = client.get(review_url(person))
    assert len(response.context["earlier"]) == 5


def test_how_verification_works_is_public(client, db):
    response = client.get("/en/accounts/verification/")
    assert response.status_code == 200
    assert "How verification works" in response.content.decode()


def test_the_demo_has_a_declined_and_a_waiting_resident(db):
    demo.load(io.StringIO())
    demo.load(io.StringIO())  # twice: nothing more
    declined = Profile.objects.filter(verification_decline__isnull=False)
    assert declined.count() == 1
    assert declined.get().verification_decline.reason
    assert VerificationDecline.objects.count() == 1
    assert (
        Profile.objects.filter(
            verified_at=None, verification_decline=None, area__isnull=False
        )
        .exclude(user__groups__name__in=[roles.AREA_STAFF, roles.STREET_STAFF])
        .exists()
    )
    assert not declined.filter(verified_at__isnull=False).exists()


# --- a resident's own save does not undo the committee's decision ---------------------


@pytest.mark.parametrize("decision", ["verify", "decline"])
def test_a_profile_saved_after_a_decision_keeps_it(area, area_staff, decision):
    person = waiting(area, room="1202", phone="13800000011")
    loaded = fresh(person)  # the resident's page loads the profile…
    if decision == "verify":  # …staff decide meanwhile…
        services.profile_verify(profile=fresh(person), by=area_staff)
    else:
        services.profile_decline(profile=fresh(person), by=area_staff, reason=REASON)
    services.profile_update(  # …and the resident saves a new name.
        profile=loaded,
        by=person.user,
        area=area,
        room="1202",
        phone="13800000011",
        display_name="赵先生",
    )
    stored = fresh(person)
    assert stored.display_name == "赵先生"
    if decision == "verify":
        assert stored.is_verified and stored.verified_by == area_staff
    else:
        assert stored.is_declined and stored.verification_decline.reason == REASON
    assert loaded.display_name == "赵先生" and loaded.is_verified == stored.is_verified


def test_a_profile_saved_after_a_verification_still_moves_out_of_it(
    area, other_area, area_staff
):
    person = waiting(area)
    loaded = fresh(person)
    services.profile_verify(profile=fresh(person), by=area_staff)
    services.profile_update(profile=loaded, by=person.user, area=other_area)
    stored = fresh(person)
    assert stored.area == other_area
    assert not stored.is_verified and stored.verified_by is None


# --- a verified resident's page shows no phone -------------------------------------------


def test_a_verified_residents_page_says_so_without_phone_or_log(
    client, area, area_staff
):
    person = waiting(area, room="302", phone="13800000012")
    person.user.email = "chen@example.com"
    person.user.save(update_fields=["email"])
    services.profile_verify(profile=person, by=area_staff)
    client.force_login(area_staff)
    response = client.get(review_url(person))
    assert response.status_code == 200
    body = response.content.decode()
    assert "13800000012" not in body and "chen@example.com" not in body
    assert "This resident is verified" in body
    assert "Yes, verify this resident" not in body
    assert not PersonalDataAccess.objects.filter(subject=person.user).exists()


def test_a_declined_residents_page_shows_the_phone_and_logs_it(
    client, area, area_staff
):
    person = waiting(area, phone="13800000013")
    services.profile_decline(profile=person, by=area_staff, reason=REASON)
    client.force_login(area_staff)
    body = client.get(review_url(person)).content.decode()
    assert "13800000013" in body and "This resident is verified" not in body
    assert PersonalDataAccess.objects.filter(
        viewer=area_staff, subject=person.user, what="phone"
    ).exists()


@pytest.mark.parametrize(
    ("state", "shown"), [("waiting", True), ("declined", True), ("verified", False)]
)
def test_who_sees_a_residents_contact(area, other_area, area_staff, state, shown):
    person = waiting(area)
    if state == "declined":
        services.profile_decline(profile=person, by=area_staff, reason=REASON)
    elif state == "verified":
        services.profile_verify(profile=person, by=area_staff)
    person = fresh(person)
    assert permissions.can_see_contact(area_staff, person) is shown
    assert not permissions.can_see_contact(
        make_user(roles.AREA_STAFF, area=other_area), person
    )
    assert not permissions.can_see_contact(person.user, person)


# --- the help page's button: visitors and residents never share it ---------------------


@pytest.mark.parametrize("visitor_first", [True, False])
def test_the_help_page_offers_each_their_own_button(area, settings, visitor_first):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 30
    visitor, resident = Client(), Client()
    resident.force_login(make_user(roles.RESIDENT, area=area))
    order = [visitor, resident] if visitor_first else [resident, visitor]
    pages = {}
    for browser in order:
        browser.get("/en/accounts/verification/")
        again = browser.get("/en/accounts/verification/")
        assert again.context is None  # served from the cache the second time
        pages[browser] = again.content.decode().split("<article", 1)[1]
    assert "/accounts/signup/" in pages[visitor]
    assert "/accounts/profile/" not in pages[visitor]
    assert "/accounts/profile/" in pages[resident]
    assert "/accounts/signup/" not in pages[resident]
