"""The one boto3 S3 client of the process, and the few S3 operations the product uses.

Signing makes no network call; only verification (HEAD, list, ranged GET) and deletes talk to S3.
"""

from __future__ import annotations

import functools
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings

from perf.signing import sign_post_policy

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


@functools.cache
def s3_session() -> boto3.session.Session:
    return boto3.session.Session(
        aws_access_key_id=settings.AWS_ACCESS_KEY_ID or None,
        aws_secret_access_key=settings.AWS_SECRET_ACCESS_KEY or None,
        aws_session_token=settings.AWS_SESSION_TOKEN,
        region_name=settings.AWS_S3_REGION_NAME,
    )


@functools.cache
def s3_client() -> S3Client:
    """Built once per process: building a client costs milliseconds, signing with it microseconds."""
    return s3_session().client(
        "s3",
        endpoint_url=settings.AWS_S3_ENDPOINT_URL,
        config=Config(
            signature_version=settings.AWS_S3_SIGNATURE_VERSION,
            s3={"addressing_style": settings.AWS_S3_ADDRESSING_STYLE},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=5,
            read_timeout=30,
        ),
    )


def clear_cached_clients() -> None:
    """Forget the process's session, client and POST URL (after the S3 settings change: tests, the emulator)."""
    for cached in (s3_session, s3_client, post_url):
        cached.cache_clear()


def bucket_name() -> str:
    return str(settings.AWS_STORAGE_BUCKET_NAME)


@dataclass(frozen=True)
class PresignedPost:
    url: str
    fields: dict[str, str]  # signed fields, in the order the client must send them; `file` goes last


@functools.cache
def post_url() -> str:
    """Where presigned POSTs go; botocore's endpoint rules decide it once per process."""
    return s3_client().generate_presigned_post(Bucket=bucket_name(), Key="url-probe")["url"]


def sign_post(
    *,
    key: str,
    content_type: str,
    min_size: int,
    max_size: int,
    metadata: dict[str, str],
    expires_in: int,
) -> PresignedPost:
    """Sign a SigV4 presigned POST whose policy pins the key, type, size range and every metadata field."""
    fields: dict[str, str] = {"Content-Type": content_type}
    conditions: list[Any] = [
        ["eq", "$key", key],
        ["eq", "$Content-Type", content_type],
        ["content-length-range", min_size, max_size],
    ]
    for name, value in metadata.items():
        meta_field = f"x-amz-meta-{name}"
        fields[meta_field] = value
        conditions.append(["eq", f"${meta_field}", value])
    credentials = s3_session().get_credentials()
    # Refreshable credentials rotate, so they are read per call; for static ones that costs nothing.
    frozen = credentials.get_frozen_credentials() if credentials is not None else None
    if frozen is None or not frozen.access_key or not frozen.secret_key:
        raise RuntimeError("No AWS credentials are configured for signing uploads.")
    signed = sign_post_policy(
        access_key=frozen.access_key,
        secret_key=frozen.secret_key,
        session_token=frozen.token,
        region=settings.AWS_S3_REGION_NAME,
        bucket=bucket_name(),
        key=key,
        fields=fields,
        conditions=conditions,
        expires_in=expires_in,
    )
    return PresignedPost(url=post_url(), fields=signed)


@dataclass(frozen=True)
class ObjectInfo:
    size: int
    etag: str
    content_type: str | None
    last_modified: datetime | None
    metadata: dict[str, str]


def head_object(key: str) -> ObjectInfo | None:
    try:
        head = s3_client().head_object(Bucket=bucket_name(), Key=key)
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
            return None
        raise
    return ObjectInfo(
        size=head["ContentLength"],
        etag=head["ETag"].strip('"'),
        content_type=head.get("ContentType"),
        last_modified=head.get("LastModified"),
        metadata=head.get("Metadata", {}),
    )


def list_sizes(prefix: str) -> dict[str, ObjectInfo]:
    """Every object under ``prefix`` with its size and ETag, from one listing (paged by S3 per 1,000 keys)."""
    found: dict[str, ObjectInfo] = {}
    paginator = s3_client().get_paginator("list_objects_v2")
    for page in paginator.paginate(Bucket=bucket_name(), Prefix=prefix):
        for item in page.get("Contents", []):
            found[item["Key"]] = ObjectInfo(
                size=item["Size"],
                etag=item["ETag"].strip('"'),
                content_type=None,
                last_modified=item.get("LastModified"),
                metadata={},
            )
    return found


@dataclass(frozen=True)
class ObjectProbe:
    """What one ranged GET tells about an object: its size, ETag, content type and first bytes."""

    size: int
    etag: str
    content_type: str | None
    head: bytes


def probe_object(key: str, length: int) -> ObjectProbe | None:
    """One ranged GET of the first ``length`` bytes; None when the object does not exist.

    The answer's Content-Range carries the full size, so no HEAD is needed and no other byte is read.
    """
    try:
        response = s3_client().get_object(Bucket=bucket_name(), Key=key, Range=f"bytes=0-{length - 1}")
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in ("404", "NoSuchKey", "NotFound"):
            return None
        if code == "InvalidRange":  # an empty object has no byte 0
            info = head_object(key)
            return None if info is None else ObjectProbe(0, info.etag, info.content_type, b"")
        raise
    with closing(response["Body"]) as body:
        head = body.read(length)
    content_range = response.get("ContentRange", "")
    size = int(content_range.rsplit("/", 1)[1]) if "/" in content_range else response["ContentLength"]
    return ObjectProbe(size=size, etag=response["ETag"].strip('"'), content_type=response.get("ContentType"), head=head)


def delete_object(key: str) -> None:
    s3_client().delete_object(Bucket=bucket_name(), Key=key)


def presigned_get_url(key: str, *, expires_in: int, file_name: str | None = None) -> str:
    params: dict[str, Any] = {"Bucket": bucket_name(), "Key": key}
    if file_name:
        params["ResponseContentDisposition"] = f'inline; filename="{file_name}"'
    return s3_client().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def public_url(key: str) -> str:
    if settings.AWS_S3_ENDPOINT_URL:
        return f"{settings.AWS_S3_ENDPOINT_URL.rstrip('/')}/{bucket_name()}/{key}"
    return f"https://{bucket_name()}.s3.{settings.AWS_S3_REGION_NAME}.amazonaws.com/{key}"


def ensure_bucket() -> None:
    """Create the bucket when it is missing (the embedded emulator and tests; real buckets exist already)."""
    client = s3_client()
    try:
        client.head_bucket(Bucket=bucket_name())
    except ClientError:
        client.create_bucket(Bucket=bucket_name())
