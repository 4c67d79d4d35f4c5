import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account import stages
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext

from nanxi import notifications, permissions, services, sms, tasks, throttle
from nanxi.models import Profile
from nanxi.queue import enqueue_on_commit


def user_by_phone(phone: str):
    """The active account that confirmed this mobile number, or None.

    A number typed on the profile page, or given at sign-up and not yet confirmed
    by its code, logs in to nothing: nobody can claim a number they do not hold.
    """
    try:
        phone = sms.normalise_mobile(phone)
    except ValidationError:
        return None
    profile = (
        Profile.objects.select_related("user")
        .filter(phone=phone, phone_verified_at__isnull=False, user__is_active=True)
        .first()
    )
    return profile.user if profile is not None else None


def throttle_login(login: str) -> str:
    """The name nanxi.throttle counts a login under, for the portal and the admin.

    A mobile number however typed (+86, spaces) becomes its account's username,
    so one account has one counter whether it is named by e-mail or by phone; a
    number of no account counts as its normalised digits.
    """
    try:
        phone = sms.normalise_mobile(login)
    except ValidationError:
        return (login or "").strip()
    user = user_by_phone(phone)
    return user.get_username() if user is not None else phone


def _login_of(credentials: dict) -> str:
    if credentials.get("phone"):
        return throttle_login(credentials["phone"])
    return credentials.get("email") or credentials.get("username") or ""


@dataclass(frozen=True)
class PortalSite:
    """What allauth's mail templates call ``current_site``: the portal, by name.

    Not the host the request came in on (``127.0.0.1:8101`` behind a proxy):
    SITE_NAME and SITE_URL say what the mail is from and where it links to.
    """

    name: str
    domain: str


def portal_site(request=None) -> PortalSite:
    base = notifications.site_url(request)
    return PortalSite(
        name=str(settings.SITE_NAME), domain=urlsplit(base).netloc or base
    )


def _has_email(login) -> bool:
    if login.email:
        return True
    return login.user is not None and (
        EmailAddress.objects.filter(user=login.user).exists()
    )


class PhoneVerificationStage(stages.PhoneVerificationStage):
    """A number is confirmed at sign-up, and at log-in by accounts without e-mail.

    A resident who logs in by e-mail and once typed a mobile number on the profile
    page is not stopped for a code: that number simply does not log in until its
    owner confirms it (allauth's phone page).
    """

    def handle(self):
        if not self.login.signup and _has_email(self.login):
            return None, True
        return super().handle()


class EmailVerificationStage(stages.EmailVerificationStage):
    """E-mail confirmation is mandatory for every account that gave an e-mail address.

    An account made with a mobile number alone has no address to confirm: its
    number was confirmed by allauth's phone verification stage instead.
    """

    def handle(self):
        if not _has_email(self.login):
            return None, True
        return super().handle()


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
            "current_site": portal_site(request),
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

    # --- the portal's name and address in mail -----------------------------------------

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.SITE_NAME}] {subject}"

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return notifications.absolute_url(
            reverse("account_confirm_email", args=[emailconfirmation.key]), request
        )

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth builds it from the request's host: keep the path, use SITE_URL.
        url = super().get_reset_password_from_key_url(key)
        return notifications.absolute_url(urlsplit(url).path, self.request)

    def get_login_stages(self) -> list[str]:
        ours = {
            "allauth.account.stages.EmailVerificationStage": (
                "nanxi.adapters.EmailVerificationStage"
            ),
            "allauth.account.stages.PhoneVerificationStage": (
                "nanxi.adapters.PhoneVerificationStage"
            ),
        }
        return [ours.get(path, path) for path in super().get_login_stages()]

    # --- mobile numbers: stored on the Profile (nanxi.services.phone_set) ---------------

    def phone_form_field(self, **kwargs):
        from nanxi.account_forms import MobileNumberField

        return MobileNumberField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return sms.normalise_mobile(phone)

    def set_phone(self, user, phone: str, verified: bool) -> None:
        services.phone_set(user=user, phone=phone, verified=verified)

    def get_phone(self, user) -> tuple[str, bool] | None:
        """The account's mobile number and whether it was confirmed.

        A landline kept on the profile as a contact number is no login phone.
        """
        profile = Profile.objects.filter(user=user).first()
        if profile is None or not profile.phone:
            return None
        try:
            phone = sms.normalise_mobile(profile.phone)
        except ValidationError:
            return None
        return phone, profile.phone_verified_at is not None

    def set_phone_verified(self, user, phone: str) -> None:
        services.phone_confirm(user=user, phone=phone)

    def get_user_by_phone(self, phone: str):
        return user_by_phone(phone)

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        sms.send(
            phone=phone,
            text=gettext(
                "[%(site)s] Your code is %(code)s. It is valid for a few minutes; "
                "do not give it to anyone."
            )
            % {"site": settings.SITE_NAME, "code": code},
        )

    def send_account_already_exists_sms(self, phone: str) -> None:
        """Someone signed up with a number that already has an account: tell its owner."""
        sms.send(
            phone=phone,
            text=gettext(
                "[%(site)s] Someone tried to sign up with your number, which already "
                "has an account. To log in, ask for a code on the log-in page."
            )
            % {"site": settings.SITE_NAME},
        )
