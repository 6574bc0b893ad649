"""``manage.py sweep_uploads``: upload keys a still-valid presign refilled, and uploads nobody confirmed."""

from datetime import timedelta

import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from documents import s3
from documents.models import Document
from tests.uploads import pdf_bytes, png_bytes, post_to_s3, run_scans


def presign(client, filename="report.pdf", contenttype="application/pdf"):
    query = {"filename": filename, "contenttype": contenttype, "source": "field_value"}
    return client.get(reverse("s3-presigned-post"), query).json()


def success(client, presigned):
    return client.post(reverse("s3-success"), {"uuid": presigned["s3object_id"]}, format="json")


def expire_all() -> None:
    Document.objects.update(upload_expires_at=timezone.now() - timedelta(hours=1))


def sweep() -> None:
    call_command("sweep_uploads", stdout=None)


def test_a_rejected_key_refilled_is_removed_by_the_sweep(api_client):
    presigned = presign(api_client)
    post_to_s3(presigned["url"], presigned["fields"], png_bytes())
    assert success(api_client, presigned).json()["code"] == "UPLOAD_REJECTED"
    assert post_to_s3(presigned["url"], presigned["fields"], pdf_bytes()).status_code == 204  # refilled
    key = presigned["fields"]["key"]
    assert s3.head_object(key) is not None

    sweep()

    assert s3.head_object(key) is None
    assert Document.objects.get().status == "REJECTED"


def test_an_accepted_key_refilled_is_removed_by_the_sweep_and_the_file_stays(api_client):
    presigned = presign(api_client)
    content = pdf_bytes()
    post_to_s3(presigned["url"], presigned["fields"], content)
    success(api_client, presigned)
    post_to_s3(presigned["url"], presigned["fields"], b"%PDF-1.4 <html><script>x</script>")

    sweep()
    run_scans()  # the scan reads the final object: the refill changes nothing it serves
    record = success(api_client, presigned).json()

    assert s3.head_object(presigned["fields"]["key"]) is None
    assert requests.get(record["url"], timeout=10).content == content


def test_the_sweep_settles_expired_uploads_and_removes_unused_presigns(api_client):
    arrived = presign(api_client)
    post_to_s3(arrived["url"], arrived["fields"], pdf_bytes())  # uploaded in time, never confirmed
    bad = presign(api_client, "logo.png", "image/png")
    post_to_s3(bad["url"], bad["fields"], pdf_bytes())
    unused = presign(api_client)
    expire_all()

    sweep()

    assert s3.head_object(arrived["fields"]["key"]) is None and s3.head_object(bad["fields"]["key"]) is None
    documents = {str(document.uuid): document for document in Document.objects.all()}
    assert documents[arrived["s3object_id"]].status == "UPLOADED"
    assert s3.head_object(documents[arrived["s3object_id"]].final_key) is not None
    assert documents[bad["s3object_id"]].status == "REJECTED"
    assert documents[bad["s3object_id"]].problem == "content_check_failed"
    assert unused["s3object_id"] not in documents  # expired, never used, referenced by nothing


def test_the_sweep_leaves_live_uploads_alone(api_client):
    presigned = presign(api_client)
    post_to_s3(presigned["url"], presigned["fields"], pdf_bytes())

    sweep()

    assert s3.head_object(presigned["fields"]["key"]) is not None
    assert Document.objects.get().status == "AWAITING_UPLOAD"
