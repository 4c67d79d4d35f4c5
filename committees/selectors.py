"""Reads of owners' committees shared by pages, the admin, the home page and the report."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
)
from django.utils import timezone

from committees.models import (
    HALF,
    TWO_THIRDS,
    Assessment,
    AssessmentScore,
    Election,
    OwnersCommittee,
    Step,
    Term,
    term_effective_end,
)
from nanxi import permissions as street
from nanxi.formatting import percent


def _weak_scores():
    """Scores below half of their item's maximum (2 × score < max, in integers)."""
    return AssessmentScore.objects.annotate(doubled=F("score") * 2).filter(
        doubled__lt=F("item__max_points")
    )


def committee_list(user, today: datetime.date | None = None) -> QuerySet:
    """Staff see their scope with the term flags first; everyone else sees all."""
    today = today or timezone.localdate()
    queryset = OwnersCommittee.objects.with_status(today).select_related("estate__area")
    if street.is_staff_member(user):
        queryset = street.in_scope(queryset, user, "estate__area")
        return queryset.annotate(
            flagged=Q(dissolved_on__isnull=True)
            & Q(term_end__lte=today + datetime.timedelta(days=180))
        ).order_by("-flagged", "term_end", "estate__area__name", "estate__name")
    return queryset.order_by("estate__area__name", "estate__name")


def committee_detail(pk: int) -> OwnersCommittee:
    """One committee with its terms, members, elections and assessments, in a few queries."""
    elections = Election.objects.select_related("term").prefetch_related("candidates")
    assessments = Assessment.objects.select_related("standard").prefetch_related(
        Prefetch("scores", queryset=AssessmentScore.objects.select_related("item"))
    )
    return (
        OwnersCommittee.objects.with_status()
        .select_related("estate__area")
        .prefetch_related(
            Prefetch("terms", queryset=Term.objects.order_by("-start")),
            "terms__members",
            Prefetch("elections", queryset=elections.order_by("-created_at")),
            Prefetch("assessments", queryset=assessments.order_by("-year")),
        )
        .get(pk=pk)
    )


def hide_phones(committee: OwnersCommittee) -> OwnersCommittee:
    """Blank the prefetched phone numbers: a public page never holds one, not even
    in its context."""
    for term in committee.terms.all():
        for member in term.members.all():
            member.phone = ""
    for election in committee.elections.all():
        for candidate in election.candidates.all():
            candidate.phone = ""
    return committee


@dataclass(frozen=True)
class WeakItem:
    title: str
    guidance: str
    score: int
    max_points: int


def weak_items(committee: OwnersCommittee) -> tuple[Assessment | None, list[WeakItem]]:
    """The newest assessment's items scored below half their maximum (to coach).

    Uses the prefetched assessments of `committee_detail` when present.
    """
    assessments = list(committee.assessments.all())
    if not assessments:
        return None, []
    latest = max(assessments, key=lambda a: a.year)
    return latest, [
        WeakItem(s.item.label, s.item.label_guidance, s.score, s.item.max_points)
        for s in latest.scores.all()
        if s.weak
    ]


def year_figures(year: int) -> dict:
    """The owners' committees' figures for `year`, in four aggregate queries.

    - formations and re-elections filed in the year;
    - assessments taken and passed in the year;
    - committees whose latest term had expired at the end of the year (or today,
      for the current year) and that were not dissolved by then;
    - weak items of the year's assessments, by how often they were weak.
    """
    elections = Election.objects.filter(
        step=Step.FILED, completed_on__year=year
    ).aggregate(
        formations=Count("pk", filter=Q(kind=Election.Kind.FORMATION)),
        re_elections=Count("pk", filter=Q(kind=Election.Kind.RE_ELECTION)),
    )
    assessments = Assessment.objects.filter(year=year).aggregate(
        taken=Count("pk"), passed=Count("pk", filter=Q(passed=True))
    )
    on = min(datetime.date(year, 12, 31), timezone.localdate())
    started = Term.objects.filter(committee=OuterRef("pk"), start__lte=on)
    running = started.annotate(effective=term_effective_end()).filter(effective__gte=on)
    expired = (
        OwnersCommittee.objects.filter(
            Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=on)
        )
        .filter(Exists(started), ~Exists(running))
        .aggregate(n=Count("pk"))["n"]
    )
    weak = (
        _weak_scores()
        .filter(assessment__year=year)
        .values("item__title")
        .annotate(count=Count("pk"))
        .order_by("-count", "item__title")
    )
    return {
        "formations": elections["formations"],
        "re_elections": elections["re_elections"],
        "assessments_taken": assessments["taken"],
        "assessments_passed": assessments["passed"],
        "expired_terms": expired,
        "weak_items": [(row["item__title"], row["count"]) for row in weak],
    }


def election_summary(election: Election, today: datetime.date | None = None) -> dict:
    """Turnout and approvals as the Civil Code art. 278 counts them, each ratio judged.

    A void vote (turnout under two thirds) elects nobody: no candidate is marked
    elected and `void` says so first. Uses the election's prefetched candidates;
    runs no query of its own.
    """
    today = today or timezone.localdate()
    all_candidates = list(election.candidates.all())
    elected = {c.pk for c in election.elected_candidates(all_candidates)}
    # Tied for the last seat across the cut: nobody's seat is settled (run-off).
    tied = {c.pk for c in election.tied_at_cut(all_candidates)}
    candidates = []
    for c in all_candidates:
        area, owners = c.area_ratio(election), c.owners_ratio(election)
        candidates.append(
            {
                "candidate": c,
                "area": percent(area),
                "area_passed": area is not None and area > HALF,
                "owners": percent(owners),
                "owners_passed": owners is not None and owners > HALF,
                "elected": c.pk in elected and c.pk not in tied,
                "tied": c.pk in tied,
            }
        )
    recorded = election.vote_recorded
    return {
        "election": election,
        "recorded": recorded,
        "void": election.void,
        "area": percent(election.area_ratio) if recorded else "—",
        "area_passed": recorded and election.area_ratio >= TWO_THIRDS,
        "owners": percent(election.owners_ratio) if recorded else "—",
        "owners_passed": recorded and election.owners_ratio >= TWO_THIRDS,
        "candidates": candidates,
        "tied": bool(tied),
        "first_meeting_overdue": election.first_meeting_overdue(today),
        "filing_overdue": election.filing_overdue(today),
    }


def overdue_elections(user, today: datetime.date | None = None, limit: int = 20):
    """Open elections of the staff member's areas whose first meeting or filing is
    past its period (指导规则 art. 32, 物业管理条例 art. 16), most overdue first.
    One query."""
    today = today or timezone.localdate()
    queryset = Election.objects.open().filter(
        Q(step=Step.RESULTS)
        & (
            Q(first_meeting_on__isnull=True, first_meeting_due__lt=today)
            | Q(filing_due__lt=today)
        )
    )
    queryset = street.in_scope(queryset, user, "committee__estate__area")
    elections = list(
        queryset.select_related("committee__estate__area").order_by("filing_due", "pk")[
            :limit
        ]
    )
    for election in elections:
        election.first_meeting_late = election.first_meeting_overdue(today)
    return elections
