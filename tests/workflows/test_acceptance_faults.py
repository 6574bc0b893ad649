"""S3 failing in the middle of an acceptance batch leaves no orphan copy under ``objects/``: confirm answers 503, and
its retry copies each file to the same final key again (one key per document and version)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from rest_framework.test import APIClient

from documents import s3
from documents.models import Document
from tests.storage_faults import failing_proxy, s3_at
from tests.uploads import pdf_bytes
from tests.workflows.public_action_support import SEED_ROOT_BODY, confirm_url, make_action, submit_url, upload_all
from workspaces.models import Workspace


def _final_objects(workspace: Workspace) -> set[str]:
    listing = s3.s3_client().list_objects_v2(Bucket=s3.bucket_name(), Prefix=f"objects/{workspace.public_id}/")
    return {item["Key"] for item in listing.get("Contents", [])}


def test_a_copy_failing_mid_batch_leaves_no_orphan_and_the_retry_reuses_the_copies(
    workspace: Workspace, tmp_path: Path
) -> None:
    client = APIClient()
    _, token = make_action(workspace)
    uploads = client.post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    assert len(uploads) >= 2
    upload_all(uploads, tmp_path, content=pdf_bytes())
    copies = itertools.count()

    def every_copy_but_the_first(method: str, headers: Mapping[str, str]) -> bool:
        return method == "PUT" and "x-amz-copy-source" in headers and next(copies) >= 1

    with failing_proxy(str(settings.AWS_S3_ENDPOINT_URL), every_copy_but_the_first) as proxy, s3_at(proxy):
        failed = client.post(confirm_url(token))

    assert (failed.status_code, failed.json()["code"]) == (503, "STORAGE_UNAVAILABLE")
    assert next(copies) >= 2  # one copy went through, the next ones failed
    made = _final_objects(workspace)
    assert len(made) == 1  # the copy that S3 made before failing

    retry = client.post(confirm_url(token))

    assert (retry.status_code, retry.json()) == (200, {"status": "completed"})
    keys = [upload["fields"]["key"] for upload in uploads]
    recorded = set(Document.objects.filter(key__in=keys).values_list("final_key", flat=True))
    assert len(recorded) == len(uploads) and made <= recorded
    assert _final_objects(workspace) == recorded  # nothing under objects/ that no document names
