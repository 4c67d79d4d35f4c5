"""What the portal holds about one person: a registry each app adds its part to.

The ground floor imports no app, yet a resident's export must reach every app's
rows. Each app registers an exporter (and, if it keeps personal data of its own
that must go when an account is deleted, an eraser) in its ``AppConfig.ready``:

    personal_data.register("projects", title=_("Autonomy projects"),
                           export=export_projects)

A registry rather than code on the top floor (``reports``): each app knows its
own models and keeps its part next to them, a new app cannot be forgotten by a
central list, and the ground floor's account deletion can call the erasers
without importing upward.

An exporter takes the user and returns a list of ``Section``; it must ask the
database a fixed number of times whatever the number of rows (``.values()``
with the related names it needs), so the data page's query count is bounded.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone


@dataclass(frozen=True)
class Section:
    """One table of someone's data: a stable key for the JSON, a title for people."""

    key: str
    title: str
    columns: dict[str, str]  # row key → column label
    rows: list[dict] = field(default_factory=list)
    # column → {stored code: label}: the page says 支持, the JSON keeps "support".
    choices: dict[str, dict] = field(default_factory=dict)

    def cells(self) -> list[list]:
        """The rows as lists in the order of the columns (for the readable page):
        codes by their label, times as the portal writes them (2020-06-01 09:30)."""
        return [
            [self._readable(key, row.get(key)) for key in self.columns]
            for row in self.rows
        ]

    def _readable(self, key: str, value):
        if key in self.choices and value in self.choices[key]:
            return self.choices[key][value]
        if isinstance(value, datetime):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, date):
            return value.isoformat()
        return value


@dataclass(frozen=True)
class Part:
    app_label: str
    title: str
    export: Callable[..., list[Section]]
    erase: Callable[..., None] | None = None


_parts: dict[str, Part] = {}


def register(
    app_label: str,
    *,
    title: str,
    export: Callable[..., list[Section]],
    erase: Callable[..., None] | None = None,
) -> None:
    """Add an app's part; registering the same app again replaces its part."""
    _parts[app_label] = Part(app_label, title, export, erase)


def parts() -> list[Part]:
    # The ground floor's own part first, then the apps in the order they registered.
    return sorted(_parts.values(), key=lambda part: part.app_label != "nanxi")


def gather(user) -> list[tuple[Part, list[Section]]]:
    """Everything registered about `user`, part by part."""
    return [(part, part.export(user)) for part in parts()]


def as_json(gathered: list[tuple[Part, list[Section]]]) -> dict:
    return {
        part.app_label: {section.key: section.rows for section in sections}
        for part, sections in gathered
    }


def erase(user) -> None:
    """Run every app's eraser (inside the caller's transaction)."""
    for part in parts():
        if part.erase is not None:
            part.erase(user)


# --- the ground floor's own part ---------------------------------------------------------


def export_own(user) -> list[Section]:
    """Account, profile, e-mail addresses, staff grants, and who saw the phone."""
    from allauth.account.models import EmailAddress
    from django.db.models import F
    from django.utils.translation import gettext as _

    from nanxi.models import (
        PersonalDataAccess,
        Profile,
        StaffAssignment,
        VerificationDecline,
        public_name,
    )

    profile = (
        Profile.objects.select_related(
            "area", "building_group", "verified_by__profile__area"
        )
        .filter(user=user)
        .first()
    )
    sections = [
        Section(
            "account",
            _("Account"),
            {
                "email": _("E-mail"),
                "date_joined": _("Signed up"),
                "last_login": _("Last log-in"),
            },
            [
                {
                    "email": user.email,
                    "date_joined": user.date_joined,
                    "last_login": user.last_login,
                }
            ],
        )
    ]
    if profile is not None:
        sections.append(
            Section(
                "profile",
                _("Profile"),
                {
                    "display_name": _("Name shown to neighbours"),
                    "shown_as": _("Shown as"),
                    "area": _("Residential area"),
                    "building_group": _("Building group"),
                    "room": _("Room"),
                    "phone": _("Phone"),
                    "phone_verified_at": _("Phone confirmed by a code at"),
                    "verified_at": _("Verified at"),
                    "verified_by": _("Verified by"),
                    "verification_declined": _(
                        "Verification declined, not asked again"
                    ),
                    "privacy_consent_at": _("Privacy notice agreed at"),
                    "privacy_notice_version": _("Privacy notice version"),
                },
                [
                    {
                        "display_name": profile.display_name,
                        "shown_as": profile.public_name,
                        "area": profile.area.name if profile.area else "",
                        "building_group": (
                            profile.building_group.name
                            if profile.building_group
                            else ""
                        ),
                        "room": profile.room,
                        "phone": profile.phone,
                        "phone_verified_at": profile.phone_verified_at,
                        "verified_at": profile.verified_at,
                        "verified_by": public_name(profile.verified_by),
                        "verification_declined": profile.is_declined,
                        "privacy_consent_at": profile.privacy_consent_at,
                        "privacy_notice_version": profile.privacy_notice_version,
                    }
                ],
            )
        )
    declines = VerificationDecline.objects.filter(profile__user=user).select_related(
        "declined_by__profile__area"
    )
    sections.append(
        Section(
            "verification_declines",
            _("Verifications your residents' committee declined"),
            {
                "declined_at": _("When"),
                "declined_by": _("Staff member"),
                "reason": _("Reason"),
            },
            [
                {
                    "declined_at": decline.declined_at,
                    "declined_by": public_name(decline.declined_by),
                    "reason": decline.reason,
                }
                for decline in declines
            ],
        )
    )
    sections.append(
        Section(
            "email_addresses",
            _("E-mail addresses"),
            {
                "email": _("E-mail"),
                "verified": _("Confirmed"),
                "primary": _("Primary"),
            },
            list(
                EmailAddress.objects.filter(user=user)
                .order_by("pk")
                .values("email", "verified", "primary")
            ),
        )
    )
    sections.append(
        Section(
            "staff_assignments",
            _("Residents' committee staff of"),
            {"area_name": _("Residential area"), "since": _("Since")},
            list(
                StaffAssignment.objects.filter(user=user)
                .order_by("pk")
                .values("since", area_name=F("area__name"))
            ),
        )
    )
    accesses = PersonalDataAccess.objects.filter(subject=user).select_related(
        "viewer__profile__area"
    )
    sections.append(
        Section(
            "personal_data_accesses",
            _("Staff who were shown your phone number"),
            {"at": _("When"), "viewer": _("Staff member"), "where": _("Page")},
            [
                {
                    "at": access.at,
                    "viewer": public_name(access.viewer),
                    "where": access.where,
                }
                for access in accesses
            ],
        )
    )
    return sections
