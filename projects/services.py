"""Every write with a rule on autonomy projects. Views and the admin call these."""

import re
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nanxi import images
from projects import permissions, workflow
from projects.models import (
    MAX_CONTRIBUTION,
    Comment,
    Contribution,
    ProgressUpdate,
    Project,
    ProjectPhoto,
    StepChange,
    StepCode,
    Vote,
)

MAX_PHOTOS = 6


# --- proposals ---------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    by,
    title: str,
    summary: str,
    description: str,
    category: str,
    area,
    topics=(),
    building_groups=(),
    budget_requested: Decimal = Decimal("0"),
    crowdfunding_goal: Decimal = Decimal("0"),
    photos=(),
    submit: bool = False,
    at: datetime | None = None,
) -> Project:
    """A resident's new proposal: a draft (step 2), or submitted straight away (step 3)."""
    if not by.is_authenticated:
        raise PermissionDenied(_("Log in to make a proposal."))
    processed = _process_photos(photos, existing=0)
    project = Project(
        title=title,
        summary=summary,
        description=description,
        category=category,
        area=area,
        proposer=by,
        budget_requested=budget_requested,
        crowdfunding_goal=crowdfunding_goal,
        step=StepCode.DRAFT,
    )
    _check_groups(building_groups, area)
    project.full_clean()
    project.save()
    project.topics.set(topics)
    project.building_groups.set(building_groups)
    _save_photos(project, processed, by)
    _record(project, from_step=StepCode.COLLECT_NEEDS, by=by, note="", at=at)
    if submit:
        project_move(project=project, to_step=StepCode.SUBMIT, by=by, at=at)
    return project


@transaction.atomic
def project_update(
    *,
    project: Project,
    by,
    title: str,
    summary: str,
    description: str,
    category: str,
    area,
    topics=(),
    building_groups=(),
    budget_requested: Decimal = Decimal("0"),
    crowdfunding_goal: Decimal = Decimal("0"),
    new_photos=(),
    remove_photo_ids=(),
) -> Project:
    project = _locked(project)
    if not permissions.can_edit(by, project):
        raise PermissionDenied(
            _("Only the proposer can change a proposal, and only until it is accepted.")
        )
    keep = project.photos.exclude(pk__in=list(remove_photo_ids))
    processed = _process_photos(new_photos, existing=keep.count())
    for field, value in {
        "title": title,
        "summary": summary,
        "description": description,
        "category": category,
        "area": area,
        "budget_requested": budget_requested,
        "crowdfunding_goal": crowdfunding_goal,
    }.items():
        setattr(project, field, value)
    _check_groups(building_groups, area)
    project.full_clean()
    project.save()
    project.topics.set(topics)
    project.building_groups.set(building_groups)
    project.photos.filter(pk__in=list(remove_photo_ids)).delete()
    _save_photos(project, processed, by)
    return project


@transaction.atomic
def project_correct_texts(
    *, project: Project, by, title: str, summary: str, description: str, topics=()
) -> Project:
    """Staff of the project's area correct its words; nothing that counts in a figure."""
    locked = _locked(project)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _("Only staff of this project's residential area can correct it.")
        )
    locked.title, locked.summary, locked.description = title, summary, description
    locked.full_clean()
    locked.save(update_fields=["title", "summary", "description", "updated_at"])
    locked.topics.set(topics)
    for field in ("title", "summary", "description", "updated_at"):
        setattr(project, field, getattr(locked, field))
    return project


def _check_groups(building_groups, area) -> None:
    outside = [g.name for g in building_groups if g.area_id != area.pk]
    if outside:
        raise ValidationError(
            _("These building groups are not in %(area)s: %(groups)s.")
            % {"area": area, "groups": "、".join(outside)}
        )


def _process_photos(photos, *, existing: int) -> list[images.ProcessedImage]:
    photos = list(photos)
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            _("A project can have at most %(max)d photos."), params={"max": MAX_PHOTOS}
        )
    # Every photo is checked before anything is written: one bad file saves nothing.
    return [images.process_upload(photo) for photo in photos]


def _save_photos(project: Project, processed, by) -> None:
    for item in processed:
        photo = ProjectPhoto(project=project, uploaded_by=by)
        images.attach(photo, item)
        photo.save()


# --- the workflow ----------------------------------------------------------------------


def _locked(project: Project) -> Project:
    """The project's row, locked until the transaction ends (two clicks, one move)."""
    return Project.objects.select_for_update().get(pk=project.pk)


def _record(project, *, from_step, by, note, at, outcome=None) -> StepChange:
    change = StepChange(
        project=project,
        from_step=from_step,
        to_step=project.step,
        outcome=outcome or project.outcome,
        actor=by,
        note=note,
        created_at=at or timezone.now(),
    )
    change.full_clean()
    change.save()
    return change


def _refuse_unless_open(project: Project) -> None:
    if not project.is_open:
        raise ValidationError(
            _("This project is %(outcome)s; it cannot move any more."),
            params={"outcome": project.get_outcome_display()},
        )


@transaction.atomic
def project_move(
    *, project: Project, to_step: int, by, note: str = "", at: datetime | None = None
) -> Project:
    """Move a project one step on. The only code that changes `Project.step`."""
    locked = _locked(project)
    _refuse_unless_open(locked)
    from_step = locked.step
    move = workflow.next_move(from_step)
    if move is None or move.to_step != to_step:
        if move is None:
            raise ValidationError(
                _("A project at step %(from)d has no further step."),
                params={"from": from_step},
            )
        raise ValidationError(
            _("A project at step %(from)d can only move to step %(next)d, not %(to)d."),
            params={"from": from_step, "next": move.to_step, "to": to_step},
        )
    if not permissions.may_make(by, locked, move):
        if move.by_proposer:
            raise PermissionDenied(_("Only the proposer can submit this proposal."))
        raise PermissionDenied(
            _("Only staff of this project's residential area can move it on.")
        )
    if to_step == StepCode.ANNOUNCE:
        _require_vote_passed(locked)
    if to_step == StepCode.SHARE and (
        locked.beneficiaries is None or locked.satisfaction is None
    ):
        raise ValidationError(
            _(
                "Record the residents' evaluation (beneficiaries and satisfaction) first."
            )
        )
    locked.step = to_step
    if to_step == StepCode.ANNOUNCE:
        locked.year = timezone.localtime(at or timezone.now()).year
    locked.save(update_fields=["step", "year", "updated_at"])
    _record(locked, from_step=from_step, by=by, note=note, at=at)
    _refresh(project, locked)
    return project


def _require_vote_passed(project: Project) -> None:
    totals = (
        Project.objects.with_totals()
        .values("votes_support", "votes_oppose")
        .get(pk=project.pk)
    )
    if totals["votes_support"] <= totals["votes_oppose"]:
        raise ValidationError(
            _(
                "The vote has not passed (%(support)d support, %(oppose)d oppose): "
                "a project needs more support than opposition. Reject it with a reason instead."
            ),
            params={
                "support": totals["votes_support"],
                "oppose": totals["votes_oppose"],
            },
        )


def _refresh(project: Project, locked: Project) -> None:
    for field in ("step", "outcome", "year", "updated_at"):
        setattr(project, field, getattr(locked, field))


@transaction.atomic
def project_finish(*, project: Project, by, note: str = "", at=None) -> Project:
    locked = _locked(project)
    _refuse_unless_open(locked)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _("Only staff of this project's residential area can finish it.")
        )
    if not workflow.is_open_for(locked, workflow.Activity.FINISH):
        raise ValidationError(
            _("A project is finished at step 12, after its evaluation.")
        )
    return _close(project, locked, Project.Outcome.DONE, by=by, note=note, at=at)


@transaction.atomic
def project_reject(*, project: Project, by, reason: str) -> Project:
    locked = _locked(project)
    _refuse_unless_open(locked)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _("Only staff of this project's residential area can reject it.")
        )
    if not workflow.is_open_for(locked, workflow.Activity.REJECT):
        raise ValidationError(
            _("A draft cannot be rejected: it has not been submitted.")
        )
    if not reason.strip():
        raise ValidationError(
            _("Give the reason for rejecting: the proposer will read it.")
        )
    return _close(project, locked, Project.Outcome.REJECTED, by=by, note=reason.strip())


@transaction.atomic
def project_withdraw(*, project: Project, by, note: str = "") -> Project:
    locked = _locked(project)
    _refuse_unless_open(locked)
    if not permissions.can_withdraw(by, locked):
        raise PermissionDenied(
            _(
                "Only the proposer can withdraw a project, and only before it is announced."
            )
        )
    return _close(project, locked, Project.Outcome.WITHDRAWN, by=by, note=note.strip())


def _close(project, locked, outcome, *, by, note, at=None) -> Project:
    locked.outcome = outcome
    locked.save(update_fields=["outcome", "updated_at"])
    _record(locked, from_step=locked.step, by=by, note=note, at=at)
    _refresh(project, locked)
    return project


# --- deliberation and votes --------------------------------------------------------------


@transaction.atomic
def comment_add(*, project: Project, author, body: str) -> Comment:
    if not permissions.can_comment(author, project):
        raise ValidationError(_("Comments are open only during consultation (step 5)."))
    comment = Comment(project=project, author=author, body=body.strip())
    comment.full_clean()
    comment.save()
    return comment


@transaction.atomic
def comment_hide(*, comment: Comment, by, reason: str) -> Comment:
    if not permissions.can_hide_comment(by, comment):
        raise PermissionDenied(
            _("Only staff of this project's residential area can hide comments.")
        )
    if not reason.strip():
        raise ValidationError(_("Give the reason for hiding the comment."))
    comment.hidden_at = timezone.now()
    comment.hidden_by = by
    comment.hidden_reason = reason.strip()
    comment.full_clean()
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    return comment


@transaction.atomic
def vote_cast(*, project: Project, voter, choice: str) -> Vote:
    """One vote per verified resident of the area; voting again changes the choice."""
    locked = _locked(project)
    refusal = permissions.vote_refusal(voter, locked)
    if refusal:
        raise ValidationError(refusal)
    if choice not in Vote.Choice.values:
        raise ValidationError(_("Choose support, oppose or abstain."))
    try:
        with transaction.atomic():
            vote, _created = Vote.objects.update_or_create(
                project=locked, voter=voter, defaults={"choice": choice}
            )
    except IntegrityError:
        # A second request from the same person won the race: change that vote instead.
        vote = Vote.objects.get(project=locked, voter=voter)
        vote.choice = choice
        vote.save(update_fields=["choice", "updated_at"])
    return vote


# --- implementation and evaluation -----------------------------------------------------------


AMOUNT = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,2})?")


def parse_amount(value) -> Decimal:
    """Yuan as digits with at most two decimals, above zero and at most one million.

    Nothing else is an amount: no exponent ("1e3"), sign, separator or spaces inside.
    """
    text = str(value).strip()
    if not AMOUNT.fullmatch(text):
        if re.fullmatch(r"[0-9]+\.[0-9]{3,}", text):
            raise ValidationError(
                _("Enter the amount in yuan with at most two decimals.")
            )
        raise ValidationError(
            _("Enter the amount in yuan as a number, e.g. 200 or 35.50.")
        )
    amount = Decimal(text)
    if amount <= 0:
        raise ValidationError(_("The amount must be more than 0 yuan."))
    if amount > MAX_CONTRIBUTION:
        raise ValidationError(_("One contribution can be at most 1,000,000 yuan."))
    return amount.quantize(Decimal("0.01"))


@transaction.atomic
def contribution_record(
    *, project: Project, by, contributor: str, amount, contributed_on: date
) -> Contribution:
    locked = _locked(project)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _("Only staff of this project's residential area can record contributions.")
        )
    if not workflow.is_open_for(locked, workflow.Activity.CONTRIBUTE):
        raise ValidationError(
            _(
                "Contributions are recorded while crowdfunding and carrying out (steps 8–9)."
            )
        )
    contribution = Contribution(
        project=locked,
        contributor=contributor.strip(),
        amount=parse_amount(amount),
        contributed_on=contributed_on,
        recorded_by=by,
    )
    contribution.full_clean()
    contribution.save()
    return contribution


@transaction.atomic
def progress_post(*, project: Project, by, body: str) -> ProgressUpdate:
    if not (
        permissions.can_manage(by, project) or permissions.is_proposer(by, project)
    ):
        raise PermissionDenied(_("Only the proposer and area staff can post progress."))
    if not workflow.is_open_for(project, workflow.Activity.PROGRESS):
        raise ValidationError(
            _("Progress is posted while the project is carried out (step 9).")
        )
    update = ProgressUpdate(project=project, author=by, body=body.strip())
    update.full_clean()
    update.save()
    return update


@transaction.atomic
def evaluation_record(
    *, project: Project, by, beneficiaries: int, satisfaction: int
) -> Project:
    locked = _locked(project)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _(
                "Only staff of this project's residential area can record the evaluation."
            )
        )
    if not workflow.is_open_for(locked, workflow.Activity.EVALUATE):
        raise ValidationError(
            _("The evaluation is recorded at step 11 (residents evaluate).")
        )
    locked.beneficiaries = beneficiaries
    locked.satisfaction = satisfaction
    locked.full_clean()
    locked.save(update_fields=["beneficiaries", "satisfaction", "updated_at"])
    project.beneficiaries, project.satisfaction = beneficiaries, satisfaction
    return project
