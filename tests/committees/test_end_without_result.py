"""选举未成功: an election whose vote failed ends without a result, and frees the way."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from committees import permissions, selectors, services
from committees.models import Election, ElectionChange, Step, Term
from nanxi import roles
from reports.selectors import year_figures as report_year_figures
from tests.committees.conftest import DAY, at, election_at, record_vote
from tests.committees.test_services import snapshot
from tests.factories import make_user

REASON = "参与表决的业主未达三分之二"
RECORD_FIRST = "请先登记业主大会表决结果。"
INVALID_UNDER_ART_278 = "按照《民法典》第二百七十八条，本次选举无效。"


def failed_vote(committee, by, step=Step.VOTE):
    """An election at the vote step whose turnout is 50%: art. 278 not met."""
    election = election_at(committee, by, step)
    record_vote(election, by, owners=150, area="15000", approve=(100, "10000"))
    election.refresh_from_db()
    return election


def end(election, by, reason=REASON, when=DAY):
    return services.election_end_without_result(
        election=election, by=by, reason=reason, at=at(when)
    )


# --- the refusal before and after the vote is recorded ------------------------------------


def test_results_before_the_vote_is_recorded_ask_for_it_and_do_not_say_void(
    committee, area_staff
):
    election = election_at(committee, area_staff, Step.VOTE)
    with pytest.raises(ValidationError) as refused:
        services.election_move(election=election, to_step=Step.RESULTS, by=area_staff)
    assert refused.value.messages == [RECORD_FIRST]


def test_a_recorded_failing_vote_is_refused_under_art_278(committee, area_staff):
    election = failed_vote(committee, area_staff)
    with pytest.raises(ValidationError) as refused:
        services.election_move(election=election, to_step=Step.RESULTS, by=area_staff)
    assert refused.value.messages[0] == INVALID_UNDER_ART_278
    assert len(refused.value.messages) == 3  # area and owners both below 2/3


# --- the service --------------------------------------------------------------------------


def test_ending_records_who_when_why_and_frees_the_committee(committee, area_staff):
    election = failed_vote(committee, area_staff)
    end(election, area_staff)
    election.refresh_from_db()
    assert election.ended_without_result_on == DAY
    assert election.step == Step.VOTE and not election.is_open
    assert election.term is None and election.completed_on is None
    change = election.changes.last()
    assert (change.from_step, change.to_step) == (Step.VOTE, Step.VOTE)
    assert change.ended_without_result and change.note == REASON
    assert (change.actor, change.created_at) == (area_staff, at(DAY))
    assert not Term.objects.exists()
    assert not Election.objects.open().exists()
    again = services.election_start(
        committee=committee, kind=Election.Kind.FORMATION, by=area_staff
    )
    assert again.is_open and Election.objects.open().get() == again


def test_ending_after_the_results_step_is_allowed(committee, street_staff):
    election = election_at(committee, street_staff, Step.RESULTS)
    end(election, street_staff, reason="业主大会决定无效，依法撤销")
    election.refresh_from_db()
    assert election.step == Step.RESULTS and election.ended_without_result
    assert not Term.objects.exists()


def test_the_reason_is_stripped(committee, area_staff):
    election = failed_vote(committee, area_staff)
    end(election, area_staff, reason=f"  {REASON}\n")
    assert election.changes.last().note == REASON


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_an_empty_reason_is_refused_and_nothing_written(committee, area_staff, reason):
    election = failed_vote(committee, area_staff)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        end(election, area_staff, reason=reason)
    assert len(refused.value.messages) == 1
    assert snapshot() == before
    election.refresh_from_db()
    assert election.ended_without_result_on is None


def test_a_reason_too_long_is_refused_and_nothing_written(committee, area_staff):
    election = failed_vote(committee, area_staff)
    before = snapshot()
    with pytest.raises(ValidationError):
        end(election, area_staff, reason="未" * 501)
    assert snapshot() == before
    assert Election.objects.get().ended_without_result_on is None


@pytest.mark.parametrize("step", [Step.PREPARATION, Step.CANDIDATES])
def test_before_the_vote_step_is_refused(committee, area_staff, step):
    election = election_at(committee, area_staff, step)
    before = snapshot()
    with pytest.raises(ValidationError):
        end(election, area_staff)
    assert snapshot() == before and Election.objects.get().is_open


def test_ending_twice_is_refused(committee, area_staff):
    election = failed_vote(committee, area_staff)
    end(election, area_staff)
    before = snapshot()
    with pytest.raises(ValidationError):
        end(election, area_staff, when=DAY + datetime.timedelta(days=1))
    assert snapshot() == before
    assert Election.objects.get().ended_without_result_on == DAY


def test_a_filed_election_cannot_end_without_result(committee, area_staff):
    election = election_at(committee, area_staff, Step.FILED)
    before = snapshot()
    with pytest.raises(ValidationError):
        end(election, area_staff)
    assert snapshot() == before
    assert Election.objects.get().ended_without_result_on is None


def test_an_ended_election_cannot_move_or_take_a_vote(committee, area_staff):
    election = failed_vote(committee, area_staff)
    end(election, area_staff)
    before = snapshot()
    with pytest.raises(ValidationError):
        services.election_move(election=election, to_step=Step.RESULTS, by=area_staff)
    with pytest.raises(ValidationError):
        record_vote(election, area_staff)
    assert snapshot() == before
    assert not permissions.can_move(area_staff, election)
    assert not permissions.can_record_vote(area_staff, election)
    assert not permissions.can_end_without_result(area_staff, election)


@pytest.mark.parametrize(
    "who",
    ["resident", "area staff of another area", "resident of another area"],
)
def test_people_outside_the_area_are_refused(committee, street_staff, other_area, who):
    user = {
        "resident": make_user(
            roles.RESIDENT, area=committee.estate.area, verified=True
        ),
        "area staff of another area": make_user(roles.AREA_STAFF, area=other_area),
        "resident of another area": make_user(
            roles.RESIDENT, area=other_area, verified=True
        ),
    }[who]
    election = failed_vote(committee, street_staff)
    before = snapshot()
    with pytest.raises(PermissionDenied):
        end(election, user)
    assert snapshot() == before
    assert not permissions.can_end_without_result(user, election)


def test_the_database_keeps_one_open_election_but_not_an_ended_one(
    committee, area_staff
):
    election = failed_vote(committee, area_staff)
    with pytest.raises(IntegrityError), transaction.atomic():
        Election.objects.create(
            committee=committee, kind=election.kind, started_by=area_staff
        )
    end(election, area_staff)
    Election.objects.create(
        committee=committee, kind=election.kind, started_by=area_staff
    )
    assert Election.objects.count() == 2


def test_the_database_refuses_an_ended_election_with_a_term(committee, area_staff):
    election = election_at(committee, area_staff, Step.FILED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Election.objects.filter(pk=election.pk).update(ended_without_result_on=DAY)


def test_a_dissolution_waits_only_for_open_elections(committee, street_staff):
    election = failed_vote(committee, street_staff)
    end(election, street_staff)
    services.committee_dissolve(
        committee=committee, by=street_staff, on=datetime.date(2020, 7, 1)
    )
    committee.refresh_from_db()
    assert committee.dissolved_on == datetime.date(2020, 7, 1)


# --- the year's figures count filed elections only ------------------------------------------


def test_year_figures_count_only_filed_elections(
    committee, other_committee, street_staff
):
    end(failed_vote(committee, street_staff), street_staff)
    election_at(committee, street_staff, Step.FILED)  # the second formation succeeds
    # A re-election of the new committee that ends at step 4 counts as nothing.
    end(election_at(committee, street_staff, Step.RESULTS), street_staff)
    end(failed_vote(other_committee, street_staff), street_staff)
    figures = selectors.year_figures(DAY.year)
    assert (figures["formations"], figures["re_elections"]) == (1, 0)
    report = report_year_figures(DAY.year, today=datetime.date(2021, 1, 1))
    assert (report.committees.formations, report.committees.re_elections) == (1, 0)


# --- the staff and public pages -------------------------------------------------------------


def url(election, tail=""):
    return f"/committees/elections/{election.pk}/{tail}"


def test_staff_close_a_failed_election_through_the_page(client, committee, area_staff):
    election = failed_vote(committee, area_staff)
    client.force_login(area_staff)
    page = client.get("/en" + url(election)).content.decode()
    assert 'id="end-election"' in page and url(election, "end/") in page
    response = client.post(
        "/en" + url(election, "end/"), {"reason": REASON}, follow=True
    )
    page = response.content.decode()
    today = timezone.localdate()
    election.refresh_from_db()
    assert election.ended_without_result_on == today
    assert ElectionChange.objects.filter(
        election=election, ended_without_result=True, note=REASON, actor=area_staff
    ).exists()
    assert "The election has ended without a result." in page
    assert f"Ended without a result on {today:%Y-%m-%d}" in page
    assert "Ended without a result · " in page and REASON in page
    # No action is left on the election: no move, no vote form, no end form.
    assert 'id="end-election"' not in page and 'id="vote-form"' not in page
    assert url(election, "move/") not in page
    # The committee's staff page offers a new election again.
    staff = client.get(f"/en/committees/{committee.pk}/").content.decode()
    assert f"/committees/{committee.pk}/elections/new/" in staff
    assert f"ended without a result on {today:%Y-%m-%d}" in staff


def test_the_public_page_shows_the_election_ended_without_result(
    client, committee, area_staff
):
    election = failed_vote(committee, area_staff)
    end(election, area_staff)
    page = client.get(f"/en/committees/{committee.pk}/").content.decode()
    assert f"ended without a result on {DAY:%Y-%m-%d}" in page
    assert f'id="election-{election.pk}"' in page and "50.00%" in page
    assert REASON not in page  # the staff's note stays on the staff page


def test_the_end_form_is_offered_only_from_the_vote_step(client, committee, area_staff):
    election = election_at(committee, area_staff, Step.CANDIDATES)
    client.force_login(area_staff)
    page = client.get(url(election)).content.decode()
    assert 'id="end-election"' not in page
    response = client.post(url(election, "end/"), {"reason": REASON}, follow=True)
    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 1
    election.refresh_from_db()
    assert election.is_open and election.step == Step.CANDIDATES
    assert not election.changes.filter(ended_without_result=True).exists()


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        ("", "Say why the election ended without a result, e.g. the turnout."),
        ("   ", "Say why the election ended without a result, e.g. the turnout."),
        ("未" * 501, "at most 500 characters"),
    ],
)
def test_a_bad_reason_shows_an_error_and_changes_nothing(
    client, committee, area_staff, reason, error
):
    election = failed_vote(committee, area_staff)
    client.force_login(area_staff)
    before = snapshot()
    response = client.post(
        "/en" + url(election, "end/"), {"reason": reason}, follow=True
    )
    errors = [str(m) for m in response.context["messages"]]
    assert len(errors) == 1 and error in errors[0]
    assert snapshot() == before and Election.objects.get().is_open


def test_posting_twice_changes_nothing_the_second_time(client, committee, area_staff):
    election = failed_vote(committee, area_staff)
    client.force_login(area_staff)
    client.post(url(election, "end/"), {"reason": REASON}, follow=True)
    before = snapshot()
    response = client.post(url(election, "end/"), {"reason": "再来一次"}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert snapshot() == before
    assert election.changes.filter(ended_without_result=True).count() == 1


@pytest.mark.parametrize("who", ["anonymous", "resident", "area staff of another area"])
def test_people_outside_the_area_cannot_post(
    client, committee, street_staff, resident, other_area, who
):
    election = failed_vote(committee, street_staff)
    user = {
        "resident": resident,
        "area staff of another area": make_user(roles.AREA_STAFF, area=other_area),
    }.get(who)
    if user:
        client.force_login(user)
    before = snapshot()
    response = client.post(url(election, "end/"), {"reason": REASON})
    assert response.status_code == (302 if user is None else 403)
    if user is None:
        assert "/accounts/login/" in response["Location"]
    assert snapshot() == before and Election.objects.get().is_open


def test_get_is_not_allowed(client, committee, area_staff):
    election = failed_vote(committee, area_staff)
    client.force_login(area_staff)
    assert client.get(url(election, "end/")).status_code == 405
    assert Election.objects.get().is_open


def test_election_page_keeps_a_small_query_count(
    client, committee, area_staff, django_assert_max_num_queries
):
    election = failed_vote(committee, area_staff)
    end(election, area_staff)
    client.force_login(area_staff)
    with django_assert_max_num_queries(12):
        response = client.get(url(election))
    assert response.status_code == 200
