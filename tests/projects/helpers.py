"""Projects made the real way: through the services, step by step."""

from decimal import Decimal

from django.utils import timezone

from nanxi import roles
from projects import services
from projects.models import Project, StepCode
from tests.factories import make_user


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
    while project.step < step:
        if project.step == StepCode.VOTE:
            services.vote_cast(project=project, voter=proposer, choice="support")
        if project.step == StepCode.EVALUATE:
            services.evaluation_record(project=project, by=staff, beneficiaries=120)
            services.evaluation_enter_paper(
                project=project, by=staff, stars=5, form_number="001"
            )
        services.project_move(
            project=project, to_step=project.step + 1, by=staff, **move_extras(project)
        )
    return project


def move_extras(project: Project) -> dict:
    """What the next move needs beyond the step: the vote's closing day, or a note
    for closing the vote before that day is over (tests move on at once)."""
    if project.step == StepCode.CONSULT:
        return {"vote_closes_on": timezone.localdate()}
    if project.step == StepCode.VOTE:
        return {"note": "表决提前结束"}
    return {}
