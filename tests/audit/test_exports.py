"""GET /api/submissions/export and the admin's export action: labels, values as shown, repeats and tables as
their own sheet or file, the list's filters and visibility, the audit row, bad input."""

from __future__ import annotations

import copy
import csv
import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from audit.constants import AuditAction
from audit.models import AuditEvent
from submissions.constants import GrantTargetType, VisibilityMode
from submissions.models import Submission
from submissions.services import GrantRequest, submission_mark_read, submission_update, visibility_set
from tests.submissions.schemas import SEED_SUBMISSION_DATA
from workspaces.constants import Role

EXPORT = reverse("submission-export")
BASE = [
    "Submission ID",
    "Status",
    "Form",
    "Form version",
    "Created",
    "Updated",
    "Submitter",
    "Assignee",
    "Review state",
]
SEED_FIELDS = ["Full name", "Email", "Country", "Overall rating", "Risk flags", "Comments"]


def body(response: Any) -> bytes:
    assert response.status_code == 200, response.content
    assert response.streaming
    return b"".join(response.streaming_content)


def csv_rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode())))


def test_csv_is_a_zip_with_one_file_per_repeatable_section_and_table(
    api_client: Any, submission: Any, make_submission: Any, form_version: Any
) -> None:
    second = make_submission(form_version, data={**copy.deepcopy(SEED_SUBMISSION_DATA), "full_name": "=HYPERLINK(1)"})
    response = api_client.get(EXPORT, {"format": "csv", "sortOrder": "asc"})
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == 'attachment; filename="submissions.zip"'
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert archive.namelist() == ["submissions.csv", "Share-allocation.csv", "Shareholders.csv"]

    main = csv_rows(archive.read("submissions.csv"))
    assert main[0] == BASE + SEED_FIELDS
    first = dict(zip(main[0], main[1], strict=True))
    assert first["Submission ID"] == submission.public_id and first["Status"] == "Completed"
    assert (first["Form"], first["Form version"]) == ("Client onboarding", "1")
    # Values as the admin shows them: labels of options and countries, not stored codes.
    assert first["Risk flags"] == "High risk, Politically exposed person" and first["Country"] == "United States (US)"
    assert first["Comments"] == ""
    assert dict(zip(main[0], main[2], strict=True))["Full name"] == "'=HYPERLINK(1)"  # never a formula

    shares = csv_rows(archive.read("Share-allocation.csv"))
    assert shares[0] == ["Submission ID", "Row", "Name", "Shares", "Class"]
    assert shares[1:3] == [
        [submission.public_id, "1", "Bob", "500", "Ordinary"],
        [submission.public_id, "2", "Sarah", "500", "Preference"],
    ]
    holders = csv_rows(archive.read("Shareholders.csv"))
    assert holders[0] == ["Submission ID", "Row", "Name", "Address"]
    assert [row[0] for row in holders[1:]] == [submission.public_id] * 2 + [second.public_id] * 2
    assert holders[1][2:] == ["Bob", "123 Main St"]


def test_xlsx_has_a_sheet_per_table(api_client: Any, submission: Any) -> None:
    response = api_client.get(EXPORT, {"format": "xlsx"})
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    assert workbook.sheetnames == ["Submissions", "Share allocation", "Shareholders"]
    main = [list(row) for row in workbook["Submissions"].iter_rows(values_only=True)]
    assert main[0] == BASE + SEED_FIELDS
    assert main[1][0] == submission.public_id and main[1][9] == "Jane Smith"
    holders = [list(row) for row in workbook["Shareholders"].iter_rows(values_only=True)]
    assert holders == [
        ["Submission ID", "Row", "Name", "Address"],
        [submission.public_id, "1", "Bob", "123 Main St"],
        [submission.public_id, "2", "Sarah", "456 Oak Ave"],
    ]


def test_a_form_without_tables_exports_one_csv_and_the_export_is_audited(
    api_client: Any, publish_form: Any, make_submission: Any, workspace: Any
) -> None:
    schema = {"fields": [{"key": "name", "label": "Legal name", "type": "text"}]}
    version = publish_form(workspace, schema=schema, title="Simple")
    simple = make_submission(version, data={"name": "Acme Ltd"})
    response = api_client.get(EXPORT, {"format": "csv", "formId": version.form.public_id})
    assert response["Content-Type"] == "text/csv"
    rows = csv_rows(body(response))
    assert rows[0] == [*BASE, "Legal name"] and len(rows) == 2
    assert rows[1][:4] == [simple.public_id, "Completed", "Simple", "1"] and rows[1][-1] == "Acme Ltd"
    event = AuditEvent.objects.filter(action=AuditAction.SUBMISSIONS_EXPORTED).first()
    assert event is not None and event.actor_label == "API key test key" and event.workspace == workspace
    assert event.details["format"] == "csv" and event.details["filters"]["formId"] == version.form.public_id


def test_the_review_state_column_follows_the_assignee_and_the_unread_marker(
    api_client: Any, publish_form: Any, make_submission: Any, workspace: Any, member_of: Any
) -> None:
    version = publish_form(workspace, schema={"fields": [{"key": "name", "label": "Name", "type": "text"}]})
    nobody, assigned, opened = (make_submission(version, data={"name": n}) for n in ("a", "b", "c"))
    rita = member_of(workspace, Role.MEMBER, first_name="Rita", last_name="Reviewer")
    for case in (assigned, opened):
        submission_update(submission=case, user_id=str(rita.pk), acting_user=None)
    submission_mark_read(submission=Submission.objects.get(pk=opened.pk), acting_user=rita)
    rows = csv_rows(body(api_client.get(EXPORT, {"format": "csv", "sortOrder": "asc"})))
    shown = {row[0]: (row[7], row[8]) for row in rows[1:]}
    assert shown == {
        nobody.public_id: ("", "Unassigned"),
        assigned.public_id: ("Rita Reviewer", "Assigned, not opened"),
        opened.public_id: ("Rita Reviewer", "In review"),
    }


def test_the_list_filters_and_visibility_apply(
    api_client_for: Any,
    member_of: Any,
    workspace: Any,
    other_workspace: Any,
    form_version: Any,
    make_submission: Any,
    publish_form: Any,
) -> None:
    shown = make_submission(form_version)
    hidden = make_submission(form_version)
    visibility_set(submission=hidden, mode=VisibilityMode.RESTRICTED, grants=[], acting_user=None)
    make_submission(form_version, status="DRAFT")  # drafts are left out, as in the list
    make_submission(publish_form(other_workspace))
    viewer = api_client_for(workspace, user=member_of(workspace, Role.MEMBER), role=Role.MEMBER)

    ids = [
        row[0]
        for row in csv_rows(
            zipfile.ZipFile(io.BytesIO(body(viewer.get(EXPORT, {"format": "csv"})))).read("submissions.csv")
        )[1:]
    ]
    assert ids == [shown.public_id]
    grantee = member_of(workspace, Role.MEMBER)
    visibility_set(
        submission=hidden,
        mode=VisibilityMode.RESTRICTED,
        grants=[GrantRequest(target_type=GrantTargetType.USER, target_id=str(grantee.pk))],
        acting_user=None,
    )
    granted = api_client_for(workspace, user=grantee, role=Role.MEMBER)
    archive = zipfile.ZipFile(io.BytesIO(body(granted.get(EXPORT, {"format": "csv", "search": hidden.public_id}))))
    assert [row[0] for row in csv_rows(archive.read("submissions.csv"))[1:]] == [hidden.public_id]


def test_a_viewer_may_not_export(api_client_for: Any, member_of: Any, workspace: Any, submission: Any) -> None:
    viewer = api_client_for(workspace, user=member_of(workspace, Role.VIEWER), role=Role.VIEWER)
    response = viewer.get(EXPORT, {"format": "csv"})
    assert response.status_code == 403 and response.json()["code"] == "INSUFFICIENT_ROLE"
    assert not AuditEvent.objects.filter(action=AuditAction.SUBMISSIONS_EXPORTED).exists()


@pytest.mark.parametrize(
    "query",
    [{}, {"format": "pdf"}, {"format": ""}, {"format": "csv", "status": "NOPE"}, {"format": "csv", "dateFrom": "x"}],
)
def test_bad_input_is_a_400_and_exports_nothing(api_client: Any, submission: Any, query: dict[str, str]) -> None:
    response = api_client.get(EXPORT, query)
    assert response.status_code == 400, response.content
    assert response.json()["success"] is False and response.json()["code"] == "VALIDATION_ERROR"
    assert not AuditEvent.objects.filter(action=AuditAction.SUBMISSIONS_EXPORTED).exists()


def test_the_admin_exports_the_selected_rows(
    client: Any, member_of: Any, workspace: Any, form_version: Any, make_submission: Any
) -> None:
    chosen, other = make_submission(form_version), make_submission(form_version)
    reviewer = member_of(workspace, Role.MEMBER, is_staff=True, username="rita")
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:submissions_submission_changelist"),
        {"action": "export_xlsx", "_selected_action": [chosen.pk]},
    )
    workbook = openpyxl.load_workbook(io.BytesIO(body(response)), read_only=True)
    ids = [row[0] for row in workbook["Submissions"].iter_rows(min_row=2, values_only=True)]
    assert ids == [chosen.public_id] and other.public_id not in ids
    event = AuditEvent.objects.get(action=AuditAction.SUBMISSIONS_EXPORTED)
    assert event.actor_user == reviewer and event.details["via"] == "admin"


def test_the_admin_sends_a_selection_over_the_threshold_to_the_export_jobs_page(
    client: Any, member_of: Any, workspace: Any, form_version: Any, make_submission: Any, settings: Any
) -> None:
    settings.EXPORT_ASYNC_THRESHOLD_ROWS = 2
    rows = [make_submission(form_version) for _ in range(3)]
    reviewer = member_of(workspace, Role.MEMBER, is_staff=True, username="rita")
    client.force_login(reviewer)
    response = client.post(
        reverse("admin:submissions_submission_changelist"),
        {"action": "export_csv", "_selected_action": [row.pk for row in rows]},
        follow=True,
    )
    assert response.status_code == 200 and not response.streaming
    text = response.content.decode()
    assert "More than 2 submissions are selected" in text
    assert reverse("admin:submissions_exportjob_add") in text
    assert not AuditEvent.objects.filter(action=AuditAction.SUBMISSIONS_EXPORTED).exists()
