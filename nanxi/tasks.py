import smtplib

from celery import shared_task
from django.core.mail import EmailMultiAlternatives


@shared_task(
    name="nanxi.send_email",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    max_retries=5,
)
def send_email(
    subject: str, body: str, from_email: str, to: list[str], html: str | None = None
) -> None:
    """Send one e-mail that was rendered in the request. Takes plain data, not objects."""
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task(
    name="nanxi.send_notification",
    autoretry_for=(smtplib.SMTPException, OSError),
    retry_backoff=30,
    max_retries=5,
)
def send_notification(notification_id: int) -> bool:
    """E-mail one notice, at most once: the row is claimed before sending.

    A failed send gives the claim back, so the retry (or a second delivery of the
    task) may send it; a sent notice is never sent again.
    """
    from django.conf import settings
    from django.utils import timezone

    from nanxi import notifications
    from nanxi.models import Notification

    claimed = Notification.objects.filter(pk=notification_id, emailed_at=None).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notice = Notification.objects.select_related("recipient").get(pk=notification_id)
    subject, body = notifications.email_content(notice)
    try:
        EmailMultiAlternatives(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [notice.recipient.email],
        ).send()
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True
