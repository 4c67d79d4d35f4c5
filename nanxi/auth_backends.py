"""Authentication backends that load the user's profile with the user.

Almost every page asks for the profile (residential area, verification): loading
it in the same query as the user saves one query on every page. The number of
unread notifications (the header shows it) comes with them.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from nanxi.models import Notification


class _ProfileLoadingMixin:
    def get_user(self, user_id):
        # The header's unread notifications come in the same query, too.
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
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackendWithProfile(_ProfileLoadingMixin, ModelBackend):
    pass


class AllauthBackendWithProfile(_ProfileLoadingMixin, AuthenticationBackend):
    pass
