"""The one family of refusals: a service says no by raising `Refused` (or a subclass naming the kind
of no), with a message fit for the user and, where it concerns one, the form field.

Views that want the message beside a field catch `Refused`; any other refusal reaches
core.middleware.RefusedMiddleware, the one place that turns it into a page (or JSON) with status 409,
so a refusal is never a server error.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext


class Refused(Exception):
    """A service refuses: `message` for the user (every reason at once in `messages`), `field` the
    form field it concerns, if any, `code` a stable name for tests and logs."""

    status_code = 409

    def __init__(self, message: str | list[str], *, field: str | None = None, code: str = ""):
        # A message may be lazy (gettext_lazy): made text now, in the language of the request.
        messages = [str(message)] if isinstance(message, str | Promise) else [str(m) for m in message if m]
        joined = gettext("；").join(messages)
        super().__init__(joined)
        self.message = joined
        self.messages = messages
        self.field = field
        self.code = code or type(self).__name__
