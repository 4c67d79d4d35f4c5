from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Greatest, Round
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nanxi import fragments, permissions
from nanxi.formatting import percent
from nanxi.i18n import localized
from nanxi.models import DELETED_RESIDENT, neutral_name, public_name

MAX_CONTRIBUTION = Decimal("1000000.00")
# A vote passes with more support than opposition unless the area's rule says more.
DEFAULT_MIN_SUPPORT = 50


class StepCode(models.IntegerChoices):
    """The four stages and twelve steps (四阶十二步). Codes are fixed; labels are data."""

    COLLECT_NEEDS = 1, _("Collect needs")
    DRAFT = 2, _("Draft proposal")
    SUBMIT = 3, _("Submit")
    ACCEPT = 4, _("Accept")
    CONSULT = 5, _("Consult")
    VOTE = 6, _("Vote")
    ANNOUNCE = 7, _("Announce")
    CROWDFUND = 8, _("Crowdfund")
    CARRY_OUT = 9, _("Carry out")
    ACCEPT_RESULTS = 10, _("Accept results")
    EVALUATE = 11, _("Residents evaluate")
    SHARE = 12, _("Summarise and share")


STAGES = {
    1: _("Stage 1 · Needs"),
    2: _("Stage 2 · Deliberation"),
    3: _("Stage 3 · Implementation"),
    4: _("Stage 4 · Evaluation"),
}


def stage_of(step: int) -> int:
    return (step - 1) // 3 + 1


class Step(models.Model):
    """The label staff see and may rename for each fixed step code."""

    code = models.PositiveSmallIntegerField(
        _("step"), primary_key=True, choices=StepCode.choices
    )
    label = models.CharField(
        _("label"),
        max_length=30,
        blank=True,
        help_text=_("Leave empty to use the standard name."),
    )
    label_en = models.CharField(
        _("label in English"),
        max_length=60,
        blank=True,
        help_text=_("Shown on English pages; leave empty to show the label above."),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def stage(self) -> int:
        return stage_of(self.code)


class Topic(models.Model):
    name = models.CharField(_("name"), max_length=30, unique=True)
    name_en = models.CharField(
        _("name in English"),
        max_length=60,
        blank=True,
        help_text=_("Shown on English pages; leave empty to show the Chinese."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return localized(self, "name")


def need_photo_path(instance, filename: str) -> str:
    # The name was made by the server (nanxi.images); never the uploader's.
    return f"needs/{filename}"


class NeedQuerySet(models.QuerySet):
    def with_support(self):
        """`supporters`: how many neighbours said "I need it too" (no per-row query).

        Only verified residents of the need's area count: an unverified account's
        "I need it too" is kept, and counts once its residents' committee verifies it.
        """
        count = (
            NeedSupport.objects.filter(
                need=OuterRef("pk"),
                user__profile__area=OuterRef("area"),
                user__profile__verified_at__isnull=False,
            )
            .order_by()
            .values("need")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            supporters=Coalesce(
                Subquery(count, output_field=models.IntegerField()), Value(0)
            )
        )


class Need(models.Model):
    """征集需求 (step 1): what a resident needs, before anyone drafts a proposal."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PROPOSED = "proposed", _("Turned into a proposal")
        MERGED = "merged", _("Merged with another need")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=60)
    body = models.TextField(
        _("what is needed"), max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    area = models.ForeignKey(
        "nanxi.ResidentialArea",
        verbose_name=_("residential area"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    building_group = models.ForeignKey(
        "buildings.BuildingGroup",
        verbose_name=_("building group (optional)"),
        on_delete=models.SET_NULL,
        related_name="needs",
        null=True,
        blank=True,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        on_delete=models.PROTECT,
        related_name="needs",
    )
    image = models.ImageField(_("photo"), upload_to=need_photo_path, blank=True)
    thumbnail = models.ImageField(upload_to=need_photo_path, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    reply = models.CharField(
        _("residents' committee reply"), max_length=500, blank=True
    )
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    closed_reason = models.CharField(_("reason"), max_length=200, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        related_name="merged",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)

    objects = NeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["area", "status"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("needs:detail", args=[self.pk])

    @property
    def by_verified_resident(self) -> bool:
        """Whether its author is a verified resident of its area (the board marks
        the others "not yet verified"); load with `author__profile`."""
        profile = getattr(self.author, "profile", None)
        return (
            profile is not None
            and profile.is_verified
            and profile.area_id == self.area_id
        )


class NeedSupport(models.Model):
    """我也需要: a neighbour of the same area needs it too (once each)."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="supports")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("need support")
        verbose_name_plural = _("need supports")
        constraints = [
            models.UniqueConstraint(
                fields=["need", "user"], name="one_support_per_person"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.need_id}"


class AreaMember(models.Model):
    """A member of the area (线下): a resident without an account, on whose behalf
    the residents' committee enters paper proposals, ballots and evaluation forms.

    No login. Personal data (name, phone) is shown to the area's staff only; in
    public such a person is a neutral "Resident of 华业". Never deleted: erasing
    (projects.services.member_erase) blanks the personal data and keeps the record,
    so the paper entries still count.
    """

    name = models.CharField(_("name"), max_length=40, blank=True)
    area = models.ForeignKey(
        "nanxi.ResidentialArea",
        verbose_name=_("residential area"),
        on_delete=models.PROTECT,
        related_name="area_members",
    )
    # Required when recorded (the form and the service); emptied when erased.
    building_group = models.ForeignKey(
        "buildings.BuildingGroup",
        verbose_name=_("building group"),
        on_delete=models.SET_NULL,
        related_name="area_members",
        null=True,
    )
    phone = models.CharField(_("phone (optional)"), max_length=20, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    erased_at = models.DateTimeField(_("erased at"), null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("member of the area")
        verbose_name_plural = _("members of the area")
        constraints = [
            models.CheckConstraint(
                condition=~Q(name="") | Q(erased_at__isnull=False),
                name="area_member_named_unless_erased",
            ),
        ]
        indexes = [models.Index(fields=["area", "name"])]

    def __str__(self) -> str:
        return self.name if self.erased_at is None else str(DELETED_RESIDENT)

    def get_absolute_url(self) -> str:
        return reverse("projects:member", args=[self.pk])

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def public_name(self) -> str:
        """Shown to others: never the name, always the area's neutral one."""
        if self.is_erased:
            return str(DELETED_RESIDENT)
        return neutral_name(self.area)


class ProjectQuerySet(models.QuerySet):
    @staticmethod
    def public_q() -> Q:
        """What everyone sees: submitted and not withdrawn."""
        return Q(step__gte=StepCode.SUBMIT) & ~Q(outcome=Project.Outcome.WITHDRAWN)

    def visible_to(self, user):
        """Drafts and withdrawn projects: seen by their proposer and their area's staff."""
        public = self.public_q()
        if not user.is_authenticated:
            return self.filter(public)
        if permissions.is_street_staff(user):
            return self
        return self.filter(
            public
            | Q(proposer=user)
            | Q(area__in=sorted(permissions.staff_area_ids(user)))
        )

    def with_electorate(self):
        """`electorate`: who may vote in each project's area — its verified residents,
        and the members without an account its committee recorded (they vote on
        paper; without them a paper-heavy vote could turn out above 100 %).

        `not_voted`: those of them who may still vote (`VoteRule.decided`), counted
        here rather than as `electorate` minus the votes cast, because a vote stays
        counted when its voter leaves the electorate (moved away, so unverified; an
        erased member): the residents and members with no vote of their own on the
        project, less the paper ballots that name no one (cast, like the rest of
        the paper, by members of the electorate, as `electorate` assumes).
        """
        from nanxi.models import Profile

        def count(queryset, by="area"):
            return Coalesce(
                Subquery(
                    queryset.order_by().values(by).annotate(n=Count("pk")).values("n"),
                    output_field=models.IntegerField(),
                ),
                Value(0),
            )

        residents = Profile.objects.filter(
            area=OuterRef("area"), verified_at__isnull=False
        )
        members = AreaMember.objects.filter(
            area=OuterRef("area"), erased_at__isnull=True
        )
        votes = Vote.objects.filter(project=OuterRef(OuterRef("pk")))
        unnamed = Vote.objects.filter(project=OuterRef("pk"), paper=True, member=None)
        return self.annotate(
            electorate=count(residents) + count(members),
            not_voted=Greatest(
                count(residents.filter(~Exists(votes.filter(voter=OuterRef("user")))))
                + count(members.filter(~Exists(votes.filter(member=OuterRef("pk")))))
                - count(unnamed, by="project"),
                Value(0),
            ),
        )

    def with_satisfaction(self):
        """Residents' evaluations as annotations: `evaluations_count`,
        `stars_average` and `satisfaction` (average stars as a percentage, 5 ★ = 100)."""
        rated = (
            Evaluation.objects.filter(project=OuterRef("pk"))
            .order_by()
            .values("project")
        )
        return self.annotate(
            evaluations_count=Coalesce(
                Subquery(
                    rated.annotate(n=Count("pk")).values("n"),
                    output_field=models.IntegerField(),
                ),
                Value(0),
            ),
            stars_average=Subquery(
                rated.annotate(a=Avg("stars")).values("a"),
                output_field=models.FloatField(),
            ),
            satisfaction=Subquery(
                rated.annotate(
                    p=Cast(Round(Avg("stars") * 20), models.IntegerField())
                ).values("p"),
                output_field=models.IntegerField(),
            ),
        )

    def in_year(self, year: int):
        return self.filter(year=year)

    def showcase(self):
        """Completed projects whose case summary is written: the project showcase."""
        return self.filter(outcome=Project.Outcome.DONE).exclude(case_summary="")

    def with_totals(self):
        """Vote counts and crowdfunding raised, as annotations (no per-row queries)."""
        # Money kept: refunded or moved-on contributions are not raised here.
        raised = (
            Contribution.objects.kept()
            .filter(project=OuterRef("pk"))
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        contributors = (
            Contribution.objects.kept()
            .filter(project=OuterRef("pk"))
            .order_by()
            .values("project")
            .annotate(n=Count("contributor", distinct=True))
            .values("n")
        )
        return self.annotate(
            votes_paper=Coalesce(
                Subquery(
                    Vote.objects.filter(project=OuterRef("pk"), paper=True)
                    .order_by()
                    .values("project")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=models.IntegerField(),
                ),
                Value(0),
            ),
            contributors=Coalesce(
                Subquery(contributors, output_field=models.IntegerField()), Value(0)
            ),
            votes_support=_vote_count(Vote.Choice.SUPPORT),
            votes_oppose=_vote_count(Vote.Choice.OPPOSE),
            votes_abstain=_vote_count(Vote.Choice.ABSTAIN),
            raised=Coalesce(
                Subquery(
                    raised,
                    output_field=models.DecimalField(max_digits=12, decimal_places=2),
                ),
                Value(Decimal("0.00")),
                output_field=models.DecimalField(max_digits=12, decimal_places=2),
            ),
        )


def _vote_count(choice):
    count = (
        Vote.objects.filter(project=OuterRef("pk"), choice=choice)
        .values("project")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(count, output_field=models.IntegerField()), Value(0))


class Project(models.Model):
    """居民自治项目: a residents' autonomy project and where it is in the workflow."""

    class Category(models.TextChoices):
        EVENT = "event", _("Event planning")
        TEAM = "team", _("Team building")
        DOORSTEP = "doorstep", _("Doorstep improvement")

    class Outcome(models.TextChoices):
        OPEN = "open", _("In progress")
        DONE = "done", _("Completed")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        # 终止: ended from step 8 on, once money is involved; every contribution
        # has a `Disposition` (workflow.STOP_FROM).
        STOPPED = "stopped", _("Stopped")

    title = models.CharField(_("title"), max_length=60)
    summary = models.CharField(_("summary"), max_length=200)
    description = models.TextField(
        _("description"), max_length=5000, validators=[MaxLengthValidator(5000)]
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), related_name="projects", blank=True
    )
    area = models.ForeignKey(
        "nanxi.ResidentialArea",
        verbose_name=_("residential area"),
        on_delete=models.PROTECT,
        related_name="projects",
    )
    building_groups = models.ManyToManyField(
        "buildings.BuildingGroup",
        verbose_name=_("building groups"),
        related_name="projects",
        blank=True,
    )
    need = models.ForeignKey(
        Need,
        verbose_name=_("from the need"),
        on_delete=models.PROTECT,
        related_name="proposals",
        null=True,
        blank=True,
    )
    # A resident with an account, or (on paper) a member of the area without one.
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposer"),
        on_delete=models.PROTECT,
        related_name="proposed_projects",
        null=True,
        blank=True,
    )
    proposer_member = models.ForeignKey(
        AreaMember,
        verbose_name=_("proposed by the member of the area"),
        on_delete=models.PROTECT,
        related_name="proposals",
        null=True,
        blank=True,
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered on paper by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    step = models.PositiveSmallIntegerField(
        _("step"), choices=StepCode.choices, default=StepCode.DRAFT
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.OPEN
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "The year the project was announced (step 7); it counts in that year's report."
        ),
    )
    budget_requested = models.DecimalField(
        _("budget requested (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[
            MinValueValidator(Decimal("0.00")),
            MaxValueValidator(MAX_CONTRIBUTION),
        ],
    )
    crowdfunding_goal = models.DecimalField(
        _("crowdfunding goal (yuan)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[
            MinValueValidator(Decimal("0.00")),
            MaxValueValidator(MAX_CONTRIBUTION),
        ],
    )
    transfer_reference = models.CharField(
        _("how to pay by transfer"),
        max_length=200,
        blank=True,
        help_text=_(
            "Set by the residents' committee: the account and the reference to write. "
            "Cash is always taken at the residents' committee."
        ),
    )
    vote_closes_on = models.DateField(
        _("voting closes on"),
        null=True,
        blank=True,
        help_text=_("Voting is open until the end of this day."),
    )
    beneficiaries = models.PositiveIntegerField(
        _("beneficiaries (person-times)"), null=True, blank=True
    )
    # Typed by staff before residents rated projects themselves; kept as history,
    # never shown or counted. Satisfaction now comes from `Evaluation` rows.
    legacy_satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction typed by staff (before residents' ratings)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    case_summary = models.TextField(
        _("case summary"),
        max_length=4000,
        blank=True,
        validators=[MaxLengthValidator(4000)],
        help_text=_(
            "Written by the residents' committee at step 12: what was done, how "
            "residents took part, and what other areas can learn from it."
        ),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # When the newest StepChange was written (projects.services._record): the staff
    # work list sorts by it ("waiting since") without a subquery per project.
    moved_at = models.DateTimeField(_("moved at"), null=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("autonomy project")
        verbose_name_plural = _("autonomy projects")
        constraints = [
            models.CheckConstraint(
                condition=Q(step__gte=1, step__lte=12), name="project_step_1_to_12"
            ),
            models.CheckConstraint(
                condition=Q(budget_requested__gte=0, crowdfunding_goal__gte=0),
                name="project_money_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(legacy_satisfaction__isnull=True)
                | Q(legacy_satisfaction__lte=100),
                name="project_satisfaction_percent",
            ),
            # Proposed by an account, or entered on paper for a member without one.
            models.CheckConstraint(
                condition=Q(proposer__isnull=False, proposer_member__isnull=True)
                | Q(
                    proposer__isnull=True,
                    proposer_member__isnull=False,
                    entered_by__isnull=False,
                ),
                name="project_proposer_account_or_member",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "step"]),
            # The list's order: the newest twenty without sorting the whole table.
            models.Index(fields=["-updated_at", "-id"], name="project_recent_idx"),
            # The work list: open projects, longest waiting first.
            models.Index(
                fields=["outcome", "moved_at", "id"], name="project_waiting_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:detail", args=[self.pk])

    @property
    def stage(self) -> int:
        return stage_of(self.step)

    @property
    def is_open(self) -> bool:
        return self.outcome == self.Outcome.OPEN

    @property
    def on_paper(self) -> bool:
        """Entered by the residents' committee from a paper proposal (线下)."""
        return self.entered_by_id is not None

    @property
    def proposer_public_name(self) -> str:
        """Who proposed it, as anyone may read: a member of the area is never named."""
        if self.proposer_member_id is not None:
            return neutral_name(self.area)
        return public_name(self.proposer)


class StepChange(models.Model):
    """Every workflow move: who moved the project from which step to which, when, why."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="step_changes"
    )
    from_step = models.PositiveSmallIntegerField(
        _("from step"), choices=StepCode.choices, null=True
    )
    to_step = models.PositiveSmallIntegerField(_("to step"), choices=StepCode.choices)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Project.Outcome.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("step change")
        verbose_name_plural = _("step changes")

    def __str__(self) -> str:
        return f"{self.project_id}: {self.from_step} → {self.to_step}"


class Vote(models.Model):
    class Choice(models.TextChoices):
        SUPPORT = "support", _("Support")
        OPPOSE = "oppose", _("Oppose")
        ABSTAIN = "abstain", _("Abstain")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="votes")
    # A paper ballot (线下) has no voter: it is counted once by its number.
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="project_votes",
        null=True,
        blank=True,
    )
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)
    paper = models.BooleanField(_("paper ballot"), default=False)
    ballot_number = models.CharField(_("ballot number"), max_length=20, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # A paper ballot may name the member of the area who cast it (one each).
    member = models.ForeignKey(
        AreaMember,
        verbose_name=_("member of the area"),
        on_delete=models.PROTECT,
        related_name="paper_votes",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "voter"], name="one_vote_per_person"
            ),
            models.UniqueConstraint(
                fields=["project", "ballot_number"],
                condition=Q(paper=True),
                name="one_entry_per_paper_ballot",
            ),
            models.CheckConstraint(
                condition=Q(paper=False, voter__isnull=False, ballot_number="")
                | (
                    Q(paper=True, voter__isnull=True, entered_by__isnull=False)
                    & ~Q(ballot_number="")
                ),
                name="vote_online_or_numbered_paper",
            ),
            models.UniqueConstraint(
                fields=["project", "member"],
                condition=Q(member__isnull=False),
                name="one_paper_vote_per_member",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(paper=True),
                name="vote_member_on_paper_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} {self.choice} {self.project_id}"


class VoteRule(models.Model):
    """When a residents' vote passes (set by street staff): an area's own rule, or
    the street's default (the one row without an area; a migration made it), which
    every area without a rule of its own uses. Abstentions count towards turnout,
    not towards the majority.
    """

    name = models.CharField(
        _("name"),
        max_length=60,
        blank=True,
        help_text=_("How staff know the rule, e.g. 街道默认表决规则."),
    )
    area = models.OneToOneField(
        "nanxi.ResidentialArea",
        verbose_name=_("residential area"),
        on_delete=models.CASCADE,
        related_name="vote_rule",
        null=True,
        blank=True,
        help_text=_(
            "Leave empty for the street's default rule, used by every area "
            "without a rule of its own."
        ),
    )
    min_turnout_percent = models.PositiveSmallIntegerField(
        _("minimum turnout (%)"),
        default=0,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Votes cast as a share of the residents who may vote: the area's "
            "verified residents and its members without an account."
        ),
    )
    min_support_percent = models.PositiveSmallIntegerField(
        _("support must exceed (%)"),
        default=DEFAULT_MIN_SUPPORT,
        validators=[MinValueValidator(50), MaxValueValidator(99)],
        help_text=_(
            "Support as a share of support and oppose votes must be above this; "
            "50 means more support than opposition."
        ),
    )

    class Meta:
        verbose_name = _("vote rule")
        verbose_name_plural = _("vote rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_turnout_percent__lte=100)
                & Q(min_support_percent__gte=50, min_support_percent__lte=99),
                name="vote_rule_percent_range",
            ),
            # Areas' ids start at 1: every row without an area is "0", so at most
            # one street default (NULLs alone would never collide).
            models.UniqueConstraint(
                Coalesce("area", Value(0)),
                name="one_street_default_vote_rule",
                violation_error_message=_(
                    "The street already has a default vote rule: change that one."
                ),
            ),
        ]

    def __str__(self) -> str:
        if self.name:
            return self.name
        return str(self.area) if self.area_id else str(_("Street default"))

    @property
    def is_street_default(self) -> bool:
        return self.area_id is None

    @classmethod
    def street_default(cls) -> "VoteRule | None":
        """The street's default rule (cached by the admin's names version), or None
        if someone deleted it: then no vote can be announced (`announce_refusal`)."""
        return fragments.by_version(
            "projects:vote-rule:street-default",
            fragments.NAMES,
            lambda: cls.objects.filter(area=None).first(),
        )

    @classmethod
    def for_area(cls, area) -> "VoteRule | None":
        """The area's own rule, else the street's default (None only if that row
        was deleted)."""
        try:
            return area.vote_rule
        except cls.DoesNotExist:
            return cls.street_default()

    def check_result(
        self,
        *,
        support: int,
        oppose: int,
        abstain: int,
        electorate: int,
        not_voted: int | None = None,
    ) -> "VoteResult":
        """`not_voted`: who may still vote (`ProjectQuerySet.with_electorate`);
        left out, everyone who voted is taken to be in today's electorate."""
        cast = support + oppose + abstain
        if not_voted is None:
            not_voted = max(electorate - cast, 0)
        turnout = Fraction(cast, electorate) if electorate else Fraction(0)
        turnout_ok = turnout * 100 >= self.min_turnout_percent
        majority_ok = support * 100 > self.min_support_percent * (support + oppose)
        return VoteResult(
            support=support,
            oppose=oppose,
            abstain=abstain,
            electorate=electorate,
            not_voted=not_voted,
            turnout=turnout,
            turnout_ok=turnout_ok,
            majority_ok=majority_ok,
            rule=self,
        )

    def decided(
        self,
        *,
        support: int,
        oppose: int,
        abstain: int,
        electorate: int,
        not_voted: int | None = None,
    ):
        """Whether the residents who have not voted yet can no longer change whether
        the vote passes, however they vote or stay away (exact integers).

        It could still pass if all of them supported it; it could still fail if
        none of them voted (turnout is lowest) or all of them opposed (the majority
        is worst). Decided: not both.

        `not_voted`: the members of the electorate with no vote yet, counted in the
        query (`ProjectQuerySet.with_electorate`); `electorate` minus the votes cast
        only when every voter is still in the electorate (left out: that is assumed).
        """
        if not_voted is None:
            not_voted = electorate - (support + oppose + abstain)
        left = max(not_voted, 0)

        def passes(support: int, oppose: int) -> bool:
            return self.check_result(
                support=support, oppose=oppose, abstain=abstain, electorate=electorate
            ).passed

        can_pass = passes(support + left, oppose)
        can_fail = not passes(support, oppose) or not passes(support, oppose + left)
        return not (can_pass and can_fail)


@dataclass(frozen=True)
class VoteResult:
    support: int
    oppose: int
    abstain: int
    electorate: int
    # Members of the electorate with no vote of their own yet: not `electorate`
    # minus `cast` (votes of those who have left it still count).
    not_voted: int
    turnout: Fraction
    turnout_ok: bool
    majority_ok: bool
    rule: VoteRule | None  # None: the street's default rule was deleted

    @property
    def cast(self) -> int:
        return self.support + self.oppose + self.abstain

    @property
    def turnout_percent(self) -> str:
        """The turnout as shown everywhere ("66.67%", nanxi.formatting)."""
        return percent(self.turnout)

    @property
    def passed(self) -> bool:
        return self.turnout_ok and self.majority_ok

    @property
    def decided(self) -> bool:
        """Whether those who have not voted can no longer change the outcome
        (`VoteRule.decided`): only then may the vote close before its day."""
        return self.rule is not None and self.rule.decided(
            support=self.support,
            oppose=self.oppose,
            abstain=self.abstain,
            electorate=self.electorate,
            not_voted=self.not_voted,
        )


class Comment(models.Model):
    """Deliberation (民主协商). Staff may hide a comment; it is kept with the reason."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="project_comments",
    )
    body = models.TextField(
        _("comment"), max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    hidden_reason = models.CharField(_("reason for hiding"), max_length=200, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return self.body[:40]

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class ContributionQuerySet(models.QuerySet):
    def kept(self):
        """Money the project keeps: not refunded, not moved on to another project
        (moved money counts once, as the contribution it became there)."""
        return self.filter(disposition__isnull=True)


class Contribution(models.Model):
    """自治众筹金: money residents and partners put into a project.

    Recorded by staff once the money is with the residents' committee: directly, or
    by confirming a resident's `Pledge`. The portal itself holds no money.
    """

    class Kind(models.TextChoices):
        RESIDENT = "resident", _("Resident")
        ORGANISATION = "organisation", _("Partner organisation")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="contributions"
    )
    contributor = models.CharField(_("contributor"), max_length=60)
    kind = models.CharField(
        _("contributor is"), max_length=12, choices=Kind.choices, default=Kind.RESIDENT
    )
    anonymous = models.BooleanField(
        _("anonymous in public"),
        default=False,
        help_text=_("The name is shown to the residents' committee only."),
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    contributed_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        ordering = ["contributed_on", "pk"]
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=MAX_CONTRIBUTION),
                name="contribution_amount_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contributor} ¥{self.amount}"


class Disposition(models.Model):
    """What happened to a contribution's money when its project was stopped (终止).

    Refunded (退还) to the contributor on a day, or moved (转入), with the
    contributor's consent, to another open project of the same area, where it is
    recorded again as a contribution (`moved_to`, linked back as `moved_from`).
    A contribution with a disposition is no longer money its project keeps.
    Written by `projects.services.project_stop` only.
    """

    class Kind(models.TextChoices):
        REFUNDED = "refunded", _("Refunded")
        MOVED = "moved", _("Moved to another project")

    contribution = models.OneToOneField(
        Contribution,
        verbose_name=_("contribution"),
        on_delete=models.PROTECT,
        related_name="disposition",
    )
    kind = models.CharField(_("what happened"), max_length=10, choices=Kind.choices)
    refunded_on = models.DateField(_("refunded on"), null=True, blank=True)
    moved_to = models.OneToOneField(
        Contribution,
        verbose_name=_("became the contribution"),
        on_delete=models.PROTECT,
        related_name="moved_from",
        null=True,
        blank=True,
    )
    consent = models.CharField(
        _("the contributor's consent"),
        max_length=200,
        blank=True,
        help_text=_("How and to whom the contributor agreed to move the money."),
    )
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["contribution_id"]
        verbose_name = _("what happened to the money")
        verbose_name_plural = _("what happened to the money")
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind="refunded",
                    refunded_on__isnull=False,
                    moved_to__isnull=True,
                    consent="",
                    consent_on__isnull=True,
                )
                | (
                    Q(kind="moved", refunded_on__isnull=True)
                    & Q(moved_to__isnull=False, consent_on__isnull=False)
                    & ~Q(consent="")
                ),
                name="disposition_refunded_or_moved_with_consent",
            ),
            models.CheckConstraint(
                condition=Q(moved_to__isnull=True) | ~Q(moved_to=F("contribution")),
                name="disposition_not_moved_to_itself",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contribution_id} {self.kind}"


class Pledge(models.Model):
    """A resident's promise to contribute: waiting until staff confirm the money came.

    Confirming records a `Contribution`; a pledge not confirmed in time expires.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Received")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="pledges"
    )
    pledger = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("pledged by"),
        on_delete=models.PROTECT,
        related_name="project_pledges",
    )
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    anonymous = models.BooleanField(_("anonymous in public"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("pledged at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    contribution = models.OneToOneField(
        Contribution,
        on_delete=models.PROTECT,
        related_name="pledge",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0, amount__lte=MAX_CONTRIBUTION),
                name="pledge_amount_in_range",
            ),
            # One open promise per person and project: change it by cancelling.
            models.UniqueConstraint(
                fields=["project", "pledger"],
                condition=Q(status="pending"),
                name="one_pending_pledge_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status="confirmed", contribution__isnull=False)
                | (~Q(status="confirmed") & Q(contribution__isnull=True)),
                name="pledge_confirmed_has_contribution",
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.pledger_id} ¥{self.amount} → {self.project_id}"


class Evaluation(models.Model):
    """居民评议 (step 11): a resident's stars and words on a finished project.

    One per resident and project; a paper form entered by staff is one too, counted
    once by its number. Satisfaction is derived from these, never typed.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="evaluations"
    )
    resident = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resident"),
        on_delete=models.PROTECT,
        related_name="project_evaluations",
        null=True,
        blank=True,
    )
    stars = models.PositiveSmallIntegerField(
        _("stars"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("comment"), max_length=200, blank=True)
    paper = models.BooleanField(_("paper form"), default=False)
    form_number = models.CharField(_("paper form number"), max_length=20, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A paper form may name the member of the area who filled it in (one each).
    member = models.ForeignKey(
        AreaMember,
        verbose_name=_("member of the area"),
        on_delete=models.PROTECT,
        related_name="paper_evaluations",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="evaluation_stars_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["project", "resident"],
                condition=Q(resident__isnull=False),
                name="one_evaluation_per_resident",
            ),
            models.UniqueConstraint(
                fields=["project", "form_number"],
                condition=Q(paper=True),
                name="one_entry_per_paper_form",
            ),
            # Online: the resident's own; on paper: a numbered form.
            models.CheckConstraint(
                condition=Q(paper=False, resident__isnull=False, form_number="")
                | (Q(paper=True) & ~Q(form_number="")),
                name="evaluation_online_or_numbered_paper",
            ),
            models.UniqueConstraint(
                fields=["project", "member"],
                condition=Q(member__isnull=False),
                name="one_evaluation_per_member",
            ),
            models.CheckConstraint(
                condition=Q(member__isnull=True) | Q(paper=True, resident__isnull=True),
                name="evaluation_member_on_paper_only",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.stars}★"


def photo_path(instance, filename: str) -> str:
    # The name was made by the server (nanxi.images); never the uploader's.
    return f"projects/{instance.project_id}/{filename}"


class ProjectPhoto(models.Model):
    """A photo of a project: of the proposal, or of a progress update (step 9)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="photos"
    )
    progress_update = models.ForeignKey(
        "ProgressUpdate",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="photos",
        verbose_name=_("progress update"),
    )
    image = models.ImageField(
        _("photo"), upload_to=photo_path, width_field="width", height_field="height"
    )
    thumbnail = models.ImageField(upload_to=photo_path)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.image.name


class ProgressUpdate(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="progress_updates"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(
        _("progress"), max_length=2000, validators=[MaxLengthValidator(2000)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")

    def __str__(self) -> str:
        return self.body[:40]
