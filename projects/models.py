from decimal import Decimal

from django.conf import settings
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
)
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nanxi import permissions

MAX_CONTRIBUTION = Decimal("1000000.00")


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

    class Meta:
        ordering = ["name"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.name


class ProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Drafts and withdrawn projects: seen by their proposer and their area's staff."""
        public = Q(step__gte=StepCode.SUBMIT) & ~Q(outcome=Project.Outcome.WITHDRAWN)
        if not user.is_authenticated:
            return self.filter(public)
        if permissions.is_street_staff(user):
            return self
        return self.filter(
            public
            | Q(proposer=user)
            | Q(area__in=sorted(permissions.staff_area_ids(user)))
        )

    def in_year(self, year: int):
        return self.filter(year=year)

    def with_totals(self):
        """Vote counts and crowdfunding raised, as annotations (no per-row queries)."""
        raised = (
            Contribution.objects.filter(project=OuterRef("pk"))
            .values("project")
            .annotate(total=Sum("amount"))
            .values("total")
        )
        return self.annotate(
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
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposer"),
        on_delete=models.PROTECT,
        related_name="proposed_projects",
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
    beneficiaries = models.PositiveIntegerField(
        _("beneficiaries (person-times)"), null=True, blank=True
    )
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

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
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__lte=100),
                name="project_satisfaction_percent",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "step"]),
            # The list's order: the newest twenty without sorting the whole table.
            models.Index(fields=["-updated_at", "-id"], name="project_recent_idx"),
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
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_votes"
    )
    choice = models.CharField(_("choice"), max_length=10, choices=Choice.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "voter"], name="one_vote_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.voter_id} {self.choice} {self.project_id}"


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


class Contribution(models.Model):
    """自治众筹金: money residents and partners put into a project."""

    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="contributions"
    )
    contributor = models.CharField(_("contributor"), max_length=60)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2)
    contributed_on = models.DateField(_("date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

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


def photo_path(instance, filename: str) -> str:
    # The name was made by the server (nanxi.images); never the uploader's.
    return f"projects/{instance.project_id}/{filename}"


class ProjectPhoto(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="photos"
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
