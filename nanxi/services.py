from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nanxi import notifications, permissions, personal_data, roles, sms
from nanxi.models import (
    PersonalDataAccess,
    Profile,
    ResidentialArea,
    StaffAssignment,
    VerificationDecline,
)


def profile_for(user) -> Profile:
    """The user's profile, made on first use (accounts made in the admin have none)."""
    profile, _created = Profile.objects.get_or_create(user=user)
    return profile


@transaction.atomic
def resident_register(*, user, privacy_consent: bool) -> Profile:
    """A person who signed up becomes a resident with an (unverified) profile.

    Signing up needs consent to the privacy notice; its time and version are kept.
    """
    if not privacy_consent:
        raise ValidationError(
            {"privacy_consent": _("Please read the privacy notice and agree to it.")}
        )
    user.groups.add(Group.objects.get(name=roles.RESIDENT))
    roles.forget(user)
    profile = profile_for(user)
    profile.privacy_consent_at = timezone.now()
    profile.privacy_notice_version = settings.PRIVACY_NOTICE_VERSION
    profile.full_clean()
    profile.save(update_fields=["privacy_consent_at", "privacy_notice_version"])
    return profile


@transaction.atomic
def profile_update(
    *,
    profile: Profile,
    by,
    area: ResidentialArea | None,
    building_group=None,
    display_name: str = "",
    phone: str = "",
    room: str = "",
) -> Profile:
    if by.pk != profile.user_id:
        raise PermissionDenied(_("You can only change your own profile."))
    if building_group is not None and (
        area is None or building_group.area_id != area.pk
    ):
        raise ValidationError(
            {"building_group": _("Choose a building group in your residential area.")}
        )
    # The row as stored, locked (a ModelForm has already copied the posted values
    # onto `profile`, and staff may have verified or declined the person since it
    # was loaded): the person's own fields are applied to it, the committee's
    # decision is kept unless this change ends it.
    profile = _profile_locked(profile)
    changed = ["area", "building_group", "display_name", "phone", "room"]
    area_id = area.pk if area else None
    room = room.strip()
    if profile.area_id != area_id:
        # A residents' committee vouched for the person in the old area, not the new one.
        profile.verified_at = None
        profile.verified_by = None
        changed += ["verified_at", "verified_by"]
    if profile.verification_decline_id is not None and (
        profile.area_id != area_id
        or profile.building_group_id != (building_group.pk if building_group else None)
        or profile.room != room
    ):
        # Corrected where they live: waiting for the committee again (the decline
        # stays on record).
        profile.verification_decline = None
        changed.append("verification_decline")
    phone = _phone_as_stored(phone)
    if phone != profile.phone:
        # A number typed here is not confirmed: it logs in only after a code sent to it.
        profile.phone_verified_at = None
        changed.append("phone_verified_at")
    profile.area = area
    profile.building_group = building_group
    profile.display_name = display_name
    profile.phone = phone
    profile.room = room
    profile.full_clean()
    profile.save(update_fields=changed)
    return profile


def _phone_as_stored(phone: str) -> str:
    """A mobile number in its one stored form (13812345678); a landline as typed."""
    try:
        return sms.normalise_mobile(phone)
    except ValidationError:
        return phone.strip()


@transaction.atomic
def phone_set(*, user, phone: str, verified: bool) -> Profile:
    """Give a person's profile this mobile number (allauth's sign-up and phone change).

    `phone` is normalised (nanxi.sms.normalise_mobile). A confirmed number belongs
    to one account: confirming it here takes it from any other account that had
    confirmed it before (the number was given up and passed on, as carriers do),
    which keeps it only as an unconfirmed contact number.
    """
    profile = profile_for(user)
    profile.phone = sms.normalise_mobile(phone)
    profile.phone_verified_at = timezone.now() if verified else None
    if verified:
        _release_phone(profile)
    profile.full_clean()
    profile.save(update_fields=["phone", "phone_verified_at"])
    return profile


@transaction.atomic
def phone_confirm(*, user, phone: str) -> Profile:
    """The person entered the code sent to `phone`: their number is confirmed."""
    profile = profile_for(user)
    phone = sms.normalise_mobile(phone)
    if profile.phone != phone:
        raise ValidationError(_("This is not the phone number of your account."))
    profile.phone_verified_at = timezone.now()
    _release_phone(profile)
    profile.save(update_fields=["phone_verified_at"])
    return profile


def _release_phone(profile: Profile) -> None:
    Profile.objects.filter(
        phone=profile.phone, phone_verified_at__isnull=False
    ).exclude(pk=profile.pk).update(phone_verified_at=None)


@transaction.atomic
def profile_verify(*, profile: Profile, by, details: str | None = None) -> Profile:
    """A residents' committee confirms that the person lives in its area.

    Waiting and declined residents can be verified. `details` is
    `Profile.details_key()` as the staff member saw it on the page where they
    confirmed (nanxi.views.resident_verify): changed since, nothing is verified.
    """
    profile = _profile_locked(profile)
    if profile.area_id is None:
        raise ValidationError(_("This resident has not chosen a residential area yet."))
    if not permissions.can_verify(by, profile):
        raise PermissionDenied(
            _("Only staff of this residential area can verify its residents.")
        )
    if profile.is_verified:
        raise ValidationError(_("This resident is already verified."))
    if details is not None and details != profile.details_key():
        raise ValidationError(
            _(
                "The resident changed their details after you opened this page: "
                "check them again."
            )
        )
    profile.verified_at = timezone.now()
    profile.verified_by = by
    profile.verification_decline = None  # the decline stays on record
    profile.full_clean()
    profile.save(update_fields=["verified_at", "verified_by", "verification_decline"])
    notifications.notify(
        recipients=[profile.user],
        kind=notifications.ACCOUNT_VERIFIED,
        text=lambda: (
            _(
                "Your residents' committee has confirmed that you live in %(area)s: you "
                "can now vote, pledge and rate projects of your area."
            )
            % {"area": profile.area}
        ),
        link=reverse("profile"),
        key=f"profile:{profile.pk}:verified:{profile.verified_at:%Y%m%d%H%M%S%f}",
    )
    return profile


@transaction.atomic
def profile_decline(*, profile: Profile, by, reason: str) -> VerificationDecline:
    """The committee could not confirm where the person lives: say why.

    The person is told (inbox, and e-mail if they chose it), sees the reason on
    their profile and waits again once they correct their details or ask again
    (`profile_update`, `profile_ask_again`). Nothing is deleted; a verified
    resident is not declined (moving area is what ends a verification).
    """
    profile = _profile_locked(profile)
    if profile.area_id is None:
        raise ValidationError(_("This resident has not chosen a residential area yet."))
    if not permissions.can_verify(by, profile):
        raise PermissionDenied(
            _("Only staff of this residential area can verify its residents.")
        )
    if profile.is_verified:
        raise ValidationError(
            _("This resident is already verified: a verification cannot be declined.")
        )
    if profile.is_declined:
        raise ValidationError(
            _(
                "This resident's verification is already declined: they have not "
                "corrected their details or asked again yet."
            )
        )
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError(
            {"reason": _("Say why, so that the resident knows what to correct.")}
        )
    decline = VerificationDecline(profile=profile, reason=reason, declined_by=by)
    decline.full_clean()
    decline.save()
    profile.verification_decline = decline
    profile.save(update_fields=["verification_decline"])
    area = profile.area
    notifications.notify(
        recipients=[profile.user],
        kind=notifications.VERIFICATION_DECLINED,
        text=lambda: (
            _(
                "Your residents' committee could not verify that you live in "
                "%(area)s (reason: %(reason)s). Correct your details on your profile "
                "and ask again."
            )
            % {"area": area, "reason": reason}
        ),
        link=reverse("profile"),
        key=f"profile:{profile.pk}:declined:{decline.pk}",
    )
    return decline


@transaction.atomic
def profile_ask_again(*, profile: Profile, by) -> Profile:
    """After a decline, the person asks their committee to verify them again."""
    profile = _profile_locked(profile)
    if by.pk != profile.user_id:
        raise PermissionDenied(_("You can only change your own profile."))
    if not profile.is_declined:
        raise ValidationError(
            _("Your verification was not declined: there is nothing to ask again.")
        )
    profile.verification_decline = None
    profile.save(update_fields=["verification_decline"])
    return profile


def _profile_locked(profile: Profile) -> Profile:
    """`profile` as stored, locked: two staff deciding at once decide one after the
    other, and the second sees what the first decided."""
    Profile.objects.select_for_update().filter(pk=profile.pk).values_list("pk").get()
    profile.refresh_from_db()
    return profile


# --- staff scope ---------------------------------------------------------------------


@transaction.atomic
def staff_assignment_grant(*, user, area: ResidentialArea, by) -> StaffAssignment:
    """The street makes `user` staff of `area`'s residents' committee."""
    if not permissions.can_grant_staff(by):
        raise PermissionDenied(
            _("Only street-office staff can assign residents' committee staff.")
        )
    if StaffAssignment.objects.filter(user=user, area=area).exists():
        raise ValidationError(
            _("%(user)s is already staff of %(area)s.") % {"user": user, "area": area}
        )
    assignment = StaffAssignment(user=user, area=area, granted_by=by)
    assignment.full_clean()
    assignment.save()
    user.groups.add(Group.objects.get(name=roles.AREA_STAFF))
    if not user.is_staff:
        # Residents' committee staff work in the admin too (ratings, committees).
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _forget_scope(user)
    return assignment


@transaction.atomic
def staff_assignment_revoke(*, assignment: StaffAssignment, by) -> None:
    """End a grant; with no area left, the person is no longer area staff."""
    if not permissions.can_grant_staff(by):
        raise PermissionDenied(
            _("Only street-office staff can assign residents' committee staff.")
        )
    user = assignment.user
    assignment.delete()
    if not user.staff_assignments.exists():
        user.groups.remove(Group.objects.get(name=roles.AREA_STAFF))
    _forget_scope(user)


def _forget_scope(user) -> None:
    roles.forget(user)


# --- personal data (PIPL) --------------------------------------------------------------


@transaction.atomic
def account_erase(*, user, by) -> None:
    """Delete an account: its personal data goes, its public record stays anonymised.

    The user row is kept (deactivated, nameless, no usable password) so that the
    projects it proposed, its comments and its votes still count and still read
    as a history; they are shown as a deleted resident. E-mail addresses, name,
    phone, building group and area, roles and staff grants go. Sessions end:
    Django checks each session against the password hash, which changes here,
    and an inactive user is never loaded. Every app's eraser runs too
    (nanxi.personal_data). Erasing twice does nothing more.
    """
    if not permissions.can_erase_account(by, user):
        raise PermissionDenied(_("You cannot delete this account."))
    profile = profile_for(user)
    if profile.erased_at is not None:
        return
    personal_data.erase(user)
    EmailAddress.objects.filter(user=user).delete()
    StaffAssignment.objects.filter(user=user).delete()
    user.groups.clear()
    user.user_permissions.clear()
    user.username = f"deleted-{user.pk}"
    user.email = ""
    user.first_name = ""
    user.last_name = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    profile.display_name = ""
    profile.room = ""
    profile.verification_decline = None
    profile.phone = ""
    profile.phone_verified_at = None
    profile.area = None
    profile.building_group = None
    profile.verified_at = None
    profile.verified_by = None
    profile.erased_at = timezone.now()
    profile.save()
    # Why the committee declined says something about the person: it goes too.
    VerificationDecline.objects.filter(profile=profile).delete()
    roles.forget(user)


def phone_views_record(*, viewer, profiles, where: str) -> None:
    """Log that a staff member was shown these residents' phones: one insert a page."""
    PersonalDataAccess.objects.bulk_create(
        [
            PersonalDataAccess(
                viewer=viewer, subject_id=profile.user_id, what="phone", where=where
            )
            for profile in profiles
            if profile.phone
        ]
    )
