"""Secrets never reach a log line: link tokens in paths and API keys are replaced before anything is written.

One function, used by the Django logging filter (error and request log lines) and by gunicorn's access logger
(config/gunicorn.conf.py).
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# The token is the path segment after these prefixes: public actions (+ /confirm), their page, share pages and
# signed thumbnail links. API keys are `sk_` + their secret wherever they appear (a header echoed, a query string).
_TOKEN_PATH = re.compile(r"(/(?:v3/public/actions|actions|share|files/thumbnails)/)[^/?#\s\"']+")
_API_KEY = re.compile(r"\bsk_[A-Za-z0-9_\-]+")


def redact(text: str) -> str:
    return _API_KEY.sub("sk_" + REDACTED, _TOKEN_PATH.sub(r"\1" + REDACTED, text))


class RedactSecretsFilter(logging.Filter):
    """On the handlers: the formatted message (and its arguments, e.g. django.request's path) is redacted."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text: the traceback is formatted once, here, redacted.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
