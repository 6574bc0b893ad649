"""Workflows, their required documents and reviewer decisions in the admin; every write goes through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html

from config.errors import ApplicationError
from documents.constants import DocumentStatus
from documents.links import document_download_url
from workflows.access import workflow_is_open
from workflows.admin.review import WorkflowReviewMixin
from workflows.constants import DecisionStatus, RequiredDocumentCategory
from workflows.models import Fulfillment, RequiredDocument, Workflow
from workflows.services.requirements import (
    fulfillment_decide,
    fulfillment_decision_check,
    required_document_add,
    required_document_update,
    workflow_cancel,
    workflow_complete,
    workflow_create,
)
from workspaces.access import READ, REVIEW, Right, Rights
from workspaces.admin_base import ScopedTabularInline, WorkspaceScopedAdmin


class RequiredDocumentInlineForm(forms.ModelForm):
    name = forms.CharField(max_length=200, required=False, help_text="Defaults to the document type's name.")

    class Meta:
        model = RequiredDocument
        fields = ["document_type_code", "name", "category", "requirement_text"]


class RequiredDocumentInline(ScopedTabularInline):
    """Required documents of an open workflow: a MEMBER adds and edits them (through the services)."""

    model = RequiredDocument
    form = RequiredDocumentInlineForm
    rights = Rights(view=READ, add=REVIEW, change=REVIEW)
    extra = 1
    can_delete = False
    classes = ["stack-inline"]  # one block per row on a narrow screen (static/css/admin_workflows.css)
    fields = ["public_id", "document_type_code", "name", "category", "requirement_text", "status"]
    readonly_fields = ["public_id", "status"]

    def _may(self, request: HttpRequest, right: Right, obj: Any) -> bool:
        closed = obj is not None and obj.pk is not None and not workflow_is_open(obj)
        return super()._may(request, right, obj) and (right == "view" or not closed)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [*self.readonly_fields, *(["document_type_code"] if obj is not None else [])]

    def get_extra(self, request: HttpRequest, obj: Any = None, **kwargs: Any) -> int:
        return 1 if self.has_add_permission(request, obj) else 0


@admin.register(Workflow)
class WorkflowAdmin(WorkflowReviewMixin, WorkspaceScopedAdmin):
    """A COMPLETED or CANCELLED workflow is read-only here as in the API."""

    rights = Rights(view=READ, add=REVIEW, change=REVIEW)
    list_display = ["public_id", "type", "status", "subject_record", "workspace", "created_at"]
    list_filter = ["type", "status"]
    list_select_related = ["subject_record", "workspace"]
    search_fields = ["public_id", "subject_record__public_id", "subject_record__reference"]
    fields = ["public_id", "subject_record", "type", "workspace", "status", "created_at", "updated_at"]
    readonly_fields = ["public_id", "workspace", "status", "created_at", "updated_at"]
    inlines = [RequiredDocumentInline]
    actions = ["complete_workflows", "cancel_workflows"]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> Any:
        workflow = self.get_object(request, object_id)
        context = dict(extra_context or {})
        if workflow is not None and self.has_view_permission(request, workflow):
            context.update(self.review_context(request, workflow))
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_readonly_fields(self, request: HttpRequest, obj: Workflow | None = None) -> list[str]:
        fixed = ["subject_record", "type"] if obj is not None else []
        return [*self.readonly_fields, *fixed]

    def has_change_permission(self, request: HttpRequest, obj: Workflow | None = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or workflow_is_open(obj))

    def save_model(self, request: HttpRequest, obj: Workflow, form: Any, change: bool) -> None:
        if change:
            return  # nothing of the workflow itself is editable; its required documents are saved below
        created = workflow_create(
            workspace=obj.subject_record.workspace,
            subject_record_id=obj.subject_record.public_id,
            type=obj.type,  # type: ignore[arg-type]
            acting_user=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        workflow: Workflow = form.instance

        def save(inline_form: Any) -> None:
            instance = inline_form.instance
            fields = {
                "workspace": workflow.workspace,
                "name": instance.name,
                "category": RequiredDocumentCategory(instance.category),
                "requirement_text": instance.requirement_text,
                "acting_user": request.user,
            }
            if instance.pk is not None:
                required_document_update(required_document_id=instance.public_id, **fields)
            else:
                required_document_add(
                    workflow_id=workflow.public_id, document_type_code=instance.document_type_code, **fields
                )

        self.save_inline_forms(request, formset, save)

    def _run(self, request: HttpRequest, queryset: QuerySet[Workflow], service: Any, verb: str) -> None:
        user = request.user
        self.run_action(
            request,
            queryset.select_related("workspace"),
            "change",
            lambda workflow: service(workspace=workflow.workspace, workflow_id=workflow.public_id, acting_user=user),
            f"{verb} {{count}} workflow(s).",
        )

    @admin.action(description="Complete selected workflows (every requirement accepted)", permissions=["change"])
    def complete_workflows(self, request: HttpRequest, queryset: QuerySet[Workflow]) -> None:
        self._run(request, queryset, workflow_complete, "Completed")

    @admin.action(description="Cancel selected workflows", permissions=["change"])
    def cancel_workflows(self, request: HttpRequest, queryset: QuerySet[Workflow]) -> None:
        self._run(request, queryset, workflow_cancel, "Cancelled")


class FulfillmentDecisionForm(forms.ModelForm):
    decision = forms.ChoiceField(choices=[(DecisionStatus.ACCEPTED, "Accept"), (DecisionStatus.REJECTED, "Reject")])
    reason = forms.CharField(max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Fulfillment
        fields: list[str] = []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision"):
            try:
                fulfillment_decision_check(
                    fulfillment=self.instance, decision=DecisionStatus(data["decision"]), reason=data.get("reason", "")
                )
            except ApplicationError as exc:
                raise forms.ValidationError(exc.message) from exc
        return data


@admin.register(Fulfillment)
class FulfillmentAdmin(WorkspaceScopedAdmin):
    """A MEMBER decides a pending fulfillment; a VIEWER reads it."""

    workspace_lookup = "required_document__workflow__workspace"
    rights = Rights(view=READ, change=REVIEW)
    form = FulfillmentDecisionForm
    list_display = [
        "public_id",
        "workflow",
        "required_document",
        "document",
        "decision_status",
        "decided_by",
        "decided_at",
    ]
    list_filter = ["decision_status"]
    list_select_related = ["required_document__workflow", "subject_document__document", "decided_by"]
    search_fields = ["public_id", "required_document__public_id", "subject_document__public_id"]
    readonly_fields = [
        "public_id",
        "workflow",
        "required_document",
        "document",
        "decision_status",
        "decision_reason",
        "decided_by",
        "decided_by_api_key",
        "decided_at",
        "created_at",
    ]
    actions = ["accept_fulfillments"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # fulfillments come from workflow.requiredDocument.fulfillment.batchAdd

    def has_delete_permission(self, request: HttpRequest, obj: Fulfillment | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Fulfillment | None = None) -> bool:
        decided = obj is not None and obj.decision_status != DecisionStatus.PENDING
        return super().has_change_permission(request, obj) and not decided

    def get_fields(self, request: HttpRequest, obj: Fulfillment | None = None) -> Any:
        decides = self.has_change_permission(request, obj)
        return [*self.readonly_fields, *(["decision", "reason"] if decides else [])]

    def get_readonly_fields(self, request: HttpRequest, obj: Fulfillment | None = None) -> list[str]:
        return list(self.readonly_fields)

    @admin.display(description="Workflow")
    def workflow(self, obj: Fulfillment) -> str:
        return obj.required_document.workflow.public_id

    @admin.display(description="Document")
    def document(self, obj: Fulfillment) -> str:
        document = obj.subject_document.document
        url = document_download_url(document)
        if url is None:
            shown = document.get_scan_status_display() if document.status == DocumentStatus.UPLOADED else None
            return f"{obj.subject_document.public_id} ({shown or document.get_status_display()})"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{} ({})</a>',
            url,
            document.original_name,
            obj.subject_document.public_id,
        )

    def save_model(self, request: HttpRequest, obj: Fulfillment, form: Any, change: bool) -> None:
        try:
            fulfillment_decide(
                workspace=obj.required_document.workflow.workspace,
                fulfillment_id=obj.public_id,
                decision=DecisionStatus(form.cleaned_data["decision"]),
                reason=form.cleaned_data["reason"],
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:  # lost a race with another reviewer
            self.message_user(request, exc.message, level=messages.ERROR)

    @admin.action(description="Accept selected fulfillments", permissions=["change"])
    def accept_fulfillments(self, request: HttpRequest, queryset: QuerySet[Fulfillment]) -> None:
        user = request.user
        self.run_action(
            request,
            queryset.select_related("required_document__workflow__workspace"),
            "change",
            lambda fulfillment: fulfillment_decide(
                workspace=fulfillment.required_document.workflow.workspace,
                fulfillment_id=fulfillment.public_id,
                decision=DecisionStatus.ACCEPTED,
                reason="",
                acting_user=user,  # type: ignore[arg-type]
            ),
            "Accepted {count} fulfillment(s).",
        )
