from django.conf import settings
from django.core.validators import MaxLengthValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from nanxi.i18n import localized
from nanxi.validators import PROGRAMME_FIRST_YEAR, validate_programme_year


class BuildingGroupQuerySet(models.QuerySet):
    def with_latest_application(self):
        """The status and year of each group's newest district application."""
        application = DistrictApplication.objects.filter(group=OuterRef("pk")).order_by(
            "-year"
        )
        return self.annotate(
            application_status=Subquery(application.values("status")[:1]),
            application_year=Subquery(application.values("year")[:1]),
        )

    def star_rated(self):
        """Groups whose newest rating earned at least one star."""
        return self.filter(stars__gte=1)


class BuildingGroup(models.Model):
    """楼组: the households of one building or lane, the smallest unit of self-governance."""

    name = models.CharField(_("name"), max_length=60)
    area = models.ForeignKey(
        "nanxi.ResidentialArea",
        verbose_name=_("residential area"),
        on_delete=models.PROTECT,
        related_name="building_groups",
    )
    address = models.CharField(_("address"), max_length=120, blank=True)
    households = models.PositiveIntegerField(_("households"), default=0)
    leader = models.CharField(_("group leader"), max_length=40, blank=True)
    feature = models.CharField(
        _("feature"),
        max_length=60,
        blank=True,
        help_text=_("一楼一特色: the group's own theme."),
    )
    story = models.TextField(
        _("story"), blank=True, max_length=3000, validators=[MaxLengthValidator(3000)]
    )
    video_url = models.URLField(
        _("video URL"),
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_(
            "Its QR code goes on the wall, like 升平街65号's renovation video."
        ),
    )
    featured = models.BooleanField(_("in the showcase"), default=False)
    estate = models.ForeignKey(
        "nanxi.Estate",
        verbose_name=_("estate"),
        on_delete=models.SET_NULL,
        related_name="building_groups",
        null=True,
        blank=True,
    )

    # The newest rating's result (None: never rated). Written by the rating service
    # in the same transaction as the rating, so lists sort and filter by a column.
    stars = models.PositiveSmallIntegerField(
        _("stars"), null=True, blank=True, editable=False
    )
    rating_total = models.PositiveSmallIntegerField(
        _("total points"), null=True, blank=True, editable=False
    )
    rating_year = models.PositiveSmallIntegerField(
        _("last rated"), null=True, blank=True, editable=False
    )

    objects = BuildingGroupQuerySet.as_manager()

    class Meta:
        ordering = ["area__name", "name"]
        verbose_name = _("building group")
        verbose_name_plural = _("building groups")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "name"], name="building_group_unique_name"
            ),
            models.CheckConstraint(
                condition=Q(stars__lte=5), name="building_group_stars_0_to_5"
            ),
        ]
        indexes = [models.Index(fields=["stars"], name="building_group_stars_idx")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("buildings:detail", args=[self.pk])


def photo_path(instance, filename: str) -> str:
    return f"buildings/{instance.group_id}/{filename}"


class BuildingPhoto(models.Model):
    group = models.ForeignKey(
        BuildingGroup,
        verbose_name=_("building group"),
        on_delete=models.CASCADE,
        related_name="photos",
    )
    image = models.ImageField(_("photo"), upload_to=photo_path)
    thumbnail = models.ImageField(upload_to=photo_path, blank=True)
    caption = models.CharField(_("caption"), max_length=100, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("photo")
        verbose_name_plural = _("photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class Dimension(models.TextChoices):
    """The four dimensions of the 2020 standard (四维空间楼组)."""

    SHARED_GOVERNANCE = "shared", _("Shared governance")
    DELIBERATION = "deliberation", _("Democratic deliberation")
    PUBLIC_SPACE = "space", _("Public space")
    CULTURE = "culture", _("Culture")


class RatingStandard(models.Model):
    """A version of the street's star standard, e.g. 2020版, with its star thresholds."""

    version = models.CharField(_("version"), max_length=20, unique=True)
    version_en = models.CharField(
        _("version in English"),
        max_length=40,
        blank=True,
        help_text=_("Shown on English pages; leave empty to show the Chinese."),
    )
    active = models.BooleanField(_("in use for new ratings"), default=False)
    one_star = models.PositiveSmallIntegerField(_("points for one star"))
    two_stars = models.PositiveSmallIntegerField(_("points for two stars"))
    three_stars = models.PositiveSmallIntegerField(_("points for three stars"))
    four_stars = models.PositiveSmallIntegerField(_("points for four stars"))
    five_stars = models.PositiveSmallIntegerField(_("points for five stars"))

    class Meta:
        ordering = ["-version"]
        verbose_name = _("rating standard")
        verbose_name_plural = _("rating standards")
        constraints = [
            models.CheckConstraint(
                condition=Q(one_star__gt=0)
                & Q(two_stars__gt=F("one_star"))
                & Q(three_stars__gt=F("two_stars"))
                & Q(four_stars__gt=F("three_stars"))
                & Q(five_stars__gt=F("four_stars")),
                name="standard_thresholds_ascending",
            ),
            models.UniqueConstraint(
                fields=["active"], condition=Q(active=True), name="one_active_standard"
            ),
        ]

    def __str__(self) -> str:
        return localized(self, "version")

    @property
    def thresholds(self) -> list[int]:
        return [
            self.one_star,
            self.two_stars,
            self.three_stars,
            self.four_stars,
            self.five_stars,
        ]

    def stars_for(self, total: int) -> int:
        """How many stars a total earns under this standard (0 below one star)."""
        return sum(1 for minimum in self.thresholds if total >= minimum)


class Criterion(models.Model):
    standard = models.ForeignKey(
        RatingStandard,
        verbose_name=_("standard"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    dimension = models.CharField(
        _("dimension"), max_length=15, choices=Dimension.choices
    )
    title = models.CharField(_("criterion"), max_length=100)
    title_en = models.CharField(_("criterion in English"), max_length=160, blank=True)
    max_points = models.PositiveSmallIntegerField(
        _("maximum points"), validators=[MinValueValidator(1)]
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["standard", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_points__gt=0), name="criterion_max_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_dimension_display()} · {self.label} ({self.max_points})"

    @property
    def label(self) -> str:
        return localized(self, "title")


class Rating(models.Model):
    """One group's rating in one year. Total and stars are computed by the standard."""

    group = models.ForeignKey(
        BuildingGroup,
        verbose_name=_("building group"),
        # A published rating is corrected, never deleted: its group neither.
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    standard = models.ForeignKey(
        RatingStandard,
        verbose_name=_("standard"),
        on_delete=models.PROTECT,
        related_name="ratings",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[validate_programme_year]
    )
    total = models.PositiveSmallIntegerField(
        _("total points"), default=0, editable=False
    )
    stars = models.PositiveSmallIntegerField(_("stars"), default=0, editable=False)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rated by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "group"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year"], name="one_rating_per_group_year"
            ),
            models.CheckConstraint(
                condition=Q(stars__lte=5), name="rating_stars_0_to_5"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=PROGRAMME_FIRST_YEAR),
                name="rating_year_in_programme",
            ),
        ]
        indexes = [models.Index(fields=["year", "stars"])]

    def __str__(self) -> str:
        return f"{self.group} {self.year}"


class CriterionScore(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))

    class Meta:
        ordering = ["criterion__position", "criterion_id"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(
                fields=["rating", "criterion"], name="one_score_per_criterion"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id}: {self.score}"


class RatingChange(models.Model):
    """Every save of a rating: who, when, and the scores before and after."""

    # History outlives nothing it describes: a rating with changes cannot be deleted.
    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="changes")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    changed_at = models.DateTimeField(auto_now_add=True)
    stars_before = models.PositiveSmallIntegerField(null=True)
    stars_after = models.PositiveSmallIntegerField()
    total_before = models.PositiveSmallIntegerField(null=True)
    total_after = models.PositiveSmallIntegerField()
    scores_before = models.JSONField(default=dict)
    scores_after = models.JSONField(default=dict)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("rating change")
        verbose_name_plural = _("rating changes")

    def __str__(self) -> str:
        return f"{self.rating} {self.changed_at:%Y-%m-%d}"


class DistrictApplication(models.Model):
    """区级美丽楼组申报: a group applying to the district for its beautiful-group title."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("Applied")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Not approved")

    group = models.ForeignKey(
        BuildingGroup,
        verbose_name=_("building group"),
        on_delete=models.CASCADE,
        related_name="applications",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[validate_programme_year]
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.APPLIED
    )

    class Meta:
        ordering = ["-year"]
        verbose_name = _("district application")
        verbose_name_plural = _("district applications")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "year"], name="one_application_per_group_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=PROGRAMME_FIRST_YEAR),
                name="application_year_in_programme",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} {self.year}"
