"""Authentication backends that load the user's profile with the user.

Almost every page asks for the profile (residential area, verification): loading
it in the same query as the user saves one query on every page.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class _ProfileLoadingMixin:
    def get_user(self, user_id):
        user = (
            get_user_model()
            ._default_manager.select_related("profile")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackendWithProfile(_ProfileLoadingMixin, ModelBackend):
    pass


class AllauthBackendWithProfile(_ProfileLoadingMixin, AuthenticationBackend):
    pass
