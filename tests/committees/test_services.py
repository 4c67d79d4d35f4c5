import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from committees import selectors, services
from committees.models import (
    Assessment,
    AssessmentScore,
    AssessmentStandard,
    Candidate,
    Election,
    ElectionChange,
    Member,
    OwnersCommittee,
    Role,
    Status,
    Step,
    Term,
)
from nanxi import roles
from nanxi.formatting import percent
from tests.committees.conftest import (
    DAY,
    PEOPLE,
    at,
    election_at,
    first_meeting,
    full_marks,
    make_estate,
    record_vote,
)
from tests.factories import make_user

INVALID_UNDER_ART_278 = "按照《民法典》第二百七十八条，本次选举无效。"


def snapshot():
    """Everything the committee services write, to assert nothing half-written."""
    return (
        list(Term.objects.values_list("pk", "start", "end", "ended_on", "warned_at")),
        list(Member.objects.values_list("pk", "name", "role", "phone")),
        list(
            Election.objects.values_list(
                "pk",
                "step",
                "participating_owners",
                "participating_area",
                "term",
                "ended_without_result_on",
                "seats",
                "assembly_on",
                "vote_from",
                "results_on",
                "first_meeting_due",
                "first_meeting_on",
                "filing_due",
                "voted_on",
            )
        ),
        list(
            Candidate.objects.values_list(
                "pk", "role", "approving_owners", "approving_area"
            )
        ),
        ElectionChange.objects.count(),
        list(Assessment.objects.values_list("pk", "total", "passed")),
        AssessmentScore.objects.count(),
    )


# --- committees and status ---------------------------------------------------------------


def test_new_committee_is_forming(committee):
    row = OwnersCommittee.objects.with_status().get()
    assert row.status == Status.FORMING and row.term_end is None


def test_second_committee_for_an_estate_is_refused(committee, street_staff):
    with pytest.raises(ValidationError) as refused:
        services.committee_create(estate=committee.estate, by=street_staff)
    assert refused.value.messages == ["华业大楼已有业委会。"]
    assert OwnersCommittee.objects.count() == 1


def test_status_is_derived_from_terms_and_dissolution(committee, street_staff):
    today = timezone.localdate()
    services.term_record(
        committee=committee, start=today - datetime.timedelta(400), by=street_staff
    )
    assert OwnersCommittee.objects.with_status().get().status == Status.ACTIVE
    assert (
        OwnersCommittee.objects.with_status(today + datetime.timedelta(5 * 366))
        .get()
        .status
        == Status.EXPIRED
    )
    services.committee_dissolve(committee=committee, by=street_staff, on=today)
    assert OwnersCommittee.objects.with_status().get().status == Status.DISSOLVED
    assert Term.objects.get().ended_on == today


def test_term_defaults_to_five_years(committee, street_staff):
    term = services.term_record(
        committee=committee,
        start=datetime.date(2016, 3, 1),
        by=street_staff,
        members=[("王建国", Role.CHAIR, "13916210001")],
    )
    assert (term.number, term.end) == (1, datetime.date(2021, 2, 28))
    assert term.members.get().name == "王建国"


def test_overlapping_terms_are_refused_and_nothing_written(committee, street_staff):
    services.term_record(
        committee=committee, start=datetime.date(2016, 1, 1), by=street_staff
    )
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.term_record(
            committee=committee,
            start=datetime.date(2020, 6, 1),
            by=street_staff,
            members=[("李秀英", Role.CHAIR, "")],
        )
    assert refused.value.messages == [
        "任期 2020-06-01 至 2025-05-31 与本业委会第1届（2016-01-01 至 2020-12-31）重叠。"
    ]
    assert snapshot() == before


def test_term_ending_before_it_starts_is_refused(committee, street_staff):
    with pytest.raises(ValidationError) as refused:
        services.term_record(
            committee=committee,
            start=datetime.date(2020, 1, 1),
            end=datetime.date(2019, 1, 1),
            by=street_staff,
        )
    assert refused.value.messages == ["任期结束日期必须晚于开始日期。"]
    assert not Term.objects.exists()


def test_database_refuses_a_term_ending_before_its_start(committee):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(
            committee=committee,
            number=1,
            start=datetime.date(2020, 1, 1),
            end=datetime.date(2019, 1, 1),
        )


def test_bad_member_phone_is_refused(committee, street_staff):
    with pytest.raises(ValidationError):
        services.term_record(
            committee=committee,
            start=datetime.date(2016, 1, 1),
            by=street_staff,
            members=[("王建国", Role.CHAIR, "call me")],
        )
    assert not Term.objects.exists()


# --- elections: the workflow ---------------------------------------------------------------


def test_a_formation_walks_five_steps_and_starts_the_first_term(committee, area_staff):
    election = election_at(committee, area_staff, Step.FILED)
    election.refresh_from_db()
    assert election.step == Step.FILED and election.completed_on == DAY
    term = election.term
    assert (term.number, term.start, term.end) == (
        1,
        DAY,
        datetime.date(2025, 5, 31),
    )
    assert [(m.name, m.role) for m in term.members.all()] == [
        (name, role) for name, role, _ in PEOPLE
    ]
    changes = list(election.changes.values_list("from_step", "to_step"))
    assert changes == [(None, 1), (1, 2), (2, 3), (3, 4), (4, 5)]


def test_re_election_ends_the_previous_term(committee, street_staff):
    old = services.term_record(
        committee=committee, start=datetime.date(2016, 1, 1), by=street_staff
    )
    election = election_at(committee, street_staff, Step.FILED, when=DAY)
    old.refresh_from_db()
    assert old.ended_on == DAY - datetime.timedelta(days=1)
    assert election.term.number == 2
    assert election.kind == Election.Kind.RE_ELECTION


def test_formation_refused_when_terms_exist(committee, street_staff):
    services.term_record(
        committee=committee, start=datetime.date(2016, 1, 1), by=street_staff
    )
    with pytest.raises(ValidationError) as refused:
        services.election_start(
            committee=committee, kind=Election.Kind.FORMATION, by=street_staff
        )
    assert refused.value.messages == ["这个业委会已有往届，请进行换届改选。"]
    assert not Election.objects.exists()


def test_re_election_refused_without_a_term(committee, street_staff):
    with pytest.raises(ValidationError) as refused:
        services.election_start(
            committee=committee, kind=Election.Kind.RE_ELECTION, by=street_staff
        )
    assert refused.value.messages == [
        "这个业委会还没有产生过一届，第一次选举应为组建。"
    ]


def test_second_open_election_is_refused(committee, street_staff):
    election_at(committee, street_staff)
    with pytest.raises(ValidationError) as refused:
        election_at(committee, street_staff)
    assert refused.value.messages == ["这个业委会已有一项选举正在进行。"]
    assert Election.objects.count() == 1


def test_unknown_kind_is_refused(committee, street_staff):
    with pytest.raises(ValidationError) as refused:
        services.election_start(committee=committee, kind="coup", by=street_staff)
    assert refused.value.messages == ["请选择组建或换届改选。"]


@pytest.mark.parametrize("to_step", [Step.VOTE, Step.RESULTS, Step.FILED, 0, 99])
def test_step_out_of_order_is_refused(committee, street_staff, to_step):
    election = election_at(committee, street_staff, Step.PREPARATION)
    services.candidate_add(election=election, by=street_staff, name="王建国")
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.election_move(election=election, to_step=to_step, by=street_staff)
    assert refused.value.messages == [
        f"处于第 1 步（成立筹备组）的选举只能进入第 2 步，不能进入第 {int(to_step)} 步。"
    ]
    assert snapshot() == before


def test_filed_election_has_no_further_step(committee, street_staff):
    election = election_at(committee, street_staff, Step.FILED)
    with pytest.raises(ValidationError) as refused:
        services.election_move(election=election, to_step=6, by=street_staff)
    assert refused.value.messages == ["本次选举已备案，没有后续步骤。"]


def test_announcing_without_candidates_is_refused(committee, street_staff):
    election = election_at(committee, street_staff)
    with pytest.raises(ValidationError) as refused:
        services.election_move(
            election=election, to_step=Step.CANDIDATES, by=street_staff
        )
    assert refused.value.messages == ["请先添加候选人，再进行公示。"]


def test_candidates_cannot_change_once_announced(committee, street_staff):
    election = election_at(committee, street_staff, Step.CANDIDATES)
    with pytest.raises(ValidationError) as refused:
        services.candidate_add(election=election, by=street_staff, name="赵六")
    assert refused.value.messages == [
        "候选人只能在筹备组工作期间（第1步）添加；现在已经公示，不能再添加。"
    ]
    with pytest.raises(ValidationError) as refused:
        services.candidate_remove(
            candidate=election.candidates.first(), by=street_staff
        )
    assert refused.value.messages == ["候选人已经公示，不能再更改。"]
    assert election.candidates.count() == 5


def test_duplicate_candidate_is_refused(committee, street_staff):
    election = election_at(committee, street_staff)
    services.candidate_add(election=election, by=street_staff, name="王建国")
    with pytest.raises(ValidationError) as refused:
        services.candidate_add(election=election, by=street_staff, name=" 王建国 ")
    assert refused.value.messages == ["王建国 已经是候选人。"]


def test_vote_recorded_only_at_the_vote_step(committee, street_staff):
    election = election_at(committee, street_staff, Step.CANDIDATES)
    with pytest.raises(ValidationError) as refused:
        record_vote(election, street_staff)
    assert refused.value.messages == ["表决结果在第3步（业主大会表决）登记。"]
    assert Election.objects.get().participating_owners is None


# --- art. 278: turnout and approvals ----------------------------------------------------------


def test_ratios_are_exact_fractions(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE)
    record_vote(
        election, street_staff, owners=200, area="20000", approve=(101, "10000.01")
    )
    election.refresh_from_db()
    assert election.owners_ratio == Fraction(2, 3)
    assert election.area_ratio == Fraction(2, 3)
    assert election.turnout_valid
    candidate = election.candidates.first()
    assert candidate.owners_ratio(election) == Fraction(101, 200)
    assert candidate.elected(election)
    assert percent(Fraction(2, 3)) == "66.67%"  # shown half up; compared exact


@pytest.mark.parametrize(
    ("owners", "taken", "message"),
    [
        (
            199,
            "20000",
            "参与表决的业主为 199 人（共 300 人），占 66.33%，须达到三分之二以上。",
        ),
        (
            200,
            "19999.99",
            "参与表决的业主所持专有部分面积为 19,999.99 m²（共 30,000 m²），"
            "占 66.67%，须达到三分之二以上。",
        ),
    ],
)
def test_turnout_below_two_thirds_is_refused(
    committee, street_staff, owners, taken, message
):
    election = election_at(committee, street_staff, Step.VOTE)
    record_vote(
        election, street_staff, owners=owners, area=taken, approve=(150, "15000")
    )
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.election_move(election=election, to_step=Step.RESULTS, by=street_staff)
    assert refused.value.messages == [INVALID_UNDER_ART_278, message]
    assert snapshot() == before


def test_failing_election_cannot_be_filed(committee, street_staff):
    """Even if the figures change after the results, filing checks them again."""
    election = election_at(committee, street_staff, Step.RESULTS)
    Election.objects.filter(pk=election.pk).update(participating_owners=10)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.election_complete(election=election, by=street_staff)
    assert refused.value.messages == [
        INVALID_UNDER_ART_278,
        "参与表决的业主为 10 人（共 300 人），占 3.33%，须达到三分之二以上。",
    ]
    assert snapshot() == before and not Term.objects.exists()


def test_more_approvals_than_participants_is_refused(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        record_vote(
            election, street_staff, owners=240, area="24000", approve=(241, "24000.01")
        )
    assert refused.value.messages == [
        f"「{name}」：{message}"
        for name, _role, _phone in PEOPLE
        for message in (
            "同意的业主有 241 人，多于参与表决的 240 人。",
            "同意的面积为 24000.01 m²，多于参与表决的 24000.00 m²。",
        )
    ]
    assert snapshot() == before


def test_participation_larger_than_the_estate_is_refused(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE)
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        record_vote(
            election, street_staff, owners=301, area="30000.01", approve=(1, "1")
        )
    assert refused.value.messages == [
        "参与表决的业主有 301 人，但本小区只有 300 位业主。",
        "参与表决的专有部分面积为 30000.01 m²，但本小区的专有部分面积只有 30000.00 m²。",
    ]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("owners", "taken"), [("-1", "100"), ("1e3", "100"), ("10", "1.234"), ("10", "")]
)
def test_numbers_that_are_not_numbers_are_refused(
    committee, street_staff, owners, taken
):
    election = election_at(committee, street_staff, Step.VOTE)
    before = snapshot()
    with pytest.raises(ValidationError):
        record_vote(election, street_staff, owners=owners, area=taken, approve=(1, "1"))
    assert snapshot() == before


def test_every_candidate_needs_approvals(committee, street_staff):
    election = election_at(committee, street_staff, Step.VOTE)
    first = election.candidates.first()
    with pytest.raises(ValidationError) as refused:
        services.election_record_vote(
            election=election,
            by=street_staff,
            participating_owners=240,
            participating_area="24000",
            approvals={first.pk: (200, "20000")},
        )
    assert refused.value.messages == [
        f"「{name}」还没有登记同意票。" for name, _role, _phone in PEOPLE[1:]
    ]
    assert not Candidate.objects.filter(approving_owners__isnull=False).exists()


def test_only_elected_candidates_become_members(committee, street_staff):
    seven = [*PEOPLE, ("赵文杰", Role.MEMBER, ""), ("孙海燕", Role.MEMBER, "")]
    election = election_at(committee, street_staff, Step.VOTE, people=seven)
    approvals = {c.pk: (200, "20000") for c in election.candidates.all()}
    li = election.candidates.get(name="李秀英")
    chen = election.candidates.get(name="陈国平")
    approvals[li.pk] = (200, "12000")  # exactly half of the area: not elected
    approvals[chen.pk] = (120, "12001")  # exactly half of the owners: not elected
    services.election_record_vote(
        election=election,
        by=street_staff,
        participating_owners=240,
        participating_area="24000",
        approvals=approvals,
        voted_on=DAY,
    )
    services.election_move(
        election=election, to_step=Step.RESULTS, by=street_staff, at=at(DAY)
    )
    wang, zhang = (election.candidates.get(name=n) for n in ("王建国", "张志强"))
    services.election_first_meeting(
        election=election,
        by=street_staff,
        held_on=DAY,
        chair=wang,
        vice_chairs=[zhang],
        at=at(DAY),
    )
    services.election_complete(election=election, by=street_staff, at=at(DAY))
    members = list(Term.objects.get().members.values_list("name", "role"))
    assert members == [
        ("王建国", Role.CHAIR),
        ("张志强", Role.VICE_CHAIR),
        ("刘美华", Role.MEMBER),
        ("赵文杰", Role.MEMBER),
        ("孙海燕", Role.MEMBER),
    ]


def test_new_term_cannot_start_before_the_current_one(committee, street_staff):
    services.term_record(
        committee=committee, start=datetime.date(2020, 7, 1), by=street_staff
    )
    election = election_at(committee, street_staff, Step.RESULTS, when=DAY)
    first_meeting(election, street_staff, DAY - datetime.timedelta(days=8))
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.election_complete(election=election, by=street_staff, at=at(DAY))
    assert refused.value.messages == [
        "第1届从 2020-07-01 开始，新一届不能在这一天或更早开始。"
    ]
    assert snapshot() == before


def test_dissolved_committee_holds_no_elections(committee, street_staff):
    services.committee_dissolve(
        committee=committee, by=street_staff, on=datetime.date(2020, 1, 1)
    )
    committee.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        election_at(committee, street_staff)
    assert refused.value.messages == ["已解散的业委会不能进行选举。"]


# --- the assessment --------------------------------------------------------------------------


def test_example_standard_ships_with_ten_items_and_a_label(standard):
    titles = list(standard.items.values_list("title", flat=True))
    assert len(titles) >= 10
    for title in ("制度建设", "议事规则", "财务公开", "档案管理", "维修资金使用"):
        assert title in titles
    assert (
        standard.is_example
        and sum(standard.items.values_list("max_points", flat=True)) == 100
    )


def test_assessment_total_and_passed_are_derived(committee, area_staff, standard):
    passed = services.assessment_save(
        committee=committee,
        standard=standard,
        year=2020,
        scores=full_marks(standard, minus=20),
        by=area_staff,
    )
    assert (passed.total, passed.passed) == (80, True)
    failed = services.assessment_save(
        committee=committee,
        standard=standard,
        year=2019,
        scores=full_marks(standard, minus=21),
        by=area_staff,
    )
    assert (failed.total, failed.passed) == (79, False)


def test_score_above_an_items_maximum_is_refused(committee, area_staff, standard):
    item = standard.items.first()
    scores = full_marks(standard)
    scores[item.pk] = item.max_points + 1
    with pytest.raises(ValidationError, match=item.title):
        services.assessment_save(
            committee=committee,
            standard=standard,
            year=2020,
            scores=scores,
            by=area_staff,
        )
    assert not Assessment.objects.exists() and not AssessmentScore.objects.exists()


def test_second_assessment_for_the_year_is_refused(committee, area_staff, standard):
    services.assessment_save(
        committee=committee,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=area_staff,
    )
    before = snapshot()
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(
            committee=committee,
            standard=standard,
            year=2020,
            scores=full_marks(standard, minus=50),
            by=area_staff,
        )
    assert refused.value.messages == [
        "华业大楼业委会 已有 2020 年的评估，请修改那一条。"
    ]
    assert snapshot() == before


def test_future_year_is_refused(committee, area_staff, standard):
    this_year = timezone.localdate().year
    with pytest.raises(ValidationError) as refused:
        services.assessment_save(
            committee=committee,
            standard=standard,
            year=this_year + 1,
            scores=full_marks(standard),
            by=area_staff,
        )
    assert refused.value.messages == [f"请填写 2015 至 {this_year} 之间的年份。"]


def test_used_standard_is_frozen(committee, area_staff, street_staff, standard):
    services.assessment_save(
        committee=committee,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=area_staff,
    )
    item = standard.items.first()
    item.max_points = 50
    frozen = (
        "已有评估使用了 2020版（示例），该标准不能再修改。如需修订，请复制为新版本。"
    )
    with pytest.raises(ValidationError) as refused:
        services.item_save(item=item, by=street_staff)
    assert refused.value.messages == [frozen]
    standard.pass_mark = 10
    with pytest.raises(ValidationError) as refused:
        services.standard_save(standard=standard, by=street_staff)
    assert refused.value.messages == [frozen]
    copy = services.standard_new_version(
        standard=AssessmentStandard.objects.get(pk=standard.pk),
        by=street_staff,
        version="2021版",
    )
    assert copy.items.count() == standard.items.count() and not copy.active


def test_weak_items_are_below_half(committee, street_staff, standard):
    items = list(standard.items.all())
    scores = {i.pk: i.max_points for i in items}
    scores[items[0].pk] = (items[0].max_points - 1) // 2  # below half: weak
    scores[items[1].pk] = items[1].max_points // 2  # exactly half: not weak
    services.assessment_save(
        committee=committee,
        standard=standard,
        year=2020,
        scores=scores,
        by=street_staff,
    )
    latest, weak = selectors.weak_items(OwnersCommittee.objects.get())
    assert latest.year == 2020
    assert [w.title for w in weak] == [items[0].title]


# --- year figures ---------------------------------------------------------------------------------


def test_year_figures_count_in_constant_queries(
    committee, other_committee, street_staff, standard, django_assert_num_queries
):
    election_at(committee, street_staff, Step.FILED, when=DAY)
    services.term_record(
        committee=other_committee,
        start=datetime.date(2014, 1, 1),
        end=datetime.date(2019, 12, 31),
        by=street_staff,
    )
    services.assessment_save(
        committee=committee,
        standard=standard,
        year=2020,
        scores=full_marks(standard),
        by=street_staff,
    )
    weak_scores = full_marks(standard)
    first = standard.items.first()
    weak_scores[first.pk] = 0
    services.assessment_save(
        committee=other_committee,
        standard=standard,
        year=2020,
        scores={k: v // 3 if k != first.pk else 0 for k, v in weak_scores.items()},
        by=street_staff,
    )
    with django_assert_num_queries(4):
        figures = selectors.year_figures(2020)
    assert figures["formations"] == 1 and figures["re_elections"] == 0
    assert (figures["assessments_passed"], figures["assessments_taken"]) == (1, 2)
    assert figures["expired_terms"] == 1
    assert figures["weak_items"][0][1] == 1 and len(figures["weak_items"]) == 10


# --- the daily warning ------------------------------------------------------------------------------


def test_ending_terms_are_flagged_once_and_mailed_once(
    committee, area_staff, street_staff, other_area, django_capture_on_commit_callbacks
):
    today = datetime.date(2026, 1, 1)
    services.term_record(
        committee=committee, start=datetime.date(2021, 5, 1), by=street_staff
    )
    other_staff = make_user(roles.AREA_STAFF, area=other_area)
    far = services.committee_create(
        estate=make_estate(other_area, name="远期小区"), by=street_staff
    )
    services.term_record(
        committee=far, start=datetime.date(2024, 1, 1), by=street_staff
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert services.terms_flag_ending(today=today) == 1
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [area_staff.email]
    assert (
        "华业大楼" in mail.outbox[0].body and other_staff.email not in mail.outbox[0].to
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.terms_flag_ending(today=today) == 0
    assert len(mail.outbox) == 1


def test_task_runs_the_service(committee, street_staff):
    from committees.tasks import flag_ending_terms

    services.term_record(
        committee=committee, start=datetime.date(2015, 1, 1), by=street_staff
    )
    assert flag_ending_terms.delay().get() == 1
    assert Term.objects.get().warned_at is not None


def test_estate_floor_area_must_be_positive(area):
    with pytest.raises(ValidationError):
        make_estate(area, name="零", floor_area="0")
    assert Decimal("0.5") > 0
