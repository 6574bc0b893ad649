"""Workflows, required documents and decisions in the admin: created through the services, scoped per workspace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import Permission, User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from tests.workflows.factories import (
    RequiredDocumentFactory,
    SubjectRecordFactory,
    WorkflowFactory,
    uploaded_subject_document,
)
from workflows.constants import RequiredDocumentStatus, WorkflowStatus
from workflows.models import Fulfillment, RequiredDocument, Workflow
from workspaces.constants import Role
from workspaces.models import Workspace


def staff_member(workspace: Workspace, member_of: Callable[..., Any]) -> User:
    user = member_of(workspace, Role.ADMIN, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="workflows"))
    return user


def inline_management(prefix: str = "required_documents", total: int = 1) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": 0,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def test_staff_create_a_workflow_with_required_documents(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    user = staff_member(workspace, member_of)
    client.force_login(user)
    record = SubjectRecordFactory.create(workspace=workspace)

    response = client.post(
        reverse("admin:workflows_workflow_add"),
        {
            "subject_record": record.pk,
            "type": "ACCOUNT_PROVISIONING",
            **inline_management(total=2),
            "required_documents-0-document_type_code": "ARTICLES_OF_INCORPORATION",
            "required_documents-0-name": "",
            "required_documents-0-category": "REQUIREMENT",
            "required_documents-0-requirement_text": "Certified copy",
            "required_documents-1-document_type_code": "BANK_STATEMENT",
            "required_documents-1-name": "Statements",
            "required_documents-1-category": "OPTIONAL",
            "required_documents-1-requirement_text": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:3000]
    workflow = Workflow.objects.get()
    assert workflow.workspace == workspace
    assert workflow.subject_record == record
    assert workflow.public_id.startswith("w_")
    required = list(
        RequiredDocument.objects.filter(workflow=workflow)
        .order_by("id")
        .values_list("document_type_code", "name", "category")
    )
    assert required == [
        ("ARTICLES_OF_INCORPORATION", "Articles of Incorporation", "REQUIREMENT"),
        ("BANK_STATEMENT", "Statements", "OPTIONAL"),
    ]


def test_staff_cannot_attach_another_workspaces_subject_record(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    client.force_login(staff_member(workspace, member_of))
    foreign = SubjectRecordFactory.create(workspace=other_workspace)

    response = client.post(
        reverse("admin:workflows_workflow_add"),
        {"subject_record": foreign.pk, "type": "BUSINESS_APPLICATION", **inline_management(total=0)},
    )

    assert response.status_code == 200  # the form is shown again with the error
    assert "subject_record" in response.context["adminform"].form.errors
    assert Workflow.objects.count() == 0


def test_changelist_is_scoped_and_its_queries_do_not_grow(
    client: Client,
    workspace: Workspace,
    other_workspace: Workspace,
    member_of: Callable[..., Any],
    django_assert_max_num_queries: Any,
) -> None:
    client.force_login(staff_member(workspace, member_of))
    mine = [WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace)) for _ in range(8)]
    theirs = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=other_workspace))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:workflows_workflow_changelist"))

    html = response.content.decode()
    assert all(workflow.public_id in html for workflow in mine)
    assert theirs.public_id not in html
    assert client.get(reverse("admin:workflows_workflow_change", args=[theirs.pk])).status_code == 302  # not found


def test_complete_action_refuses_outstanding_requirements_and_completes_accepted_ones(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    client.force_login(staff_member(workspace, member_of))
    blocked = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    RequiredDocumentFactory.create(workflow=blocked)
    ready = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    RequiredDocumentFactory.create(workflow=ready, status=RequiredDocumentStatus.ACCEPTED)

    response = client.post(
        reverse("admin:workflows_workflow_changelist"),
        {"action": "complete_workflows", "_selected_action": [blocked.pk, ready.pk]},
    )

    assert response.status_code == 302
    blocked.refresh_from_db()
    ready.refresh_from_db()
    assert blocked.status == WorkflowStatus.OPEN
    assert ready.status == WorkflowStatus.COMPLETED
    texts = [str(message) for message in get_messages(response.wsgi_request)]
    assert any(blocked.public_id in text and "ACCEPTED" in text for text in texts)


def test_reviewer_rejects_with_a_reason_in_the_admin(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    user = staff_member(workspace, member_of)
    client.force_login(user)
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    requirement = RequiredDocumentFactory.create(workflow=workflow, status=RequiredDocumentStatus.PENDING_REVIEW)
    fulfillment = Fulfillment.objects.create(
        required_document=requirement, subject_document=uploaded_subject_document(workflow.subject_record)
    )
    url = reverse("admin:workflows_fulfillment_change", args=[fulfillment.pk])
    assert "scan.pdf" in client.get(url).content.decode()

    without_reason = client.post(url, {"decision": "REJECTED", "reason": ""})
    assert without_reason.status_code == 200
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == "PENDING"

    response = client.post(url, {"decision": "REJECTED", "reason": "Expired passport"})

    assert response.status_code == 302
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == "REJECTED"
    assert fulfillment.decision_reason == "Expired passport"
    assert fulfillment.decided_by == user
    assert RequiredDocument.objects.get(pk=requirement.pk).status == RequiredDocumentStatus.REJECTED
    # A decision is final: the page is read-only and refuses a second one.
    again = client.post(url, {"decision": "ACCEPTED", "reason": ""})
    assert again.status_code == 403
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == "REJECTED"


def test_fulfillments_of_another_workspace_are_hidden(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    client.force_login(staff_member(workspace, member_of))
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=other_workspace))
    fulfillment = Fulfillment.objects.create(
        required_document=RequiredDocumentFactory.create(workflow=workflow),
        subject_document=uploaded_subject_document(workflow.subject_record),
    )

    listing = client.get(reverse("admin:workflows_fulfillment_changelist"))

    assert fulfillment.public_id not in listing.content.decode()
    accept = client.post(
        reverse("admin:workflows_fulfillment_changelist"),
        {"action": "accept_fulfillments", "_selected_action": [fulfillment.pk]},
    )
    assert accept.status_code in (200, 302)
    fulfillment.refresh_from_db()
    assert fulfillment.decision_status == "PENDING"


def test_fulfillment_changelist_queries_do_not_grow(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    client.force_login(staff_member(workspace, member_of))
    workflow = WorkflowFactory.create(subject_record=SubjectRecordFactory.create(workspace=workspace))
    fulfillments = [
        Fulfillment.objects.create(
            required_document=RequiredDocumentFactory.create(workflow=workflow),
            subject_document=uploaded_subject_document(workflow.subject_record),
        )
        for _ in range(10)
    ]

    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:workflows_fulfillment_changelist"))

    html = response.content.decode()
    assert all(fulfillment.public_id in html for fulfillment in fulfillments)
