from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.contrib.sites.shortcuts import get_current_site
from django.db import transaction

from nanxi import services, tasks


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            services.resident_register(user=user)
        return user

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
        transaction.on_commit(lambda: tasks.send_email.delay(**payload))
