"""Who is trying to log in, as django-axes counts it: the account (the client's address comes
from core.client_ip, AXES_CLIENT_IP_CALLABLE).

Usernames are case-insensitive at login (PortalUserManager), so the lock must be too; otherwise
"zhangsan", "ZhangSan", "ZHANGSAN"... would each get their own five guesses.
"""

import unicodedata

from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings


def normalize_username(username: str | None) -> str | None:
    # NFKC as the login form's UsernameField does, so full-width "ｓｕｎｑｉ" counts against sunqi.
    return unicodedata.normalize("NFKC", username).strip().lower() if isinstance(username, str) else username


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
