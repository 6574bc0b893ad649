"""The seed's JavaScript `uploadToS3` helper in headless Chromium, against moto's S3 server on 127.0.0.1.

Two ways:

* the helper exactly as the seed prints it (TypeScript annotations removed), run in a page served by the S3
  server itself (an HTML object in the bucket), so the POST is same-origin and needs no CORS;
* the end-client page `/actions/<token>` served by Django's live server, which embeds the same helper and POSTs
  cross-origin to S3. moto's server answers every origin (global CORS, as `make run`'s emulator does too);
  a real bucket needs a CORS rule allowing POST from the app's origin.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from documents import s3
from documents.constants import DocumentStatus
from documents.models import Document
from tests.workflows.public_action_support import (
    PDF_BYTES,
    SEED_ROLE_ENTITY_BODY,
    SEED_ROOT_BODY,
    confirm_url,
    make_action,
    submit_url,
    upload_all,
)
from workflows.constants import PublicActionStatus
from workflows.models import PublicAction, SubjectRecord
from workspaces.models import Workspace

pytestmark = pytest.mark.browser


# The seed's helper, verbatim apart from the TypeScript annotations.
SEED_UPLOAD_TO_S3 = """
async function uploadToS3(fileUpload, fileContent) {
const formData = new FormData();
// Add all presigned fields BEFORE the file
Object.entries(fileUpload.fields).forEach(([key, value]) => {
formData.append(key, value);
});
// Add the file content last
formData.append('file', fileContent, fileUpload.fileName);
const response = await fetch(fileUpload.url, {
method: 'POST',
body: formData,
});
if (!response.ok) {
throw new Error(`Upload failed: ${response.status}`);
}
return response;
}
"""


# Transactional: Playwright runs the test body in a greenlet, where Django may open a second connection.
@pytest.mark.django_db(transaction=True)
def test_seed_upload_helper_uploads_every_returned_file(browser: Any, workspace: Workspace, s3_endpoint: str) -> None:
    action, token = make_action(workspace)
    uploads = APIClient().post(submit_url(token), SEED_ROLE_ENTITY_BODY, format="json").json()["fileUploads"]
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    s3.s3_client().put_object(
        Bucket=bucket, Key="helper.html", Body=b"<!doctype html><title>uploader</title>", ContentType="text/html"
    )
    page = browser.new_page()
    page.goto(s3.presigned_get_url("helper.html", expires_in=300))  # a page of the S3 server's own origin
    assert page.evaluate("location.origin") == s3_endpoint

    page.add_script_tag(content=SEED_UPLOAD_TO_S3)
    statuses = page.evaluate(
        """
        async ([fileUploads, pdf]) => {
          const bytes = Uint8Array.from(pdf);
          const statuses = [];
          for (const fileUpload of fileUploads) {
            const response = await uploadToS3(fileUpload, new Blob([bytes], {type: "application/pdf"}));
            statuses.push(response.status);
          }
          return statuses;
        }
        """,
        [uploads, list(PDF_BYTES)],
    )

    assert statuses == [204, 204]
    response = APIClient().post(confirm_url(token))
    assert (response.status_code, response.json()) == (200, {"status": "completed"})
    action.refresh_from_db()
    assert action.status == PublicActionStatus.COMPLETED


@pytest.mark.django_db(transaction=True)
def test_end_client_page_submits_uploads_and_confirms(browser: Any, live_server: Any, workspace: Workspace) -> None:
    action, token = make_action(workspace)
    page = browser.new_page()
    page.goto(f"{live_server.url}/actions/{token}")

    page.fill("#f-first_name", "John")
    page.fill("#f-date_of_birth", "1985-03-15")
    page.set_input_files(
        "#f-id_document", files=[{"name": "passport_scan.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}]
    )
    page.click("[data-add-entity=individual]")
    page.select_option("#rel-0-role", "director")
    page.fill("#f-role-entity-0-first_name", "Jane")
    page.fill("#f-role-entity-0-last_name", "Doe")
    page.set_input_files(
        "#f-role-entity-0-id_document",
        files=[{"name": "director_passport.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click("#submit")
    page.wait_for_selector("#status[data-state=completed], #status[data-state=error]", timeout=20_000)

    assert page.get_attribute("#status", "data-state") == "completed", page.inner_text("#status")
    action = PublicAction.objects.get(pk=action.pk)
    assert action.status == PublicActionStatus.COMPLETED
    director = SubjectRecord.objects.exclude(pk=action.workflow.subject_record_id).get()
    assert director.data["first_name"] == "Jane"
    assert director.relations_from.get().role == "director"
    documents = Document.objects.all()
    assert sorted(d.original_name for d in documents) == ["director_passport.pdf", "passport_scan.pdf"]
    assert {d.status for d in documents} == {DocumentStatus.UPLOADED}
    assert json.loads(json.dumps(action.submission.data))["first_name"] == "John"  # type: ignore[union-attr]


@pytest.mark.django_db(transaction=True)
def test_end_client_page_resumes_missing_uploads(
    browser: Any, live_server: Any, workspace: Workspace, tmp_path: Any
) -> None:
    """After a reload the page asks for the files S3 still lacks, uploads them and completes the action."""
    action, token = make_action(workspace)
    uploads = APIClient().post(submit_url(token), SEED_ROOT_BODY, format="json").json()["fileUploads"]
    upload_all(uploads[:1], tmp_path)
    page = browser.new_page()
    page.goto(f"{live_server.url}/actions/{token}")
    assert page.query_selector("#submit") is None

    page.click("#confirm")
    page.wait_for_selector(".upload input[type=file]", timeout=20_000)
    assert "utility_bill.pdf" in page.inner_text("#upload-list")
    assert page.locator(".upload").count() == 1  # only the missing file is asked for
    page.set_input_files(
        ".upload input[type=file]",
        files=[{"name": "utility_bill.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}],
    )
    page.click(".upload .retry")
    page.wait_for_selector("#status[data-state=completed], #status[data-state=error]", timeout=20_000)

    assert page.get_attribute("#status", "data-state") == "completed", page.inner_text("#status")
    assert PublicAction.objects.get(pk=action.pk).status == PublicActionStatus.COMPLETED
