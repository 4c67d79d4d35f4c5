import secrets

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.auth import get_user_model
from django.contrib.sites.shortcuts import get_current_site
from django.urls import reverse

from nanxi import permissions, services, tasks, throttle
from nanxi.queue import enqueue_on_commit


def _login_of(credentials: dict) -> str:
    return credentials.get("email") or credentials.get("username") or ""


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        """allauth's rate limits count by the address nanxi.throttle decides."""
        return throttle.client_ip(request)

    def populate_username(self, request, user) -> None:
        """A username that says nothing about the person.

        allauth would take the part of the e-mail before the @, which for many
        residents is their phone number; the username shows in the admin and
        in logs. People log in with their e-mail and are shown by display name.
        """
        if user.username:
            return
        users = get_user_model()._default_manager
        while True:
            candidate = f"r{secrets.token_hex(5)}"
            if not users.filter(username__iexact=candidate).exists():
                user.username = candidate
                return

    def get_login_redirect_url(self, request) -> str:
        """Staff land on their work list; residents on their profile.

        allauth asks here only when no `?next=` was given, so an explicit one wins.
        The work list is named, not imported: nanxi sits below projects.
        """
        if permissions.is_staff_member(request.user):
            return reverse("projects:manage")
        return super().get_login_redirect_url(request)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.resident_register(
                user=user,
                privacy_consent=bool(form.cleaned_data.get("privacy_consent")),
            )
        return user

    # --- failed logins: nanxi.throttle, shared with the admin's login -------------------

    def pre_authenticate(self, request, **credentials) -> None:
        if throttle.check(request, _login_of(credentials)) is not None:
            raise self.validation_error("too_many_login_attempts")

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            throttle.succeeded(request, _login_of(credentials), user)
        return user

    def authentication_failed(self, request, **credentials) -> None:
        throttle.failed(request, _login_of(credentials))

    def send_mail(self, template_prefix, email, context):
        """Render the message in the request; a Celery task sends it after commit.

        A slow or broken mail server then never blocks or breaks a page, and a
        message about data that was rolled back is never sent.
        """
        request = allauth_context.request
        ctx = {
            "request": request,
            "email": email,
            "current_site": get_current_site(request),
        }
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        html = next(
            (
                body
                for body, mime in getattr(message, "alternatives", [])
                if mime == "text/html"
            ),
            None,
        )
        payload = {
            "subject": message.subject,
            "body": message.body,
            "from_email": message.from_email,
            "to": list(message.to),
            "html": html,
        }
        enqueue_on_commit(tasks.send_email, **payload)
