"""Forms of the account pages: sign-up with consent, deleting one's account.

Apart from nanxi.forms, which models import (validators): allauth's forms must
not load while the apps are still loading.
"""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


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
        super().__init__(*args, **kwargs)
        # Built per form: the link is in the page's language (/privacy/ or /en/privacy/).
        self.fields["privacy_consent"].help_text = format_html(
            '<a href="{}">{}</a>',
            reverse("privacy"),
            gettext("Read the privacy notice"),
        )


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
