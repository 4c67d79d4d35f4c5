"""自治众筹金 pledges: a resident promises, staff confirm the money came, or it expires."""

import logging
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from nanxi import roles
from projects import services, tasks
from projects.models import Contribution, Pledge, Project, StepCode
from tests.factories import make_user
from tests.projects.helpers import make_project
from tests.projects.test_services import NOT_A_NUMBER


@pytest.fixture
def funding(area, area_staff):
    return make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)


def english(call):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call()
    return refused.value.messages


def totals(project):
    row = Project.objects.with_totals().get(pk=project.pk)
    return row.raised, row.contributors


# --- services -----------------------------------------------------------------------------------


def test_confirmed_pledge_becomes_a_recorded_contribution(
    funding, resident, area_staff
):
    pledge = services.pledge_make(project=funding, by=resident, amount=" 88.5 ")
    assert pledge.amount == Decimal("88.50") and pledge.status == "pending"
    assert totals(funding) == (Decimal("0.00"), 0)  # a promise counts for nothing yet
    services.pledge_confirm(
        pledge=pledge, by=area_staff, received_on=timezone.localdate()
    )
    pledge.refresh_from_db()
    contribution = pledge.contribution
    assert pledge.status == "confirmed" and pledge.decided_by == area_staff
    assert (contribution.amount, contribution.recorded_by) == (
        Decimal("88.50"),
        area_staff,
    )
    assert contribution.contributed_on == timezone.localdate()
    assert contribution.kind == Contribution.Kind.RESIDENT
    assert totals(funding) == (Decimal("88.50"), 1)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("abc", NOT_A_NUMBER),
        ("1e3", NOT_A_NUMBER),
        ("-5", "金额必须大于 0 元。"),
        ("1.234", "金额最多保留两位小数。"),
        ("0", "金额必须大于 0 元。"),
        ("1000000.01", "单笔众筹金不能超过 1,000,000 元。"),
    ],
)
def test_bad_pledge_amounts_are_refused_like_contributions(
    funding, resident, raw, message
):
    with translation.override("zh-hans"), pytest.raises(ValidationError) as refused:
        services.pledge_make(project=funding, by=resident, amount=raw)
    assert refused.value.messages == [message]
    assert not Pledge.objects.exists()


def test_a_second_waiting_pledge_is_refused(funding, resident):
    services.pledge_make(project=funding, by=resident, amount="50")
    assert english(
        lambda: services.pledge_make(project=funding, by=resident, amount="60")
    ) == [
        "You already have a pledge waiting for confirmation on this project. "
        "Cancel it first to pledge a different amount."
    ]
    assert Pledge.objects.count() == 1


def test_after_cancelling_one_may_pledge_again(funding, resident):
    first = services.pledge_make(project=funding, by=resident, amount="50")
    services.pledge_cancel(pledge=first, by=resident)
    services.pledge_make(project=funding, by=resident, amount="60")
    assert list(Pledge.objects.values_list("status", flat=True)) == [
        "cancelled",
        "pending",
    ]


def test_confirming_twice_records_once(funding, resident, area_staff):
    pledge = services.pledge_make(project=funding, by=resident, amount="50")
    services.pledge_confirm(
        pledge=pledge, by=area_staff, received_on=timezone.localdate()
    )
    assert english(
        lambda: services.pledge_confirm(
            pledge=pledge, by=area_staff, received_on=timezone.localdate()
        )
    ) == ["This pledge is already Received."]
    assert Contribution.objects.count() == 1


def test_unverified_and_outsiders_cannot_pledge(funding, area, other_area):
    unverified = make_user(roles.RESIDENT, area=area)
    outsider = make_user(roles.RESIDENT, area=other_area, verified=True)
    assert english(
        lambda: services.pledge_make(project=funding, by=unverified, amount="50")
    ) == [
        "Your residents' committee has not yet verified that you live in the area. "
        "Until then you cannot pledge."
    ]
    assert english(
        lambda: services.pledge_make(project=funding, by=outsider, amount="50")
    ) == ["Only residents of this project's residential area can pledge."]


def test_someone_else_cannot_cancel_a_pledge(funding, resident, area):
    pledge = services.pledge_make(project=funding, by=resident, amount="50")
    with pytest.raises(PermissionDenied):
        services.pledge_cancel(
            pledge=pledge, by=make_user(roles.RESIDENT, area=area, verified=True)
        )
    assert Pledge.objects.get().status == "pending"


def test_anonymous_pledge_is_recorded_anonymous(funding, resident, area_staff):
    pledge = services.pledge_make(
        project=funding, by=resident, amount="50", anonymous=True
    )
    services.pledge_confirm(
        pledge=pledge, by=area_staff, received_on=timezone.localdate()
    )
    assert Contribution.objects.get().anonymous is True


def test_organisation_contribution(funding, area_staff):
    services.contribution_record(
        project=funding,
        by=area_staff,
        contributor="国际集团",
        amount="1500",
        contributed_on=date(2020, 6, 1),
        kind=Contribution.Kind.ORGANISATION,
    )
    assert Contribution.objects.get().kind == "organisation"


def test_bad_contributor_kind_is_refused(funding, area_staff):
    with pytest.raises(ValidationError):
        services.contribution_record(
            project=funding,
            by=area_staff,
            contributor="某人",
            amount="10",
            contributed_on=date(2020, 6, 1),
            kind="bank",
        )
    assert not Contribution.objects.exists()


# --- expiry ----------------------------------------------------------------------------------------


def test_unconfirmed_pledges_expire_once(funding, resident, area, area_staff, caplog):
    old = services.pledge_make(project=funding, by=resident, amount="50")
    other = make_user(roles.RESIDENT, area=area, verified=True)
    fresh = services.pledge_make(project=funding, by=other, amount="70")
    confirmed_by = make_user(roles.RESIDENT, area=area, verified=True)
    confirmed = services.pledge_make(project=funding, by=confirmed_by, amount="30")
    services.pledge_confirm(
        pledge=confirmed, by=area_staff, received_on=timezone.localdate()
    )
    long_ago = timezone.now() - services.PLEDGE_EXPIRES_AFTER - timedelta(hours=1)
    Pledge.objects.filter(pk__in=[old.pk, confirmed.pk]).update(created_at=long_ago)

    with caplog.at_level(logging.INFO, logger="projects.services"):
        assert services.pledges_expire() == [old.pk]
    assert f"pledge {old.pk} expired" in caplog.text
    assert services.pledges_expire() == []  # the second run changes nothing
    statuses = dict(Pledge.objects.values_list("pk", "status"))
    assert statuses == {
        old.pk: "expired",
        fresh.pk: "pending",
        confirmed.pk: "confirmed",
    }
    with pytest.raises(ValidationError):
        services.pledge_confirm(
            pledge=old, by=area_staff, received_on=timezone.localdate()
        )


def test_expiry_task_runs_the_service(funding, resident):
    pledge = services.pledge_make(project=funding, by=resident, amount="50")
    Pledge.objects.filter(pk=pledge.pk).update(
        created_at=timezone.now() - timedelta(days=30)
    )
    assert tasks.expire_pledges.apply().get() == 1
    assert tasks.expire_pledges.apply().get() == 0


# --- pages ---------------------------------------------------------------------------------------


def test_resident_pledges_on_the_page_and_sees_it_waiting(client, funding, resident):
    client.force_login(resident)
    body = client.get(f"/projects/{funding.pk}/").content.decode()
    assert 'id="pledge"' in body and f'action="/projects/{funding.pk}/pledge/"' in body
    client.post(f"/projects/{funding.pk}/pledge/", {"amount": "66", "anonymous": "on"})
    pledge = Pledge.objects.get()
    assert (pledge.amount, pledge.anonymous, pledge.pledger) == (
        Decimal("66.00"),
        True,
        resident,
    )
    body = client.get(f"/projects/{funding.pk}/").content.decode()
    assert 'id="my-pledge"' in body and "66.00" in body
    client.post(f"/projects/pledges/{pledge.pk}/cancel/")
    assert Pledge.objects.get().status == "cancelled"


def test_bad_pledge_on_the_page_records_nothing(client, funding, resident):
    client.force_login(resident)
    response = client.post(
        f"/projects/{funding.pk}/pledge/", {"amount": "1e3"}, follow=True
    )
    assert not Pledge.objects.exists()
    assert [str(m) for m in response.context["messages"]] == [NOT_A_NUMBER]


def test_page_shows_progress_contributors_and_how_to_pay(
    client, funding, resident, area_staff
):
    services.project_set_payment(
        project=funding,
        by=area_staff,
        transfer_reference="工商银行 尾号1234 备注月季苑",
    )
    resident.profile.display_name = resident_name = "王阿姨"
    resident.profile.save()
    pledge = services.pledge_make(
        project=funding, by=resident, amount="50", anonymous=True
    )
    services.pledge_confirm(
        pledge=pledge, by=area_staff, received_on=timezone.localdate()
    )
    services.contribution_record(
        project=funding,
        by=area_staff,
        contributor="国际集团",
        amount="100",
        contributed_on=timezone.localdate(),
        kind="organisation",
    )
    body = client.get(f"/projects/{funding.pk}/").content.decode()
    assert '<progress class="funding" max="300.00" value="150.00"' in body
    assert 'id="contributors"' in body
    assert resident_name not in body.split('id="crowdfunding"')[1]  # anonymous
    assert "国际集团" in body
    client.force_login(resident)
    body = client.get(f"/projects/{funding.pk}/").content.decode()
    assert "工商银行 尾号1234 备注月季苑" in body
    client.force_login(area_staff)
    body = client.get(f"/projects/{funding.pk}/").content.decode()
    assert resident_name in body  # staff see who gave


def test_staff_confirm_on_the_pledges_page(client, funding, resident, area_staff):
    pledge = services.pledge_make(project=funding, by=resident, amount="50")
    client.force_login(area_staff)
    page = client.get(f"/projects/{funding.pk}/pledges/")
    assert page.status_code == 200 and "50.00" in page.content.decode()
    client.post(
        f"/projects/pledges/{pledge.pk}/confirm/",
        {"received_on": timezone.localdate().isoformat()},
    )
    assert Pledge.objects.get().status == "confirmed"
    assert Contribution.objects.get().amount == Decimal("50.00")


def test_confirm_date_in_the_future_is_refused(client, funding, resident, area_staff):
    pledge = services.pledge_make(project=funding, by=resident, amount="50")
    client.force_login(area_staff)
    client.post(
        f"/projects/pledges/{pledge.pk}/confirm/",
        {"received_on": (timezone.localdate() + timedelta(days=2)).isoformat()},
    )
    assert Pledge.objects.get().status == "pending"


def test_residents_cannot_open_the_pledges_page(client, funding, resident):
    client.force_login(resident)
    assert client.get(f"/projects/{funding.pk}/pledges/").status_code == 403


def test_pledges_page_query_count_is_constant(
    client, area, funding, area_staff, django_assert_max_num_queries
):
    for n in range(15):
        person = make_user(roles.RESIDENT, area=area, verified=True)
        pledge = services.pledge_make(project=funding, by=person, amount="10")
        if n % 3 == 0:
            services.pledge_cancel(pledge=pledge, by=area_staff, reason="未收到")
    client.force_login(area_staff)
    client.get(f"/projects/{funding.pk}/pledges/")
    with django_assert_max_num_queries(10):
        response = client.get(f"/projects/{funding.pk}/pledges/")
    assert response.content.decode().count("/confirm/") == 10
