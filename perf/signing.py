"""SigV4 presigned POSTs, computed directly.

botocore's ``generate_presigned_post`` spends most of its time on per-call machinery (endpoint rules,
request objects, event hooks) around three cheap steps: policy JSON, base64, one HMAC-SHA256. This
module does those three steps with a signing key cached per day, and produces exactly the policy and
signature botocore does for the same inputs and time (tests keep botocore as the reference).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from typing import Any

ALGORITHM = "AWS4-HMAC-SHA256"
_EXPIRATION_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"


@functools.lru_cache(maxsize=8)
def _signing_key(secret_key: str, date: str, region: str) -> bytes:
    """The SigV4 key for one day, region and service: four HMACs, done once a day instead of per call."""
    key = hmac.new(f"AWS4{secret_key}".encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, "s3", "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def sign_post_policy(
    *,
    access_key: str,
    secret_key: str,
    session_token: str | None,
    region: str,
    bucket: str,
    key: str,
    fields: dict[str, str],
    conditions: list[Any],
    expires_in: int,
    now: datetime | None = None,
) -> dict[str, str]:
    """The signed form fields of a presigned POST, in upload order: ``key``, the given fields, then
    X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, (X-Amz-Security-Token), Policy, X-Amz-Signature.

    The policy holds ``conditions`` followed by the bucket, key and credential conditions, in botocore's order.
    """
    now = now or datetime.now(UTC)
    timestamp = now.strftime(_TIMESTAMP_FORMAT)
    credential = f"{access_key}/{timestamp[:8]}/{region}/s3/aws4_request"
    policy_conditions = [
        *conditions,
        {"bucket": bucket},
        {"key": key},
        {"x-amz-algorithm": ALGORITHM},
        {"x-amz-credential": credential},
        {"x-amz-date": timestamp},
    ]
    if session_token:
        policy_conditions.append({"x-amz-security-token": session_token})
    policy = {
        "expiration": (now + timedelta(seconds=expires_in)).strftime(_EXPIRATION_FORMAT),
        "conditions": policy_conditions,
    }
    encoded_policy = base64.b64encode(json.dumps(policy).encode()).decode()
    signature = hmac.new(
        _signing_key(secret_key, timestamp[:8], region), encoded_policy.encode(), hashlib.sha256
    ).hexdigest()

    signed = {"key": key, **fields, "X-Amz-Algorithm": ALGORITHM, "X-Amz-Credential": credential}
    signed["X-Amz-Date"] = timestamp
    if session_token:
        signed["X-Amz-Security-Token"] = session_token
    signed["Policy"] = encoded_policy
    signed["X-Amz-Signature"] = signature
    return signed
