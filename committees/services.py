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
    LAW_FIRST_MEETING_SOURCE,
    LAW_MEMBERS_SOURCE,
    LAW_NOTICE_SOURCE,
    LAW_VICE_CHAIRS_SOURCE,
    TERM_YEARS,
    TWO_THIRDS,
    WARN_DAYS,
    Assessment,
    AssessmentItem,
    AssessmentScore,
    AssessmentStandard,
    Candidate,
    CommitteeRules,
    Election,
    ElectionChange,
    Member,
    OwnersCommittee,
    Role,
    Step,
    Term,
    rules_for,
    term_effective_end,
)
from nanxi import fragments, standards
from nanxi.formatting import percent
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


def _check_member_rows(members, rules) -> list[Member]:
    rows = []
    for position, (name, role, phone) in enumerate(members, start=1):
        rows.append(
            Member(name=name.strip(), role=role, phone=phone.strip(), position=position)
        )
    refusal = members_refusal(len(rows), rules, elected=False)
    if refusal:
        raise ValidationError(refusal)
    chairs = sum(row.role == Role.CHAIR for row in rows)
    if rows and chairs != 1:
        raise ValidationError(_one_chair(chairs))
    return rows


def members_refusal(n: int, rules, *, elected: bool = True) -> str | None:
    """Why a committee of `n` members is refused under the estate's `rules` (指导规则
    art. 31, within the law), or None: the one home of the members' bound.

    Elected (`composition_refusals`): an odd number from the fewest to the most.
    Entered by hand (`term_record`, `member_save`): history may be incomplete, so
    only never more than the most.
    """
    if not elected:
        if n <= rules.max_members:
            return None
        return _(
            "A committee has at most %(max)d members (%(source)s); this "
            "term would have %(n)d."
        ) % {
            "max": rules.max_members,
            "n": n,
            "source": rules.cite(LAW_MEMBERS_SOURCE),
        }
    if n % 2 and rules.min_members <= n <= rules.max_members:
        return None
    return _(
        "%(n)d candidates are elected; a committee has an odd number of "
        "members from %(min)d to %(max)d (%(source)s)."
    ) % {
        "n": n,
        "min": rules.min_members,
        "max": rules.max_members,
        "source": rules.cite(LAW_MEMBERS_SOURCE),
    }


def _one_chair(chairs: int) -> str:
    return _(
        "A committee has exactly one chair (%(source)s); this term would have %(n)d."
    ) % {"n": chairs, "source": LAW_VICE_CHAIRS_SOURCE}


def term_check_chair(*, term: Term) -> None:
    """A term with members has exactly one chair (指导规则 art. 32). For edits made
    row by row (the admin's member rows): checked once all rows are saved."""
    roles = list(term.members.values_list("role", flat=True))
    chairs = roles.count(Role.CHAIR)
    if roles and chairs != 1:
        raise ValidationError(_one_chair(chairs))


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
    rows = _check_member_rows(members, rules_for(locked.estate))
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
    """Correct a member's name, role or phone (or add one between elections).

    Never a second chair (also a database constraint: two concurrent saves
    cannot both make one), never more members than the estate's rules allow; a
    chair changed row by row is checked by `term_check_chair` once all rows are
    saved.
    """
    term = Term.objects.select_related("committee__estate").get(pk=member.term_id)
    # The committee row first: the order every writer keeps (`election_move`).
    committee = _locked_committee(term.committee)
    if not permissions.can_manage(by, committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can change members.")
        )
    others = Member.objects.filter(term=term).exclude(pk=member.pk)
    if member.role == Role.CHAIR and others.filter(role=Role.CHAIR).exists():
        raise ValidationError(_one_chair(2))
    member.full_clean()
    if member.pk is None:
        refusal = members_refusal(
            others.count() + 1, rules_for(committee.estate), elected=False
        )
        if refusal:
            raise ValidationError(refusal)
    try:
        with transaction.atomic():
            member.save()
    except IntegrityError as exc:
        raise ValidationError(_one_chair(2)) from exc
    return member


@_writes
def member_delete(*, member: Member, by) -> None:
    term = Term.objects.select_related("committee__estate").get(pk=member.term_id)
    if not permissions.can_manage(by, term.committee):
        raise PermissionDenied(
            _("Only staff of this committee's residential area can change members.")
        )
    member.delete()


# --- the rules' numbers --------------------------------------------------------------------


@_writes
def rules_save(*, rules: CommitteeRules, by) -> CommitteeRules:
    """An estate's rules (or the district's default), within the law (`clean`)."""
    if rules.estate_id is not None:
        rules.estate = Estate.objects.get(pk=rules.estate_id)
    if not permissions.can_edit_rules(by, rules):
        raise PermissionDenied(
            _(
                "Only street-office staff change the district's default; an "
                "estate's rules also its area's staff."
            )
        )
    rules.full_clean()
    try:
        with transaction.atomic():
            rules.save()
    except IntegrityError as exc:
        raise ValidationError(_("These rules exist already: change those.")) from exc
    return rules


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
def candidate_add(*, election: Election, by, name: str, phone: str = "") -> Candidate:
    """A candidate for membership: the roles are chosen by the elected committee
    at its first meeting (`election_first_meeting`), not by the owners."""
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
    voted_on: datetime.date | None = None,
) -> Election:
    """业主大会表决: who took part, and who approved each candidate (art. 278).

    `approvals` maps each candidate (or its id) to (owners, area). `voted_on` is
    the day the assembly counted the vote (default today), from the vote's first
    day to today: the result and its periods count from it (选举产生之日). Every
    number is checked before anything is written; recording again replaces them.
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
    today = _day(None)
    voted_on = today if voted_on is None else voted_on
    if not isinstance(voted_on, datetime.date):
        raise ValidationError(_("Give the day of the vote."))
    _refuse_before_vote_from(locked, voted_on)
    if voted_on > today:
        raise ValidationError(
            _("The vote's day, %(day)s, is in the future: record the vote once held.")
            % {"day": voted_on.isoformat()}
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
    locked.voted_on = voted_on
    locked.full_clean()
    locked.save(
        update_fields=[
            "owners_total",
            "area_total",
            "participating_owners",
            "participating_area",
            "voted_on",
        ]
    )
    for candidate, (yes_owners, yes_area) in checked.items():
        candidate.approving_owners, candidate.approving_area = yes_owners, yes_area
        candidate.full_clean()
        candidate.save(update_fields=["approving_owners", "approving_area"])
    _refresh(election, locked)
    return election


def _day(at: datetime.datetime | None) -> datetime.date:
    """The local day of a move (`at` replays history; else now)."""
    return timezone.localtime(at or timezone.now()).date()


def _area_text(value) -> str:
    """An area as people read it: thousands grouped, no ".00" (30,000; 19,999.99)."""
    text = f"{Decimal(value):,.2f}"
    return text.removesuffix(".00")


def turnout_refusals(election: Election) -> list[str]:
    """Why the vote does not make a valid election (art. 278), or [] when it does.

    The rounded share is shown with the counts it comes from: 66.67% beside
    "two thirds" is never a puzzle.
    """
    if not election.vote_recorded:
        return [_("Record the owners' assembly vote first.")]
    refusals = []
    if election.area_ratio < TWO_THIRDS:
        refusals.append(
            _(
                "Owners holding %(part)s of %(total)s m² of exclusive area took "
                "part (%(ratio)s); at least two thirds are needed."
            )
            % {
                "part": _area_text(election.participating_area),
                "total": _area_text(election.area_total),
                "ratio": percent(election.area_ratio),
            }
        )
    if election.owners_ratio < TWO_THIRDS:
        refusals.append(
            _(
                "%(part)s of %(total)s owners took part (%(ratio)s); at least two "
                "thirds are needed."
            )
            % {
                "part": f"{election.participating_owners:,}",
                "total": f"{election.owners_total:,}",
                "ratio": percent(election.owners_ratio),
            }
        )
    return refusals


def composition_refusals(
    election: Election, rules, candidates=None, *, filing: bool = False
) -> list[str]:
    """Why the elected do not make a committee under the rules (指导规则 art. 31,
    32), or []: an odd number from the fewest to the most members; at filing, a
    first meeting that chose one chair and the vice-chairs among them."""
    elected = election.elected_candidates(candidates)
    refusals = []
    tied = election.tied_at_cut(candidates)
    if tied:
        refusals.append(_tie_refusal(tied))
    refusal = members_refusal(len(elected), rules)
    if refusal:
        refusals.append(refusal)
    if not filing:
        return refusals
    if election.first_meeting_on is None:
        refusals.append(
            _(
                "Record the committee's first meeting, which chooses the chair and "
                "vice-chairs among the elected (%(source)s)."
            )
            % {"source": LAW_FIRST_MEETING_SOURCE}
        )
        return refusals
    chairs = sum(c.role == Role.CHAIR for c in elected)
    if chairs != 1:
        refusals.append(_one_chair(chairs))
    vices = sum(c.role == Role.VICE_CHAIR for c in elected)
    if not rules.min_vice_chairs <= vices <= rules.max_vice_chairs:
        refusals.append(_vice_chairs_refusal(vices, rules))
    return refusals


def _tie_refusal(tied: list[Candidate]) -> str:
    first = tied[0]
    return _(
        "%(names)s are tied for the last seat (%(area)s m² and %(owners)d owners "
        "approving each): the ballot's order elects nobody, a run-off is needed. "
        "Record the vote again after the run-off, or end the election without a "
        "result."
    ) % {
        "names": ", ".join(f"“{c.name}”" for c in tied),
        "area": _area_text(first.approving_area),
        "owners": first.approving_owners,
    }


def _vice_chairs_refusal(n: int, rules) -> str:
    return _(
        "%(n)d vice-chairs were chosen; from %(min)d to %(max)d are needed "
        "(%(source)s)."
    ) % {
        "n": n,
        "min": rules.min_vice_chairs,
        "max": rules.max_vice_chairs,
        "source": rules.cite(LAW_VICE_CHAIRS_SOURCE),
    }


def election_refusals(election: Election, candidates=None) -> list[str]:
    """What the election's page says stands in the way of its next move (the same
    words the move refuses with); [] before the vote is recorded."""
    if not election.vote_recorded or not election.is_open:
        return []
    refusals = turnout_refusals(election)
    if refusals:
        return refusals
    rules = rules_for(election.committee.estate)
    return composition_refusals(
        election, rules, candidates, filing=election.step == Step.RESULTS
    )


def _require_valid_result(
    election: Election, rules, *, filing: bool
) -> list[Candidate]:
    # Not voted yet is not void: say what is missing, not that the election failed.
    if not election.vote_recorded:
        raise ValidationError(_("Record the owners' assembly vote first."))
    refusals = turnout_refusals(election)
    if refusals:
        raise ValidationError(
            [_("The election is not valid under the Civil Code (art. 278).")] + refusals
        )
    candidates = list(election.candidates.all())
    refusals = composition_refusals(election, rules, candidates, filing=filing)
    if refusals:
        raise ValidationError(refusals)
    return election.elected_candidates(candidates)


def _refuse_before_vote_from(election: Election, day: datetime.date) -> None:
    if election.vote_from is not None and day < election.vote_from:
        rules = rules_for(election.committee.estate)
        raise ValidationError(
            _(
                "Not yet: the owners are told at least %(days)d days before the "
                "vote (%(source)s), so the vote is possible from %(day)s."
            )
            % {
                "days": rules.notice_days,
                "source": rules.cite(LAW_NOTICE_SOURCE),
                "day": election.vote_from.isoformat(),
            }
        )


def _announce(election: Election, *, seats, assembly_on, day: datetime.date) -> None:
    """1→2: the seats and the assembly's day, at least the notice period ahead."""
    if not election.candidates.exists():
        raise ValidationError(_("Add the candidates before announcing them."))
    rules = rules_for(election.committee.estate)
    refusals = []
    try:
        seats = int(seats) if seats not in (None, "") else None
    except (TypeError, ValueError):
        seats = None
    refusal = rules.seats_refusal(seats)
    if refusal:
        refusals.append(refusal)
    count = election.candidates.count()
    if seats is not None and count < seats:
        refusals.append(
            _(
                "%(seats)d members are to be elected but there are only %(n)d "
                "candidates."
            )
            % {"seats": seats, "n": count}
        )
    earliest = day + datetime.timedelta(days=rules.notice_days)
    if not isinstance(assembly_on, datetime.date):
        refusals.append(_("Give the day of the owners' assembly."))
    elif assembly_on < earliest:
        refusals.append(
            _(
                "The owners are told at least %(days)d days before the vote "
                "(%(source)s): announced today, the assembly can be "
                "held from %(day)s."
            )
            % {
                "days": rules.notice_days,
                "source": rules.cite(LAW_NOTICE_SOURCE),
                "day": earliest.isoformat(),
            }
        )
    if refusals:
        raise ValidationError(refusals)
    election.seats, election.assembly_on = seats, assembly_on
    election.vote_from = assembly_on


@_writes
def election_move(
    *,
    election: Election,
    to_step: int,
    by,
    note: str = "",
    at: datetime.datetime | None = None,
    seats: int | None = None,
    assembly_on: datetime.date | None = None,
) -> Election:
    """Move an election one step on. The only code that changes `Election.step`.

    1→2 announces the candidates with the `seats` to fill and the owners'
    assembly's day (`assembly_on`, at least the notice period later); 2→3 is
    possible from that day; 3→4 announces the result, and the first meeting and
    the filing are due counting from the vote's day (`voted_on`, 选举产生之日),
    however late the announcement. Filing (step 5) creates the new term and its members
    and ends the previous term, all in this one transaction. The periods count
    from the day of `at` (history replayed) or today.
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
    day = _day(at)
    if to_step == Step.CANDIDATES:
        _announce(locked, seats=seats, assembly_on=assembly_on, day=day)
    if to_step == Step.VOTE:
        if locked.committee.dissolved_on is not None:
            raise ValidationError(_("A dissolved committee holds no elections."))
        _refuse_before_vote_from(locked, day)
    if to_step in (Step.RESULTS, Step.FILED):
        rules = rules_for(locked.committee.estate)
        elected = _require_valid_result(locked, rules, filing=to_step == Step.FILED)
    if to_step == Step.RESULTS:
        # 自选举产生之日起: the owners elected the committee on the vote's day.
        elected_on = locked.voted_on
        if day < elected_on:
            raise ValidationError(
                _("The result is announced on or after the vote's day, %(day)s.")
                % {"day": elected_on.isoformat()}
            )
        locked.results_on = elected_on
        locked.first_meeting_due = elected_on + datetime.timedelta(
            days=rules.first_meeting_days
        )
        locked.filing_due = elected_on + datetime.timedelta(days=rules.filing_days)
    locked.step = to_step
    if to_step == Step.FILED:
        _complete(locked, elected, at=at)
    locked.full_clean()
    locked.save(
        update_fields=[
            "step",
            "completed_on",
            "term",
            "seats",
            "assembly_on",
            "vote_from",
            "results_on",
            "first_meeting_due",
            "filing_due",
        ]
    )
    _record(locked, from_step=from_step, by=by, note=note, at=at)
    _refresh(election, locked)
    return election


def election_announce(
    *,
    election: Election,
    by,
    seats: int,
    assembly_on: datetime.date,
    note: str = "",
    at: datetime.datetime | None = None,
) -> Election:
    """候选人公示: announce the candidates, the seats and the assembly's day (see
    `election_move`)."""
    return election_move(
        election=election,
        to_step=Step.CANDIDATES,
        by=by,
        note=note,
        at=at,
        seats=seats,
        assembly_on=assembly_on,
    )


@_writes
def election_first_meeting(
    *,
    election: Election,
    by,
    held_on: datetime.date,
    chair,
    vice_chairs,
    at: datetime.datetime | None = None,
) -> Election:
    """首次会议: the elected committee chooses its one chair and its vice-chairs
    among the elected members (指导规则 art. 32), after the results are announced
    (step 4). `chair` and `vice_chairs` are candidates or their ids. Recording it
    again corrects it; a meeting held after its period is recorded and shown late.
    """
    _locked_committee(election.committee)
    locked = _locked_election(election)
    if not permissions.can_manage(by, locked.committee):
        raise PermissionDenied(
            _(
                "Only staff of this committee's residential area can record its "
                "first meeting."
            )
        )
    if not permissions.can_record_first_meeting(by, locked):
        raise ValidationError(
            _(
                "The first meeting is recorded once the results are announced "
                "(step 4), before filing."
            )
        )
    rules = rules_for(locked.committee.estate)
    candidates = list(locked.candidates.all())
    elected = {c.pk: c for c in locked.elected_candidates(candidates)}
    by_pk = {c.pk: c for c in candidates}
    refusals = []
    if not isinstance(held_on, datetime.date):
        refusals.append(_("Give the day of the first meeting."))
    elif locked.results_on and held_on < locked.results_on:
        refusals.append(
            _("The first meeting follows the result, announced on %(day)s.")
            % {"day": locked.results_on.isoformat()}
        )
    elif held_on > _day(at):
        refusals.append(_("The first meeting cannot be recorded before it is held."))
    chair_pk = getattr(chair, "pk", chair)
    vice_pks = [getattr(v, "pk", v) for v in vice_chairs]

    def not_elected(pk) -> str:
        found = by_pk.get(pk)
        return _(
            "“%(name)s” is not an elected member: the chair and vice-chairs are "
            "chosen among the elected (%(source)s)."
        ) % {
            "name": found.name if found else pk,
            "source": LAW_FIRST_MEETING_SOURCE,
        }

    if chair_pk is None or chair_pk == "":
        refusals.append(_("Choose the chair."))
    elif chair_pk not in elected:
        refusals.append(not_elected(chair_pk))
    refusals += [not_elected(pk) for pk in vice_pks if pk not in elected]
    if chair_pk in vice_pks:
        refusals.append(
            _("“%(name)s” cannot be both chair and vice-chair.")
            % {"name": by_pk[chair_pk].name if chair_pk in by_pk else chair_pk}
        )
    if len(set(vice_pks)) != len(vice_pks):
        refusals.append(_("A vice-chair is named twice."))
    if not rules.min_vice_chairs <= len(set(vice_pks)) <= rules.max_vice_chairs:
        refusals.append(_vice_chairs_refusal(len(set(vice_pks)), rules))
    if refusals:
        raise ValidationError(refusals)
    for candidate in candidates:
        if candidate.pk == chair_pk:
            candidate.role = Role.CHAIR
        elif candidate.pk in vice_pks:
            candidate.role = Role.VICE_CHAIR
        elif candidate.pk in elected:
            candidate.role = Role.MEMBER
        else:
            candidate.role = ""
        candidate.full_clean()
    Candidate.objects.bulk_update(candidates, ["role"])
    locked.first_meeting_on = held_on
    locked.full_clean()
    locked.save(update_fields=["first_meeting_on"])
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
    # Listed chair first, then vice-chairs, then members, each by approvals.
    order = list(Role.values)
    Member.objects.bulk_create(
        Member(
            term=term,
            name=c.name,
            role=c.role,
            phone=c.phone,
            position=position,
        )
        for position, c in enumerate(
            sorted(elected, key=lambda c: order.index(c.role)), start=1
        )
    )
    election.term = term
    election.completed_on = start


def _refresh(election: Election, locked: Election) -> None:
    for field in (
        "step",
        "completed_on",
        "seats",
        "assembly_on",
        "vote_from",
        "results_on",
        "first_meeting_due",
        "first_meeting_on",
        "filing_due",
        "ended_without_result_on",
        "term",
        "owners_total",
        "area_total",
        "participating_owners",
        "participating_area",
        "voted_on",
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
