"""Notices to people: an inbox in the portal, and e-mail for those who chose it.

The ground floor knows nothing of what the notices are about: an app registers its
kinds (`register_kind`, in its AppConfig.ready) and calls `notify` with the text, the
link and an idempotency key from inside its own service's transaction. The rows are
written in that transaction; e-mails are queued on commit (`nanxi.queue`), one
Celery task per notice, and a notice is e-mailed at most once (`emailed_at` is claimed first).
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from nanxi import people, queue
from nanxi.models import Notification, NotificationPreference


@dataclass(frozen=True)
class Kind:
    code: str
    label: Promise
    email_by_default: bool = False


KINDS: dict[str, Kind] = {}


def register_kind(code: str, label: Promise, *, email_by_default: bool = False):
    KINDS[code] = Kind(code, label, email_by_default)


ACCOUNT_VERIFIED = "nanxi.account_verified"
register_kind(
    ACCOUNT_VERIFIED,
    gettext_lazy("My residents' committee verified my account"),
    email_by_default=True,
)
VERIFICATION_DECLINED = "nanxi.verification_declined"
register_kind(
    VERIFICATION_DECLINED,
    gettext_lazy("My residents' committee could not verify my account"),
    email_by_default=True,
)


def notify(
    *,
    recipients: Iterable,
    kind: str,
    text: str | Callable[[], str],
    link: str = "",
    key: str,
) -> list[Notification]:
    """Put a notice in each recipient's inbox, once per `key` and person.

    `text` is best a function making the sentence with gettext: it is made in
    Chinese and in English, so the inbox speaks the page's language.
    Call it inside the service's transaction. Returns the notices made now (those
    already made for this key are left alone: running an action twice notifies once).
    """
    if kind not in KINDS:
        raise ValueError(f"unregistered notification kind {kind!r}")
    users = {u.pk: u for u in recipients if u is not None and u.is_active}
    if not users:
        return []
    text, text_en = _in_both_languages(text)
    keys = {pk: f"{key}:{pk}" for pk in users}
    seen = set(
        Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True)
    )
    made = [
        Notification(
            recipient_id=pk,
            kind=kind,
            text=text[:500],
            text_en=text_en[:500],
            link=link[:200],
            key=k,
        )
        for pk, k in keys.items()
        if k not in seen
    ]
    for notice in made:
        notice.full_clean(validate_unique=False)
    made = Notification.objects.bulk_create(made, ignore_conflicts=True)
    # The header's unread count is cached with each person (nanxi.people).
    people.changed(*{n.recipient_id for n in made})
    mailed = _wants_email([n.recipient_id for n in made], kind)
    # bulk_create with ignore_conflicts gives no ids on every database: read them back.
    ids = list(
        Notification.objects.filter(
            key__in=[n.key for n in made], recipient_id__in=mailed
        ).values_list("pk", flat=True)
    )
    if ids:
        from nanxi.tasks import send_notification

        for pk in ids:
            queue.enqueue_on_commit(send_notification, notification_id=pk)
    return made


# --- the portal's address and name in mail ------------------------------------------------


def site_url(request=None) -> str:
    """The portal's address for links in mail: SITE_URL, else the request's own."""
    if settings.SITE_URL:
        return settings.SITE_URL.rstrip("/")
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return ""


def absolute_url(path: str, request=None) -> str:
    """`path` (/projects/7/) as a link a mail client can open."""
    if not path or "://" in path:
        return path
    return f"{site_url(request)}{path}"


def email_content(notice: Notification) -> tuple[str, str]:
    """The subject and body of a notice's e-mail: from the portal, by name, with
    an absolute link to what it is about."""
    site = str(settings.SITE_NAME)
    link = absolute_url(notice.link)
    # A header holds one line: the text's line breaks become spaces.
    subject = " ".join(f"[{site}] {notice.text}".split())[:120]
    body = "\n\n".join(part for part in (notice.text, link, site_url()) if part)
    return subject, body


def _in_both_languages(text) -> tuple[str, str]:
    if not callable(text):
        return str(text), ""
    with translation.override(settings.LANGUAGE_CODE):
        chinese = text()
    with translation.override("en"):
        english = text()
    return chinese, english


def _wants_email(user_ids: list[int], kind: str) -> set[int]:
    chosen = dict(
        NotificationPreference.objects.filter(
            user_id__in=user_ids, kind=kind
        ).values_list("user_id", "email")
    )
    default = KINDS[kind].email_by_default
    with_address = set(
        get_user_model()
        .objects.filter(pk__in=user_ids)
        .exclude(email="")
        .values_list("pk", flat=True)
    )
    return {pk for pk in user_ids if chosen.get(pk, default) and pk in with_address}


def preferences(user) -> list[tuple[Kind, bool]]:
    """Every registered kind with whether this person gets it by e-mail too."""
    chosen = dict(
        NotificationPreference.objects.filter(user=user).values_list("kind", "email")
    )
    return [
        (kind, chosen.get(code, kind.email_by_default)) for code, kind in KINDS.items()
    ]


@transaction.atomic
def preferences_set(*, user, by, email_kinds: Iterable[str]) -> None:
    """Save one person's choice: e-mail for `email_kinds`, the inbox only for the rest."""
    if by.pk != user.pk:
        raise PermissionError("people choose their own notifications")
    wanted = set(email_kinds) & set(KINDS)
    for code in KINDS:
        NotificationPreference.objects.update_or_create(
            user=user, kind=code, defaults={"email": code in wanted}
        )


def mark_read(*, user, notification: Notification | None = None) -> int:
    """Mark one notice (or all) of this person read; returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    count = unread.update(read_at=timezone.now())
    if count:
        people.changed(user.pk)  # the header's count, cached with the person
    return count


def unread_count(user) -> int:
    """For the header: loaded with the user by `nanxi.auth_backends` and cached
    with them (`nanxi.people`, bumped by `notify` and `mark_read`): no query of
    its own; counted here only for a user loaded some other way."""
    if not user.is_authenticated:
        return 0
    loaded = getattr(user, "unread_notifications", None)
    if loaded is not None:
        return loaded
    return Notification.objects.filter(recipient=user, read_at=None).count()
