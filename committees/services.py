"""Every write with a rule on owners' committees. Views, the admin and tasks call these."""

import datetime
import re
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from committees import permissions, workflow
from committees.models import (
    TERM_YEARS,
    TWO_THIRDS,
    WARN_DAYS,
    Assessment,
    AssessmentItem,
    AssessmentScore,
    AssessmentStandard,
    Candidate,
    Election,
    ElectionChange,
    Member,
    OwnersCommittee,
    Role,
    Step,
    Term,
    term_effective_end,
)
from nanxi.formatting import percent
from nanxi import fragments, standards
from nanxi.models import Estate, StaffAssignment
from nanxi.scoring import check_scores
from nanxi.validators import validate_programme_year

MAX_CANDIDATES = 21
# The version of every committee page (nanxi.fragments): moved by every write here.
COMMITTEES = "committees"


def _writes(service):
    """A service that writes: in one transaction, and the committee pages' version
    moves with it (writes are few: one version for all committees is enough)."""

    @wraps(service)
    @transaction.atomic
    def wrapper(*args, **kwargs):
        fragments.bump(COMMITTEES)
        return service(*args, **kwargs)

    wrapper.bumps = COMMITTEES  # a test checks every writing service has it
    return wrapper


# --- estates and committees ------------------------------------------------------------


@_writes
def committee_create(*, estate: Estate, by) -> OwnersCommittee:
    """An estate's owners' committee, forming until its first election is filed."""
    if not permissions.can_create_committee(by, estate):
        raise PermissionDenied(
            _("Only staff of the estate's residential area can add its committee.")
        )
    if OwnersCommittee.objects.filter(estate=estate).exists():
        raise ValidationError(
            _("%(estate)s already has an owners' committee.") % {"estate": estate.name}
        )
    committee = OwnersCommittee(estate=estate)
    committee.full_clean()
    try:
        with transaction.atomic():
            committee.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("%(estate)s already has an owners' committee.") % {"estate": estate.name}
        ) from exc
    return committee


def _locked_committee(committee: OwnersCommittee) -> OwnersCommittee:
    """The committee's row, locked: its terms and elections change one at a time."""
    return (
        OwnersCommittee.objects.select_for_update()
        .select_related("estate")
        .get(pk=committee.pk)
    )


@_writes
def committee_dissolve(
    *, committee: OwnersCommittee, by, on: datetime.date
) -> OwnersCommittee:
    locked = _locked_committee(committee)
    if not permissions.can_dissolve(by, locked):
        if locked.dissolved_on is not None:
            raise ValidationError(_("This committee is already dissolved."))
        raise PermissionDenied(
            _("Only street-office staff can record a committee's dissolution.")
        )
    if locked.elections.open().exists():
        raise ValidationError(
            _("An election of this committee is under way: finish it first.")
        )
    locked.dissolved_on = on
    locked.full_clean()
    locked.save(update_fields=["dissolved_on"])
    locked.terms.filter(start__lte=on, end__gt=on, ended_on__isnull=True).update(
        ended_on=on
    )
    committee.dissolved_on = on
    return committee


# --- terms and members ----------------------------------------------------------------


def term_end_for(start: datetime.date) -> datetime.date:
    """Five years by default: the day before the fifth anniversary of the start."""
    try:
        anniversary = start.replace(year=start.year + TERM_YEARS)
    except ValueError:  # 29 February
        anniversary = start.replace(year=start.year + TERM_YEARS, day=28)
    return anniversary - datetime.timedelta(days=1)


def _refuse_overlap(
    committee: OwnersCommittee, start: datetime.date, end: datetime.date
) -> None:
    """Terms of one committee never overlap (checked with the committee row locked)."""
    clash = (
        Term.objects.filter(committee=committee, start__lte=end)
        .annotate(effective=term_effective_end())
        .filter(effective__gte=start)
        .first()
    )
    if clash is not None:
        raise ValidationError(
            _(
                "The term %(start)s – %(end)s overlaps term %(number)d "
                "(%(other_start)s – %(other_end)s) of this committee."
            )
            % {
                "start": start.isoformat(),
                "end": end.isoformat(),
                "number": clash.number,
                "other_start": clash.start.isoformat(),
                "other_end": clash.effective_end.isoformat(),
            }
        )


def _next_number(committee: OwnersCommittee) -> int:
    return (committee.terms.aggregate(n=Max("number"))["n"] or 0) + 1


def _check_member_rows(members) -> list[Member]:
    rows = []
    for position, (name, role, phone) in enumerate(members, start=1):
        rows.append(
            Member(name=name.strip(), role=role, phone=phone.strip(), position=position)
        )
    return rows


@_writes
def term_record(
    *,
    committee: OwnersCommittee,
    start: datetime.date,
    by,
    end: datetime.date | None = None,
    members=(),
) -> Term:
    """Record a term elected before the portal kept elections (its history).

    `members` are (name, role, phone) triples. A term elected through the portal
    is made by `election_move` when the election is filed.
    """
    locked = _locked_committee(committee)
    if not permissions.can_manage(by, locked):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can record its terms.")
        )
    end = end or term_end_for(start)
    if end <= start:
        raise ValidationError(_("A term must end after it starts."))
    _refuse_overlap(locked, start, end)
    term = Term(committee=locked, number=_next_number(locked), start=start, end=end)
    rows = _check_member_rows(members)
    term.full_clean()
    for row in rows:
        row.term = term
        row.full_clean(exclude=["term"])
    term.save()
    for row in rows:
        row.term = term
    Member.objects.bulk_create(rows)
    return term


@_writes
def member_save(*, member: Member, by) -> Member:
    """Correct a member's name, role or phone (or add one between elections)."""
    term = Term.objects.select_related("committee__estate").get(pk=member.term_id)
    if not permissions.can_manage(by, term.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can change members.")
        )
    member.full_clean()
    member.save()
    return member


@_writes
def member_delete(*, member: Member, by) -> None:
    term = Term.objects.select_related("committee__estate").get(pk=member.term_id)
    if not permissions.can_manage(by, term.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can change members.")
        )
    member.delete()


# --- elections: the workflow ----------------------------------------------------------


def _locked_election(election: Election) -> Election:
    return (
        Election.objects.select_for_update()
        .select_related("committee__estate")
        .get(pk=election.pk)
    )


def _record(
    election: Election, *, from_step, by, note: str, at, ended: bool = False
) -> ElectionChange:
    change = ElectionChange(
        election=election,
        from_step=from_step,
        to_step=election.step,
        actor=by,
        note=note.strip(),
        ended_without_result=ended,
        created_at=at or timezone.now(),
    )
    change.full_clean()
    change.save()
    return change


@_writes
def election_start(
    *,
    committee: OwnersCommittee,
    kind: str,
    by,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Election:
    """成立筹备组: a preparatory group starts a formation or a re-election."""
    locked = _locked_committee(committee)
    if not permissions.can_start_election(by, locked):
        if locked.dissolved_on is not None:
            raise ValidationError(_("A dissolved committee holds no elections."))
        raise PermissionDenied(
            _(
                "Only staff of this committee's residential area can start its elections."
            )
        )
    if kind not in Election.Kind.values:
        raise ValidationError(_("Choose formation or re-election."))
    has_terms = locked.terms.exists()
    if kind == Election.Kind.FORMATION and has_terms:
        raise ValidationError(
            _("This committee has had terms already: hold a re-election instead.")
        )
    if kind == Election.Kind.RE_ELECTION and not has_terms:
        raise ValidationError(
            _("This committee has no term yet: its first election is a formation.")
        )
    if locked.elections.open().exists():
        raise ValidationError(_("An election of this committee is under way already."))
    election = Election(
        committee=locked,
        kind=kind,
        started_by=by,
        step=Step.PREPARATION,
        created_at=at or timezone.now(),
    )
    election.full_clean()
    try:
        with transaction.atomic():
            election.save()
    except IntegrityError as exc:
        raise ValidationError(
            _("An election of this committee is under way already.")
        ) from exc
    _record(election, from_step=None, by=by, note=note, at=at)
    return election


@_writes
def candidate_add(
    *, election: Election, by, name: str, role: str, phone: str = ""
) -> Candidate:
    locked = _locked_election(election)
    if not permissions.can_manage(by, locked.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can add candidates.")
        )
    if not permissions.can_edit_candidates(by, locked):
        raise ValidationError(
            _(
                "Candidates are added while the preparatory group works (step 1); "
                "they have been announced."
            )
        )
    if locked.candidates.count() >= MAX_CANDIDATES:
        raise ValidationError(
            _("An election can have at most %(max)d candidates.")
            % {"max": MAX_CANDIDATES}
        )
    name = name.strip()
    if locked.candidates.filter(name=name).exists():
        raise ValidationError(_("%(name)s is a candidate already.") % {"name": name})
    candidate = Candidate(
        election=locked,
        name=name,
        role=role,
        phone=phone.strip(),
        position=locked.candidates.count() + 1,
    )
    candidate.full_clean()
    candidate.save()
    return candidate


@_writes
def candidate_remove(*, candidate: Candidate, by) -> None:
    locked = _locked_election(candidate.election)
    if not permissions.can_manage(by, locked.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can remove candidates.")
        )
    if not permissions.can_edit_candidates(by, locked):
        raise ValidationError(
            _("The candidates have been announced: they can no longer change.")
        )
    Candidate.objects.filter(pk=candidate.pk, election=locked).delete()


OWNERS = re.compile(r"[0-9]{1,9}")
AREA = re.compile(r"[0-9]{1,10}(?:\.[0-9]{1,2})?")


def parse_owners(value, *, label: str) -> int:
    text = str(value).strip() if value is not None else ""
    if not OWNERS.fullmatch(text):
        raise ValidationError(
            _("%(label)s: enter a whole number of owners, e.g. 312.") % {"label": label}
        )
    return int(text)


def parse_area(value, *, label: str) -> Decimal:
    text = str(value).strip() if value is not None else ""
    if not AREA.fullmatch(text):
        raise ValidationError(
            _(
                "%(label)s: enter the area in square metres with at most two "
                "decimals, e.g. 18250.5."
            )
            % {"label": label}
        )
    try:
        return Decimal(text).quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # pragma: no cover - the pattern rules it out
        raise ValidationError(_("%(label)s: not a number.") % {"label": label}) from exc


@_writes
def election_record_vote(
    *,
    election: Election,
    by,
    participating_owners,
    participating_area,
    approvals: dict,
) -> Election:
    """业主大会表决: who took part, and who approved each candidate (art. 278).

    `approvals` maps each candidate (or its id) to (owners, area). Every number is
    checked before anything is written; recording again replaces the figures.
    """
    locked = _locked_election(election)
    if not permissions.can_manage(by, locked.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can record the vote.")
        )
    if not permissions.can_record_vote(by, locked):
        raise ValidationError(
            _("The vote is recorded at step 3 (owners' assembly votes).")
        )
    estate = locked.committee.estate
    errors = []
    owners = parse_owners(participating_owners, label=_("Owners who took part"))
    area = parse_area(participating_area, label=_("Area that took part"))
    if owners > estate.households:
        errors.append(
            _("%(n)d owners took part, but the estate has only %(total)d owners.")
            % {"n": owners, "total": estate.households}
        )
    if area > estate.floor_area:
        errors.append(
            _(
                "%(area)s m² took part, but the estate's exclusive area is only "
                "%(total)s m²."
            )
            % {"area": area, "total": estate.floor_area}
        )
    candidates = list(locked.candidates.all())
    given = {getattr(key, "pk", key): value for key, value in approvals.items()}
    unknown = given.keys() - {c.pk for c in candidates}
    if unknown:
        errors.append(_("Approvals were given for someone who is not a candidate."))
    checked = {}
    for candidate in candidates:
        pair = given.get(candidate.pk)
        if pair is None:
            errors.append(
                _("“%(name)s” has no approvals recorded.") % {"name": candidate.name}
            )
            continue
        try:
            yes_owners = parse_owners(pair[0], label=candidate.name)
            yes_area = parse_area(pair[1], label=candidate.name)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if yes_owners > owners:
            errors.append(
                _(
                    "“%(name)s”: %(yes)d owners approved, more than the %(n)d "
                    "who took part."
                )
                % {"name": candidate.name, "yes": yes_owners, "n": owners}
            )
        if yes_area > area:
            errors.append(
                _(
                    "“%(name)s”: %(yes)s m² approved, more than the %(area)s m² "
                    "that took part."
                )
                % {"name": candidate.name, "yes": yes_area, "area": area}
            )
        checked[candidate] = (yes_owners, yes_area)
    if errors:
        raise ValidationError(errors)
    locked.owners_total = estate.households
    locked.area_total = estate.floor_area
    locked.participating_owners = owners
    locked.participating_area = area
    locked.full_clean()
    locked.save(
        update_fields=[
            "owners_total",
            "area_total",
            "participating_owners",
            "participating_area",
        ]
    )
    for candidate, (yes_owners, yes_area) in checked.items():
        candidate.approving_owners, candidate.approving_area = yes_owners, yes_area
        candidate.full_clean()
        candidate.save(update_fields=["approving_owners", "approving_area"])
    _refresh(election, locked)
    return election


def turnout_refusals(election: Election) -> list[str]:
    """Why the vote does not make a valid election (art. 278), or [] when it does."""
    if not election.vote_recorded:
        return [_("Record the owners' assembly vote first.")]
    refusals = []
    if election.area_ratio < TWO_THIRDS:
        refusals.append(
            _(
                "Owners holding %(ratio)s of the exclusive area took part; "
                "at least two thirds are needed."
            )
            % {"ratio": percent(election.area_ratio)}
        )
    if election.owners_ratio < TWO_THIRDS:
        refusals.append(
            _("%(ratio)s of the owners took part; at least two thirds are needed.")
            % {"ratio": percent(election.owners_ratio)}
        )
    return refusals


def approval_refusals(election: Election, candidates) -> list[str]:
    """The chair must be elected: more than half of the participating area and owners."""
    elected = [c for c in candidates if c.elected(election)]
    if any(c.role == Role.CHAIR for c in elected):
        return []
    refusals = [_("No chair candidate is elected.")]
    for c in candidates:
        if c.role == Role.CHAIR:
            refusals.append(
                _(
                    "“%(name)s” was approved by %(area)s of the participating area "
                    "and %(owners)s of the participating owners; more than half of "
                    "each is needed (exactly half is not enough)."
                )
                % {
                    "name": c.name,
                    "area": percent(c.area_ratio(election)),
                    "owners": percent(c.owners_ratio(election)),
                }
            )
    return refusals


def _require_valid_result(election: Election) -> list[Candidate]:
    # Not voted yet is not void: say what is missing, not that the election failed.
    if not election.vote_recorded:
        raise ValidationError(_("Record the owners' assembly vote first."))
    refusals = turnout_refusals(election)
    candidates = list(election.candidates.all())
    if not refusals:
        refusals = approval_refusals(election, candidates)
    if refusals:
        raise ValidationError(
            [_("The election is not valid under the Civil Code (art. 278).")] + refusals
        )
    return [c for c in candidates if c.elected(election)]


@_writes
def election_move(
    *,
    election: Election,
    to_step: int,
    by,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Election:
    """Move an election one step on. The only code that changes `Election.step`.

    Filing (step 5) creates the new term and its members and ends the previous
    term, all in this one transaction.
    """
    # The committee row first, then the election: the order every writer keeps.
    _locked_committee(election.committee)
    locked = _locked_election(election)
    from_step = locked.step
    if locked.ended_without_result:
        raise ValidationError(
            _("This election ended without a result; it has no further step.")
        )
    move = workflow.next_move(from_step)
    if move is None:
        raise ValidationError(_("This election is filed; it has no further step."))
    if not permissions.can_manage(by, locked.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can move its elections.")
        )
    if move.to_step != to_step:
        raise ValidationError(
            _(
                "An election at step %(from)d (%(label)s) can only move to step "
                "%(next)d, not %(to)s."
            )
            % {
                "from": from_step,
                "label": Step(from_step).label,
                "next": move.to_step,
                "to": to_step,
            }
        )
    if to_step == Step.CANDIDATES and not locked.candidates.exists():
        raise ValidationError(_("Add the candidates before announcing them."))
    if to_step == Step.VOTE and locked.committee.dissolved_on is not None:
        raise ValidationError(_("A dissolved committee holds no elections."))
    if to_step in (Step.RESULTS, Step.FILED):
        elected = _require_valid_result(locked)
    locked.step = to_step
    if to_step == Step.FILED:
        _complete(locked, elected, at=at)
    locked.full_clean()
    locked.save(update_fields=["step", "completed_on", "term"])
    _record(locked, from_step=from_step, by=by, note=note, at=at)
    _refresh(election, locked)
    return election


@_writes
def election_end_without_result(
    *,
    election: Election,
    by,
    reason: str,
    at: datetime.datetime | None = None,
) -> Election:
    """选举未成功: end an election whose vote failed, without a term.

    From the vote step on (`workflow.END_WITHOUT_RESULT_AT`). The election keeps
    the step it reached and its figures; it is no longer open, so the committee
    can start a new one. `reason` is required and goes into the change row.
    """
    _locked_committee(election.committee)
    locked = _locked_election(election)
    if not permissions.can_manage(by, locked.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can end its elections.")
        )
    if locked.ended_without_result:
        raise ValidationError(_("This election has already ended without a result."))
    if locked.step == Step.FILED:
        raise ValidationError(_("This election is filed; it cannot end without one."))
    if not permissions.can_end_without_result(by, locked):
        raise ValidationError(
            _(
                "An election can end without a result only once the owners' "
                "assembly has voted (step 3)."
            )
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            _("Say why the election ended without a result, e.g. the turnout.")
        )
    locked.ended_without_result_on = timezone.localtime(at or timezone.now()).date()
    locked.full_clean()
    locked.save(update_fields=["ended_without_result_on"])
    _record(locked, from_step=locked.step, by=by, note=reason, at=at, ended=True)
    _refresh(election, locked)
    return election


def election_complete(
    *, election: Election, by, note: str = "", at: datetime.datetime | None = None
) -> Election:
    """备案: file the election; the new term begins (see `election_move`)."""
    return election_move(election=election, to_step=Step.FILED, by=by, note=note, at=at)


def _complete(election: Election, elected: list[Candidate], *, at) -> None:
    committee = election.committee
    start = timezone.localtime(at or timezone.now()).date()
    validate_programme_year(start.year)
    end = term_end_for(start)
    current = (
        Term.objects.filter(committee=committee)
        .annotate(effective=term_effective_end())
        .filter(effective__gte=start)
        .order_by("-start")
        .first()
    )
    if current is not None:
        if current.start >= start:
            raise ValidationError(
                _(
                    "Term %(number)d starts on %(start)s: a new term cannot start "
                    "on or before it."
                )
                % {"number": current.number, "start": current.start.isoformat()}
            )
        current.ended_on = start - datetime.timedelta(days=1)
        current.full_clean()
        current.save(update_fields=["ended_on"])
    _refuse_overlap(committee, start, end)
    term = Term(
        committee=committee, number=_next_number(committee), start=start, end=end
    )
    term.full_clean()
    term.save()
    Member.objects.bulk_create(
        Member(
            term=term,
            name=c.name,
            role=c.role,
            phone=c.phone,
            position=position,
        )
        for position, c in enumerate(
            sorted(
                elected, key=lambda c: (list(Role.values).index(c.role), c.position)
            ),
            start=1,
        )
    )
    election.term = term
    election.completed_on = start


def _refresh(election: Election, locked: Election) -> None:
    for field in (
        "step",
        "completed_on",
        "ended_without_result_on",
        "term",
        "owners_total",
        "area_total",
        "participating_owners",
        "participating_area",
    ):
        setattr(election, field, getattr(locked, field))


# --- the assessment standard ------------------------------------------------------------


def standard_is_used(standard: AssessmentStandard | None) -> bool:
    """Assessments were computed with it: its version, pass mark and items are frozen."""
    return standards.is_used(standard, used_by="assessments")


FROZEN_FIELDS = ("version", "pass_mark")


def _refuse_unless_street_staff(by) -> None:
    if not permissions.can_manage_standards(by):
        raise PermissionDenied(
            _("Only street-office staff can change the assessment standard.")
        )


def _refuse_if_used(standard: AssessmentStandard) -> None:
    if standard_is_used(standard):
        raise ValidationError(
            _(
                "Assessments were made with %(version)s, so it cannot change any "
                "more. Make a new version to edit."
            )
            % {"version": standard.version}
        )


@_writes
def standard_save(*, standard: AssessmentStandard, by) -> AssessmentStandard:
    _refuse_unless_street_staff(by)
    standards.save(
        standard=standard, frozen=FROZEN_FIELDS, refuse_if_used=_refuse_if_used
    )
    return standard


@_writes
def item_save(*, item: AssessmentItem, by) -> AssessmentItem:
    _refuse_unless_street_staff(by)
    _refuse_if_used(item.standard)
    item.full_clean()
    item.save()
    return item


@_writes
def item_delete(*, item: AssessmentItem, by) -> None:
    _refuse_unless_street_staff(by)
    _refuse_if_used(item.standard)
    item.delete()


@_writes
def standard_new_version(
    *, standard: AssessmentStandard, by, version: str = ""
) -> AssessmentStandard:
    """A copy to edit: assessments made under the old one keep their result."""
    _refuse_unless_street_staff(by)
    return standards.copy(
        standard=standard,
        version=version,
        fields=("pass_mark",),
        items="items",
        item_fields=(
            "title",
            "title_en",
            "guidance",
            "guidance_en",
            "max_points",
            "position",
        ),
    )


# --- assessments --------------------------------------------------------------------------


def assessment_check_scores(
    *, standard: AssessmentStandard, scores: dict
) -> dict[AssessmentItem, int]:
    """One score for every item of `standard`, each within 0…max (nanxi.scoring)."""
    return check_scores(
        items=standard.items.all(), scores=scores, standard_name=standard.version
    )


@_writes
def assessment_save(
    *,
    committee: OwnersCommittee,
    standard: AssessmentStandard,
    year: int,
    scores: dict,
    by,
    assessment: Assessment | None = None,
) -> Assessment:
    """Record (or correct) one committee's assessment for one year."""
    if not permissions.can_assess(by, committee):
        raise PermissionDenied(
            _(
                "Only staff of this committee's residential area can record its "
                "assessment."
            )
        )
    checked = assessment_check_scores(standard=standard, scores=scores)
    validate_programme_year(year)
    total = sum(checked.values())
    if assessment is None:
        assessment = Assessment(committee=committee, year=year)
    else:
        assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if assessment.committee_id != committee.pk:
            raise ValidationError(_("This assessment is of another committee."))
    assessment.standard, assessment.year = standard, year
    assessment.total, assessment.passed = total, total >= standard.pass_mark
    assessment.assessed_by = by
    duplicate = _(
        "%(committee)s already has an assessment for %(year)d: change that one instead."
    ) % {"committee": committee, "year": year}
    try:
        assessment.full_clean()
        with transaction.atomic():
            assessment.save()
    except ValidationError as exc:
        if "__all__" in getattr(exc, "error_dict", {}):
            raise ValidationError(duplicate) from exc
        raise
    except IntegrityError as exc:
        raise ValidationError(duplicate) from exc
    assessment.scores.all().delete()
    AssessmentScore.objects.bulk_create(
        AssessmentScore(assessment=assessment, item=item, score=points)
        for item, points in checked.items()
    )
    return assessment


# --- the daily warning ------------------------------------------------------------------------


def _flag_message(area_name: str, committees: list[tuple[str, datetime.date]], today):
    lines = [
        _(
            "These owners' committees of %(area)s have a term that ends within "
            "%(days)d days or has ended:"
        )
        % {"area": area_name, "days": WARN_DAYS},
        "",
    ]
    for name, end in committees:
        if end < today:
            lines.append(
                _("· %(name)s: the term ended on %(end)s.")
                % {"name": name, "end": end.isoformat()}
            )
        else:
            lines.append(
                _("· %(name)s: the term ends on %(end)s.")
                % {"name": name, "end": end.isoformat()}
            )
    lines += ["", _("Prepare the re-election (换届改选) in good time.")]
    return "\n".join(lines)


@_writes
def terms_flag_ending(*, today: datetime.date | None = None) -> int:
    """Flag current terms that end within 180 days or have ended; warn their area once.

    Safe to run twice: a term is warned once (`warned_at`), and the e-mails are
    enqueued only when this transaction commits.
    """
    from nanxi.queue import enqueue_on_commit
    from nanxi.tasks import send_email

    today = today or timezone.localdate()
    latest_start = Term.objects.values("committee").annotate(latest=Max("start"))
    latest = {row["committee"]: row["latest"] for row in latest_start}
    terms = list(
        Term.objects.select_for_update(of=("self",))
        .annotate(effective=term_effective_end())
        .filter(
            warned_at__isnull=True,
            committee__dissolved_on__isnull=True,
            effective__lte=today + datetime.timedelta(days=WARN_DAYS),
        )
        .select_related("committee__estate__area")
    )
    terms = [t for t in terms if latest.get(t.committee_id) == t.start]
    if not terms:
        return 0
    Term.objects.filter(pk__in=[t.pk for t in terms]).update(warned_at=timezone.now())
    by_area = defaultdict(list)
    for term in terms:
        by_area[term.committee.estate.area].append(
            (term.committee.estate.name, term.effective)
        )
    recipients = defaultdict(set)
    for area_id, email in StaffAssignment.objects.filter(
        area__in=list(by_area), user__is_active=True
    ).values_list("area_id", "user__email"):
        if email:
            recipients[area_id].add(email)
    for area, committees in by_area.items():
        to = sorted(recipients[area.pk])
        if not to:
            continue
        payload = {
            "subject": _("Owners' committees: terms ending soon in %(area)s")
            % {"area": area.name},
            "body": _flag_message(area.name, sorted(committees), today)
            + "\n\n"
            + reverse("committees:list")
            + "?ending=180",
            "from_email": settings.DEFAULT_FROM_EMAIL,
            "to": to,
        }
        enqueue_on_commit(send_email, **payload)
    return len(terms)
