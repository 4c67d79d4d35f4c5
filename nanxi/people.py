"""The logged-in person of a request: user, profile, roles and unread count, cached.

Every page needs them (the header, the permission predicates); loading them costs
two queries and most of a simple page's time. They are kept in the cache as one
value per person, by the version ``person:<id>`` (``nanxi.fragments``), and read
in one round trip while that version is current.

The version is bumped by every write to what the value holds:

- the user row and the profile (saved or deleted), staff grants and group
  membership: by signal receivers, because Django's auth (last login, password),
  allauth and the admin write these rows too, not only our services;
- roles and grants changed by our services: ``nanxi.roles.forget`` as well;
- notices: ``nanxi.notifications.notify`` and ``mark_read``.

So a revoked grant, a deactivated account or a changed password takes effect on
the person's next request. A bulk ``QuerySet.update()`` of users or profiles sends
no signal: call `changed` after one. Redis down: every request loads from the
database (``fragments.by_version``).
"""

from collections.abc import Callable

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_delete, post_save

from nanxi import fragments

# Moves with every person's version (``fragments.bump``): counts of people.
EVERYONE = "person:*"


def version(pk: int) -> str:
    return f"person:{pk}"


def changed(*pks: int) -> None:
    """What these people's requests load (user, profile, roles, unread) changed."""
    fragments.bump(*(version(pk) for pk in pks if pk is not None))


def cached(pk: int, load: Callable[[], object]):
    """The person `pk` as `load()` makes it, from the cache while current."""
    return fragments.by_version(f"person:{pk}:loaded", version(pk), load)


# --- who changed: every writer of these rows, the admin and allauth included -----------


def _user_saved(sender, instance, **kwargs) -> None:
    changed(instance.pk)


def _owned_row_saved(sender, instance, **kwargs) -> None:
    changed(instance.user_id)


def _groups_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if not reverse:  # user.groups.add(…), .remove(…), .clear()
        if action.startswith("post_"):
            changed(instance.pk)
    elif action == "pre_clear":  # group.user_set.clear(): who is in it before
        changed(*instance.user_set.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove"):
        changed(*pk_set)


def connect() -> None:
    """Connect the receivers (``NanxiConfig.ready``)."""
    from nanxi.models import Profile, StaffAssignment

    User = get_user_model()
    uid = "nanxi.people"
    post_save.connect(_user_saved, sender=User, dispatch_uid=f"{uid}.user.save")
    post_delete.connect(_user_saved, sender=User, dispatch_uid=f"{uid}.user.delete")
    for model in (Profile, StaffAssignment):
        name = model.__name__
        post_save.connect(
            _owned_row_saved, sender=model, dispatch_uid=f"{uid}.{name}.save"
        )
        post_delete.connect(
            _owned_row_saved, sender=model, dispatch_uid=f"{uid}.{name}.delete"
        )
    m2m_changed.connect(
        _groups_changed, sender=User.groups.through, dispatch_uid=f"{uid}.groups"
    )
