"""The Nanxi demo: residential areas of 南京西路街道 and one account for each role.

Every loader here is idempotent: it looks rows up by a natural key and only
creates what is missing, so running ``manage.py demo`` twice changes nothing.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from nanxi import roles, services
from nanxi.models import Profile, ResidentialArea

AREAS = [
    ("华业", "huaye"),
    ("威海", "weihai"),
    ("重华", "chonghua"),
    ("新福康里", "xinfukangli"),
    ("静安别墅", "jingan-bieshu"),
    ("联华", "lianhua"),
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    name: str
    role: str | None
    area_slug: str | None
    verified: bool = True
    superuser: bool = False
    room: str = ""
    # Why the area's committee declined to verify them (a resident not verified).
    declined: str = ""

    @property
    def is_staff(self) -> bool:
        # Both kinds of staff work in the admin (ratings, committees); residents never do.
        return self.superuser or self.role in (roles.AREA_STAFF, roles.STREET_STAFF)


ACCOUNTS = [
    DemoAccount(
        "resident@nanxi.example", "nanxi-resident", "王阿姨", roles.RESIDENT, "huaye"
    ),
    DemoAccount(
        "neighbour@nanxi.example", "nanxi-neighbour", "李伯伯", roles.RESIDENT, "huaye"
    ),
    DemoAccount(
        "newcomer@nanxi.example",
        "nanxi-newcomer",
        "张先生",
        roles.RESIDENT,
        "weihai",
        verified=False,
        room="302室",
    ),
    # Waiting for the 华业 committee, and declined by it with a reason: what the
    # staff's page /accounts/residents/ and the residents' profiles show.
    DemoAccount(
        "applicant@nanxi.example",
        "nanxi-applicant",
        "陈阿姨",
        roles.RESIDENT,
        "huaye",
        verified=False,
        room="4号201室",
    ),
    DemoAccount(
        "declined@nanxi.example",
        "nanxi-declined",
        "赵先生",
        roles.RESIDENT,
        "huaye",
        verified=False,
        room="1202室",
        declined=(
            "居委会的住户登记中没有找到 1202 室，请核对楼组和室号后重新申请；"
            "也可以带上租房合同或房产证到居委会办理。"
        ),
    ),
    DemoAccount(
        "huaye.staff@nanxi.example",
        "nanxi-area",
        "华业居委会",
        roles.AREA_STAFF,
        "huaye",
    ),
    DemoAccount(
        "weihai.staff@nanxi.example",
        "nanxi-area",
        "威海居委会",
        roles.AREA_STAFF,
        "weihai",
    ),
    DemoAccount(
        "street@nanxi.example", "nanxi-street", "街道自治办", roles.STREET_STAFF, None
    ),
    DemoAccount(
        "admin@nanxi.example", "nanxi-admin", "系统管理员", None, None, superuser=True
    ),
]


def demo_user(email: str):
    return get_user_model().objects.get(email=email)


@transaction.atomic
def load(out) -> None:
    areas = {}
    for name, slug in AREAS:
        areas[slug], _ = ResidentialArea.objects.get_or_create(
            slug=slug, defaults={"name": name}
        )
    street = None
    for account in sorted(ACCOUNTS, key=lambda a: a.role != roles.STREET_STAFF):
        user = _account(account, areas, verifier=street)
        if account.role == roles.STREET_STAFF:
            street = user
        if account.role == roles.AREA_STAFF and not user.staff_assignments.exists():
            # The street grants each residents' committee's staff their area.
            services.staff_assignment_grant(
                user=user, area=areas[account.area_slug], by=street
            )
    for account in ACCOUNTS:
        if account.declined:
            _decline(account)
    out.write(f"  residential areas: {ResidentialArea.objects.count()}")


def _account(account: DemoAccount, areas: dict, verifier):
    User = get_user_model()
    user = User.objects.filter(email=account.email).first()
    if user is None:
        user = User(username=account.email.split("@")[0], email=account.email)
        user.set_password(account.password)
        user.is_staff = account.is_staff
        user.is_superuser = account.superuser
        user.save()
        EmailAddress.objects.create(
            user=user, email=account.email, verified=True, primary=True
        )
    if account.role:
        user.groups.add(Group.objects.get(name=account.role))
    profile, created = Profile.objects.get_or_create(
        user=user,
        defaults={
            "display_name": account.name,
            "area": areas.get(account.area_slug),
            "room": account.room,
        },
    )
    if (
        created
        and account.verified
        and account.area_slug
        and account.role == roles.RESIDENT
    ):
        profile.verified_at = timezone.now()
        profile.verified_by = verifier
        profile.save(update_fields=["verified_at", "verified_by"])
    return user


def _decline(account: DemoAccount) -> None:
    """The area's committee declined this resident's verification (once)."""
    profile = demo_user(account.email).profile
    if profile.is_verified or profile.verification_declines.exists():
        return
    staff = (
        get_user_model()
        .objects.filter(
            groups__name=roles.AREA_STAFF,
            staff_assignments__area__slug=account.area_slug,
        )
        .order_by("pk")
        .first()
    )
    services.profile_decline(profile=profile, by=staff, reason=account.declined)
