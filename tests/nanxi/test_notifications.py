"""/notifications/: an inbox, e-mail for those who chose it, each notice once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from nanxi import notifications, roles
from nanxi import services as nanxi_services
from nanxi.models import Notification, NotificationPreference, Profile
from nanxi.tasks import send_notification
from projects import notices, services
from projects.models import Pledge, StepCode
from tests.factories import make_user
from tests.projects.helpers import make_project


def texts(user, kind=None) -> list[str]:
    notices_of = Notification.objects.filter(recipient=user)
    if kind:
        notices_of = notices_of.filter(kind=kind)
    return list(notices_of.order_by("pk").values_list("text", flat=True))


# --- the service ---------------------------------------------------------------------------


def test_the_same_event_notifies_once(resident, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            notifications.notify(
                recipients=[resident],
                kind=notices.MY_PROPOSAL,
                text="你的提案已受理",
                link="/projects/1/",
                key="test:1",
            )
    assert Notification.objects.filter(recipient=resident).count() == 1
    assert len(mail.outbox) == 1  # my proposals: e-mail by default


def test_inbox_only_sends_no_mail(resident, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(
        user=resident, kind=notices.MY_PROPOSAL, email=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(
            recipients=[resident], kind=notices.MY_PROPOSAL, text="x", key="test:2"
        )
    assert Notification.objects.count() == 1 and mail.outbox == []


def test_no_mail_when_the_transaction_rolls_back(resident):
    # Without a commit the callbacks never run: nothing is queued.
    notifications.notify(
        recipients=[resident], kind=notices.MY_PROPOSAL, text="x", key="test:3"
    )
    assert mail.outbox == []


def test_a_notice_is_emailed_at_most_once(resident):
    notice = Notification.objects.create(
        recipient=resident, kind=notices.MY_PROPOSAL, text="已完成", key="test:4"
    )
    assert send_notification.apply(kwargs={"notification_id": notice.pk}).get()
    assert not send_notification.apply(kwargs={"notification_id": notice.pk}).get()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [resident.email]


def test_failed_send_gives_the_claim_back(resident, monkeypatch):
    notice = Notification.objects.create(
        recipient=resident, kind=notices.MY_PROPOSAL, text="x", key="test:5"
    )

    def refuse(self):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)
    with pytest.raises(OSError):
        send_notification.apply(
            kwargs={"notification_id": notice.pk}, throw=True, retries=5
        ).get()
    assert Notification.objects.get().emailed_at is None


def test_unknown_kind_is_a_programming_error(resident):
    with pytest.raises(ValueError):
        notifications.notify(recipients=[resident], kind="nope", text="x", key="k")


# --- the hooks ------------------------------------------------------------------------------------


def test_proposer_is_told_of_acceptance_moves_and_rejection(area, area_staff, resident):
    project = make_project(area=area, proposer=resident, staff=area_staff)
    assert texts(resident) == []  # submitting it oneself is no news
    services.project_move(project=project, to_step=4, by=area_staff)
    services.project_move(project=project, to_step=5, by=area_staff)
    services.project_reject(project=project, by=area_staff, reason="与规划冲突")
    told = texts(resident)
    assert len(told) == 3
    assert "与规划冲突" in told[2]
    assert (
        Notification.objects.filter(
            recipient=resident, link=f"/projects/{project.pk}/"
        ).count()
        == 3
    )


def test_vote_opened_tells_the_verified_residents_of_the_area(
    area, other_area, area_staff, resident
):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    unverified = make_user(roles.RESIDENT, area=area)
    outsider = make_user(roles.RESIDENT, area=other_area, verified=True)
    services.project_move(
        project=project,
        to_step=6,
        by=area_staff,
        vote_closes_on=timezone.localdate() + timedelta(days=7),
    )
    opened = Notification.objects.filter(kind=notices.VOTE_OPENED)
    assert set(opened.values_list("recipient", flat=True)) == {
        resident.pk,
        project.proposer_id,
    }
    assert not Notification.objects.filter(recipient__in=[unverified, outsider])


def test_pledger_is_told_of_confirmation_and_expiry(area, area_staff, resident):
    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    pledge = services.pledge_make(project=project, by=resident, amount="20")
    services.pledge_confirm(
        pledge=pledge, by=area_staff, received_on=timezone.localdate()
    )
    late = make_user(roles.RESIDENT, area=area, verified=True)
    stale = services.pledge_make(project=project, by=late, amount="30")
    Pledge.objects.filter(pk=stale.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    services.pledges_expire()
    services.pledges_expire()
    mine = texts(resident, notices.MY_PLEDGE)
    theirs = texts(late, notices.MY_PLEDGE)
    assert len(mine) == 1 and "20" in mine[0]
    assert len(theirs) == 1 and "30" in theirs[0]


def test_resident_is_told_when_verified(area, area_staff):
    person = make_user(roles.RESIDENT, area=area)
    nanxi_services.profile_verify(
        profile=Profile.objects.get(user=person), by=area_staff
    )
    assert len(texts(person)) == 1


# --- pages ---------------------------------------------------------------------------------------


def test_header_shows_the_unread_count_and_opening_reads(client, resident):
    notice = Notification.objects.create(
        recipient=resident,
        kind=notices.MY_PROPOSAL,
        text="你的提案已受理",
        link="/projects/",
        key="test:6",
    )
    client.force_login(resident)
    body = client.get("/notifications/").content.decode()
    assert 'class="badge"' in body and "你的提案已受理" in body
    response = client.get(f"/notifications/{notice.pk}/")
    assert response.status_code == 302 and response["Location"] == "/projects/"
    assert 'class="badge"' not in client.get("/notifications/").content.decode()


def test_mark_all_read(client, resident):
    for n in range(3):
        Notification.objects.create(
            recipient=resident, kind=notices.MY_PROPOSAL, text=f"n{n}", key=f"t:{n}"
        )
    client.force_login(resident)
    client.post("/notifications/read/")
    assert not Notification.objects.filter(read_at=None).exists()


def test_others_notices_are_not_found(client, resident, area):
    other = make_user(roles.RESIDENT, area=area)
    notice = Notification.objects.create(
        recipient=other, kind=notices.MY_PROPOSAL, text="x", key="t:x"
    )
    client.force_login(resident)
    assert client.get(f"/notifications/{notice.pk}/").status_code == 404
    assert Notification.objects.get().read_at is None


def test_outside_links_are_not_followed(client, resident):
    notice = Notification.objects.create(
        recipient=resident,
        kind=notices.MY_PROPOSAL,
        text="x",
        link="https://evil.example/",
        key="t:evil",
    )
    client.force_login(resident)
    response = client.get(f"/notifications/{notice.pk}/")
    assert response["Location"] == "/notifications/"


def test_choose_email_per_kind(client, resident):
    client.force_login(resident)
    assert client.get("/notifications/settings/").status_code == 200
    client.post("/notifications/settings/", {"email": [notices.VOTE_OPENED]})
    chosen = dict(
        NotificationPreference.objects.filter(user=resident).values_list(
            "kind", "email"
        )
    )
    assert chosen[notices.VOTE_OPENED] is True
    assert chosen[notices.MY_PROPOSAL] is False


def test_inbox_needs_login(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_header_count_costs_no_query(client, resident, django_assert_max_num_queries):
    Notification.objects.create(
        recipient=resident, kind=notices.MY_PROPOSAL, text="x", key="t:q"
    )
    client.force_login(resident)
    client.get("/projects/")
    with django_assert_max_num_queries(10):
        body = client.get("/projects/").content.decode()
    assert 'class="badge"' in body


def test_the_inbox_speaks_the_page_language(client, area, area_staff, resident):
    project = make_project(area=area, proposer=resident, staff=area_staff)
    services.project_move(project=project, to_step=4, by=area_staff)
    services.project_move(project=project, to_step=5, by=area_staff)
    client.force_login(resident)
    english = client.get("/en/notifications/").content.decode()
    chinese = client.get("/notifications/").content.decode()
    assert "has been accepted by the residents" in english
    assert "has moved on to step 5: Consult" in english
    assert "已被居委会受理" in chinese and "已进入第5步" in chinese
    assert "has been accepted" not in chinese


def test_a_notice_opened_on_an_english_page_leads_to_the_english_page(
    client, area, area_staff, resident
):
    project = make_project(area=area, proposer=resident, staff=area_staff)
    services.project_move(project=project, to_step=4, by=area_staff)
    notice = Notification.objects.get(recipient=resident)
    client.force_login(resident)
    response = client.get(f"/en/notifications/{notice.pk}/")
    assert response["Location"] == f"/en/projects/{project.pk}/"
    response = client.get(f"/notifications/{notice.pk}/")
    assert response["Location"] == f"/projects/{project.pk}/"


def test_a_plain_text_notice_has_no_english_and_shows_its_own(resident):
    notifications.notify(
        recipients=[resident],
        kind=notifications.ACCOUNT_VERIFIED,
        text="纯文本",
        key="t",
    )
    notice = Notification.objects.get(recipient=resident)
    assert notice.text_en == ""
    from django.utils import translation

    with translation.override("en"):
        assert notice.shown_text == "纯文本"
