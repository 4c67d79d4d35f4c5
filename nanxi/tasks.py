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
