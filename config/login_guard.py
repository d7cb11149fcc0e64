"""Failed logins per account, for the API and the admin alike.

After `LOGIN_FAILURE_LIMIT` wrong passwords for one username within `LOGIN_LOCKOUT_SECONDS`
(counted from the first of them), that account refuses every login, the right password too,
until the window has passed; a successful login clears the count. This is on top of the limit
per client address (`AUTH_THROTTLE_RATE`): an attacker spreading guesses over many addresses
still gets a handful per account.

The counts live in Django's cache: Redis when `REDIS_URL` is set, so every worker process counts
together. Keys carry a hash of the username, not the username.

Why not django-axes: its lockout is a middleware reading a flag set on the request, which DRF's
wrapped request does not pass back, and it answers in its own shape; the API wants its JSON
error (429, `account_locked`) and the admin its login form with the message. The rule itself
is these few lines over the shared cache.
"""

import hashlib
import math
import time

from django.conf import settings
from django.core.cache import cache


def _keys(username: str) -> tuple[str, str]:
    """(failure count, end of the window) of the account's cache entries."""
    digest = hashlib.sha256(username.strip().casefold().encode()).hexdigest()[:32]
    return f"login-failures:{digest}", f"login-window:{digest}"


def retry_after(username: str) -> int | None:
    """Seconds until the account may log in again, or None when it is not locked."""
    count_key, window_key = _keys(username)
    if cache.get(count_key, 0) < settings.LOGIN_FAILURE_LIMIT:
        return None
    until = cache.get(window_key) or time.time() + settings.LOGIN_LOCKOUT_SECONDS
    return max(1, math.ceil(until - time.time()))


def failure_record(username: str) -> None:
    """One more wrong password for the account. The window starts at the first one; the count
    goes up atomically (Redis INCR), so parallel guesses are all counted."""
    count_key, window_key = _keys(username)
    window = settings.LOGIN_LOCKOUT_SECONDS
    if cache.add(count_key, 0, timeout=window):
        cache.set(window_key, time.time() + window, timeout=window)
    try:
        cache.incr(count_key)
    except ValueError:  # the window ended between the two calls: this guess opens a new one
        cache.set(count_key, 1, timeout=window)
        cache.set(window_key, time.time() + window, timeout=window)


def success_record(username: str) -> None:
    cache.delete_many(_keys(username))
