"""Every /api/ failure has one shape: {"success": false, "error", "code", "details"}."""

from django.urls import reverse

from documents.models import Document


def assert_error(response, status, code):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"success", "error", "code", "details"}
    assert body["success"] is False and body["code"] == code and body["error"]
    return body


def test_unknown_api_route_is_a_json_404(api_client):
    assert_error(api_client.get("/api/no-such-endpoint"), 404, "NOT_FOUND")


def test_wrong_method_is_405(api_client):
    assert_error(api_client.post(reverse("s3-presigned-post")), 405, "METHOD_NOT_ALLOWED")


def test_unsupported_media_type_is_415(api_client):
    response = api_client.post(reverse("s3-success"), data="uuid=1", content_type="text/plain")
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


def test_malformed_json_is_400(api_client):
    response = api_client.post(reverse("s3-success"), data="{not json", content_type="application/json")
    assert_error(response, 400, "PARSE_ERROR")


def test_validation_errors_name_the_fields(api_client):
    response = api_client.post(reverse("s3-success"), {"uuid": "nope", "is_public": "x"}, format="json")
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert set(body["details"]["fields"]) == {"uuid", "is_public"}


def test_json_values_of_another_type_than_documented_are_refused_not_coerced(api_client, workspace):
    """DRF would read 0 as "0" and "1" as 1; the schema documents strings and integers, so both are 400s."""
    create = reverse("document-create")
    body = {"subject_record_id": 7, "file_name": "scan.pdf", "file_size_in_bytes": "10"}
    details = assert_error(api_client.post(create, body, format="json"), 400, "VALIDATION_ERROR")["details"]
    assert details["fields"] == {
        "subject_record_id": ["Must be a string."],
        "file_size_in_bytes": ["Must be an integer."],
    }
    batch = {"workflow_id": "w_x", "fulfillments": [{"required_document_id": "rd_a", "document_id": True}]}
    response = api_client.post(reverse("fulfillment-batch-add"), batch, format="json")
    fields = assert_error(response, 400, "VALIDATION_ERROR")["details"]["fields"]
    assert fields == {"fulfillments": [{"document_id": ["Must be a string."]}]}
    assert not Document.objects.exists()


def test_schema_and_docs_are_served(client, db):
    schema = client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert "/api/s3/presigned-post" in paths and "/api/s3/success" in paths
    assert client.get(reverse("api-docs")).status_code == 200


def test_openapi_schema_is_valid_and_every_endpoint_is_described(db, tmp_path):
    """drf-spectacular warns when it has to guess a view's shapes; a guess is not documentation."""
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert out.stat().st_size > 0


def test_health_needs_no_credentials(client):
    response = client.get(reverse("health"))
    assert response.status_code == 200 and response.json() == {"status": "ok"}
