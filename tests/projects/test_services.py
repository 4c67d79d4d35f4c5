from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from nanxi import roles
from projects import services
from projects.models import Comment, Contribution, Project, StepChange, StepCode, Vote
from tests.factories import make_user
from tests.projects.helpers import make_project, proposal


def test_draft_starts_at_step_two_with_a_change_row(resident, area):
    project = services.project_create(by=resident, area=area, **proposal())
    assert project.step == StepCode.DRAFT and project.outcome == "open"
    change = StepChange.objects.get(project=project)
    assert (change.from_step, change.to_step, change.actor) == (1, 2, resident)


def test_submitting_straight_away_reaches_step_three(resident, area):
    project = services.project_create(by=resident, area=area, submit=True, **proposal())
    assert project.step == StepCode.SUBMIT
    assert list(project.step_changes.values_list("to_step", flat=True)) == [2, 3]


def test_staff_walk_a_project_through_all_twelve_steps(area, area_staff, resident):
    project = make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.SHARE
    )
    services.project_write_summary(project=project, by=area_staff, text="楼道焕然一新")
    services.project_finish(project=project, by=area_staff)
    project.refresh_from_db()
    assert (project.step, project.outcome) == (12, "done")
    steps = list(project.step_changes.values_list("to_step", flat=True))
    assert steps == list(range(2, 13)) + [12]


def test_announcing_sets_the_reporting_year(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.ANNOUNCE)
    assert project.year is not None
    assert Project.objects.get(pk=project.pk).year == project.year


@pytest.mark.parametrize("to_step", [6, 7, 12, 4, 3, 2])
def test_skipping_or_going_back_is_refused(area, area_staff, to_step):
    project = make_project(area=area, staff=area_staff, step=StepCode.ACCEPT)
    with pytest.raises(ValidationError) as refused:
        services.project_move(project=project, to_step=to_step, by=area_staff)
    # The message names the step that is allowed, and the one asked for.
    assert refused.value.messages == [
        f"处于第 4 步的项目只能进入第 5 步，不能进入第 {to_step} 步。"
    ]
    assert Project.objects.get(pk=project.pk).step == StepCode.ACCEPT
    assert project.step_changes.count() == 3


def test_resident_cannot_move_their_project_past_submit(area, resident):
    project = make_project(area=area, proposer=resident, step=StepCode.SUBMIT)
    with pytest.raises(PermissionDenied):
        services.project_move(project=project, to_step=4, by=resident)


def test_resident_cannot_submit_someone_elses_draft(area, resident):
    project = services.project_create(by=resident, area=area, **proposal())
    other = make_user(roles.RESIDENT, area=area)
    with pytest.raises(PermissionDenied):
        services.project_move(project=project, to_step=3, by=other)
    assert Project.objects.get(pk=project.pk).step == 2


def test_staff_of_another_area_cannot_move_it(area, other_area):
    project = make_project(area=area, step=StepCode.SUBMIT)
    outsider = make_user(roles.AREA_STAFF, area=other_area)
    with pytest.raises(PermissionDenied):
        services.project_move(project=project, to_step=4, by=outsider)


def test_street_staff_may_move_any_area(area, street_staff):
    project = make_project(area=area, step=StepCode.SUBMIT)
    services.project_move(project=project, to_step=4, by=street_staff)
    assert project.step == 4


def test_announce_needs_more_support_than_opposition(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    voter = make_user(roles.RESIDENT, area=area, verified=True)
    services.vote_cast(project=project, voter=voter, choice="oppose")
    with pytest.raises(ValidationError) as refused:
        services.project_move(project=project, to_step=7, by=area_staff, note="提前")
    assert refused.value.messages == [
        "表决未通过（赞成 0 票，反对 1 票）：赞成票须多于反对票。请填写理由，作不通过处理。"
    ]
    assert Project.objects.get(pk=project.pk).step == 6


def test_sharing_needs_the_evaluation(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.EVALUATE)
    with pytest.raises(ValidationError):
        services.project_move(project=project, to_step=12, by=area_staff)


def test_reject_needs_a_reason_and_closes_the_project(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    with pytest.raises(ValidationError):
        services.project_reject(project=project, by=area_staff, reason="  ")
    services.project_reject(project=project, by=area_staff, reason="与小区规划冲突")
    project.refresh_from_db()
    assert project.outcome == "rejected"
    assert project.step_changes.last().note == "与小区规划冲突"
    with pytest.raises(ValidationError):
        services.project_move(project=project, to_step=6, by=area_staff)


def test_proposer_can_withdraw_until_the_vote_opens_only(area, resident, area_staff):
    early = make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.CONSULT
    )
    services.project_withdraw(project=early, by=resident)
    assert Project.objects.get(pk=early.pk).outcome == "withdrawn"

    for step in (StepCode.VOTE, StepCode.ANNOUNCE):
        late = make_project(area=area, proposer=resident, staff=area_staff, step=step)
        with pytest.raises(PermissionDenied):
            services.project_withdraw(project=late, by=resident)
        assert Project.objects.get(pk=late.pk).outcome == "open"


def test_someone_else_cannot_withdraw(area, resident):
    project = make_project(area=area, proposer=resident, step=StepCode.SUBMIT)
    with pytest.raises(PermissionDenied):
        services.project_withdraw(
            project=project, by=make_user(roles.RESIDENT, area=area)
        )


# --- votes ------------------------------------------------------------------------------------


def test_second_vote_changes_choice_not_count(area, area_staff, resident):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    services.vote_cast(project=project, voter=resident, choice="support")
    services.vote_cast(project=project, voter=resident, choice="abstain")
    assert (
        Vote.objects.filter(project=project, voter=resident).get().choice == "abstain"
    )
    totals = Project.objects.with_totals().get(pk=project.pk)
    assert (totals.votes_support, totals.votes_abstain) == (0, 1)


@pytest.mark.parametrize("step", [StepCode.CONSULT, StepCode.ANNOUNCE])
def test_vote_outside_step_six_is_refused(area, area_staff, resident, step):
    project = make_project(area=area, staff=area_staff, step=step)
    before = Vote.objects.count()
    with pytest.raises(ValidationError, match="第6步|step 6"):
        services.vote_cast(project=project, voter=resident, choice="support")
    assert Vote.objects.count() == before


def test_unverified_resident_cannot_vote(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    newcomer = make_user(roles.RESIDENT, area=area, verified=False)
    with pytest.raises(ValidationError, match="核实|verified"):
        services.vote_cast(project=project, voter=newcomer, choice="support")
    assert not Vote.objects.filter(voter=newcomer).exists()


def test_resident_of_another_area_cannot_vote(area, other_area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    outsider = make_user(roles.RESIDENT, area=other_area, verified=True)
    with pytest.raises(ValidationError):
        services.vote_cast(project=project, voter=outsider, choice="support")


def test_unknown_vote_choice_is_refused(area, area_staff, resident):
    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    with pytest.raises(ValidationError):
        services.vote_cast(project=project, voter=resident, choice="maybe")


def test_database_refuses_a_second_vote_row(area, area_staff, resident):
    from django.db import IntegrityError, transaction

    project = make_project(area=area, staff=area_staff, step=StepCode.VOTE)
    services.vote_cast(project=project, voter=resident, choice="support")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(project=project, voter=resident, choice="oppose")


# --- comments ---------------------------------------------------------------------------------


def test_comments_only_during_consultation(area, area_staff, resident):
    project = make_project(area=area, staff=area_staff, step=StepCode.SUBMIT)
    with pytest.raises(ValidationError):
        services.comment_add(project=project, author=resident, body="我支持")
    services.project_move(project=project, to_step=4, by=area_staff)
    comment = services.comment_add(project=project, author=resident, body="  我支持  ")
    assert comment.body == "我支持"


@pytest.mark.parametrize("body", ["", "   ", "长" * 2001])
def test_empty_or_overlong_comment_is_refused(area, area_staff, resident, body):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    with pytest.raises(ValidationError):
        services.comment_add(project=project, author=resident, body=body)
    assert not Comment.objects.exists()


def test_hidden_comment_is_kept_with_its_reason(area, area_staff, resident, other_area):
    project = make_project(area=area, staff=area_staff, step=StepCode.CONSULT)
    comment = services.comment_add(project=project, author=resident, body="广告")
    with pytest.raises(PermissionDenied):
        services.comment_hide(
            comment=comment, by=make_user(roles.AREA_STAFF, area=other_area), reason="x"
        )
    services.comment_hide(comment=comment, by=area_staff, reason="与项目无关")
    comment.refresh_from_db()
    assert (
        comment.is_hidden
        and comment.body == "广告"
        and comment.hidden_reason == "与项目无关"
    )


# --- money ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("200", "200.00"), ("35.5", "35.50"), (" 35.50 ", "35.50"), ("0.01", "0.01")],
)
def test_amounts_are_parsed_as_yuan(raw, expected):
    assert services.parse_amount(raw) == Decimal(expected)


NOT_A_NUMBER = "请用数字填写金额（元），例如 200 或 35.50。"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-5", "金额必须大于 0 元。"),
        ("+5", NOT_A_NUMBER),
        ("abc", NOT_A_NUMBER),
        ("", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("Infinity", NOT_A_NUMBER),
        ("1e3", NOT_A_NUMBER),  # an exponent is no amount: not ¥1,000
        ("1,000", NOT_A_NUMBER),
        ("1 000", NOT_A_NUMBER),
        ("１２ａ", NOT_A_NUMBER),  # full-width, still no number
        ("0x10", NOT_A_NUMBER),
        ("5.", NOT_A_NUMBER),
        (".5", NOT_A_NUMBER),
        ("1.234", "金额最多保留两位小数。"),
        ("0", "金额必须大于 0 元。"),
        ("0.00", "金额必须大于 0 元。"),
        ("1000000.01", "单笔众筹金不能超过 1,000,000 元。"),
        ("99999999999999999999", "单笔众筹金不能超过 1,000,000 元。"),
    ],
)
def test_bad_amounts_are_refused_with_the_reason(raw, message):
    with pytest.raises(ValidationError) as refused:
        services.parse_amount(raw)
    assert refused.value.messages == [message]


@pytest.mark.parametrize(
    ("raw", "amount"),
    [("１００", "100.00"), ("３５．５", "35.50"), (" 200 ", "200.00")],
)
def test_amounts_typed_on_a_chinese_keyboard_are_amounts(raw, amount):
    assert services.parse_amount(raw) == Decimal(amount)


def test_contribution_recorded_at_crowdfunding(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    services.contribution_record(
        project=project,
        by=area_staff,
        contributor="国际集团",
        amount="500",
        contributed_on=date(2020, 6, 1),
    )
    assert Project.objects.with_totals().get(pk=project.pk).raised == Decimal("500.00")


def test_contribution_refused_before_crowdfunding_and_by_outsiders(
    area, other_area, area_staff
):
    project = make_project(area=area, staff=area_staff, step=StepCode.ANNOUNCE)
    with pytest.raises(ValidationError):
        services.contribution_record(
            project=project,
            by=area_staff,
            contributor="x",
            amount="5",
            contributed_on=date(2020, 1, 1),
        )
    services.project_move(project=project, to_step=8, by=area_staff)
    with pytest.raises(PermissionDenied):
        services.contribution_record(
            project=project,
            by=make_user(roles.AREA_STAFF, area=other_area),
            contributor="x",
            amount="5",
            contributed_on=date(2020, 1, 1),
        )
    assert not Contribution.objects.exists()


def test_database_refuses_a_negative_contribution(area, area_staff):
    from django.db import IntegrityError, transaction

    project = make_project(area=area, staff=area_staff, step=StepCode.CROWDFUND)
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(
            project=project,
            contributor="x",
            amount=Decimal("-1"),
            contributed_on=date(2020, 1, 1),
            recorded_by=area_staff,
        )


def test_evaluation_ranges(area, area_staff):
    project = make_project(area=area, staff=area_staff, step=StepCode.EVALUATE)
    with pytest.raises(ValidationError):
        services.evaluation_record(project=project, by=area_staff, beneficiaries=-1)
    assert Project.objects.get(pk=project.pk).beneficiaries is None


def test_progress_only_while_carrying_out(area, area_staff, resident):
    project = make_project(
        area=area, proposer=resident, staff=area_staff, step=StepCode.CROWDFUND
    )
    with pytest.raises(ValidationError):
        services.progress_post(project=project, by=resident, body="已采购")
    services.project_move(project=project, to_step=9, by=area_staff)
    services.progress_post(project=project, by=resident, body="已采购感应灯")
    assert project.progress_updates.count() == 1


def test_title_too_long_is_refused_and_nothing_saved(area, resident):
    with pytest.raises(ValidationError):
        services.project_create(by=resident, area=area, **proposal(title="长" * 61))
    assert not Project.objects.exists()
