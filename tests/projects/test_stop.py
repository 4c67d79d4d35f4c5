"""终止: from step 8 on a project is stopped, not rejected, and says what happened to
each contribution's money (refunded, or moved with consent to another project)."""

import contextlib
import threading
from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection
from django.utils import translation
from django.utils.timezone import localdate

from nanxi import fragments, roles
from nanxi.models import Notification
from projects import permissions, selectors, services, workflow
from projects.models import (
    Contribution,
    Disposition,
    Pledge,
    Project,
    StepChange,
    StepCode,
)
from projects.selectors import projects_year_figures
from projects.services import MoveTo, Refund
from tests.conftest import reload_migration_data
from tests.factories import AreaFactory, make_user
from tests.projects.helpers import make_project

TODAY = localdate()
REASON = "施工方退出，居民议事会决定终止"


def snapshot() -> tuple:
    """Everything stopping could write, across every project."""
    return (
        list(Project.objects.order_by("pk").values_list("pk", "step", "outcome")),
        StepChange.objects.count(),
        list(
            Contribution.objects.order_by("pk").values_list("pk", "project", "amount")
        ),
        Disposition.objects.count(),
        list(Pledge.objects.order_by("pk").values_list("pk", "status")),
        Notification.objects.count(),
    )


@pytest.fixture
def funded(area, area_staff, people):
    """At step 9 with ¥300 in cash, ¥80 from a confirmed pledge, and ¥50 pledged."""
    project = make_project(
        area=area,
        proposer=people["proposer"],
        staff=area_staff,
        step=StepCode.CARRY_OUT,
    )
    services.contribution_record(
        project=project,
        by=area_staff,
        contributor="张阿姨",
        amount="300",
        contributed_on=TODAY - timedelta(days=10),
    )
    pledge = services.pledge_make(project=project, by=people["neighbour"], amount="80")
    services.pledge_confirm(pledge=pledge, by=area_staff, received_on=TODAY)
    services.pledge_make(project=project, by=people["proposer"], amount="50")
    return project


@pytest.fixture
def target(area, area_staff, people):
    """Another project of the same area, crowdfunding."""
    return make_project(
        area=area,
        proposer=people["proposer"],
        staff=area_staff,
        step=StepCode.CROWDFUND,
        title="加装扶手",
    )


def money(project) -> list[Contribution]:
    return list(project.contributions.order_by("pk"))


def all_refunded(project, day=TODAY) -> dict:
    return {c.pk: Refund(on=day) for c in money(project)}


def stop(project, by, *, reason=REASON, dispositions=None):
    return services.project_stop(
        project=project,
        by=by,
        reason=reason,
        dispositions=all_refunded(project) if dispositions is None else dispositions,
    )


# --- the control ----------------------------------------------------------------------------


def test_stopping_records_each_contributions_fate_lapses_pledges_and_tells_people(
    funded, target, area_staff, people
):
    cash, pledged = money(funded)
    waiting = Pledge.objects.get(project=funded, status=Pledge.Status.PENDING)
    stop(
        funded,
        area_staff,
        dispositions={
            cash.pk: Refund(on=TODAY),
            pledged.pk: MoveTo(
                project=target, consent="本人签字同意", consent_on=TODAY
            ),
        },
    )
    funded.refresh_from_db()
    assert (funded.outcome, funded.step) == (Project.Outcome.STOPPED, 9)
    change = funded.step_changes.last()
    assert (change.outcome, change.note, change.actor) == (
        "stopped",
        REASON,
        area_staff,
    )
    assert (change.from_step, change.to_step) == (9, 9)

    refund = Disposition.objects.get(contribution=cash)
    assert (refund.kind, refund.refunded_on, refund.decided_by) == (
        "refunded",
        TODAY,
        area_staff,
    )
    moved = Disposition.objects.get(contribution=pledged)
    assert moved.kind == "moved" and moved.consent == "本人签字同意"
    # It became the target's contribution, recorded by the staff member, linked back.
    assert moved.moved_to.project == target
    assert (moved.moved_to.amount, moved.moved_to.contributor) == (
        Decimal("80.00"),
        pledged.contributor,
    )
    assert moved.moved_to.recorded_by == area_staff
    assert moved.moved_to.moved_from == moved

    waiting.refresh_from_db()
    assert waiting.status == Pledge.Status.CANCELLED  # lapsed: nothing to pay

    def told(user, key):
        return Notification.objects.get(recipient=user, key=f"{key}:{user.pk}").text_en

    proposer, neighbour = people["proposer"], people["neighbour"]
    assert REASON in told(proposer, f"project:{funded.pk}:outcome:stopped")
    assert "加装扶手" in told(neighbour, f"contribution:{pledged.pk}:moved")
    assert "nothing to pay" in told(proposer, f"pledge:{waiting.pk}:stopped")


def test_money_kept_excludes_refunds_and_counts_moved_money_once(
    funded, target, area_staff
):
    year = funded.year
    assert projects_year_figures(year)["crowdfunding"] == Decimal("380.00")
    cash, pledged = money(funded)
    stop(
        funded,
        area_staff,
        dispositions={
            cash.pk: Refund(on=TODAY),
            pledged.pk: MoveTo(project=target, consent="电话同意", consent_on=TODAY),
        },
    )
    # ¥300 refunded: gone; ¥80 moved: counted once, in the project it went to.
    assert projects_year_figures(year)["crowdfunding"] == Decimal("80.00")
    totals = {p.pk: p.raised for p in Project.objects.with_totals()}
    assert totals[funded.pk] == 0 and totals[target.pk] == Decimal("80.00")


def test_a_project_without_money_is_stopped_with_a_reason_alone(
    area, area_staff, people
):
    project = make_project(
        area=area, proposer=people["proposer"], staff=area_staff, step=StepCode.SHARE
    )
    services.project_stop(
        project=project, by=area_staff, reason=REASON, dispositions={}
    )
    assert Project.objects.get(pk=project.pk).outcome == "stopped"


# --- moved money stays its contributor's ------------------------------------------------------


def _move_pledged_money(funded, target, area_staff):
    cash, pledged = money(funded)
    stop(
        funded,
        area_staff,
        dispositions={
            cash.pk: Refund(on=TODAY),
            pledged.pk: MoveTo(
                project=target, consent="本人签字同意", consent_on=TODAY
            ),
        },
    )
    return Disposition.objects.get(contribution=pledged).moved_to


def test_money_moved_from_a_pledge_is_still_its_contributors_in_the_new_project(
    funded, target, area_staff, people
):
    moved = _move_pledged_money(funded, target, area_staff)
    link = moved.pledge
    assert (link.project, link.pledger, link.amount, link.status) == (
        target,
        people["neighbour"],
        Decimal("80.00"),
        Pledge.Status.CONFIRMED,
    )
    assert (link.decided_by, link.reason) == (area_staff, "本人签字同意")
    # Cash given without an account has no one to link to.
    assert Pledge.objects.filter(project=target).count() == 1


def test_a_second_stop_tells_the_contributor_whose_money_was_moved_there(
    funded, target, area_staff, people
):
    moved = _move_pledged_money(funded, target, area_staff)
    stop(target, area_staff, reason="场地无法落实", dispositions=all_refunded(target))
    neighbour = people["neighbour"]
    notice = Notification.objects.get(
        recipient=neighbour, key=f"contribution:{moved.pk}:refunded:{neighbour.pk}"
    )
    assert "加装扶手" in notice.text_en and "场地无法落实" in notice.text_en
    assert f"refunded to you on {TODAY.isoformat()}" in notice.text_en


def test_the_contributors_data_export_shows_where_their_money_went(
    client, funded, target, area_staff, people
):
    _move_pledged_money(funded, target, area_staff)
    client.force_login(people["neighbour"])
    data = client.get("/en/accounts/data/?format=json").json()
    rows = [
        (p["project_title"], p["amount"], p["status"], p["moved_from"], p["moved_to"])
        for p in data["projects"]["pledges"]
    ]
    assert rows == [
        (funded.title, "80.00", "confirmed", None, "加装扶手"),
        ("加装扶手", "80.00", "confirmed", funded.title, None),
    ]
    page = client.get("/en/accounts/data/").content.decode()
    assert "Moved to the project" in page and "Moved here from" in page


# --- two stops at once ------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI)"
)
@pytest.mark.django_db(transaction=True)
def test_two_stops_moving_money_into_each_other_wait_instead_of_deadlocking():
    """Each stop holds its project while the other's wants it: locked one after the
    other, PostgreSQL finds a deadlock and one of them fails with a database error.
    Locked together in pk order, the second waits, then is refused with a reason."""
    reload_migration_data()  # an earlier transactional test's flush emptied it
    try:
        area = AreaFactory(name="华业", slug="huaye")
        staff = make_user(roles.AREA_STAFF, area=area)
        one, other = (
            make_project(area=area, staff=staff, step=StepCode.CARRY_OUT, title=t)
            for t in ("甲", "乙")
        )
        for project in (one, other):
            services.contribution_record(
                project=project,
                by=staff,
                contributor="张阿姨",
                amount="100",
                contributed_on=TODAY,
            )
        # Both stops have taken their first lock before either goes on.
        first_locks = threading.Barrier(2, timeout=3)
        seen = threading.local()
        can_manage = permissions.can_manage

        def after_the_first_lock(user, project):
            if not getattr(seen, "waited", False):
                seen.waited = True
                with contextlib.suppress(threading.BrokenBarrierError):
                    first_locks.wait()  # times out if the other is kept waiting
            return can_manage(user, project)

        outcomes = {}

        def stop_moving(project, to):
            try:
                stop(
                    project,
                    staff,
                    dispositions={
                        c.pk: MoveTo(project=to, consent="同意", consent_on=TODAY)
                        for c in money(project)
                    },
                )
                outcomes[project.title] = "stopped"
            except ValidationError:
                outcomes[project.title] = "refused"
            except DatabaseError as error:
                outcomes[project.title] = repr(error)
            finally:
                connection.close()

        with mock.patch.object(permissions, "can_manage", after_the_first_lock):
            threads = [
                threading.Thread(target=stop_moving, args=pair)
                for pair in ((one, other), (other, one))
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=30)
        assert sorted(outcomes.values()) == ["refused", "stopped"], outcomes
        assert Project.objects.filter(outcome=Project.Outcome.STOPPED).count() == 1
    finally:
        reload_migration_data()


# --- refusals: each writes nothing ------------------------------------------------------------


def test_stop_needs_a_reason(funded, area_staff):
    before = snapshot()
    with pytest.raises(ValidationError):
        stop(funded, area_staff, reason="   ")
    assert snapshot() == before


def test_before_step_8_a_project_is_rejected_not_stopped(area, area_staff, people):
    project = make_project(
        area=area, proposer=people["proposer"], staff=area_staff, step=StepCode.ANNOUNCE
    )
    assert not permissions.can_stop(area_staff, project)
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        stop(project, area_staff, dispositions={})
    assert "reject it" in refused.value.messages[0]
    assert snapshot() == before


@pytest.mark.parametrize(
    "who", ["anonymous", "proposer", "neighbour", "outsider", "other_staff"]
)
def test_only_staff_of_the_area_stop_a_project(funded, people, who):
    assert not permissions.can_stop(people[who], funded)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        stop(funded, people[who])
    assert snapshot() == before


@pytest.mark.parametrize("who", ["area_staff", "street_staff", "superuser"])
def test_staff_of_the_area_and_the_street_may_stop(funded, people, who):
    assert permissions.can_stop(people[who], funded)


def test_every_contribution_needs_its_fate(funded, area_staff):
    cash, pledged = money(funded)
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        stop(funded, area_staff, dispositions={cash.pk: Refund(on=TODAY)})
    assert list(refused.value.message_dict) == [str(pledged.pk)]
    assert pledged.contributor in refused.value.messages[0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (TODAY + timedelta(days=1), "future"),
        (TODAY - timedelta(days=30), "before it was contributed"),
        (None, "give the day"),
    ],
)
def test_a_refund_is_dated_between_the_contribution_and_today(
    funded, area_staff, day, words
):
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        stop(funded, area_staff, dispositions=all_refunded(funded, day))
    assert words in " ".join(refused.value.messages)
    assert snapshot() == before


def _moved_to(funded, to, **consent):
    cash, pledged = money(funded)
    details = {"consent": "本人同意", "consent_on": TODAY, **consent}
    return {
        cash.pk: Refund(on=TODAY),
        pledged.pk: MoveTo(project=to, **details),
    }


def test_money_moves_only_within_the_area(funded, other_area, people, street_staff):
    elsewhere = make_project(
        area=other_area,
        proposer=people["outsider"],
        staff=people["other_staff"],
        step=StepCode.CROWDFUND,
    )
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        stop(funded, street_staff, dispositions=_moved_to(funded, elsewhere))
    assert "same residential area" in refused.value.messages[0]
    assert snapshot() == before


@pytest.mark.parametrize("closed", ["past_crowdfunding", "rejected", "itself"])
def test_money_moves_only_to_an_open_project_taking_contributions(
    funded, area, area_staff, people, closed
):
    if closed == "itself":
        to = funded
    else:
        to = make_project(
            area=area,
            proposer=people["proposer"],
            staff=area_staff,
            step=StepCode.ACCEPT_RESULTS
            if closed == "past_crowdfunding"
            else StepCode.CONSULT,
        )
        if closed == "rejected":
            services.project_reject(project=to, by=area_staff, reason="重复")
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        stop(funded, area_staff, dispositions=_moved_to(funded, to))
    assert "takes contributions now" in refused.value.messages[0]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("consent", "words"),
    [
        ({"consent": "  "}, "how the contributor agreed"),
        ({"consent_on": None}, "the day the contributor agreed"),
        ({"consent_on": TODAY + timedelta(days=2)}, "future"),
    ],
)
def test_moving_money_needs_the_contributors_consent(
    funded, target, area_staff, consent, words
):
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        stop(funded, area_staff, dispositions=_moved_to(funded, target, **consent))
    assert words in refused.value.messages[0]
    assert snapshot() == before


def test_a_stopped_project_cannot_be_stopped_again(funded, area_staff):
    stop(funded, area_staff)
    before = snapshot()
    with pytest.raises(ValidationError):
        stop(funded, area_staff, dispositions={})
    assert snapshot() == before


# --- reject and stop: the workflow's one table ------------------------------------------------


def test_the_workflow_says_where_stopping_replaces_rejecting():
    reject = workflow.OPEN_AT[workflow.Activity.REJECT]
    stop_at = workflow.OPEN_AT[workflow.Activity.STOP]
    assert max(reject) + 1 == workflow.STOP_FROM == min(stop_at) == StepCode.CROWDFUND
    assert not reject & stop_at and max(stop_at) == StepCode.SHARE


@pytest.mark.parametrize(
    "step", [StepCode.CROWDFUND, StepCode.CARRY_OUT, StepCode.SHARE]
)
def test_reject_is_refused_from_step_8_pointing_to_stop(area, area_staff, people, step):
    project = make_project(
        area=area, proposer=people["proposer"], staff=area_staff, step=step
    )
    assert not permissions.can_reject(area_staff, project)
    before = snapshot()
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.project_reject(project=project, by=area_staff, reason="资金不足")
    assert "Stop the project" in refused.value.messages[0]
    assert snapshot() == before


def test_reject_still_works_at_step_5(area, area_staff, people):
    project = make_project(
        area=area, proposer=people["proposer"], staff=area_staff, step=StepCode.CONSULT
    )
    assert permissions.can_reject(area_staff, project)
    assert not permissions.can_stop(area_staff, project)
    services.project_reject(project=project, by=area_staff, reason="与规划冲突")
    assert Project.objects.get(pk=project.pk).outcome == "rejected"


# --- the pages ----------------------------------------------------------------------------------


def test_staff_page_offers_stop_not_reject_from_step_8(client, funded, area_staff):
    client.force_login(area_staff)
    page = client.get(f"/en/projects/{funded.pk}/").content.decode()
    assert f'href="/en/projects/{funded.pk}/stop/"' in page
    assert f"/projects/{funded.pk}/reject/" not in page


def test_stop_form_stops_the_project_all_at_once(client, funded, target, area_staff):
    cash, pledged = money(funded)
    client.force_login(area_staff)
    form = client.get(f"/en/projects/{funded.pk}/stop/")
    assert form.status_code == 200
    assert "加装扶手" in form.content.decode()  # a project money may move to
    data = {
        "reason": REASON,
        f"c{cash.pk}-kind": "refunded",
        f"c{cash.pk}-refunded_on": TODAY.isoformat(),
        f"c{pledged.pk}-kind": "moved",
        f"c{pledged.pk}-target": str(target.pk),
        f"c{pledged.pk}-consent": "本人签字同意",
        f"c{pledged.pk}-consent_on": TODAY.isoformat(),
    }
    response = client.post(f"/en/projects/{funded.pk}/stop/", data)
    assert response.status_code == 302
    assert Project.objects.get(pk=funded.pk).outcome == "stopped"
    assert Disposition.objects.count() == 2


def test_stop_form_missing_one_fate_writes_nothing_and_keeps_the_input(
    client, funded, area_staff
):
    cash, pledged = money(funded)
    client.force_login(area_staff)
    before = snapshot()
    response = client.post(
        f"/en/projects/{funded.pk}/stop/",
        {
            "reason": REASON,
            f"c{cash.pk}-kind": "refunded",
            f"c{cash.pk}-refunded_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "say what happened to this money" in body
    assert REASON in body  # what was typed is kept
    assert snapshot() == before


def test_an_empty_stop_form_says_everything_missing_in_one_round(
    client, funded, area_staff
):
    cash, pledged = money(funded)
    client.force_login(area_staff)
    before = snapshot()
    response = client.post(f"/en/projects/{funded.pk}/stop/", {"reason": ""})
    assert response.status_code == 200
    body = response.content.decode()
    # The reason in the service's words, not "This field is required."
    assert "Give the reason for stopping" in body
    assert "This field is required" not in body
    # ... and each contribution's missing fate, in the same answer.
    assert body.count("say what happened to this money") == 2
    assert "¥300.00" in body
    assert snapshot() == before


def test_money_with_nowhere_to_go_can_only_be_refunded(client, funded, area_staff):
    client.force_login(area_staff)
    body = client.get(f"/en/projects/{funded.pk}/stop/").content.decode()
    assert 'id="no-targets"' in body
    assert 'value="moved"' not in body and "-consent" not in body


def test_a_large_amount_is_written_with_thousands_separators(
    client, funded, area_staff
):
    services.contribution_record(
        project=funded,
        by=area_staff,
        contributor="老王",
        amount="1260",
        contributed_on=TODAY,
    )
    client.force_login(area_staff)
    body = client.post(
        f"/en/projects/{funded.pk}/stop/", {"reason": REASON}
    ).content.decode()
    assert "¥1,260.00" in body and "¥1260.00" not in body


@pytest.mark.parametrize("who", ["proposer", "other_staff"])
def test_stop_page_is_for_the_areas_staff(client, funded, people, who):
    client.force_login(people[who])
    assert client.get(f"/projects/{funded.pk}/stop/").status_code == 403
    before = snapshot()
    response = client.post(f"/projects/{funded.pk}/stop/", {"reason": REASON})
    assert response.status_code == 403
    assert snapshot() == before


def test_stopped_page_shows_the_reason_and_each_contributions_fate(
    client, funded, target, area_staff
):
    cash, pledged = money(funded)
    stop(
        funded,
        area_staff,
        dispositions={
            cash.pk: Refund(on=TODAY),
            pledged.pk: MoveTo(project=target, consent="同意", consent_on=TODAY),
        },
    )
    page = client.get(f"/en/projects/{funded.pk}/").content.decode()
    assert 'id="stopped"' in page and REASON in page
    assert "Stopped" in page
    assert f"Refunded on {TODAY.isoformat()}" in page
    assert f'href="/en/projects/{target.pk}/"' in page
    assert "Crowdfunding: ¥" not in page  # the money is not shown as raised
    there = client.get(f"/en/projects/{target.pk}/").content.decode()
    assert "Moved here from" in there and f'href="/en/projects/{funded.pk}/"' in there
    assert "Crowdfunding: ¥80.00" in there


def test_a_stopped_projects_card_shows_no_money_raised(client, funded, area_staff):
    stop(funded, area_staff, dispositions=all_refunded(funded))
    page = client.get("/en/projects/?outcome=stopped").content.decode()
    card = page[page.index(funded.title) :]
    card = card[: card.index("</article>")]
    assert "Stopped" in card
    assert "Crowdfunding: ¥" not in card


@pytest.mark.parametrize("who", ["anonymous", "area_staff"])
def test_stopped_page_query_count_stays_with_many_contributions(
    client, area, area_staff, people, target, who, django_assert_max_num_queries
):
    project = make_project(
        area=area,
        proposer=people["proposer"],
        staff=area_staff,
        step=StepCode.CARRY_OUT,
    )
    for n in range(24):
        services.contribution_record(
            project=project,
            by=area_staff,
            contributor=f"居民{n}",
            amount=str(10 + n),
            contributed_on=TODAY,
        )
    stop(
        project,
        area_staff,
        dispositions={
            c.pk: Refund(on=TODAY)
            if n % 2
            else MoveTo(project=target, consent="同意", consent_on=TODAY)
            for n, c in enumerate(money(project))
        },
    )
    if who != "anonymous":
        client.force_login(people[who])
    # The stopped project lists its 24 contributions' fates; the target, the 12
    # moved to it.
    for shown, rows in ((project, 24), (target, 12)):
        client.get(f"/en/projects/{shown.pk}/")
        fragments.bump(selectors.project_version(shown.pk))  # made again, not served
        with django_assert_max_num_queries(10):
            response = client.get(f"/en/projects/{shown.pk}/")
        assert response.content.decode().count('<td class="disposition">') == rows


def test_demo_has_a_stopped_project_whose_money_went_back(db, client):
    import io

    from django.core.management import call_command

    call_command("demo", stdout=io.StringIO())
    stopped = Project.objects.get(outcome=Project.Outcome.STOPPED)
    assert stopped.year != 2020  # the newsletter's figures stay exact
    fates = Disposition.objects.filter(contribution__project=stopped)
    assert fates.count() == stopped.contributions.count() >= 2
    assert fates.filter(kind="refunded").exists()
    assert fates.filter(kind="moved", moved_to__project__area=stopped.area).exists()
    assert not stopped.pledges.filter(status=Pledge.Status.PENDING).exists()
    assert projects_year_figures(2020)["crowdfunding"] == Decimal("18500.00")
    page = client.get(f"/en/projects/{stopped.pk}/").content.decode()
    assert 'id="stopped"' in page and "Refunded on" in page
