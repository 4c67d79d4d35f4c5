"""Forms of the account pages: sign-up with consent, a mobile number, the admin's
log-in, deleting one's account.

Apart from nanxi.forms, which models import (validators): allauth's forms must
not load while the apps are still loading.
"""

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.internal.flows.login import derive_login_method
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from nanxi import sms


class MobileNumberField(forms.CharField):
    """A mainland mobile number (手机号), stored as its eleven digits.

    allauth asks the adapter for its phone field (sign-up, log-in by code, phone
    change); this one takes what people type (+86, spaces, full-width digits).
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}
            ),
        )
        kwargs.setdefault("help_text", _("11 digits, for example 13812345678."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return sms.normalise_mobile(value) if value else value


class LoginForm(AllauthLoginForm):
    """allauth's log-in, its field named for what residents have: e-mail or phone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["login"]
        field.label = _("E-mail or mobile number")
        field.widget.attrs.update(
            {"placeholder": "", "autocomplete": "username", "maxlength": 254}
        )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, with consent to the privacy notice (PIPL art. 14)."""

    privacy_consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it."),
        required=True,
        error_messages={
            "required": _(
                "Please read the privacy notice and agree to it: without it we "
                "cannot keep an account for you."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        # An e-mail address or a mobile number: residents without e-mail sign up
        # with their phone (see ACCOUNT_SIGNUP_FIELDS).
        kwargs["email_required"] = False
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _(
            "E-mail (or leave empty and give a mobile number)"
        )
        self.fields["phone"].label = _(
            "Mobile number (or leave empty and give an e-mail)"
        )
        # Built per form: the link is in the page's language (/privacy/ or /en/privacy/).
        self.fields["privacy_consent"].help_text = format_html(
            '<a href="{}">{}</a>',
            reverse("privacy"),
            gettext("Read the privacy notice"),
        )

    def clean(self):
        cleaned_data = super().clean()
        if (
            not cleaned_data.get("email")
            and not cleaned_data.get("phone")
            and "email" not in self.errors
            and "phone" not in self.errors
        ):
            raise forms.ValidationError(
                _("Give an e-mail address or a mobile number to sign up with."),
                code="no_login",
            )
        return cleaned_data


def login_credentials(login: str, password: str) -> dict:
    """What a typed login names, as allauth's log-in form reads it: an e-mail
    address, a mobile number (normalised) or, failing both, a username."""
    login = (login or "").strip()
    method = derive_login_method(login).value
    if method == "phone":
        login = sms.normalise_mobile(login)
    return {method: login, "password": password}


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's log-in takes what the portal's takes: e-mail or mobile number.

    The credentials go to the same authentication backends as the portal's
    log-in form (allauth's, which finds an account by e-mail or by confirmed
    number). A username still works for operators made with createsuperuser.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail or mobile number")
        self.fields["username"].max_length = 254
        self.fields["username"].widget.attrs.update(
            {"maxlength": 254, "autocomplete": "username"}
        )

    def clean(self):
        login = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login is not None and password:
            self.user_cache = authenticate(
                self.request, **login_credentials(login, password)
            )
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        max_length=128,
        error_messages={"required": _("Enter your password to delete the account.")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone."),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )
