"""Standard Webhooks signatures (https://www.standardwebhooks.com): ``v1,<base64 HMAC-SHA256>`` of
``<webhook-id>.<webhook-timestamp>.<body>``, keyed with the base64 part of a ``whsec_`` secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

from webhooks.constants import SECRET_BYTES, SECRET_PREFIX


def secret_new() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def sign(secret: str, *, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signature_headers(secrets_: Iterable[str], *, msg_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The three headers; ``webhook-signature`` holds one signature per secret (two during a rotation's overlap)."""
    signatures = " ".join(sign(secret, msg_id=msg_id, timestamp=timestamp, body=body) for secret in secrets_)
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signatures}
