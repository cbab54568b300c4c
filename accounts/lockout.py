"""Who is trying to log in, as django-axes counts it: the client's address and the account.

Both are security decisions, so they are made here rather than left to defaults:

- Behind nginx every request arrives from nginx's address. Counting failures by that address
  would lock the whole portal after five wrong passwords from anyone, and the audit trail would
  record nginx for every decision. X-Forwarded-For is read from the right: each trusted proxy
  appends the address it saw, so the entry TRUSTED_PROXY_COUNT places from the end is the one the
  outermost trusted proxy received. Entries further left are whatever the client sent and are
  never believed.
- Usernames are case-insensitive at login (PortalUserManager), so the lock must be too; otherwise
  "zhangsan", "ZhangSan", "ZHANGSAN"... would each get their own five guesses.
"""

import ipaddress

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip_address(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE; also what the audit trail and the verification throttle record."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < proxies:
        # Fewer hops than configured: the request did not come through all the proxies.
        return remote
    return _valid_ip(forwarded[-proxies]) or remote


def normalize_username(username: str | None) -> str | None:
    return username.strip().lower() if isinstance(username, str) else username


def lockout_username(request, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: the username as the login resolves it (any letter case)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field):
        return normalize_username(credentials[field])
    data = getattr(request, "POST", None) or {}
    return normalize_username(data.get(field))


class AccountResetHandler(AxesDatabaseHandler):
    """AXES_HANDLER: django-axes' database handler, except what a successful login resets.

    Axes resets every failure row matching any lockout parameter, the address included, so logging
    into one's own account between guesses would wipe the victim's failures from that address and
    give unlimited guesses (PITFALLS.md). A success proves the password of that account only, so only
    that account's count starts again; the address keeps the failures it made at other accounts.
    """

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        username = lockout_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
