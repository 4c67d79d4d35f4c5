"""Projects made the real way: through the services, step by step."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from nanxi import roles
from projects import selectors, services
from projects.models import Project, StepCode
from tests.factories import make_user

# Who tries an action in the role × action tables (tests/projects/conftest.py: people).
ACTORS = [
    "anonymous",
    "unverified",
    "proposer",
    "neighbour",
    "outsider",
    "area_staff",
    "other_staff",
    "street_staff",
    "superuser",
]
STAFF = {"area_staff", "street_staff", "superuser"}
LOGGED_IN = set(ACTORS) - {"anonymous"}


def proposal(**overrides) -> dict:
    data = {
        "title": "楼道整治",
        "summary": "清理楼道堆物，装上感应灯。",
        "description": "楼道里堆了很多杂物，晚上很暗，老人走路不安全。",
        "category": Project.Category.DOORSTEP,
        "budget_requested": Decimal("800.00"),
        "crowdfunding_goal": Decimal("300.00"),
    }
    data.update(overrides)
    return data


def make_project(
    *, area, proposer=None, staff=None, step=StepCode.SUBMIT, **overrides
) -> Project:
    """A project at `step`, moved there through the services by proposer and staff."""
    proposer = proposer or make_user(roles.RESIDENT, area=area, verified=True)
    staff = staff or make_user(roles.AREA_STAFF, area=area)
    project = services.project_create(
        by=proposer, area=area, submit=step >= StepCode.SUBMIT, **proposal(**overrides)
    )
    return advance(project, staff=staff, step=step, voter=proposer)


def make_paper_project(
    *, area, member=None, resident=None, staff=None, step=StepCode.SUBMIT, **overrides
) -> Project:
    """A proposal handed in on paper (线下), entered by staff for a member of the
    area (made here unless given) or a resident with an account, moved to `step`."""
    staff = staff or make_user(roles.AREA_STAFF, area=area)
    if member is None and resident is None:
        member = make_member(area=area, by=staff)
    project = services.project_enter_paper(
        by=staff, area=area, member=member, resident=resident, **proposal(**overrides)
    )
    return advance(project, staff=staff, step=step)


def make_member(*, area, by=None, name="李阿婆", phone="13800000001", group=None):
    """A member of the area without an account, recorded through the service."""
    from buildings.models import BuildingGroup

    by = by or make_user(roles.AREA_STAFF, area=area)
    group = group or BuildingGroup.objects.create(
        name=f"{area.name}{BuildingGroup.objects.count() + 1}号楼组", area=area
    )
    return services.member_record(
        by=by, name=name, area=area, building_group=group, phone=phone
    )


def advance(project: Project, *, staff, step, voter=None) -> Project:
    """Move a submitted project on to `step` as its area's staff (the vote passes:
    `voter` votes for it online, else staff enter a paper ballot)."""
    while project.step < step:
        if project.step == StepCode.VOTE:
            if voter is not None:
                services.vote_cast(project=project, voter=voter, choice="support")
            else:
                services.vote_enter_paper(
                    project=project, by=staff, choice="support", ballot_number="P-1"
                )
            turn_out(project, staff=staff)
            votes_ran_their_course(project)
        if project.step == StepCode.EVALUATE:
            services.evaluation_record(project=project, by=staff, beneficiaries=120)
            services.evaluation_enter_paper(
                project=project, by=staff, stars=5, form_number="001"
            )
        services.project_move(
            project=project, to_step=project.step + 1, by=staff, **move_extras(project)
        )
    return project


def turn_out(project: Project, *, staff) -> None:
    """Paper ballots in support until the area's rule's turnout is reached (an area
    where many residents were made for a test: the street's default asks 30 %)."""
    n = 0
    while not selectors.vote_result(project.pk).turnout_ok:
        n += 1
        services.vote_enter_paper(
            project=project, by=staff, choice="support", ballot_number=f"T-{n}"
        )


def votes_ran_their_course(project: Project) -> None:
    """As if the vote's closing day were over (yesterday): it then closes without
    every resident who may vote having voted (`services.close_refusal`)."""
    yesterday = timezone.localdate() - timedelta(days=1)
    Project.objects.filter(pk=project.pk).update(vote_closes_on=yesterday)
    project.vote_closes_on = yesterday


def move_extras(project: Project) -> dict:
    """What the next move needs beyond the step: the vote's closing day, or a note
    for closing the vote before that day is over (tests move on at once)."""
    if project.step == StepCode.CONSULT:
        return {"vote_closes_on": timezone.localdate()}
    if project.step == StepCode.VOTE:
        return {"note": "表决提前结束"}
    return {}
