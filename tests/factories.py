import io

import factory
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from nanxi import roles
from nanxi.models import Profile, ResidentialArea, StaffAssignment

PASSWORD = "correct-horse-battery-42"


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResidentialArea
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"居民区{n}")
    slug = factory.Sequence(lambda n: f"area-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create, extracted, **kwargs):
        if create:
            self.save()
            EmailAddress.objects.create(
                user=self, email=self.email, verified=True, primary=True
            )


def make_user(
    role: str | None = roles.RESIDENT, *, area=None, verified=False, **kwargs
):
    """A user with a role, a profile in `area`, optionally verified by their committee."""
    is_staff = role in (roles.AREA_STAFF, roles.STREET_STAFF)
    user = UserFactory(is_staff=is_staff or kwargs.get("is_superuser", False), **kwargs)
    if role:
        user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(
        user=user, area=area, verified_at=timezone.now() if verified else None
    )
    if role == roles.AREA_STAFF and area is not None:
        # The street grants the area; the profile's own area is no scope.
        StaffAssignment.objects.create(user=user, area=area, granted_by=user)
    return user


def photo(
    name="photo.jpg", size=(64, 48), fmt="JPEG", color="red", exif=None
) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    params = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, color).save(buffer, fmt, **params)
    mime = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}[fmt]
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=mime)
