"""/notifications/: one's inbox, opening a notice, and how one wants to be told."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import translate_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nanxi import notifications
from nanxi.models import Notification


@login_required
def inbox(request):
    page = Paginator(Notification.objects.filter(recipient=request.user), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "nanxi/notification_list.html", {"page": page})


@login_required
def notification_open(request, pk: int):
    """Mark the notice read and go where it points (GET: a plain link)."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    notifications.mark_read(user=request.user, notification=notice)
    if notice.link and url_has_allowed_host_and_scheme(
        notice.link, allowed_hosts={request.get_host()}
    ):
        # The link was made in the language of whoever acted: follow the reader's.
        reader = get_language()
        with translation.override(
            translation.get_language_from_path(notice.link) or settings.LANGUAGE_CODE
        ):
            return redirect(translate_url(notice.link, reader))
    return redirect("notifications:inbox")


@require_POST
@login_required
def mark_all_read(request):
    notifications.mark_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")


class PreferencesForm(forms.Form):
    def __init__(self, *args, choices, initial_email, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"] = forms.MultipleChoiceField(
            label=_("Also send me an e-mail for"),
            choices=choices,
            required=False,
            initial=initial_email,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Everything else arrives in your inbox here only."),
        )


@login_required
def preferences(request):
    current = notifications.preferences(request.user)
    form = PreferencesForm(
        request.POST or None,
        choices=[(kind.code, kind.label) for kind, _email in current],
        initial_email=[kind.code for kind, email in current if email],
    )
    if request.method == "POST" and form.is_valid():
        notifications.preferences_set(
            user=request.user, by=request.user, email_kinds=form.cleaned_data["email"]
        )
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    return render(request, "nanxi/notification_preferences.html", {"form": form})
