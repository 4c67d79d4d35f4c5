"""业委会: owners' committees, their terms and members, elections, the district assessment.

A committee's status is derived from its terms (never typed twice): 筹备 forming
(no term yet), 在任 active (its latest term has not ended), 届满 term expired, and
解散 dissolved (the one fact stored: the day it was dissolved).
"""

import datetime
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Case, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nanxi.forms import phone_validator
from nanxi.i18n import localized
from nanxi.validators import PROGRAMME_FIRST_YEAR, validate_programme_year

TERM_YEARS = 5
# Terms ending within this many days are flagged to their area's staff.
WARN_DAYS = 180
TWO_THIRDS = Fraction(2, 3)
HALF = Fraction(1, 2)

# --- the law's numbers: the one home of each bound, with its source -------------------
# An estate's 议事规则 (CommitteeRules) may choose its own numbers within these.

# 业主大会和业主委员会指导规则（2009）第三十一条：业主委员会由5至11人单数组成。
LAW_MIN_MEMBERS = 5
LAW_MAX_MEMBERS = 11
LAW_MEMBERS_SOURCE = _("Guiding Rules for Owners' Assemblies and Committees, art. 31")
# 指导规则第三十二条：首次会议推选主任、副主任 (a committee has a chair and at
# least one vice-chair; the law sets no maximum: the chair and vice-chairs are
# members, so at most the smallest committee less its chair).
LAW_MIN_VICE_CHAIRS = 1
LAW_MAX_VICE_CHAIRS = LAW_MIN_MEMBERS - 1
LAW_VICE_CHAIRS_SOURCE = _(
    "Guiding Rules for Owners' Assemblies and Committees, art. 32"
)
# 物业管理条例第十四条：召开业主大会会议，应当于会议召开15日以前通知全体业主。
LAW_MIN_NOTICE_DAYS = 15
LAW_NOTICE_SOURCE = _("Property Management Regulations, art. 14")
# 指导规则第三十二条：业主委员会应当自选举产生之日起7日内召开首次会议。
LAW_MAX_FIRST_MEETING_DAYS = 7
LAW_FIRST_MEETING_SOURCE = _(
    "Guiding Rules for Owners' Assemblies and Committees, art. 32"
)
# 物业管理条例第十六条：自选举产生之日起30日内……备案。
LAW_MAX_FILING_DAYS = 30
LAW_FILING_SOURCE = _("Property Management Regulations, art. 16")


class Status(models.TextChoices):
    FORMING = "forming", _("Forming")
    ACTIVE = "active", _("In office")
    EXPIRED = "expired", _("Term expired")
    DISSOLVED = "dissolved", _("Dissolved")


def term_effective_end():
    """A term ends on its planned end, or earlier when a new term replaced it."""
    return Coalesce("ended_on", "end")


class OwnersCommitteeQuerySet(models.QuerySet):
    def with_status(self, today: datetime.date | None = None):
        """Annotate the latest term, the derived status and the newest assessment."""
        today = today or timezone.localdate()
        latest = Term.objects.filter(committee=OuterRef("pk")).order_by("-start")
        assessment = Assessment.objects.filter(committee=OuterRef("pk")).order_by(
            "-year"
        )
        return self.annotate(
            term_number=Subquery(latest.values("number")[:1]),
            term_start=Subquery(latest.values("start")[:1]),
            term_end=Subquery(
                latest.annotate(effective=term_effective_end()).values("effective")[:1]
            ),
            assessment_year=Subquery(assessment.values("year")[:1]),
            assessment_passed=Subquery(assessment.values("passed")[:1]),
            assessment_total=Subquery(assessment.values("total")[:1]),
        ).annotate(
            status=Case(
                When(dissolved_on__isnull=False, then=Value(Status.DISSOLVED)),
                When(term_end__isnull=True, then=Value(Status.FORMING)),
                When(term_end__lt=today, then=Value(Status.EXPIRED)),
                default=Value(Status.ACTIVE),
                output_field=models.CharField(),
            ),
        )

    def ending_within(self, days: int, today: datetime.date | None = None):
        """Committees in office or expired whose latest term ends within `days`."""
        today = today or timezone.localdate()
        return self.filter(
            dissolved_on__isnull=True,
            term_end__lte=today + datetime.timedelta(days=days),
        )


class OwnersCommittee(models.Model):
    """业主委员会: one per estate."""

    estate = models.OneToOneField(
        "nanxi.Estate",
        verbose_name=_("estate"),
        on_delete=models.PROTECT,
        related_name="owners_committee",
    )
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = OwnersCommitteeQuerySet.as_manager()

    class Meta:
        ordering = ["estate__area__name", "estate__name"]
        verbose_name = _("owners' committee")
        verbose_name_plural = _("owners' committees")

    def __str__(self) -> str:
        return str(_("%(estate)s owners' committee") % {"estate": self.estate.name})

    def get_absolute_url(self) -> str:
        return reverse("committees:detail", args=[self.pk])

    @property
    def area_id(self) -> int:
        return self.estate.area_id

    def status_display(self) -> str:
        status = getattr(self, "status", None)
        return Status(status).label if status else ""


class CommitteeRules(models.Model):
    """An estate's numbers for its committee and elections (its 议事规则), within the
    law. The row without an estate is the district's default (`rules_for`)."""

    estate = models.OneToOneField(
        "nanxi.Estate",
        verbose_name=_("estate"),
        on_delete=models.CASCADE,
        related_name="committee_rules",
        null=True,
        blank=True,
        help_text=_("Empty: the district's default, for estates without their own."),
    )
    min_members = models.PositiveSmallIntegerField(
        _("fewest members"),
        default=LAW_MIN_MEMBERS,
        help_text=_(
            "At least 5 (Guiding Rules for Owners' Assemblies and Committees, art. 31)."
        ),
    )
    max_members = models.PositiveSmallIntegerField(
        _("most members"),
        default=LAW_MAX_MEMBERS,
        help_text=_(
            "At most 11; the number elected is odd (Guiding Rules for Owners' "
            "Assemblies and Committees, art. 31)."
        ),
    )
    min_vice_chairs = models.PositiveSmallIntegerField(
        _("fewest vice-chairs"),
        default=LAW_MIN_VICE_CHAIRS,
        help_text=_(
            "At least 1: the first meeting chooses a chair and vice-chairs among "
            "the members (Guiding Rules for Owners' Assemblies and Committees, art. 32)."
        ),
    )
    max_vice_chairs = models.PositiveSmallIntegerField(
        _("most vice-chairs"),
        default=2,
        help_text=_(
            "The law sets no maximum; at most 4, so that the smallest committee "
            "keeps its chair among the members (Guiding Rules, art. 32)."
        ),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice before the vote (days)"),
        default=LAW_MIN_NOTICE_DAYS,
        help_text=_(
            "Candidates and the owners' assembly are announced at least this many "
            "days before the vote; at least 15 (Property Management Regulations, "
            "art. 14)."
        ),
    )
    first_meeting_days = models.PositiveSmallIntegerField(
        _("first meeting within (days)"),
        default=LAW_MAX_FIRST_MEETING_DAYS,
        help_text=_(
            "From the day the result is announced; at most 7 (Guiding Rules for "
            "Owners' Assemblies and Committees, art. 32)."
        ),
    )
    filing_days = models.PositiveSmallIntegerField(
        _("filing within (days)"),
        default=LAW_MAX_FILING_DAYS,
        help_text=_(
            "From the day the result is announced; at most 30 (Property Management "
            "Regulations, art. 16)."
        ),
    )
    source = models.CharField(
        _("source"),
        max_length=200,
        help_text=_(
            "Where these numbers come from, e.g. the estate's rules of procedure "
            "and the year they were adopted."
        ),
    )

    class Meta:
        ordering = [models.F("estate").asc(nulls_first=True)]
        verbose_name = _("committee rules")
        verbose_name_plural = _("committee rules")
        constraints = [
            # One default: the estate column, with the default as 0, is unique.
            models.UniqueConstraint(
                Coalesce("estate", Value(0)), name="committee_rules_one_per_estate"
            ),
            models.CheckConstraint(
                condition=Q(min_members__gte=LAW_MIN_MEMBERS)
                & Q(max_members__lte=LAW_MAX_MEMBERS)
                & Q(min_members__lte=F("max_members")),
                name="committee_rules_members_within_law",
            ),
            models.CheckConstraint(
                condition=Q(min_vice_chairs__gte=LAW_MIN_VICE_CHAIRS)
                & Q(max_vice_chairs__lte=LAW_MAX_VICE_CHAIRS)
                & Q(min_vice_chairs__lte=F("max_vice_chairs")),
                name="committee_rules_vice_chairs_within_law",
            ),
            models.CheckConstraint(
                condition=Q(notice_days__gte=LAW_MIN_NOTICE_DAYS)
                & Q(first_meeting_days__gte=1)
                & Q(first_meeting_days__lte=LAW_MAX_FIRST_MEETING_DAYS)
                & Q(filing_days__gte=1)
                & Q(filing_days__lte=LAW_MAX_FILING_DAYS),
                name="committee_rules_days_within_law",
            ),
        ]

    def __str__(self) -> str:
        if self.estate_id is None:
            return str(_("The district's default"))
        return str(_("%(estate)s's rules") % {"estate": self.estate.name})

    def clean(self):
        """Each number within the law, the refusal naming the law's article."""
        errors = {}

        def refuse(field, message, source, **values):
            errors.setdefault(field, []).append(
                _("%(message)s (%(source)s)")
                % {"message": message % values, "source": source}
            )

        if self.min_members is not None and self.min_members < LAW_MIN_MEMBERS:
            refuse(
                "min_members",
                _("A committee has at least %(n)d members."),
                LAW_MEMBERS_SOURCE,
                n=LAW_MIN_MEMBERS,
            )
        if self.max_members is not None and self.max_members > LAW_MAX_MEMBERS:
            refuse(
                "max_members",
                _("A committee has at most %(n)d members."),
                LAW_MEMBERS_SOURCE,
                n=LAW_MAX_MEMBERS,
            )
        if (
            self.min_members is not None
            and self.max_members is not None
            and not any(n % 2 for n in range(self.min_members, self.max_members + 1))
        ):
            refuse(
                "max_members",
                _("Between %(min)d and %(max)d there is no odd number of members."),
                LAW_MEMBERS_SOURCE,
                min=self.min_members,
                max=self.max_members,
            )
        if (
            self.min_vice_chairs is not None
            and self.min_vice_chairs < LAW_MIN_VICE_CHAIRS
        ):
            refuse(
                "min_vice_chairs",
                _("A committee has at least %(n)d vice-chair."),
                LAW_VICE_CHAIRS_SOURCE,
                n=LAW_MIN_VICE_CHAIRS,
            )
        if (
            self.max_vice_chairs is not None
            and self.max_vice_chairs > LAW_MAX_VICE_CHAIRS
        ):
            refuse(
                "max_vice_chairs",
                _("At most %(n)d vice-chairs: the chair and vice-chairs are members."),
                LAW_VICE_CHAIRS_SOURCE,
                n=LAW_MAX_VICE_CHAIRS,
            )
        if (
            self.min_vice_chairs is not None
            and self.max_vice_chairs is not None
            and self.min_vice_chairs > self.max_vice_chairs
        ):
            refuse(
                "max_vice_chairs",
                _("The most vice-chairs cannot be fewer than the fewest (%(n)d)."),
                LAW_VICE_CHAIRS_SOURCE,
                n=self.min_vice_chairs,
            )
        if self.notice_days is not None and self.notice_days < LAW_MIN_NOTICE_DAYS:
            refuse(
                "notice_days",
                _("The owners are told at least %(n)d days before the vote."),
                LAW_NOTICE_SOURCE,
                n=LAW_MIN_NOTICE_DAYS,
            )
        if self.first_meeting_days is not None and not (
            1 <= self.first_meeting_days <= LAW_MAX_FIRST_MEETING_DAYS
        ):
            refuse(
                "first_meeting_days",
                _("The first meeting is held within %(n)d days of the result."),
                LAW_FIRST_MEETING_SOURCE,
                n=LAW_MAX_FIRST_MEETING_DAYS,
            )
        if self.filing_days is not None and not (
            1 <= self.filing_days <= LAW_MAX_FILING_DAYS
        ):
            refuse(
                "filing_days",
                _("The election is filed within %(n)d days of the result."),
                LAW_FILING_SOURCE,
                n=LAW_MAX_FILING_DAYS,
            )
        if errors:
            raise ValidationError(errors)

    def cite(self, law_source) -> str:
        """The source of a number: the law's, and the estate's own rules when it
        has them (the district's default only restates the law)."""
        if self.estate_id is None:
            return str(law_source)
        return _("%(law)s; %(rules)s") % {"law": law_source, "rules": self.source}

    def seats_refusal(self, seats) -> str | None:
        """Why `seats` members cannot be elected under these rules, or None."""
        if (
            seats is None
            or seats % 2 == 0
            or not (self.min_members <= seats <= self.max_members)
        ):
            return _(
                "Elect an odd number of members from %(min)d to %(max)d "
                "(%(source)s), not %(n)s."
            ) % {
                "min": self.min_members,
                "max": self.max_members,
                "n": seats if seats is not None else "—",
                "source": self.cite(LAW_MEMBERS_SOURCE),
            }
        return None


def rules_for(estate) -> CommitteeRules:
    """The estate's own rules, else the district's default (else the law's, unsaved)."""
    found = {
        r.estate_id: r
        for r in CommitteeRules.objects.filter(
            Q(estate__isnull=True) | Q(estate=estate)
        )
    }
    rules = found.get(estate.pk) or found.get(None)
    if rules is None:
        rules = CommitteeRules(source=str(_("The law's numbers")))
    return rules


class Term(models.Model):
    """第N届: a committee's term of office, five years by default."""

    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("owners' committee"),
        on_delete=models.CASCADE,
        related_name="terms",
    )
    number = models.PositiveSmallIntegerField(
        _("term number"), validators=[MinValueValidator(1)]
    )
    start = models.DateField(_("start"))
    end = models.DateField(_("planned end"))
    ended_on = models.DateField(
        _("ended on"),
        null=True,
        blank=True,
        help_text=_("Set when a new term replaced this one before its planned end."),
    )
    # The day the area's staff were warned that this term ends soon (sent once).
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)

    class Meta:
        ordering = ["committee", "start"]
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "number"], name="term_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="term_end_after_start"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | (Q(ended_on__gte=F("start")) & Q(ended_on__lte=F("end"))),
                name="term_ended_within_term",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Term %(n)d") % {"n": self.number})

    @property
    def effective_end(self) -> datetime.date:
        return self.ended_on or self.end


class Role(models.TextChoices):
    CHAIR = "chair", _("Chair")
    VICE_CHAIR = "vice_chair", _("Vice chair")
    MEMBER = "member", _("Member")


class Member(models.Model):
    term = models.ForeignKey(
        Term, verbose_name=_("term"), on_delete=models.CASCADE, related_name="members"
    )
    name = models.CharField(_("name"), max_length=40)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    # Staff only: never shown on a public page.
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["term", "position", "pk"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        constraints = [
            # 指导规则 art. 32: one chair. The services check it first and say so
            # (`member_save`, `term_record`); this stops two concurrent saves.
            models.UniqueConstraint(
                fields=["term"],
                condition=Q(role="chair"),
                name="member_one_chair_per_term",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class Step(models.IntegerChoices):
    PREPARATION = 1, _("Preparatory group formed")
    CANDIDATES = 2, _("Candidates announced")
    VOTE = 3, _("Owners' assembly votes")
    RESULTS = 4, _("Results announced")
    FILED = 5, _("Filed")


class ElectionQuerySet(models.QuerySet):
    def open(self):
        """Under way: neither filed nor ended without a result."""
        return self.filter(step__lt=Step.FILED, ended_without_result_on__isnull=True)


class Election(models.Model):
    """组建 or 换届改选, in five steps; the vote counted per the Civil Code art. 278.

    An election whose vote failed (选举未成功) is ended without a result: it keeps
    the step it reached, makes no term, and frees the committee for a new one.
    """

    class Kind(models.TextChoices):
        FORMATION = "formation", _("Formation")
        RE_ELECTION = "re_election", _("Re-election")

    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("owners' committee"),
        on_delete=models.CASCADE,
        related_name="elections",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    step = models.PositiveSmallIntegerField(
        _("step"), choices=Step.choices, default=Step.PREPARATION
    )
    # The estate's owners and exclusive area when the vote was recorded.
    owners_total = models.PositiveIntegerField(_("owners"), null=True, blank=True)
    area_total = models.DecimalField(
        _("exclusive area (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    participating_owners = models.PositiveIntegerField(
        _("owners who took part"), null=True, blank=True
    )
    participating_area = models.DecimalField(
        _("exclusive area that took part (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    # The day the owners' assembly counted the vote (选举产生之日), entered with the
    # vote: the result and its periods count from it, not from the day staff
    # announce it on the portal.
    voted_on = models.DateField(_("voted on"), null=True, blank=True)
    # Announced with the candidates (step 2): how many members are elected and the
    # day of the owners' assembly, at least the notice period later.
    seats = models.PositiveSmallIntegerField(_("seats"), null=True, blank=True)
    assembly_on = models.DateField(_("owners' assembly on"), null=True, blank=True)
    # The periods, fixed by the move that starts each (the estate's rules then):
    # the first day of the vote (1→2), and at 3→4 the result day (选举产生之日: the
    # vote's day, `voted_on`), when the first meeting and the filing are due.
    vote_from = models.DateField(_("vote possible from"), null=True, blank=True)
    results_on = models.DateField(
        _("elected on (the vote's day)"), null=True, blank=True
    )
    first_meeting_due = models.DateField(
        _("first meeting due by"), null=True, blank=True
    )
    first_meeting_on = models.DateField(_("first meeting on"), null=True, blank=True)
    filing_due = models.DateField(_("filing due by"), null=True, blank=True)
    ended_without_result_on = models.DateField(
        _("ended without result on"), null=True, blank=True
    )
    term = models.OneToOneField(
        Term,
        verbose_name=_("term elected"),
        on_delete=models.PROTECT,
        related_name="election",
        null=True,
        blank=True,
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ElectionQuerySet.as_manager()

    class Meta:
        ordering = ["committee", "-created_at"]
        verbose_name = _("election")
        verbose_name_plural = _("elections")
        constraints = [
            models.UniqueConstraint(
                fields=["committee"],
                condition=Q(step__lt=5, ended_without_result_on__isnull=True),
                name="one_open_election_per_committee",
            ),
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=5), name="election_step_1_to_5"
            ),
            models.CheckConstraint(
                condition=Q(participating_owners__isnull=True)
                | Q(participating_owners__lte=F("owners_total")),
                name="election_participants_within_owners",
            ),
            models.CheckConstraint(
                condition=Q(participating_area__isnull=True)
                | (
                    Q(participating_area__gte=0)
                    & Q(participating_area__lte=F("area_total"))
                ),
                name="election_area_within_estate",
            ),
            models.CheckConstraint(
                condition=Q(step__lt=5) | Q(completed_on__isnull=False),
                name="election_filed_has_date",
            ),
            models.CheckConstraint(
                condition=Q(participating_owners__isnull=True)
                | Q(voted_on__isnull=False),
                name="election_vote_has_its_day",
            ),
            # Ended without a result: from the vote on, never filed, no term.
            models.CheckConstraint(
                condition=Q(ended_without_result_on__isnull=True)
                | Q(step__gte=3, step__lt=5, term__isnull=True),
                name="election_ended_without_result_unfiled",
            ),
        ]
        indexes = [models.Index(fields=["step", "completed_on"])]

    def __str__(self) -> str:
        return f"{self.committee.estate.name} {self.get_kind_display()}"

    def get_absolute_url(self) -> str:
        return reverse("committees:election", args=[self.pk])

    @property
    def vote_recorded(self) -> bool:
        return self.participating_owners is not None

    @property
    def ended_without_result(self) -> bool:
        return self.ended_without_result_on is not None

    @property
    def is_open(self) -> bool:
        """Under way (see `ElectionQuerySet.open`)."""
        return self.step < Step.FILED and not self.ended_without_result

    @property
    def area_ratio(self) -> Fraction | None:
        if not self.vote_recorded or not self.area_total:
            return None
        return Fraction(self.participating_area) / Fraction(self.area_total)

    @property
    def owners_ratio(self) -> Fraction | None:
        if not self.vote_recorded or not self.owners_total:
            return None
        return Fraction(self.participating_owners, self.owners_total)

    @property
    def turnout_valid(self) -> bool:
        """Owners of ≥ 2/3 of the exclusive area and ≥ 2/3 of the owners took part."""
        return (
            self.vote_recorded
            and self.area_ratio >= TWO_THIRDS
            and self.owners_ratio >= TWO_THIRDS
        )

    @property
    def void(self) -> bool:
        """The vote is recorded and fails art. 278's turnout: nobody is elected."""
        return self.vote_recorded and not self.turnout_valid

    def elected_candidates(self, candidates=None) -> list["Candidate"]:
        """Who is elected: none when the vote is void; else the candidates with more
        than half of the participating area and owners, highest approvals first,
        at most the seats announced."""
        if not self.turnout_valid:
            return []
        return self._passing(candidates)[: self.seats or LAW_MAX_MEMBERS]

    def _passing(self, candidates) -> list["Candidate"]:
        if candidates is None:
            candidates = self.candidates.all()
        return sorted(
            (c for c in candidates if c.elected(self)),
            key=lambda c: (-c.approving_area, -c.approving_owners, c.position, c.pk),
        )

    def tied_at_cut(self, candidates=None) -> list["Candidate"]:
        """The candidates tied for the last seat, when the tie crosses the cut:
        equal in approving area and owners, some within the seats and some not.
        The ballot's order settles nothing: a run-off is needed. [] otherwise."""
        if not self.turnout_valid:
            return []
        passing = self._passing(candidates)
        seats = self.seats or LAW_MAX_MEMBERS
        if len(passing) <= seats:
            return []

        def score(c):
            return (c.approving_area, c.approving_owners)

        last = score(passing[seats - 1])
        if score(passing[seats]) != last:
            return []
        return [c for c in passing if score(c) == last]

    def first_meeting_overdue(self, today: datetime.date | None = None) -> bool:
        """The first meeting was not held within its period (or is not held yet)."""
        if self.first_meeting_due is None:
            return False
        if self.first_meeting_on is not None:
            return self.first_meeting_on > self.first_meeting_due
        today = today or timezone.localdate()
        return self.is_open and today > self.first_meeting_due

    def filing_overdue(self, today: datetime.date | None = None) -> bool:
        """Filed after its period, or still not filed once it has passed."""
        if self.filing_due is None:
            return False
        if self.completed_on is not None:
            return self.completed_on > self.filing_due
        today = today or timezone.localdate()
        return self.is_open and today > self.filing_due


class Candidate(models.Model):
    """A candidate announced at step 2; the approvals are recorded at the vote."""

    election = models.ForeignKey(
        Election,
        verbose_name=_("election"),
        on_delete=models.CASCADE,
        related_name="candidates",
    )
    name = models.CharField(_("name"), max_length=40)
    # Candidates stand for membership. The role is chosen among the elected by the
    # committee's first meeting (指导规则 art. 32) and kept here; elections from
    # before that rule keep the role their candidates stood for.
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, blank=True)
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[phone_validator]
    )
    approving_owners = models.PositiveIntegerField(
        _("owners approving"), null=True, blank=True
    )
    approving_area = models.DecimalField(
        _("area approving (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["election", "position", "pk"]
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        constraints = [
            models.UniqueConstraint(
                fields=["election", "name"], name="candidate_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(approving_area__isnull=True) | Q(approving_area__gte=0),
                name="candidate_area_not_negative",
            ),
        ]

    def __str__(self) -> str:
        if not self.role:
            return self.name
        return f"{self.name}（{self.get_role_display()}）"

    def owners_ratio(self, election: Election) -> Fraction | None:
        if self.approving_owners is None or not election.participating_owners:
            return None
        return Fraction(self.approving_owners, election.participating_owners)

    def area_ratio(self, election: Election) -> Fraction | None:
        if self.approving_area is None or not election.participating_area:
            return None
        return Fraction(self.approving_area) / Fraction(election.participating_area)

    def elected(self, election: Election) -> bool:
        """More than half of the participating area and of the participating owners."""
        owners, area = self.owners_ratio(election), self.area_ratio(election)
        return owners is not None and area is not None and owners > HALF and area > HALF


class ElectionChange(models.Model):
    """Every move of an election: who moved it from which step to which, when, why."""

    election = models.ForeignKey(
        Election, on_delete=models.CASCADE, related_name="changes"
    )
    from_step = models.PositiveSmallIntegerField(
        _("from step"), choices=Step.choices, null=True, blank=True
    )
    to_step = models.PositiveSmallIntegerField(_("to step"), choices=Step.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    # The election ended here without a result (to_step is the step it stopped at).
    ended_without_result = models.BooleanField(_("ended without result"), default=False)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("election step change")
        verbose_name_plural = _("election step changes")

    def __str__(self) -> str:
        return f"{self.election_id}: {self.from_step} → {self.to_step}"


# --- the district's standardisation assessment (规范化建设评估) -------------------------


class AssessmentStandard(models.Model):
    """A version of the assessment standard, e.g. 2020版, with its pass mark."""

    version = models.CharField(_("version"), max_length=30, unique=True)
    version_en = models.CharField(
        _("version in English"),
        max_length=40,
        blank=True,
        help_text=_("Shown on English pages; leave empty to show the Chinese."),
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("points to pass"), validators=[MinValueValidator(1)]
    )
    active = models.BooleanField(_("in use for new assessments"), default=False)
    is_example = models.BooleanField(
        _("the portal's example"),
        default=False,
        help_text=_(
            "Shipped with the portal as an example: check it against the "
            "district's own standard before use."
        ),
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("assessment standard")
        verbose_name_plural = _("assessment standards")
        constraints = [
            models.UniqueConstraint(
                fields=["active"],
                condition=Q(active=True),
                name="one_active_assessment_standard",
            ),
            models.CheckConstraint(
                condition=Q(pass_mark__gt=0), name="assessment_pass_mark_positive"
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "version")


class AssessmentItem(models.Model):
    standard = models.ForeignKey(
        AssessmentStandard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="items",
    )
    title = models.CharField(_("item"), max_length=60)
    title_en = models.CharField(_("item in English"), max_length=100, blank=True)
    guidance = models.CharField(_("what is checked"), max_length=300, blank=True)
    guidance_en = models.CharField(
        _("what is checked, in English"), max_length=400, blank=True
    )
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), validators=[MinValueValidator(1)]
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["standard", "position", "pk"]
        verbose_name = _("assessment item")
        verbose_name_plural = _("assessment items")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="assessment_item_max_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.max_points})"

    @property
    def label(self) -> str:
        return localized(self, "title")

    @property
    def label_guidance(self) -> str:
        return localized(self, "guidance")


class Assessment(models.Model):
    """One committee's assessment in one year. Total and passed come from the standard."""

    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("owners' committee"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    standard = models.ForeignKey(
        AssessmentStandard,
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="assessments",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[validate_programme_year]
    )
    total = models.PositiveSmallIntegerField(
        _("total points"), default=0, editable=False
    )
    passed = models.BooleanField(_("passed"), default=False, editable=False)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "committee"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year"], name="one_assessment_per_committee_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=PROGRAMME_FIRST_YEAR),
                name="assessment_year_in_programme",
            ),
        ]
        indexes = [models.Index(fields=["year", "passed"])]

    def __str__(self) -> str:
        return f"{self.committee.estate.name} {self.year}"


class AssessmentScore(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(
        AssessmentItem, on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["item__position", "item_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "item"], name="one_score_per_assessment_item"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}: {self.score}"

    @property
    def weak(self) -> bool:
        """Below half of the item's maximum: an item to coach (点对点辅导)."""
        return self.score * 2 < self.item.max_points
