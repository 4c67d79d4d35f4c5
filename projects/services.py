"""Every write with a rule on autonomy projects. Views and the admin call these."""

import logging
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nanxi import fragments, images
from nanxi.forms import phone_validator
from nanxi.models import Profile
from projects import notices, permissions, selectors, workflow
from projects.models import (
    DEFAULT_MIN_SUPPORT,
    MAX_CONTRIBUTION,
    AreaMember,
    Comment,
    Contribution,
    Disposition,
    Evaluation,
    Need,
    NeedSupport,
    Pledge,
    ProgressUpdate,
    Project,
    ProjectPhoto,
    StepChange,
    StepCode,
    Vote,
)

MAX_PHOTOS = 6
logger = logging.getLogger(__name__)


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
    need: Need | None = None,
    drafted_by=None,
) -> Project:
    """A resident's new proposal: a draft (step 2), or submitted straight away (step 3).

    `need`/`drafted_by`: staff drafted it from a need, for its author (`by`).
    """
    if not by.is_authenticated:
        raise PermissionDenied(_("Log in to make a proposal."))
    refusal = permissions.proposal_refusal(by, area.pk)
    if refusal and drafted_by is not None:
        # Staff draft it from a need, for its author to finish and submit.
        refusal = _(
            "The resident who posted this need is not verified as a resident of "
            "%(area)s yet: verify them first (Verify residents), then make the draft."
        ) % {"area": area.name}
    if refusal:
        raise ValidationError(refusal)
    project = _new_project(
        proposer=by,
        actor=drafted_by or by,
        title=title,
        summary=summary,
        description=description,
        category=category,
        area=area,
        topics=topics,
        building_groups=building_groups,
        budget_requested=budget_requested,
        crowdfunding_goal=crowdfunding_goal,
        photos=photos,
        at=at,
        need=need,
    )
    if submit:
        project_move(project=project, to_step=StepCode.SUBMIT, by=by, at=at)
    return project


def _new_project(
    *,
    proposer,
    actor,
    title: str,
    summary: str,
    description: str,
    category: str,
    area,
    topics,
    building_groups,
    budget_requested: Decimal,
    crowdfunding_goal: Decimal,
    photos,
    at: datetime | None,
    need: Need | None = None,
    proposer_member: AreaMember | None = None,
    entered_by=None,
) -> Project:
    """A draft (step 2) and its first change row; the caller checked who may."""
    processed = _process_photos(photos, existing=0)
    project = Project(
        title=title,
        summary=summary,
        description=description,
        category=category,
        area=area,
        proposer=proposer,
        proposer_member=proposer_member,
        entered_by=entered_by,
        budget_requested=budget_requested,
        crowdfunding_goal=crowdfunding_goal,
        step=StepCode.DRAFT,
        need=need,
    )
    _check_groups(building_groups, area)
    project.full_clean()
    project.save()
    project.topics.set(topics)
    project.building_groups.set(building_groups)
    # Photos of a paper proposal are uploaded by the staff member who entered it.
    _save_photos(project, processed, entered_by or proposer)
    _record(project, from_step=StepCode.COLLECT_NEEDS, by=actor, note="", at=at)
    return project


@transaction.atomic
def project_enter_paper(
    *,
    by,
    area,
    title: str,
    summary: str,
    description: str,
    category: str,
    member: AreaMember | None = None,
    resident=None,
    topics=(),
    building_groups=(),
    budget_requested: Decimal = Decimal("0"),
    crowdfunding_goal: Decimal = Decimal("0"),
    photos=(),
    at: datetime | None = None,
) -> Project:
    """Staff enter a proposal handed in on paper (线下), submitted (step 3) at once.

    It is the proposal of a member of the area without an account (`member`) or of
    a resident with one (`resident`), never of the staff member, who is recorded
    as the one who entered it. Staff of the area then act for the proposer
    (`permissions.acts_for_proposer`).
    """
    if not permissions.can_enter_paper_proposal(by, area.pk):
        raise PermissionDenied(
            _("Only staff of this residential area can enter its paper proposals.")
        )
    if (member is None) == (resident is None):
        raise ValidationError(
            _(
                "Say whose proposal it is: a member of the area, or a resident "
                "with an account (not both)."
            )
        )
    if member is not None:
        # Locked: a member erased meanwhile is not used.
        member = AreaMember.objects.select_for_update().get(pk=member.pk)
        refusal = permissions.member_refusal(member, area.pk)
    else:
        refusal = permissions.resident_refusal(resident, area.pk)
    if refusal:
        raise ValidationError(refusal)
    project = _new_project(
        proposer=resident,
        proposer_member=member,
        entered_by=by,
        actor=by,
        title=title,
        summary=summary,
        description=description,
        category=category,
        area=area,
        topics=topics,
        building_groups=building_groups,
        budget_requested=budget_requested,
        crowdfunding_goal=crowdfunding_goal,
        photos=photos,
        at=at,
    )
    project_move(project=project, to_step=StepCode.SUBMIT, by=by, at=at)
    return project


def resident_by_contact(*, by, area, contact: str):
    """The account of a resident of `area` with this e-mail address or phone.

    Only staff of the area may look (nothing about an account is shown: it is
    found, or the form says it was not).
    """
    if not permissions.can_manage_members(by, area.pk):
        raise PermissionDenied(
            _("Only staff of this residential area can enter its paper proposals.")
        )
    text = contact.strip()
    if not text:
        raise ValidationError(
            _("Enter the e-mail address or phone of the resident's account.")
        )
    profiles = Profile.objects.filter(
        area=area, erased_at=None, user__is_active=True
    ).select_related("user__profile")
    if "@" in text:
        profiles = profiles.filter(user__email__iexact=text)
    else:
        profiles = profiles.filter(phone=text)
    found = list(profiles.order_by("pk")[:2])
    if not found:
        raise ValidationError(
            _(
                "No resident of %(area)s has an account with this e-mail address "
                "or phone."
            )
            % {"area": area.name}
        )
    if len(found) > 1:
        raise ValidationError(
            _(
                "Several residents of %(area)s gave this phone: enter the e-mail "
                "address of the account instead."
            )
            % {"area": area.name}
        )
    return found[0].user


# --- members of the area (线下, no account) ------------------------------------------------


def _check_member(member: AreaMember) -> None:
    member.name = member.name.strip()
    member.phone = member.phone.strip()
    errors = {}
    if not member.name:
        errors["name"] = _("Write the member's name.")
    if member.building_group is None:
        errors["building_group"] = _("Choose the member's building group.")
    elif member.building_group.area_id != member.area_id:
        errors["building_group"] = _(
            "%(group)s is not in %(area)s: choose a building group of the member's "
            "residential area."
        ) % {"group": member.building_group.name, "area": member.area.name}
    if member.phone:
        try:
            phone_validator(member.phone)
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if not errors and _same_member_exists(member):
        # One person, two records, would hand in two ballots unnoticed.
        errors["name"] = _(
            "%(name)s of %(group)s is already a member of the area: use that record, "
            "or add something that tells the two apart (e.g. 周老伯（2号）)."
        ) % {"name": member.name, "group": member.building_group.name}
    if errors:
        raise ValidationError(errors)
    member.full_clean()


def _same_member_exists(member: AreaMember) -> bool:
    key = unicodedata.normalize("NFKC", member.name).replace(" ", "").casefold()
    others = AreaMember.objects.filter(
        area_id=member.area_id,
        building_group=member.building_group,
        erased_at__isnull=True,
    ).exclude(pk=member.pk)
    return any(
        unicodedata.normalize("NFKC", name).replace(" ", "").casefold() == key
        for name in others.values_list("name", flat=True)
    )


@transaction.atomic
def member_record(
    *, by, name: str, area, building_group, phone: str = ""
) -> AreaMember:
    """Staff record a member of their area who has no account (线下)."""
    if not permissions.can_manage_members(by, area.pk):
        raise PermissionDenied(
            _("Only staff of this residential area can record its members.")
        )
    member = AreaMember(
        name=name,
        area=area,
        building_group=building_group,
        phone=phone,
        recorded_by=by,
    )
    _check_member(member)
    member.save()
    return member


def _locked_member(member: AreaMember, by) -> AreaMember:
    locked = (
        AreaMember.objects.select_for_update().select_related("area").get(pk=member.pk)
    )
    if not permissions.can_manage_members(by, locked.area_id):
        raise PermissionDenied(
            _("Only staff of this residential area can change its members.")
        )
    if locked.is_erased:
        raise ValidationError(
            _("This member's record has been erased; it cannot be used again.")
        )
    return locked


@transaction.atomic
def member_update(
    *, member: AreaMember, by, name: str, building_group, phone: str = ""
) -> AreaMember:
    locked = _locked_member(member, by)
    locked.name, locked.building_group, locked.phone = name, building_group, phone
    _check_member(locked)
    locked.save(update_fields=["name", "building_group", "phone"])
    return locked


@transaction.atomic
def member_erase(*, member: AreaMember, by, at: datetime | None = None) -> AreaMember:
    """Erase a member's personal data (PIPL) at their request; keep what they did.

    Their paper proposals, ballots and forms still count, shown as a deleted
    resident. The record cannot be used again; erasing twice is refused.
    """
    locked = _locked_member(member, by)
    locked.name, locked.phone, locked.building_group = "", "", None
    locked.erased_at, locked.erased_by = at or timezone.now(), by
    locked.save(
        update_fields=["name", "phone", "building_group", "erased_at", "erased_by"]
    )
    return locked


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
    if project.on_paper and area.pk != project.area_id:
        # Its proposer lives there, and its staff entered it: it stays in their care.
        raise ValidationError(
            _(
                "A proposal handed in on paper stays in the residential area where "
                "it was handed in."
            )
        )
    if area.pk != project.area_id:
        refusal = permissions.proposal_refusal(by, area.pk)
        if refusal:
            raise ValidationError(refusal)
    proposal_photos = project.photos.filter(progress_update=None)
    keep = proposal_photos.exclude(pk__in=list(remove_photo_ids))
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
    fragments.bump(selectors.PROJECTS)  # what the list filters by may have changed
    proposal_photos.filter(pk__in=list(remove_photo_ids)).delete()
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
    fragments.bump(selectors.PROJECTS)  # the topics the list filters by
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


def _process_photos(
    photos, *, existing: int, too_many: str | None = None
) -> list[images.ProcessedImage]:
    photos = list(photos)
    if existing + len(photos) > MAX_PHOTOS:
        raise ValidationError(
            too_many or _("A project can have at most %(max)d photos."),
            params={"max": MAX_PHOTOS},
        )
    # Every photo is checked before anything is written: one bad file saves nothing.
    return [images.process_upload(photo) for photo in photos]


def _save_photos(project: Project, processed, by, progress_update=None) -> None:
    for item in processed:
        photo = ProjectPhoto(
            project=project, uploaded_by=by, progress_update=progress_update
        )
        images.attach(photo, item)
        photo.save()


# --- the workflow ----------------------------------------------------------------------


def _locked(project: Project) -> Project:
    """The project's row, locked until the transaction ends (two clicks, one move).

    Every service that changes a project locks it first: its card and page get a
    new version here (nanxi.fragments), so nothing cached shows it as it was.
    """
    _changed(project.pk)
    return Project.objects.select_for_update().get(pk=project.pk)


def _changed(project_id: int) -> None:
    """What its page shows changed without the project's row (a comment, a pledge,
    a progress note): its page and card get a new version (nanxi.fragments)."""
    fragments.bump(selectors.project_version(project_id))


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
    # Kept on the project for the work list's order (not a save: updated_at stays).
    project.moved_at = change.created_at
    Project.objects.filter(pk=project.pk).update(moved_at=change.created_at)
    # A new project or a move: the lists (their counts, stages, years) change too.
    fragments.bump(selectors.PROJECTS, selectors.project_version(project.pk))
    return change


def _refuse_unless_open(project: Project) -> None:
    if not project.is_open:
        raise ValidationError(
            _("This project is %(outcome)s; it cannot move any more."),
            params={"outcome": project.get_outcome_display()},
        )


@transaction.atomic
def project_move(
    *,
    project: Project,
    to_step: int,
    by,
    note: str = "",
    at: datetime | None = None,
    vote_closes_on: date | None = None,
) -> Project:
    """Move a project one step on. The only code that changes `Project.step`.

    Opening the vote (→ 6) needs its closing day. Closing it (→ 7) computes the
    result by the area's `VoteRule`; before the closing day is over it needs a note
    saying why it closes early.
    """
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
    today = timezone.localtime(at or timezone.now()).date()
    if to_step == StepCode.VOTE:
        _open_vote(locked, vote_closes_on, today)
    if to_step == StepCode.ANNOUNCE:
        _require_vote_closable(locked, today=today, note=note)
    if to_step == StepCode.SHARE and (
        locked.beneficiaries is None or not locked.evaluations.exists()
    ):
        raise ValidationError(
            _(
                "Record the beneficiaries, and let residents rate the project (at "
                "least one rating, online or on paper), first."
            )
        )
    locked.step = to_step
    if to_step == StepCode.ANNOUNCE:
        locked.year = timezone.localtime(at or timezone.now()).year
        _vote_ended(locked, today)
    locked.save(update_fields=["step", "year", "vote_closes_on", "updated_at"])
    _record(locked, from_step=from_step, by=by, note=note, at=at)
    _refresh(project, locked)
    notices.moved(locked, by=by)
    if to_step == StepCode.VOTE:
        notices.vote_opened(locked)
    return project


def _day(day: date) -> str:
    return day.isoformat()


# Residents decide within weeks; a closing day years away is a typing slip.
MAX_VOTE_WINDOW = timedelta(days=60)


def _open_vote(project: Project, closes_on: date | None, today: date) -> None:
    if closes_on is None:
        raise ValidationError(
            _("Give the day the vote closes: residents can vote until its end.")
        )
    if closes_on < today:
        raise ValidationError(
            _("The vote cannot close before it opens: choose %(day)s or later."),
            params={"day": _day(today)},
        )
    if closes_on > today + MAX_VOTE_WINDOW:
        raise ValidationError(
            _("A vote stays open at most %(days)d days: choose %(day)s or earlier."),
            params={
                "days": MAX_VOTE_WINDOW.days,
                "day": _day(today + MAX_VOTE_WINDOW),
            },
        )
    project.vote_closes_on = closes_on


def _require_vote_closable(project: Project, *, today: date, note: str) -> None:
    """The area's `VoteRule` decides; the result is counted here, never typed.
    Before its closing day is over, a vote closes only once decided, with a reason."""
    refusal = close_refusal(project, selectors.vote_result(project.pk), today=today)
    if refusal is not None:
        raise refusal
    if permissions.vote_closes_early(project, today) and not note.strip():
        raise ValidationError(
            _(
                "The vote is open until the end of %(day)s. To close it early, "
                "write the reason in the note."
            ),
            params={"day": _day(project.vote_closes_on)},
        )


def close_refusal(project: Project, result, *, today: date | None = None):
    """Why the vote cannot close and be announced (step 7) today, or None if it can:
    for the move's refusal and for the staff's page, which offers the move only
    when this is None.

    Before its closing day is over, only when those who have not voted can no
    longer change the outcome (`VoteResult.decided`); then, only if it passed.
    """
    early = permissions.vote_closes_early(project, today)
    if early and result.rule is not None and not result.decided:
        return ValidationError(
            _(
                "The vote is open until the end of %(day)s and its result can still "
                "change: %(left)d of the %(electorate)d residents who may vote have "
                "not voted yet. It closes early only when their votes can no longer "
                "change the result; otherwise it runs to its closing day."
            ),
            params={
                "day": _day(project.vote_closes_on),
                "left": result.not_voted,
                "electorate": result.electorate,
            },
        )
    return announce_refusal(result)


def announce_refusal(result) -> ValidationError | None:
    """Why a vote with this result cannot be announced (step 7), or None if it can
    (`close_refusal` adds the closing day)."""
    if result.passed:
        return None
    if result.rule is None:
        return ValidationError(
            _(
                "No vote rule applies: the street's default vote rule has been "
                "deleted. Street staff set it again in the admin (Vote rules) "
                "before a vote can be announced."
            )
        )
    params = {
        "support": result.support,
        "oppose": result.oppose,
        "turnout": result.turnout_percent,
        "cast": result.cast,
        "electorate": result.electorate,
        "min_turnout": result.rule.min_turnout_percent,
        "min_support": result.rule.min_support_percent,
    }
    if not result.turnout_ok:
        return ValidationError(
            _(
                "The vote has not passed: %(cast)d of the %(electorate)d residents who "
                "may vote took part (%(turnout)s), fewer than the %(min_turnout)d%% "
                "this area requires. Reject it with a reason instead."
            ),
            params=params,
        )
    if result.rule.min_support_percent == DEFAULT_MIN_SUPPORT:
        return ValidationError(
            _(
                "The vote has not passed (%(support)d support, %(oppose)d oppose): "
                "a project needs more support than opposition. Reject it with a reason instead."
            ),
            params=params,
        )
    return ValidationError(
        _(
            "The vote has not passed (%(support)d support, %(oppose)d oppose): this "
            "area requires support above %(min_support)d%% of support and oppose "
            "votes. Reject it with a reason instead."
        ),
        params=params,
    )


def _refresh(project: Project, locked: Project) -> None:
    for field in (
        "step",
        "outcome",
        "year",
        "vote_closes_on",
        "updated_at",
        "moved_at",
    ):
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
    # Step 12 is 总结推广: without the summary the project would never be shared.
    refusal = permissions.finish_refusal(locked)
    if refusal:
        raise ValidationError(refusal)
    return _close(project, locked, Project.Outcome.DONE, by=by, note=note, at=at)


@transaction.atomic
def project_write_summary(*, project: Project, by, text: str) -> Project:
    """Staff of the area write (or rewrite) the case summary at step 12.

    A completed project with a summary is shown in the project showcase.
    """
    locked = _locked(project)
    if not permissions.can_write_summary(by, locked):
        if not permissions.can_manage(by, locked):
            raise PermissionDenied(
                _(
                    "Only staff of this project's residential area can write its "
                    "case summary."
                )
            )
        raise ValidationError(
            _(
                "The case summary is written at step 12 (summarise and share), "
                "before the project is marked as completed."
            )
        )
    text = text.strip()
    if not text:
        raise ValidationError(
            _("Write the case summary: what was done and what others can learn.")
        )
    locked.case_summary = text
    locked.full_clean()
    locked.save(update_fields=["case_summary", "updated_at"])
    project.case_summary = text
    project.updated_at = locked.updated_at
    return project


@transaction.atomic
def project_reject(*, project: Project, by, reason: str) -> Project:
    locked = _locked(project)
    _refuse_unless_open(locked)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _("Only staff of this project's residential area can reject it.")
        )
    if not workflow.is_open_for(locked, workflow.Activity.REJECT):
        if workflow.is_open_for(locked, workflow.Activity.STOP):
            raise ValidationError(
                _(
                    "From step %(step)d (crowdfunding) on, money is involved: the "
                    "project is not rejected but stopped, saying what happened to "
                    "each contribution. Use “Stop the project” instead."
                ),
                params={"step": workflow.STOP_FROM},
            )
        raise ValidationError(
            _("A draft cannot be rejected: it has not been submitted.")
        )
    if not reason.strip():
        raise ValidationError(
            _("Give the reason for rejecting: the proposer will read it.")
        )
    return _close(project, locked, Project.Outcome.REJECTED, by=by, note=reason.strip())


@dataclass(frozen=True)
class Refund:
    """退还: the contribution's money went back to the contributor on `on`."""

    on: date | None


@dataclass(frozen=True)
class MoveTo:
    """转入: with the contributor's consent (`consent`, given on `consent_on`), the
    money becomes a contribution of `project`, another project of the same area."""

    project: Project | None
    consent: str
    consent_on: date | None


@transaction.atomic
def project_stop(
    *,
    project: Project,
    by,
    reason: str,
    dispositions: Mapping[int, Refund | MoveTo],
    at: datetime | None = None,
) -> Project:
    """Stop (终止) a project from step 8 on, when money is involved.

    `dispositions`: contribution id → what happened to its money, for every
    contribution the project keeps, all at once. One missing or invalid: refused,
    nothing written (the project never sits half refunded). Money moved is
    recorded in its new project by `by`, linked back. Pledges still waiting lapse
    (cancelled, as `pledge_cancel` does); the proposer, the pledgers and the
    contributors with an account are told.
    """
    locked, targets = _locked_with_targets(project, dispositions.values())
    _refuse_unless_open(locked)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _("Only staff of this project's residential area can stop it.")
        )
    if not workflow.is_open_for(locked, workflow.Activity.STOP):
        raise ValidationError(
            _(
                "A project is stopped from step %(step)d (crowdfunding) on, once "
                "money is involved. Before that, reject it with a reason."
            ),
            params={"step": workflow.STOP_FROM},
        )
    # Every refusal at once (the reason and each contribution's), keyed for the
    # form: staff correct the page once, not once per mistake.
    errors = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = [
            _(
                "Give the reason for stopping: the proposer and the contributors "
                "will read it."
            )
        ]
    now = at or timezone.now()
    today = timezone.localtime(now).date()
    # `kept()` and the pledge join their tables on the nullable side of an outer
    # join, which PostgreSQL will not lock: only the contributions' rows are.
    contributions = list(
        locked.contributions.kept()
        .select_related("pledge")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    if set(dispositions) - {c.pk for c in contributions}:
        raise ValidationError(
            _(
                "Some of the money listed is not this project's (any more): reload "
                "the page and try again."
            )
        )
    for contribution in contributions:
        refusal = _disposition_refusal(
            contribution,
            dispositions.get(contribution.pk),
            project=locked,
            targets=targets,
            by=by,
            today=today,
        )
        if refusal:
            errors[str(contribution.pk)] = [
                _("%(money)s: %(refusal)s")
                % {"money": _money_label(contribution), "refusal": refusal}
            ]
    if errors:
        raise ValidationError(errors)
    for contribution in contributions:
        _dispose(contribution, dispositions[contribution.pk], targets, by=by, at=now)
    pledges = list(
        locked.pledges.filter(status=Pledge.Status.PENDING)
        .select_related("pledger")
        .order_by("pk")
    )
    for pledge in pledges:
        pledge_cancel(pledge=pledge, by=by, reason=reason[:200])
    _close(project, locked, Project.Outcome.STOPPED, by=by, note=reason, at=at)
    notices.stopped(locked, reason=reason, contributions=contributions, pledges=pledges)
    fragments.bump(selectors.FIGURES)  # the year's crowdfunding (money kept)
    return project


def _money_label(contribution: Contribution) -> str:
    return _("%(who)s's ¥%(amount)s of %(day)s") % {
        "who": contribution.contributor,
        "amount": f"{contribution.amount:,.2f}",
        "day": _day(contribution.contributed_on),
    }


def _locked_with_targets(project, dispositions) -> tuple[Project, dict[int, Project]]:
    """The stopped project and the projects its money moves to, locked together in
    one statement in pk order (as `_locked` does for one). Locked one after the
    other, two stops moving money into each other's project would each hold their
    own and wait for the other's: a deadlock."""
    ids = {d.project.pk for d in dispositions if isinstance(d, MoveTo) and d.project}
    for pk in sorted(ids | {project.pk}):
        _changed(pk)  # the stopped one's page; the targets' money and contributors
    rows = {
        row.pk: row
        for row in Project.objects.select_for_update()
        .filter(pk__in=ids | {project.pk})
        .order_by("pk")
    }
    if project.pk not in rows:
        raise Project.DoesNotExist(f"project {project.pk} does not exist")
    return rows[project.pk], {pk: rows[pk] for pk in ids if pk in rows}


def _disposition_refusal(
    contribution: Contribution, disposition, *, project, targets, by, today
) -> str | None:
    """Why this is not a valid account of what happened to this money, or None."""
    given = contribution.contributed_on
    if isinstance(disposition, Refund):
        if disposition.on is None:
            return _("give the day the money was refunded.")
        if disposition.on > today:
            return _("a refund cannot be dated in the future.")
        if disposition.on < given:
            return _("it cannot be refunded before it was contributed.")
        return None
    if isinstance(disposition, MoveTo):
        target = targets.get(disposition.project.pk) if disposition.project else None
        if target is None:
            return _("choose the project the money moves to.")
        if not permissions.can_move_money_to(by, project, target):
            if target.area_id != project.area_id:
                return _(
                    "money can only move to a project of the same residential area."
                )
            return _(
                "money can only move to another project that takes contributions "
                "now (crowdfunding or carrying out, steps 8–9)."
            )
        if not disposition.consent.strip():
            return _("write how the contributor agreed to move the money.")
        if disposition.consent_on is None:
            return _("give the day the contributor agreed.")
        if disposition.consent_on > today:
            return _("the contributor's consent cannot be dated in the future.")
        if disposition.consent_on < given:
            return _("the consent cannot be dated before the contribution.")
        return None
    return _("say what happened to this money: refunded, or moved to another project.")


def _dispose(contribution, disposition, targets, *, by, at) -> Disposition:
    row = Disposition(contribution=contribution, decided_by=by, decided_at=at)
    if isinstance(disposition, Refund):
        row.kind, row.refunded_on = Disposition.Kind.REFUNDED, disposition.on
    else:
        # Recorded by the same rule as any contribution (contribution_record).
        row.moved_to = contribution_record(
            project=targets[disposition.project.pk],
            by=by,
            contributor=contribution.contributor,
            amount=contribution.amount,
            contributed_on=disposition.consent_on,
            kind=contribution.kind,
            anonymous=contribution.anonymous,
        )
        row.kind = Disposition.Kind.MOVED
        row.consent = disposition.consent.strip()
        row.consent_on = disposition.consent_on
        _pledge_moved(contribution, row, by=by, at=at)
    row.full_clean()
    row.save()
    return row


def _pledge_moved(contribution, row: Disposition, *, by, at) -> None:
    """Money that came from a resident's pledge stays theirs where it moved: a
    confirmed pledge there links them to it, as `pledge_confirm` does, so they are
    told if that project is stopped too (notices.stopped) and find it in their data
    (projects.personal_data). Cash given without an account has no one to link."""
    try:
        pledge = contribution.pledge
    except Pledge.DoesNotExist:
        return
    moved = Pledge(
        project=row.moved_to.project,
        pledger_id=pledge.pledger_id,
        amount=row.moved_to.amount,
        anonymous=row.moved_to.anonymous,
        status=Pledge.Status.CONFIRMED,
        created_at=at,
        decided_at=at,
        decided_by=by,
        reason=row.consent,
        contribution=row.moved_to,
    )
    moved.full_clean()
    moved.save()


@transaction.atomic
def project_withdraw(*, project: Project, by, note: str = "") -> Project:
    locked = _locked(project)
    _refuse_unless_open(locked)
    if not permissions.can_withdraw(by, locked):
        raise PermissionDenied(
            _(
                "Only the proposer can withdraw a project, and only before residents "
                "vote on it."
            )
        )
    return _close(project, locked, Project.Outcome.WITHDRAWN, by=by, note=note.strip())


def _vote_ended(locked: Project, today: date) -> None:
    """A vote closed before its day ends that day: the page then tells the truth."""
    if locked.vote_closes_on is not None and locked.vote_closes_on > today:
        locked.vote_closes_on = today


def _close(project, locked, outcome, *, by, note, at=None) -> Project:
    locked.outcome = outcome
    if locked.step == StepCode.VOTE:
        _vote_ended(locked, timezone.localdate(at))
    locked.save(update_fields=["outcome", "vote_closes_on", "updated_at"])
    _record(locked, from_step=locked.step, by=by, note=note, at=at)
    _refresh(project, locked)
    notices.closed(locked, reason=note)
    return project


# --- deliberation and votes --------------------------------------------------------------


@transaction.atomic
def comment_add(*, project: Project, author, body: str) -> Comment:
    refusal = permissions.comment_refusal(author, project)
    if refusal:
        raise ValidationError(refusal)
    comment = Comment(project=project, author=author, body=body.strip())
    comment.full_clean()
    comment.save()
    _changed(project.pk)
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
    _changed(comment.project_id)
    return comment


@transaction.atomic
def vote_cast(
    *, project: Project, voter, choice: str, at: datetime | None = None
) -> Vote:
    """One vote per verified resident of the area; voting again changes the choice.

    Refused after the vote's closing day (`at`: when the vote was cast, for imports).
    """
    locked = _locked(project)
    today = timezone.localtime(at or timezone.now()).date()
    refusal = permissions.vote_refusal(voter, locked, today=today)
    if refusal:
        raise ValidationError(refusal)
    if choice not in Vote.Choice.values:
        raise ValidationError(_("Choose support, oppose or abstain."))
    fragments.bump(selectors.voter_version(voter.pk))  # "You voted" on the cards
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


@transaction.atomic
def vote_enter_paper(
    *,
    project: Project,
    by,
    choice: str,
    ballot_number: str,
    member: AreaMember | None = None,
) -> Vote:
    """Staff enter a paper ballot (线下) while the vote is open; each number once.

    `member`: the member of the area without an account who cast it, if named;
    a member's ballot is counted once too.
    """
    locked = _locked(project)
    if not permissions.can_enter_paper_vote(by, locked):
        if not permissions.can_manage(by, locked):
            raise PermissionDenied(
                _("Only staff of this project's residential area can enter ballots.")
            )
        raise ValidationError(
            permissions.vote_refusal(by, locked)
            or _("Voting is open only while the project is at step 6 (residents vote).")
        )
    if choice not in Vote.Choice.values:
        raise ValidationError(_("Choose support, oppose or abstain."))
    number = paper_number(ballot_number)
    if not number:
        raise ValidationError(_("Enter the number printed on the ballot."))
    # The project row is locked: a second entry for the same member waits here.
    _check_paper_member(
        member,
        locked,
        Vote.objects.filter(project=locked, member=member),
        _("A ballot of this member has already been entered for this project."),
    )
    vote = Vote(
        project=locked,
        choice=choice,
        paper=True,
        ballot_number=number,
        entered_by=by,
        member=member,
    )
    vote.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            vote.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("Ballot %(number)s has already been entered for this project.")
            % {"number": number}
        ) from exc
    return vote


# --- implementation and evaluation -----------------------------------------------------------


AMOUNT = re.compile(r"[0-9]{1,20}(?:\.[0-9]{1,2})?")


def paper_number(text: str) -> str:
    """The number printed on a paper ballot or form, in one form: A001 = ａ００１."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def parse_amount(value) -> Decimal:
    """Yuan as digits with at most two decimals, above zero and at most one million.

    Nothing else is an amount: no exponent ("1e3"), sign, separator or spaces inside.
    """
    # Full-width digits (１００．５) from a Chinese phone keyboard are still digits.
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if re.fullmatch(r"-[0-9]+(\.[0-9]{1,2})?", text):
        raise ValidationError(_("The amount must be more than 0 yuan."))
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
    *,
    project: Project,
    by,
    contributor: str,
    amount,
    contributed_on: date,
    kind: str = Contribution.Kind.RESIDENT,
    anonymous: bool = False,
) -> Contribution:
    """Money that reached the residents' committee (a resident's or a partner's)."""
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
        kind=kind,
        anonymous=anonymous,
    )
    contribution.full_clean()
    contribution.save()
    fragments.bump(selectors.FIGURES)  # the year's crowdfunding (home page, report)
    return contribution


# --- crowdfunding pledges (the portal holds no money) -----------------------------------------

PLEDGE_EXPIRES_AFTER = timedelta(days=14)


@transaction.atomic
def project_set_payment(*, project: Project, by, transfer_reference: str) -> Project:
    """Staff tell residents how to pay by transfer (cash is always possible)."""
    locked = _locked(project)
    if not permissions.can_set_payment(by, locked):
        raise PermissionDenied(
            _(
                "Only staff of this project's residential area can say how to pay, "
                "until crowdfunding ends."
            )
        )
    locked.transfer_reference = transfer_reference.strip()
    locked.full_clean()
    locked.save(update_fields=["transfer_reference", "updated_at"])
    project.transfer_reference = locked.transfer_reference
    return project


@transaction.atomic
def pledge_make(*, project: Project, by, amount, anonymous: bool = False) -> Pledge:
    """A verified resident of the area promises an amount while crowdfunding is open."""
    locked = _locked(project)
    refusal = permissions.pledge_refusal(by, locked)
    if refusal:
        raise ValidationError(refusal)
    pledge = Pledge(
        project=locked, pledger=by, amount=parse_amount(amount), anonymous=anonymous
    )
    pledge.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            pledge.save()
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "You already have a pledge waiting for confirmation on this project. "
                "Cancel it first to pledge a different amount."
            )
        ) from exc
    return pledge


def _locked_pledge(pledge: Pledge) -> Pledge:
    return (
        Pledge.objects.select_for_update().select_related("project").get(pk=pledge.pk)
    )


def _refuse_unless_pending(pledge: Pledge) -> None:
    if pledge.status != Pledge.Status.PENDING:
        raise ValidationError(
            _("This pledge is already %(status)s."),
            params={"status": pledge.get_status_display()},
        )


@transaction.atomic
def pledge_confirm(
    *, pledge: Pledge, by, received_on: date, at: datetime | None = None
) -> Pledge:
    """The money arrived: the pledge becomes a recorded contribution (same rules)."""
    locked = _locked_pledge(pledge)
    _refuse_unless_pending(locked)
    if not permissions.can_manage(by, locked.project):
        raise PermissionDenied(
            _("Only staff of this project's residential area can confirm pledges.")
        )
    pledged_on = timezone.localdate(locked.created_at)
    if received_on < pledged_on:
        raise ValidationError(
            {
                "received_on": _(
                    "The money cannot arrive before the pledge was made (%(day)s)."
                )
                % {"day": _day(pledged_on)}
            }
        )
    contribution = contribution_record(
        project=locked.project,
        by=by,
        contributor=_name_of(locked.pledger),
        amount=locked.amount,
        contributed_on=received_on,
        anonymous=locked.anonymous,
    )
    _decide(
        pledge, locked, Pledge.Status.CONFIRMED, by=by, at=at, contribution=contribution
    )
    notices.pledge_decided(locked)
    return pledge


@transaction.atomic
def pledge_cancel(*, pledge: Pledge, by, reason: str = "") -> Pledge:
    """Staff (the money never came) or the resident (changed their mind) cancel it."""
    locked = _locked_pledge(pledge)
    _refuse_unless_pending(locked)
    if not permissions.can_cancel_pledge(by, locked):
        raise PermissionDenied(
            _("Only the person who pledged and the area's staff can cancel a pledge.")
        )
    return _decide(pledge, locked, Pledge.Status.CANCELLED, by=by, reason=reason)


def pledges_expire(*, now: datetime | None = None) -> list[int]:
    """Pledges waiting longer than `PLEDGE_EXPIRES_AFTER` expire. Safe to run twice."""
    now = now or timezone.now()
    expired = []
    stale = Pledge.objects.filter(
        status=Pledge.Status.PENDING, created_at__lt=now - PLEDGE_EXPIRES_AFTER
    ).values_list("pk", flat=True)
    for pk in stale:
        with transaction.atomic():
            locked = (
                Pledge.objects.select_for_update()
                .select_related("project", "pledger")
                .get(pk=pk)
            )
            if locked.status != Pledge.Status.PENDING:
                continue  # confirmed or cancelled meanwhile
            _decide(locked, locked, Pledge.Status.EXPIRED, by=None, at=now)
            notices.pledge_decided(locked, days=PLEDGE_EXPIRES_AFTER.days)
        # Until residents have an inbox, the notice is this line in the worker's log.
        logger.info(
            "pledge %s expired: user %s, project %s, %s yuan not confirmed in %s days",
            locked.pk,
            locked.pledger_id,
            locked.project_id,
            locked.amount,
            PLEDGE_EXPIRES_AFTER.days,
        )
        expired.append(locked.pk)
    return expired


def _decide(pledge, locked, status, *, by, at=None, reason="", contribution=None):
    locked.status = status
    locked.decided_at = at or timezone.now()
    locked.decided_by = by
    locked.reason = reason.strip()
    locked.contribution = contribution
    locked.full_clean(validate_constraints=False)
    locked.save(
        update_fields=["status", "decided_at", "decided_by", "reason", "contribution"]
    )
    for field in ("status", "decided_at", "decided_by", "reason", "contribution"):
        setattr(pledge, field, getattr(locked, field))
    _changed(locked.project_id)
    return pledge


def _name_of(user) -> str:
    """The name a contribution is recorded under (the person's public name)."""
    profile = getattr(user, "profile", None)
    return (str(profile) if profile else user.get_username())[:60]


@transaction.atomic
def progress_post(*, project: Project, by, body: str, photos=()) -> ProgressUpdate:
    """A progress note while the project is carried out, with up to six photos."""
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
    processed = _process_photos(
        photos,
        existing=0,
        too_many=_("A progress update can have at most %(max)d photos."),
    )
    update.save()
    _save_photos(project, processed, by, progress_update=update)
    _changed(project.pk)
    return update


@transaction.atomic
def evaluation_record(*, project: Project, by, beneficiaries: int) -> Project:
    """Staff's part of the evaluation: how many person-times the project reached.

    Satisfaction is not typed: it is derived from residents' `Evaluation` rows.
    """
    locked = _locked(project)
    if not permissions.can_evaluate(by, locked):
        if not permissions.can_manage(by, locked):
            raise PermissionDenied(
                _(
                    "Only staff of this project's residential area can record the "
                    "evaluation."
                )
            )
        raise ValidationError(
            _("The evaluation is recorded at step 11 (residents evaluate).")
        )
    locked.beneficiaries = beneficiaries
    locked.full_clean()
    locked.save(update_fields=["beneficiaries", "updated_at"])
    fragments.bump(selectors.FIGURES)  # the year's beneficiaries
    project.beneficiaries = beneficiaries
    return project


@transaction.atomic
def evaluation_add(
    *, project: Project, by, stars: int, comment: str = ""
) -> Evaluation:
    """A verified resident of the area rates the project at step 11, once."""
    locked = _locked(project)
    refusal = permissions.evaluation_refusal(by, locked)
    if refusal:
        raise ValidationError(refusal)
    evaluation = Evaluation(
        project=locked, resident=by, stars=stars, comment=comment.strip(), entered_by=by
    )
    return _save_evaluation(
        evaluation,
        _("You have already rated this project: each resident rates it once."),
    )


@transaction.atomic
def evaluation_enter_paper(
    *,
    project: Project,
    by,
    stars: int,
    form_number: str,
    comment: str = "",
    member: AreaMember | None = None,
) -> Evaluation:
    """Staff enter a resident's paper form (线下), counted once by its number.

    `member`: the member of the area without an account who filled it in, if
    named; each member evaluates a project once.
    """
    locked = _locked(project)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _("Only staff of this project's residential area can enter paper forms.")
        )
    if not permissions.can_evaluate(by, locked):
        raise ValidationError(
            _("The evaluation is recorded at step 11 (residents evaluate).")
        )
    number = paper_number(form_number)
    if not number:
        raise ValidationError(_("Enter the number written on the paper form."))
    _check_paper_member(
        member,
        locked,
        Evaluation.objects.filter(project=locked, member=member),
        _("This member has already evaluated this project: each member rates it once."),
    )
    evaluation = Evaluation(
        project=locked,
        stars=stars,
        comment=comment.strip(),
        paper=True,
        form_number=number,
        entered_by=by,
        member=member,
    )
    return _save_evaluation(
        evaluation,
        _("Paper form %(number)s has already been entered for this project.")
        % {"number": number},
    )


def _check_paper_member(member, project: Project, entered, duplicate: str) -> None:
    """A member named on a paper entry: of the project's area, not erased, once."""
    if member is None:
        return
    member = AreaMember.objects.select_for_update().get(pk=member.pk)
    refusal = permissions.member_refusal(member, project.area_id)
    if refusal:
        raise ValidationError(refusal)
    if entered.exists():
        raise ValidationError(duplicate)


def _save_evaluation(evaluation: Evaluation, duplicate: str) -> Evaluation:
    evaluation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            evaluation.save()
    except IntegrityError as exc:
        raise ValidationError(duplicate) from exc
    return evaluation


# --- the needs board (step 1, 征集需求) ----------------------------------------------------


@transaction.atomic
def need_post(
    *, by, title: str, body: str, area, building_group=None, photo=None
) -> Need:
    """A resident posts what they need, in their own residential area."""
    refusal = permissions.need_post_refusal(by)
    if refusal:
        raise PermissionDenied(refusal)
    if area.pk != by.profile.area_id:
        raise ValidationError(_("Post needs in your own residential area."))
    if building_group is not None:
        _check_groups([building_group], area)
    processed = images.process_upload(photo) if photo else None
    need = Need(
        title=title.strip(),
        body=body.strip(),
        area=area,
        building_group=building_group,
        author=by,
    )
    need.full_clean(exclude=["image", "thumbnail"])
    if processed:
        images.attach(need, processed)
    need.save()
    fragments.bump(selectors.NEEDS)  # staff's work list counts the open ones
    return need


@transaction.atomic
def need_support(*, need: Need, by) -> NeedSupport:
    need = Need.objects.select_for_update().get(pk=need.pk)
    refusal = permissions.need_support_refusal(by, need)
    if refusal:
        raise ValidationError(refusal)
    try:
        with transaction.atomic():
            return NeedSupport.objects.create(need=need, user=by)
    except IntegrityError as exc:
        raise ValidationError(_("You have already said you need this too.")) from exc


def _locked_need(need: Need, by) -> Need:
    """Every staff action on a need (reply, close, merge, propose) locks it here."""
    fragments.bump(selectors.NEEDS)  # staff's work list counts the open ones
    locked = Need.objects.select_for_update().get(pk=need.pk)
    if not permissions.can_manage_need(by, locked):
        raise PermissionDenied(
            _("Only staff of this need's residential area can act on it.")
        )
    if locked.status != Need.Status.OPEN:
        raise ValidationError(_("This need is no longer open."))
    return locked


@transaction.atomic
def need_reply(*, need: Need, by, reply: str) -> Need:
    locked = _locked_need(need, by)
    if not reply.strip():
        raise ValidationError(_("Write the reply."))
    locked.reply, locked.replied_by = reply.strip(), by
    locked.full_clean(exclude=["image", "thumbnail"])
    locked.save(update_fields=["reply", "replied_by"])
    notices.need_replied(locked)
    return locked


@transaction.atomic
def need_close(*, need: Need, by, reason: str) -> Need:
    locked = _locked_need(need, by)
    if not reason.strip():
        raise ValidationError(
            _("Give the reason for closing: the resident will read it.")
        )
    locked.status, locked.closed_reason = Need.Status.CLOSED, reason.strip()
    locked.full_clean(exclude=["image", "thumbnail"])
    locked.save(update_fields=["status", "closed_reason"])
    return locked


@transaction.atomic
def need_merge(*, need: Need, into: Need, by) -> Need:
    """A duplicate joins the need it repeats; its supporters count there too."""
    locked = _locked_need(need, by)
    target = Need.objects.select_for_update().get(pk=into.pk)
    if target.pk == locked.pk or target.area_id != locked.area_id:
        raise ValidationError(
            _("A need can only be merged into another need of the same area.")
        )
    if target.status != Need.Status.OPEN:
        raise ValidationError(_("Merge it into a need that is still open."))
    supporters = {locked.author_id} | set(
        locked.supports.values_list("user_id", flat=True)
    )
    supporters.discard(target.author_id)
    NeedSupport.objects.bulk_create(
        [NeedSupport(need=target, user_id=pk) for pk in supporters],
        ignore_conflicts=True,
    )
    locked.status, locked.merged_into = Need.Status.MERGED, target
    locked.save(update_fields=["status", "merged_into"])
    return locked


@transaction.atomic
def need_to_proposal(*, need: Need, by, category: str) -> Project:
    """Staff draft a proposal from a need, for its author to finish and submit."""
    locked = _locked_need(need, by)
    project = project_create(
        by=locked.author,
        drafted_by=by,
        need=locked,
        title=locked.title,
        summary=locked.body.splitlines()[0][:200],
        description=locked.body,
        category=category,
        area=locked.area,
        building_groups=[locked.building_group] if locked.building_group else [],
    )
    locked.status = Need.Status.PROPOSED
    locked.save(update_fields=["status"])
    notices.need_proposed(locked, project)
    return project
