"""Structured logs: JSON lines carrying the id of the request (or task) that wrote them, and never a
password-reset link or token."""

import contextvars
import json
import logging
import re

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def get_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = get_request_id()
        return True


# A reset link (accounts/urls.py: password/reset/<uidb64>/<token>/, with or without the site in front)
# and a bare token as Django's PasswordResetTokenGenerator makes it: <base36 timestamp>-<hex HMAC>.
_RESET_LINK = re.compile(
    r"(?:https?://[^/\s\"'<>]+)?/accounts/password/reset/(?!sent/|complete/)[^/\s\"'<>]+/[^/\s\"'<>]+/?"
)
_RESET_TOKEN = re.compile(r"\b[0-9a-z]{1,13}-[0-9a-f]{20,32}\b")
REDACTED_LINK = "[重置链接已隐去]"


def redact_secrets(text: str) -> str:
    """The text with every password-reset link and token taken out: whoever reads a log could
    otherwise set that user's password."""
    return _RESET_TOKEN.sub("[已隐去]", _RESET_LINK.sub(REDACTED_LINK, text))


class RedactSecretsFilter(logging.Filter):
    """On the handlers: the record's message, exception and stack leave without reset links.

    The record is changed in place, so handlers after this one see the redacted record too.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message, broken = record.getMessage(), False
        except (TypeError, ValueError):  # arguments that do not fit the format: keep both, redacted
            message, broken = f"{record.msg} {record.args!r}", True
        clean = redact_secrets(message)
        if broken or clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", get_request_id()),
            "message": record.getMessage(),
        }
        if record.exc_info or record.exc_text:
            payload["exc"] = record.exc_text or self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)
