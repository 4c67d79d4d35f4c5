from django import template
from django.utils.translation import gettext as _

from projects.models import STAGES, StepCode, stage_of

register = template.Library()


@register.simple_tag
def step_text(step: int, labels: dict) -> str:
    """「第二阶段 议事 · 第5步 民主协商」"""
    from projects.selectors import step_texts

    return step_texts(labels)[step]


@register.filter
def lookup(mapping: dict, key):
    """`{{ texts|lookup:project.step }}`: a dict entry (texts made once per page)."""
    return mapping.get(key, "")


@register.simple_tag
def step_label(step: int, labels: dict) -> str:
    return _("Step %(step)s %(label)s") % {"step": step, "label": labels[step]}


@register.simple_tag
def workflow(labels: dict) -> list[dict]:
    """The twelve steps grouped by stage, for the overview on a project page."""
    return [
        {
            "name": STAGES[stage],
            "steps": [
                (code, labels[code])
                for code in StepCode.values
                if stage_of(code) == stage
            ],
        }
        for stage in STAGES
    ]


@register.filter
def next_action(step: int) -> str:
    """What the next thing to do at this step is called (the work list's button)."""
    from projects import workflow

    return workflow.next_action(step)
