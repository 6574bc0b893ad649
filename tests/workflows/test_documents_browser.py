"""The seed's JavaScript ``fetch`` snippet in headless Chromium, against moto's S3 server on 127.0.0.1.

The snippet runs verbatim: ``createResponse`` is the JSON answer of ``/document.create`` and ``fileInput`` a real
``<input type=file>`` holding passport.pdf. The page is served by the S3 server itself (an HTML object in the
bucket), so the POST is same-origin and needs no CORS rule. The server signs with the embedded default credentials of
``make run`` (a session token included), so the snippet's ``X-Amz-Security-Token`` is a real value.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django.urls import reverse
from rest_framework.test import APIClient

from documents import s3
from tests.workflows.factories import SubjectRecordFactory
from workspaces.models import Workspace

pytestmark = pytest.mark.browser

PASSPORT_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# Verbatim from the seed (shared/seeds/002_55bfc855319dd15c.txt), Step 2, the JavaScript example.
SEED_FETCH_SNIPPET = """
// Assume you have the response from document.create stored in 'createResponse'
const { upload_url, presign_values, document_id } = createResponse.data.document;
// Create FormData with presign values
const formData = new FormData();
// Add all presign_values as form fields (ORDER MATTERS - add these first)
formData.append("Content-Type", presign_values["Content-Type"]);
formData.append("key", presign_values["key"]);
formData.append("policy", presign_values["policy"]);
formData.append("X-Amz-Algorithm", presign_values["X-Amz-Algorithm"]);
formData.append("X-Amz-Credential", presign_values["X-Amz-Credential"]);
formData.append("X-Amz-Date", presign_values["X-Amz-Date"]);
formData.append("X-Amz-Security-Token", presign_values["X-Amz-Security-Token"]);
formData.append("X-Amz-Signature", presign_values["X-Amz-Signature"]);
formData.append("x-amz-meta-document-id", presign_values["x-amz-meta-document-id"]);
// Add the file as the LAST field
formData.append("file", fileInput.files[0]);
// Upload file
const requestOptions = {
method: "POST",
body: formData,
redirect: "follow"
};
fetch(upload_url, requestOptions)
.then((response) => {
if (response.ok) {
console.log("File uploaded successfully!");
console.log("Document ID:", document_id);
// Proceed to Step 3 if you want to link to workflow requirements
} else {
console.error("Upload failed:", response.status);
}
})
.catch((error) => console.error("Upload error:", error));
"""


@pytest.mark.django_db(transaction=True)
def test_seed_fetch_snippet_uploads_verbatim(
    browser: Any, workspace: Workspace, s3_endpoint: str, session_credentials: Any, api_client: APIClient
) -> None:
    record = SubjectRecordFactory.create(workspace=workspace)
    body = {"subject_record_id": record.public_id, "file_name": "passport.pdf", "file_size_in_bytes": len(PASSPORT_PDF)}
    create_response = api_client.post(reverse("document-create"), body, format="json").json()
    document_id = create_response["data"]["document"]["document_id"]
    token = create_response["data"]["document"]["presign_values"]["X-Amz-Security-Token"]
    assert token == session_credentials.AWS_SESSION_TOKEN  # what the snippet sends, not "undefined"
    bucket = settings.AWS_STORAGE_BUCKET_NAME
    s3.s3_client().put_object(
        Bucket=bucket,
        Key="uploader.html",
        Body=b'<!doctype html><title>uploader</title><input type="file" id="passport">',
        ContentType="text/html",
        ACL="public-read",
    )
    page = browser.new_page()
    console: list[str] = []

    def on_console(message: Any) -> None:
        # The snippet's console.log / console.error lines, not the browser's own notices (the favicon's 404).
        if not message.text.startswith("Failed to load resource"):
            console.append(message.text)

    page.on("console", on_console)
    page.goto(f"{s3_endpoint}/{bucket}/uploader.html")
    page.set_input_files(
        "#passport", files=[{"name": "passport.pdf", "mimeType": "application/pdf", "buffer": PASSPORT_PDF}]
    )

    page.evaluate(
        "(createResponse) => { const fileInput = document.getElementById('passport');\n" + SEED_FETCH_SNIPPET + "}",
        create_response,
    )
    deadline = time.monotonic() + 15
    while len(console) < 2 and time.monotonic() < deadline:
        page.wait_for_timeout(100)

    assert console == ["File uploaded successfully!", f"Document ID: {document_id}"]
    document = api_client.post(reverse("document-get"), {"document_id": document_id}, format="json").json()
    assert document["data"]["document"]["upload_status"] == "UPLOADED"
    connections.close_all()  # the connection Django opened inside Playwright's greenlet
