from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ResidentialArea(models.Model):
    """居民区: one residents' committee's area (华业, 威海, 重华, …)."""

    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("residential area")
        verbose_name_plural = _("residential areas")

    def __str__(self) -> str:
        return self.name


class Profile(models.Model):
    """What the portal knows of a person beyond their login."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    area = models.ForeignKey(
        ResidentialArea,
        verbose_name=_("residential area"),
        on_delete=models.PROTECT,
        related_name="profiles",
        null=True,
        blank=True,
    )
    building_group = models.ForeignKey(
        "buildings.BuildingGroup",
        verbose_name=_("building group"),
        on_delete=models.SET_NULL,
        related_name="residents",
        null=True,
        blank=True,
    )
    display_name = models.CharField(_("name"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return self.display_name or self.user.get_username()

    def get_absolute_url(self) -> str:
        return reverse("profile")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None


class StaffAssignment(models.Model):
    """A residents' committee staff member's scope: one residential area, granted by the street.

    The scope is a grant, never the area on the person's own (editable) profile.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff member"),
        on_delete=models.CASCADE,
        related_name="staff_assignments",
    )
    area = models.ForeignKey(
        ResidentialArea,
        verbose_name=_("residential area"),
        on_delete=models.PROTECT,
        related_name="staff_assignments",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("granted by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    since = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["area__name", "pk"]
        verbose_name = _("staff assignment")
        verbose_name_plural = _("staff assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "area"], name="one_assignment_per_user_area"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.area}"


class Estate(models.Model):
    """小区: the middle level between a residential area and its building groups.

    Its owners and exclusive floor area are what the Civil Code's ratios for an
    owners' assembly are counted against (art. 278).
    """

    name = models.CharField(_("name"), max_length=60)
    area = models.ForeignKey(
        ResidentialArea,
        verbose_name=_("residential area"),
        on_delete=models.PROTECT,
        related_name="estates",
    )
    address = models.CharField(_("address"), max_length=120, blank=True)
    households = models.PositiveIntegerField(
        _("households"),
        help_text=_("Owners of an exclusive part (专有部分), each counted once."),
    )
    floor_area = models.DecimalField(
        _("exclusive floor area (m²)"),
        max_digits=12,
        decimal_places=2,
        help_text=_("The total exclusive floor area of the estate, in square metres."),
    )

    class Meta:
        ordering = ["area__name", "name"]
        verbose_name = _("estate")
        verbose_name_plural = _("estates")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="estate_unique_name"),
            models.CheckConstraint(
                condition=models.Q(households__gt=0), name="estate_households_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(floor_area__gt=0), name="estate_floor_area_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name
