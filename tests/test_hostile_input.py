"""Hostile input gets a 4xx with the standard body on every JSON route, writes nothing, and echoes little."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from submissions.models import Submission
from submissions.services import form_create, form_publish
from tests.rows import row_counts
from tests.workflows.public_action_support import SEED_ROLE_ENTITY_BODY, make_action, seed_body, submit_url
from workspaces.models import Workspace
from workspaces.services import api_key_create

DEEP = "[" * 10_000 + "]" * 10_000


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"success", "error", "code", "details"} and body["success"] is False
    if code is not None:
        assert body["code"] == code, body
    return body


@pytest.fixture
def form_id(workspace: Workspace) -> str:
    schema = {"fields": [{"key": "full_name", "label": "Name", "type": "text"}]}
    form = form_create(workspace=workspace, title="Hostile", schema=schema, acting_user=None)
    return form_publish(form=form, acting_user=None).form.public_id


@pytest.fixture
def token(workspace: Workspace) -> str:
    return make_action(workspace)[1]


def post_raw(client: Client, url: str, raw: str) -> Any:
    return client.generic("POST", url, raw.encode("utf-8", "surrogatepass"), content_type="application/json")


def test_json_nested_ten_thousand_deep_is_a_400_on_every_kind_of_route(api_client: APIClient, token: str) -> None:
    before = row_counts()
    for url in [reverse("submission-list"), submit_url(token), reverse("document-create"), reverse("workflow-get")]:
        body = assert_error(post_raw(api_client, url, DEEP), 400, "PARSE_ERROR")
        assert "nested deeper" in body["error"]
    # Shallow enough to parse, deeper than any form or submission needs: the same answer.
    assert_error(post_raw(api_client, reverse("submission-list"), "[" * 40 + "]" * 40), 400, "PARSE_ERROR")
    assert row_counts() == before


@pytest.mark.parametrize(
    "raw",
    [
        '{"formId": "%s", "data": {"full_name": "\\ud800"}}',
        '{"formId": "%s", "data": {"full_name": "Jane\\u0000"}}',
        '{"formId": "%s", "data": {"full_name": "Jane"}, "metadata": {"source": "\\udfff"}}',
        '{"formId": "%s", "data": {"full_name": "Jane"}, "metadata": {"so\\u0000urce": "api"}}',
    ],
)
def test_unstorable_strings_in_a_submission_are_a_400(api_client: APIClient, form_id: str, raw: str) -> None:
    before = row_counts()
    body = assert_error(post_raw(api_client, reverse("submission-list"), raw % form_id), 400, "PARSE_ERROR")
    assert "$.data.full_name" in body["error"] or "$.metadata" in body["error"]
    assert row_counts() == before


def test_unstorable_strings_in_a_patch_change_nothing(api_client: APIClient, form_id: str) -> None:
    body = {"formId": form_id, "data": {"full_name": "Jane"}}
    created = api_client.post(reverse("submission-list"), body, format="json").json()
    url = reverse("submission-detail", args=[created["id"]])
    before = row_counts()
    for raw in ['{"data": {"full_name": "\\ud83d"}}', '{"metadata": {"x": "\\u0000"}}']:
        request = api_client.generic("PATCH", url, raw, content_type="application/json")
        assert_error(request, 400, "PARSE_ERROR")
    assert row_counts() == before
    assert Submission.objects.get(public_id=created["id"]).data == {"full_name": "Jane"}


def test_a_nul_in_a_role_entity_reference_or_a_surrogate_in_a_public_submit_is_a_400(token: str) -> None:
    client = Client()
    body = seed_body(SEED_ROLE_ENTITY_BODY)
    body["role-entity"][1]["reference"] = "owner\x00ref"
    before = row_counts()
    assert_error(client.post(submit_url(token), json.dumps(body), content_type="application/json"), 400)
    assert_error(post_raw(client, submit_url(token), '{"first_name": "\\ud800"}'), 400, "PARSE_ERROR")
    assert row_counts() == before


def test_a_nul_in_the_url_is_a_400_in_the_standard_body(api_client: APIClient) -> None:
    assert_error(api_client.get("/api/submissions/SUB-%00"), 400, "BAD_REQUEST")
    assert_error(api_client.get(reverse("submission-list") + "?search=a%00b"), 400, "BAD_REQUEST")
    assert_error(Client().post("/v3/public/actions/x%00y", {}, content_type="application/json"), 400)


def test_out_of_range_pages_and_dates_are_a_400(api_client: APIClient) -> None:
    for url in [
        reverse("form-list") + f"?page={10**20}",
        reverse("submission-list") + f"?page={10**20}",
        reverse("submission-list") + f"?submittedBy={10**20}",
        reverse("submission-list") + "?dateFrom=0001-01-01&dateTo=9999-12-31",
        reverse("submission-list") + "?dateTo=9999-12-31T23:59:59-14:00",
        reverse("submission-stats") + "?dateTo=9999-12-31",
        reverse("submission-stats") + "?dateFrom=0001-01-01",
    ]:
        assert_error(api_client.get(url), 400, "VALIDATION_ERROR")
    # The bounds themselves are served.
    assert api_client.get(reverse("submission-list") + "?dateFrom=1900-01-01&dateTo=9998-12-31").status_code == 200


def test_an_empty_choice_is_refused_rather_than_read_as_any(api_client: APIClient) -> None:
    for url in [reverse("submission-list") + "?status=", reverse("form-list") + "?status=", "/api/submissions?sortBy="]:
        body = assert_error(api_client.get(url), 400, "VALIDATION_ERROR")
        assert set(body["details"]["fields"]) <= {"status", "sortBy"}
    # An empty free-text parameter still means "not given".
    assert api_client.get(reverse("submission-list") + "?search=").status_code == 200


def test_an_empty_date_or_number_is_refused_as_the_schema_documents(api_client: APIClient) -> None:
    """The schema gives these a format (date, integer) or a minimum length that an empty value does not meet."""
    for url, field in [
        (reverse("submission-stats") + "?dateTo=", "dateTo"),
        (reverse("submission-list") + "?dateFrom=", "dateFrom"),
        (reverse("form-list") + "?page=", "page"),
        (reverse("s3-success") + "?source=", "source"),
    ]:
        response = api_client.post(url, {}, format="json") if "success" in url else api_client.get(url)
        assert field in assert_error(response, 400, "VALIDATION_ERROR")["details"]["fields"]


def test_metadata_is_bounded_in_size_and_depth(api_client: APIClient, form_id: str) -> None:
    before = row_counts()
    deep: dict[str, Any] = {"leaf": 1}
    for _ in range(6):
        deep = {"level": deep}
    for metadata in [{"blob": "x" * 20_000}, deep]:
        body = {"formId": form_id, "data": {"full_name": "Jane"}, "metadata": metadata}
        response = api_client.post(reverse("submission-list"), body, format="json")
        assert "metadata" in assert_error(response, 400, "VALIDATION_ERROR")["details"]["fields"]
    assert row_counts() == before


def test_a_body_over_the_limit_is_a_413_in_the_standard_body(
    api_client: APIClient, form_id: str, token: str, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    before = row_counts()
    body = json.dumps({"formId": form_id, "data": {"full_name": "x" * 10_000}})
    assert_error(post_raw(api_client, reverse("submission-list"), body), 413, "REQUEST_TOO_LARGE")
    assert_error(post_raw(Client(), submit_url(token), json.dumps({"first_name": "x" * 10_000})), 413)
    assert row_counts() == before
    # The answer is documented on every operation that takes a body.
    schema = Client().get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "413" in schema["paths"]["/api/submissions"]["post"]["responses"]
    assert "413" in schema["paths"]["/v3/public/actions/{token}"]["post"]["responses"]
    # A page's form post is bounded by Django itself, and answered with the site's HTML page.
    response = Client().post(reverse("admin:login"), {"username": "x" * 10_000, "password": "y"})
    assert response.status_code == 413 and b"Request too large" in response.content


def test_refusals_quote_bad_input_as_a_short_excerpt(api_client: APIClient, form_id: str) -> None:
    key = "k" * 1_000_000
    response = api_client.post(reverse("submission-list"), {"formId": form_id, "data": {key: 1}}, format="json")
    assert_error(response, 400, "VALIDATION_ERROR")
    assert len(response.content) < 2_000


def test_non_page_routes_answer_errors_in_json_and_pages_in_the_sites_html(
    api_client: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    for url in ["/api/nothing", "/v3/public/nothing", "/workflow.nothing", "/document.nothing"]:
        assert_error(api_client.post(url), 404, "NOT_FOUND")
    page = Client().get("/nothing-here/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
    assert b"Page not found" in page.content and b"Compliance intake" in page.content

    def broken(**_: Any) -> None:
        raise RuntimeError("unexpected")

    monkeypatch.setattr("workflows.api.documents.workflow_get", broken)
    api_client.raise_request_exception = False
    assert_error(api_client.post(reverse("workflow-get"), {"workflow_id": "w_x"}, format="json"), 500, "INTERNAL_ERROR")
    monkeypatch.setattr("workspaces.views.render", broken)
    page = Client(raise_request_exception=False).get(reverse("home"))
    assert page.status_code == 500 and b"Something went wrong" in page.content


def test_bidirectional_overrides_are_stripped_from_names_and_file_names(workspace: Workspace) -> None:
    action, token = make_action(workspace)
    body = {"first_name": "Jo\u202ehn", "id_document": "invoice\u202efdp.exe.pdf"}
    response = Client().post(submit_url(token), body, content_type="application/json")
    assert response.status_code == 200, response.content
    uploads = response.json()["fileUploads"]
    assert uploads[0]["fileName"] == "invoicefdp.exe.pdf"
    root = action.workflow.subject_record
    root.refresh_from_db()
    assert root.data["first_name"] == "John"


def test_ids_past_bigint_or_not_ascii_digits_are_refused_not_overflowed(
    api_client: APIClient, form_id: str, workspace: Workspace
) -> None:
    _, raw_key = api_key_create(workspace=workspace, name="acting", acting_user=None)
    body = {"formId": form_id, "data": {"full_name": "Jane"}}
    created = api_client.post(reverse("submission-list"), body, format="json").json()
    url = reverse("submission-detail", args=[created["id"]])
    for user_id in ["9" * 30, "²", "-1"]:
        assert_error(api_client.patch(url, {"userId": user_id}, format="json"), 400, "INVALID_ASSIGNEE")
        grant = {"targetType": "user", "targetId": user_id, "accessLevel": "viewer"}
        visibility = reverse("submission-visibility", args=[created["id"]])
        response = api_client.put(visibility, {"mode": "restricted", "grants": [grant]}, format="json")
        assert_error(response, 400, "INVALID_GRANT")
        acting_as = APIClient()
        acting_as.credentials(HTTP_X_API_KEY=raw_key, HTTP_X_USER_ID=user_id)
        assert_error(acting_as.get(reverse("form-list")), 403, "WORKSPACE_ACCESS_DENIED")
    # The page size is clamped, not refused: a huge limit is the largest page.
    assert api_client.get(reverse("form-list") + f"?limit={10**30}").json()["pagination"]["limit"] == 100
