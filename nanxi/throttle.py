"""Login throttling for every login form (allauth's and the admin's), and the client's address.

Two counters, kept apart so that neither can be turned against other people:

- **per address**: many failures from one client address block that address for
  the rest of a short window. Behind the proxy the address is the one it
  forwards (``client_ip``), so one guesser does not block everyone behind it.
- **per account**: a burst of failures on one account locks it for an escalating
  delay (``LOGIN_LOCK_SECONDS``, e.g. 1, 5, 15 minutes). The lock always ends,
  so the owner gets in with the right password after the delay, from any
  address; the owner is told by e-mail once per lock.

Counters live in the Django cache (Redis in production, shared by every
worker). Each window is a bucket named by the time it started, so the counters
are plain atomic ``incr`` calls and a lock's end is stored as a time (not only
as a cache timeout), which tests can move past.
"""

import hashlib
import ipaddress
import logging
import math
import time
from dataclasses import dataclass
from functools import cache as memoize

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q

logger = logging.getLogger(__name__)


# --- the client's address --------------------------------------------------------------


@memoize
def _trusted_networks(
    proxies: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in proxies)


def _parse_ip(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _is_trusted(address, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    """The address of the person making the request: the one place that decides it.

    ``X-Forwarded-For`` is believed only when the request came from a proxy in
    ``TRUSTED_PROXIES``; it is read from the right, skipping our own proxies, and
    the first address they did not add themselves is the client. Entries further
    left were written by the client and are never read.
    """
    peer_text = request.META.get("REMOTE_ADDR", "")
    peer = _parse_ip(peer_text)
    networks = _trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(peer, networks):
        return str(peer) if peer is not None else (peer_text or "unknown")
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for item in reversed([part for part in forwarded.split(",") if part.strip()]):
        hop = _parse_ip(item)
        if hop is None:
            break  # garbage: stop here rather than guess from what is left of it
        if not _is_trusted(hop, networks):
            return str(hop)
    return str(peer)


# --- the throttle ----------------------------------------------------------------------


@dataclass(frozen=True)
class Blocked:
    """Why a login attempt is refused without checking the password."""

    reason: str  # "account" or "address"
    seconds: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.seconds / 60))


def _now() -> float:
    return time.time()


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _find_user(login: str):
    """The account a login names (e-mail or username), or None."""
    login = (login or "").strip()
    if not login:
        return None
    return (
        get_user_model()
        ._default_manager.filter(Q(email__iexact=login) | Q(username__iexact=login))
        .order_by("pk")
        .first()
    )


def account_key(login: str, user=None) -> str:
    """One counter per account however it is named (e-mail, username, case)."""
    if user is not None:
        return f"user:{user.pk}"
    return f"login:{_digest((login or '').strip().lower())}"


def _bucket(window: int, now: float) -> tuple[int, int]:
    """The current window's number and the seconds left in it."""
    start = int(now // window)
    return start, int((start + 1) * window - now) + 1


def _count(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout)
        return 1


def _address_key(ip: str, now: float) -> tuple[str, int]:
    window = settings.LOGIN_ADDRESS_WINDOW_SECONDS
    bucket, left = _bucket(window, now)
    return f"throttle:addr:{_digest(ip)}:{bucket}", left


def _account_failures_key(account: str, now: float) -> str:
    bucket, _left = _bucket(settings.LOGIN_ACCOUNT_WINDOW_SECONDS, now)
    return f"throttle:acct:{account}:{bucket}"


def check(request, login: str) -> Blocked | None:
    """Call before checking a password: a reason to refuse, or None to go on."""
    now = _now()
    ip = client_ip(request)
    account = account_key(login, _find_user(login))
    locked_until = cache.get(f"throttle:lock:{account}")
    if locked_until is not None and locked_until > now:
        return Blocked("account", int(locked_until - now) + 1)
    key, left = _address_key(ip, now)
    if cache.get(key, 0) >= settings.LOGIN_ADDRESS_ATTEMPTS:
        return Blocked("address", left)
    return None


def failed(request, login: str) -> Blocked | None:
    """Count a wrong password; lock the account when this failure ends a burst."""
    now = _now()
    ip = client_ip(request)
    user = _find_user(login)
    account = account_key(login, user)
    address_key, _left = _address_key(ip, now)
    _count(address_key, settings.LOGIN_ADDRESS_WINDOW_SECONDS + 60)
    failures_key = _account_failures_key(account, now)
    failures = _count(failures_key, settings.LOGIN_ACCOUNT_WINDOW_SECONDS + 60)
    if failures != settings.LOGIN_ACCOUNT_ATTEMPTS:
        # Only the one failure that reaches the limit locks (and mails): with
        # Redis's atomic incr that is one request, whichever worker serves it.
        return None
    delays = settings.LOGIN_LOCK_SECONDS
    level_key = f"throttle:level:{account}"
    memory = settings.LOGIN_LOCK_MEMORY_SECONDS
    level = _count(level_key, memory)
    cache.touch(level_key, memory)
    delay = delays[min(level, len(delays)) - 1]
    cache.set(f"throttle:lock:{account}", now + delay, delay + 60)
    cache.delete(failures_key)
    logger.warning(
        "login locked for %ss after %s failures (account %s, level %s, from %s)",
        delay,
        failures,
        account,
        level,
        ip,
    )
    if user is not None and user.email:
        _notify_owner(request, user, minutes=max(1, delay // 60), ip=ip)
    return Blocked("account", delay)


def succeeded(request, login: str, user) -> None:
    """The right password: forget the account's failures, not the address's.

    The address counter is kept: a guesser with an account of their own could
    otherwise reset it by logging in between guesses.
    """
    cache.delete(_account_failures_key(account_key(login, user), _now()))


def _notify_owner(request, user, *, minutes: int, ip: str) -> None:
    """One mail through the adapter's path (rendered now, sent by the task queue)."""
    # Imported here: the adapter imports this module for its hooks.
    from allauth.account.adapter import get_adapter
    from allauth.core import context

    with context.request_context(request):
        get_adapter(request).send_mail(
            "account/email/login_locked",
            user.email,
            {"user": user, "minutes": minutes, "ip": ip},
        )
