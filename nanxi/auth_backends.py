"""Authentication backends that load the person with the user, from the cache.

Every page asks for the profile (residential area, verification), the roles and
the header's unread notifications: they are loaded together (two queries) and
kept in the cache by the person's version (``nanxi.people``), so a page usually
reads them in one round trip and no query.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from nanxi import people, roles
from nanxi.models import Notification


def load_person(user_id):
    """The user with profile, unread count, roles and granted areas (two queries)."""
    unread = (
        Notification.objects.filter(recipient=OuterRef("pk"), read_at=None)
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    user = (
        get_user_model()
        ._default_manager.select_related("profile")
        .annotate(
            unread_notifications=Coalesce(
                Subquery(unread, output_field=IntegerField()), Value(0)
            )
        )
        .filter(pk=user_id)
        .first()
    )
    if user is not None:
        roles.load(user)
    return user


class _ProfileLoadingMixin:
    def get_user(self, user_id):
        # Checked on every request, the cached copy too: a deactivated account is
        # loaded afresh (its version was bumped) and refused here.
        user = people.cached(user_id, lambda: load_person(user_id))
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackendWithProfile(_ProfileLoadingMixin, ModelBackend):
    pass


class AllauthBackendWithProfile(_ProfileLoadingMixin, AuthenticationBackend):
    pass
