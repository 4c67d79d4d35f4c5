"""Text messages to mainland mobile numbers: the number rule and the pluggable sender.

Numbers: a mainland mobile number is ``1[3-9]`` and nine more digits. People type
it with spaces, hyphens, full-width digits or a ``+86`` / ``0086`` prefix; it is
stored and compared in one form, the eleven digits (``13812345678``), which is
also what the residents' committees read and dial.

Senders: ``settings.SMS_SENDER`` names a class with ``send(*, phone, text)``.
The default, ``ConsoleSender``, writes the message to the log (development, like
Django's console mail backend); ``MemorySender`` keeps messages in ``outbox``
for tests. A real provider is a small class of the project's own, e.g.::

    class AliyunSender(nanxi.sms.Sender):
        def send(self, *, phone: str, text: str) -> None:
            client.send_sms(phone_numbers=phone, sign_name=..., template_param=...)

    SMS_SENDER=myproject.sms.AliyunSender   # in the environment

How often a code may be sent is limited before the sender is asked (allauth's
``ACCOUNT_RATE_LIMITS`` in settings), so a sender only sends.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9][0-9]{9})")
# What people put between digits: spaces (also full-width), hyphens, dots, brackets.
_SEPARATORS = re.compile(r"[\s\-.()\u3000]+")

INVALID_MOBILE = _(
    "Enter a mainland mobile number: 11 digits starting with 1, for example "
    "13812345678."
)


def normalise_mobile(text: str) -> str:
    """The eleven digits of a mainland mobile number, or ValidationError.

    Landlines (021-62171234), numbers of other countries (+1 …), too many or
    too few digits and letters are refused.
    """
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    match = _MOBILE.fullmatch(compact)
    if match is None:
        raise ValidationError(INVALID_MOBILE, code="invalid_mobile")
    return match.group(1)


def mask(phone: str) -> str:
    """138****5678: enough for a log line or a message to the person, no more."""
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


# --- senders ---------------------------------------------------------------------------


class Sender:
    """Sends one text message. Subclass it for a provider; `send` may raise."""

    def send(self, *, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleSender(Sender):
    """Development: the message goes to the log instead of a phone."""

    def send(self, *, phone: str, text: str) -> None:
        logger.warning(
            "SMS to %s (not sent, SMS_SENDER is the console): %s", phone, text
        )


@dataclass(frozen=True)
class Message:
    phone: str
    text: str


class MemorySender(Sender):
    """Tests: messages are kept in ``MemorySender.outbox``, like ``mail.outbox``."""

    outbox: list[Message] = []

    def send(self, *, phone: str, text: str) -> None:
        MemorySender.outbox.append(Message(phone, text))


@cache
def _sender_class(path: str) -> type[Sender]:
    return import_string(path)


def send(*, phone: str, text: str) -> None:
    """Send `text` to `phone` (already normalised) with the configured sender."""
    _sender_class(settings.SMS_SENDER)().send(phone=phone, text=text)
