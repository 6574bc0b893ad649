"""The one boto3 S3 client of the process, and the few S3 operations the product uses.

Signing makes no network call; only verification (HEAD, list, ranged GET), deletes and thumbnails talk to S3.
Every such call runs in ``storage_call``: it takes one of the process's few S3 slots and turns any S3 fault (a
timeout, a refused connection, an S3 error) into ``StorageUnavailable``, the 503 every surface answers.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from documents.errors import StorageUnavailable
from documents.keys import PUBLIC_PREFIX
from perf.signing import sign_post_policy

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = logging.getLogger(__name__)

MAX_PARALLEL_S3_CALLS = 8
T = TypeVar("T")
R = TypeVar("R")


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
            retries={"total_max_attempts": settings.AWS_S3_MAX_ATTEMPTS, "mode": "standard"},
            connect_timeout=settings.AWS_S3_CONNECT_TIMEOUT,
            read_timeout=settings.AWS_S3_READ_TIMEOUT,
            max_pool_connections=settings.AWS_S3_MAX_CONCURRENCY,
        ),
    )


@functools.cache
def _call_slots() -> threading.BoundedSemaphore:
    return threading.BoundedSemaphore(settings.AWS_S3_MAX_CONCURRENCY)


@contextmanager
def storage_call(operation: str) -> Iterator[None]:
    """Run one S3 call (with the reading of its answer) in a slot; any S3 fault becomes ``StorageUnavailable``.

    A caller that handles an S3 error itself (a missing key) catches it inside the block; what escapes is a fault.
    When every slot is taken (S3 slow or hung), the call gives up after a short wait instead of queueing.
    """
    slots = _call_slots()
    if not slots.acquire(timeout=settings.AWS_S3_SLOT_WAIT_SECONDS):
        logger.warning("S3 %s refused: all %d S3 slots are busy", operation, settings.AWS_S3_MAX_CONCURRENCY)
        raise StorageUnavailable("The file store is busy; please retry in a moment.")
    try:
        yield
    except (BotoCoreError, ClientError) as exc:
        logger.warning("S3 %s failed: %s", operation, exc)
        raise StorageUnavailable("The file store could not be reached; please retry in a moment.") from exc
    finally:
        slots.release()


def clear_cached_clients() -> None:
    """Forget the process's session, client, S3 slots and POST URL (after the S3 settings change: tests, emulator)."""
    for cached in (s3_session, s3_client, _call_slots, post_url):
        cached.cache_clear()


def in_parallel(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``fn`` of every item, in order, run concurrently (S3 latency adds up otherwise; the client is thread-safe).

    Never more threads than the process has S3 slots: a request does not queue behind its own calls.
    """
    if len(items) <= 1:
        return [fn(item) for item in items]
    workers = min(MAX_PARALLEL_S3_CALLS, settings.AWS_S3_MAX_CONCURRENCY, len(items))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, items))


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


# botocore names the signed fields in lower case; the contracts spell them as S3's documentation does
_CONTRACT_NAMES: dict[str, str] = {
    name.lower(): name
    for name in (
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Date",
        "X-Amz-Security-Token",
        "Policy",
        "X-Amz-Signature",
    )
}


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
    if not settings.PERF_SIGNER:  # botocore's own signer (perf/signing.py's reference), in the contract's names
        post = s3_client().generate_presigned_post(
            Bucket=bucket_name(), Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
        )
        botocore_fields = dict(post["fields"])
        signed = {"key": botocore_fields.pop("key")}
        for botocore_name, value in botocore_fields.items():
            signed[_CONTRACT_NAMES.get(botocore_name) or botocore_name] = value
        return PresignedPost(url=post["url"], fields=signed)
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


def _missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


def head_object(key: str) -> ObjectInfo | None:
    with storage_call("HeadObject"):
        try:
            head = s3_client().head_object(Bucket=bucket_name(), Key=key)
        except ClientError as exc:
            if _missing(exc):
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
    with storage_call("ListObjectsV2"):
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
    with storage_call("GetObject"):
        try:
            response = s3_client().get_object(Bucket=bucket_name(), Key=key, Range=f"bytes=0-{length - 1}")
        except ClientError as exc:
            if _missing(exc):
                return None
            if exc.response.get("Error", {}).get("Code") != "InvalidRange":
                raise
            response = None  # an empty object has no byte 0
        if response is not None:
            with closing(response["Body"]) as body:
                head = body.read(length)
    if response is None:
        info = head_object(key)
        return None if info is None else ObjectProbe(0, info.etag, info.content_type, b"")
    content_range = response.get("ContentRange", "")
    size = int(content_range.rsplit("/", 1)[1]) if "/" in content_range else response["ContentLength"]
    return ObjectProbe(size=size, etag=response["ETag"].strip('"'), content_type=response.get("ContentType"), head=head)


def delete_object(key: str) -> None:
    with storage_call("DeleteObject"):
        s3_client().delete_object(Bucket=bucket_name(), Key=key)


class ObjectMissing(LookupError):
    """The key holds no object: a fact about the bucket, not an S3 fault (retrying will not help)."""


@contextmanager
def open_object(key: str) -> Iterator[Any]:
    """The object's body as a stream of chunks (``iter_chunks``), read within one S3 slot."""
    with storage_call("GetObject"):
        try:
            response = s3_client().get_object(Bucket=bucket_name(), Key=key)
        except ClientError as exc:
            if _missing(exc):
                raise ObjectMissing(key) from exc
            raise
        with closing(response["Body"]) as body:
            yield body


def put_object(key: str, body: bytes, content_type: str) -> None:
    with storage_call("PutObject"):
        s3_client().put_object(Bucket=bucket_name(), Key=key, Body=body, ContentType=content_type)


def upload_file(key: str, file: IO[bytes], *, content_type: str, content_disposition: str) -> None:
    """Upload a (large) file from disk: boto3's managed transfer, a multipart upload above 8 MB, in 8 MB parts,
    so memory does not grow with the file. For workers (an export job), not requests."""
    extra = {"ContentType": content_type, "ContentDisposition": content_disposition}
    with storage_call("UploadFile"):
        s3_client().upload_fileobj(file, bucket_name(), key, ExtraArgs=extra)


def delete_objects(keys: Sequence[str]) -> list[str]:
    """Delete many keys, 1,000 per request (missing keys are no error); the keys S3 reported it could not delete."""
    refused: list[str] = []
    for start in range(0, len(keys), 1000):
        batch = [{"Key": key} for key in keys[start : start + 1000]]
        with storage_call("DeleteObjects"):
            answer = s3_client().delete_objects(Bucket=bucket_name(), Delete={"Objects": batch, "Quiet": True})  # type: ignore[typeddict-item]
        refused += [error["Key"] for error in answer.get("Errors", []) if "Key" in error]
    if refused:
        logger.warning("S3 DeleteObjects refused %d key(s), e.g. %s", len(refused), refused[0])
    return refused


def copy_object(
    *,
    source_key: str,
    source_etag: str,
    key: str,
    content_type: str,
    content_disposition: str,
    metadata: dict[str, str],
) -> str | None:
    """Server-side copy of exactly the version whose ETag was checked; S3 computes the copy's SHA-256.

    The copy's headers are set anew (type, disposition, metadata); no byte passes through this process. Returns
    the SHA-256 as S3 gives it (base64), or None when ``source_key`` no longer holds that version.
    """
    with storage_call("CopyObject"):
        try:
            response = s3_client().copy_object(
                Bucket=bucket_name(),
                Key=key,
                CopySource={"Bucket": bucket_name(), "Key": source_key},
                CopySourceIfMatch=f'"{source_etag}"',
                ChecksumAlgorithm="SHA256",
                MetadataDirective="REPLACE",
                ContentType=content_type,
                ContentDisposition=content_disposition,
                Metadata=metadata,
            )
        except ClientError as exc:
            if _missing(exc) or exc.response.get("Error", {}).get("Code") in ("PreconditionFailed", "412"):
                return None
            raise
    return response["CopyObjectResult"]["ChecksumSHA256"]


def presigned_get_url(key: str, *, expires_in: int, content_disposition: str | None = None) -> str:
    params: dict[str, Any] = {"Bucket": bucket_name(), "Key": key}
    if content_disposition:
        params["ResponseContentDisposition"] = content_disposition
    return s3_client().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)


def public_url(key: str) -> str:
    if settings.AWS_S3_ENDPOINT_URL:
        return f"{settings.AWS_S3_ENDPOINT_URL.rstrip('/')}/{bucket_name()}/{key}"
    return f"https://{bucket_name()}.s3.{settings.AWS_S3_REGION_NAME}.amazonaws.com/{key}"


def public_read_policy() -> dict[str, Any]:
    """The bucket policy that lets anyone GET objects under the public prefix, and nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicFilesReadable",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket_name()}/{PUBLIC_PREFIX}/*",
            }
        ],
    }


def ensure_bucket() -> None:
    """Create the bucket when it is missing, with the public prefix's policy (the embedded emulator and tests;
    real buckets exist already and get the policy from the README)."""
    client = s3_client()
    try:
        client.head_bucket(Bucket=bucket_name())
    except ClientError:
        client.create_bucket(Bucket=bucket_name())
    client.put_bucket_policy(Bucket=bucket_name(), Policy=json.dumps(public_read_policy()))
