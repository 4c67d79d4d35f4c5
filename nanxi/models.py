from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nanxi.i18n import localized


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


ROOM_MAX_LENGTH = 20
DECLINE_REASON_MAX_LENGTH = 300

# The name a deleted account's proposals, comments and votes are shown under.
DELETED_RESIDENT = _("Deleted resident")


def neutral_name(area: "ResidentialArea | None") -> str:
    """The name of a person who chose none: "Resident of 华业", or "Resident"."""
    if area is None:
        return gettext("Resident")
    return gettext("Resident of %(area)s") % {"area": area.name}


def public_name(user) -> str:
    """How any user is shown publicly, with or without a profile."""
    if user is None:
        return ""
    try:
        return user.profile.public_name
    except ObjectDoesNotExist:
        return neutral_name(None)


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
    # 室号: what a residents' committee checks against its register, with the group.
    room = models.CharField(_("room"), max_length=ROOM_MAX_LENGTH, blank=True)
    # The one phone of a person: a contact number for the residents' committee and,
    # once confirmed by a code sent to it (a mainland mobile number), a way to log in.
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    phone_verified_at = models.DateTimeField(
        _("phone confirmed at"), null=True, blank=True
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    # The decline the person has not answered yet (corrected details, "ask again"):
    # empty while waiting or verified. Every decline stays a VerificationDecline row.
    verification_decline = models.ForeignKey(
        "VerificationDecline",
        verbose_name=_("verification declined"),
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
    )
    privacy_consent_at = models.DateTimeField(
        _("privacy notice agreed at"), null=True, blank=True
    )
    privacy_notice_version = models.CharField(
        _("privacy notice version"), max_length=20, blank=True
    )
    erased_at = models.DateTimeField(_("account deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")
        constraints = [
            # A confirmed number logs in to one account only.
            models.UniqueConstraint(
                fields=["phone"],
                condition=models.Q(phone_verified_at__isnull=False),
                name="profile_confirmed_phone_unique",
            ),
            # Verified, or declined and waiting for the person: never both.
            models.CheckConstraint(
                condition=models.Q(verified_at__isnull=True)
                | models.Q(verification_decline__isnull=True),
                name="profile_not_verified_and_declined",
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    def get_absolute_url(self) -> str:
        return reverse("profile")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_declined(self) -> bool:
        """The committee declined and the person has not corrected or asked again."""
        return self.verification_decline_id is not None

    @property
    def is_waiting(self) -> bool:
        """Waiting for the residents' committee to verify (or decline) them."""
        return (
            self.area_id is not None and not self.is_verified and not self.is_declined
        )

    def details_key(self) -> str:
        """What staff confirm when they verify: the page they confirmed on carries it,
        so details changed since it was opened are checked again, not verified."""
        return "|".join(
            str(part)
            for part in (
                self.area_id,
                self.building_group_id,
                self.room,
                self.display_name,
            )
        )

    @property
    def public_name(self) -> str:
        """How the person is shown to others: never from their e-mail or phone.

        The name they chose, else a neutral one of their area ("华业居民"). Lists
        that show names load ``user__profile__area`` with the rows.
        """
        if self.erased_at is not None:
            return str(DELETED_RESIDENT)
        if self.display_name:
            return self.display_name
        return neutral_name(self.area if self.area_id else None)


class VerificationDecline(models.Model):
    """A residents' committee could not confirm that a person lives where they said.

    Kept when the person corrects their details or asks again (their profile then
    no longer points at it): who declined, when and why stay on record. Only the
    deletion of the account removes it (nanxi.services.account_erase).
    """

    profile = models.ForeignKey(
        Profile,
        verbose_name=_("profile"),
        on_delete=models.CASCADE,
        related_name="verification_declines",
    )
    reason = models.CharField(_("reason"), max_length=DECLINE_REASON_MAX_LENGTH)
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declined by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    declined_at = models.DateTimeField(_("declined at"), default=timezone.now)

    class Meta:
        ordering = ["-declined_at", "-pk"]
        verbose_name = _("declined verification")
        verbose_name_plural = _("declined verifications")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="verification_decline_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.declined_at:%Y-%m-%d}"


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


class PersonalDataAccess(models.Model):
    """Audit: a staff member was shown a piece of someone's personal data (a phone)."""

    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("seen by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("whose"),
        on_delete=models.PROTECT,
        related_name="personal_data_accesses",
    )
    what = models.CharField(_("what"), max_length=40)
    where = models.CharField(_("page"), max_length=200)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")

    def __str__(self) -> str:
        return f"{self.viewer_id} → {self.subject_id}: {self.what}"


class Notification(models.Model):
    """One notice in one person's inbox (/notifications/). Apps write the text and link.

    `key` makes a notice idempotent: the same event never notifies anyone twice.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=40)
    text = models.CharField(_("text"), max_length=500)
    # The same notice in English, for the English pages; empty: show the Chinese.
    text_en = models.CharField(_("text in English"), max_length=500, blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    key = models.CharField(max_length=150, unique=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(
                fields=["recipient", "read_at"], name="notification_unread_idx"
            )
        ]

    def __str__(self) -> str:
        return self.text[:40]

    @property
    def shown_text(self) -> str:
        """The notice in the page's language (the Chinese if it has no English)."""
        return localized(self, "text")


class NotificationPreference(models.Model):
    """How one person wants one kind of notice: in the inbox only, or also by e-mail."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=40)
    email = models.BooleanField(_("also by e-mail"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], name="one_preference_per_kind"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.email}"
