"""The seed's own upload examples, run against the server over HTTP and the S3 emulator.

The Python ``requests`` snippet runs verbatim; its ``response_data`` is the JSON answer of ``/document.create``
called over HTTP. The curl command runs as the seed writes it, with the placeholders replaced by the real values.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path
from typing import Any

import pytest
import requests
from django.urls import reverse

from tests.uploads import pdf_bytes, run_scans
from tests.workflows.factories import SubjectRecordFactory
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.services import api_key_create

PASSPORT_PDF = pdf_bytes()  # a real PDF: the scan opens it before it is served

# Verbatim from the seed (shared/seeds/002_55bfc855319dd15c.txt), Step 2, the Python example.
SEED_PYTHON_SNIPPET = textwrap.dedent(
    """\
    import requests
    # Assume you have the response from document.create
    upload_url = response_data["data"]["document"]["upload_url"]
    presign_values = response_data["data"]["document"]["presign_values"]
    document_id = response_data["data"]["document"]["document_id"]
    # Open the file
    with open("passport.pdf", "rb") as file:
        # Create multipart form data with presign values
        files = {
            "Content-Type": (None, presign_values["Content-Type"]),
            "key": (None, presign_values["key"]),
            "policy": (None, presign_values["policy"]),
            "X-Amz-Algorithm": (None, presign_values["X-Amz-Algorithm"]),
            "X-Amz-Credential": (None, presign_values["X-Amz-Credential"]),
            "X-Amz-Date": (None, presign_values["X-Amz-Date"]),
            "X-Amz-Security-Token": (None, presign_values["X-Amz-Security-Token"]),
            "X-Amz-Signature": (None, presign_values["X-Amz-Signature"]),
            "x-amz-meta-document-id": (None, presign_values["x-amz-meta-document-id"]),
            "file": file
        }
        # Upload file
        response = requests.post(upload_url, files=files)
        if response.status_code == 204:
            print(f"File uploaded successfully! Document ID: {document_id}")
            # Proceed to Step 3 if you want to link to workflow requirements
        else:
            print(f"Upload failed: {response.status_code}")
    """
)

# Verbatim from the seed, Step 2, the curl example (placeholders in capitals are filled in).
SEED_CURL = """curl -X POST "UPLOAD_URL" \\
-F "Content-Type=application/pdf" \\
-F "key=KEY" \\
-F "policy=AMZ_POLICY_BASE64_ENCODED_STRING" \\
-F "X-Amz-Algorithm=AWS4-HMAC-SHA256" \\
-F "X-Amz-Credential=AMZ_CREDENTIAL" \\
-F "X-Amz-Date=AMZ_DATE" \\
-F "X-Amz-Security-Token=AMZ_SECURITY_TOKEN" \\
-F "X-Amz-Signature=AMZ_SIGNATURE" \\
-F "x-amz-meta-document-id=DOCUMENT_ID" \\
-F "file=@FILE_PATH\""""


def api_headers(workspace: Workspace) -> dict[str, str]:
    _, raw_key = api_key_create(workspace=workspace, name="seed snippets", acting_user=None, role=Role.ADMIN)
    return {"X-API-KEY": raw_key}


def document_create_over_http(base_url: str, headers: dict[str, str], subject_record_id: str, size: int) -> Any:
    body = {"subject_record_id": subject_record_id, "file_name": "passport.pdf", "file_size_in_bytes": size}
    response = requests.post(f"{base_url}{reverse('document-create')}", json=body, headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def document_get_over_http(base_url: str, headers: dict[str, str], document_id: str) -> dict[str, Any]:
    response = requests.post(
        f"{base_url}{reverse('document-get')}", json={"document_id": document_id}, headers=headers, timeout=10
    )
    assert response.status_code == 200, response.text
    return dict(response.json()["data"]["document"])


def test_seed_python_snippet_uploads_verbatim(
    live_server: Any,
    workspace: Workspace,
    session_credentials: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    record = SubjectRecordFactory.create(workspace=workspace)
    headers = api_headers(workspace)
    monkeypatch.chdir(tmp_path)
    Path("passport.pdf").write_bytes(PASSPORT_PDF)
    response_data = document_create_over_http(live_server.url, headers, record.public_id, len(PASSPORT_PDF))
    document_id = response_data["data"]["document"]["document_id"]

    exec(compile(SEED_PYTHON_SNIPPET, "seed_snippet.py", "exec"), {"response_data": response_data})

    assert capsys.readouterr().out.strip() == f"File uploaded successfully! Document ID: {document_id}"
    document = document_get_over_http(live_server.url, headers, document_id)
    assert document["upload_status"] == "UPLOADED"
    assert document["file_size_in_bytes"] == len(PASSPORT_PDF)
    run_scans()
    document = document_get_over_http(live_server.url, headers, document_id)
    assert requests.get(document["download_url"], timeout=10).content == PASSPORT_PDF


def test_seed_curl_command_uploads(
    live_server: Any, workspace: Workspace, session_credentials: Any, tmp_path: Path
) -> None:
    record = SubjectRecordFactory.create(workspace=workspace)
    headers = api_headers(workspace)
    passport = tmp_path / "passport.pdf"
    passport.write_bytes(PASSPORT_PDF)
    document = document_create_over_http(live_server.url, headers, record.public_id, len(PASSPORT_PDF))["data"][
        "document"
    ]
    values = document["presign_values"]
    command = SEED_CURL
    for placeholder, value in (
        ("UPLOAD_URL", document["upload_url"]),
        ("KEY", values["key"]),
        ("AMZ_POLICY_BASE64_ENCODED_STRING", values["policy"]),
        ("AMZ_CREDENTIAL", values["X-Amz-Credential"]),
        ("AMZ_DATE", values["X-Amz-Date"]),
        ("AMZ_SECURITY_TOKEN", values["X-Amz-Security-Token"]),
        ("AMZ_SIGNATURE", values["X-Amz-Signature"]),
        ("DOCUMENT_ID", values["x-amz-meta-document-id"]),
        ("FILE_PATH", str(passport)),
    ):
        command = command.replace(placeholder, value)
    # Only an observation is added: print the HTTP status.
    command += " -s -o /dev/null -w '%{http_code}'"

    result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=30, check=False)

    assert result.returncode == 0, result.stderr
    assert result.stdout == "204"
    assert document_get_over_http(live_server.url, headers, document["document_id"])["upload_status"] == "UPLOADED"
