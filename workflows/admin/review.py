"""The reviewer's panels of the workflow page: ownership, requirements with their fulfillments and decisions,
revision requests and client links. Each button posts to a small view here that calls a service."""

from __future__ import annotations

import functools
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from config.errors import ApplicationError
from workflows.access import workflow_is_open
from workflows.constants import DecisionStatus
from workflows.models import PublicAction, RevisionRequest, Workflow
from workflows.selectors.ownership import workflow_ownership
from workflows.selectors.public_actions import public_action_list
from workflows.selectors.requirements import workflow_requirements_review
from workflows.selectors.revisions import workflow_revision_requests
from workflows.services.public_actions import public_action_revoke
from workflows.services.requirements import fulfillment_decide, workflow_complete
from workflows.services.revisions import revision_request_create, revision_request_revoke

# The session key of a link just made: shown once on the workflow page, with a copy button, then forgotten.
NEW_LINK_SESSION_KEY = "workflows:new-link"


def remember_new_link(request: HttpRequest, workflow: Workflow, url: str, label: str) -> None:
    request.session[NEW_LINK_SESSION_KEY] = {"workflow": workflow.pk, "url": url, "label": label}


class PostOnly(Exception):
    """A button's view asked for with GET: 405 (after the object's rights were checked, so a stranger gets 403)."""


def _post_only(view: Any) -> Any:
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PostOnly:
            return HttpResponseNotAllowed(["POST"])

    return wrapped


class WorkflowReviewMixin:
    """Mixed into WorkflowAdmin: the panels' context and the views their buttons post to."""

    admin_site: admin.AdminSite

    def review_context(self, request: HttpRequest, workflow: Workflow) -> dict[str, Any]:
        new_link = request.session.get(NEW_LINK_SESSION_KEY)
        if new_link and new_link.get("workflow") == workflow.pk:
            del request.session[NEW_LINK_SESSION_KEY]
        else:
            new_link = None
        may_review = self.has_change_permission(request, workflow)  # type: ignore[attr-defined]
        return {
            "ownership": workflow_ownership(workflow=workflow),
            "requirements": workflow_requirements_review(workflow=workflow),
            "revisions": workflow_revision_requests(workflow=workflow),
            "links": list(public_action_list(workspace=workflow.workspace).filter(workflow=workflow)),
            "may_review": may_review,
            "workflow_open": workflow_is_open(workflow),
            "new_link": new_link,
            "add_link_url": reverse("admin:workflows_publicaction_add") + f"?workflow={workflow.pk}",
        }

    def get_urls(self) -> list[Any]:
        def wrap(view: Any) -> Any:  # the admin's login and CSRF checks
            return self.admin_site.admin_view(_post_only(view))

        own = [
            path("<path:object_id>/decide/", wrap(self.decide_view), name="workflows_workflow_decide"),
            path("<path:object_id>/revision/", wrap(self.revision_view), name="workflows_workflow_revision"),
            path("<path:object_id>/revoke/", wrap(self.revoke_view), name="workflows_workflow_revoke"),
            path("<path:object_id>/complete/", wrap(self.complete_view), name="workflows_workflow_complete"),
        ]
        return own + super().get_urls()  # type: ignore[misc]

    def _workflow_for_review(self, request: HttpRequest, object_id: str) -> Workflow:
        workflow = self.get_object(request, object_id)  # type: ignore[attr-defined]
        if workflow is None:
            raise PermissionDenied
        if not self.has_change_permission(request, workflow):  # type: ignore[attr-defined]
            raise PermissionDenied  # no reviewer role here, or the workflow is completed or cancelled
        if request.method != "POST":
            raise PostOnly
        return workflow

    def _back(self, workflow: Workflow, anchor: str) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:workflows_workflow_change", args=[workflow.pk]) + anchor)

    def _fail(self, request: HttpRequest, exc: ApplicationError) -> None:
        self.message_user(request, exc.message, level=messages.ERROR)  # type: ignore[attr-defined]

    @staticmethod
    def _text(request: HttpRequest, name: str) -> str:
        return str(request.POST.get(name, ""))

    def decide_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        workflow = self._workflow_for_review(request, object_id)
        decision = self._text(request, "decision")
        if decision not in (DecisionStatus.ACCEPTED, DecisionStatus.REJECTED):
            self.message_user(request, "Choose accept or reject.", level=messages.ERROR)  # type: ignore[attr-defined]
            return self._back(workflow, "#requirements")
        try:
            fulfillment = fulfillment_decide(
                workspace=workflow.workspace,
                fulfillment_id=self._text(request, "fulfillment_id"),
                decision=DecisionStatus(decision),
                reason=self._text(request, "reason"),
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            self._fail(request, exc)
        else:
            verb = "Accepted" if decision == DecisionStatus.ACCEPTED else "Rejected"
            self.message_user(request, f"{verb} {fulfillment.subject_document.document.original_name}.")  # type: ignore[attr-defined]
        return self._back(workflow, "#requirements")

    def revision_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        workflow = self._workflow_for_review(request, object_id)
        try:
            revision, token = revision_request_create(
                workspace=workflow.workspace,
                workflow_id=workflow.public_id,
                required_document_ids=request.POST.getlist("required_document_id"),
                message=self._text(request, "message"),
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            self._fail(request, exc)
            return self._back(workflow, "#requirements")
        url = request.build_absolute_uri(reverse("public-action-page", args=[token]))
        remember_new_link(request, workflow, url, f"Revision request {revision.public_id}")
        self.message_user(  # type: ignore[attr-defined]
            request, "Revision requested. Send the client the link below (it is shown only once).", messages.WARNING
        )
        return self._back(workflow, "#links")

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        workflow = self._workflow_for_review(request, object_id)
        public_id = self._text(request, "public_id")
        revision = RevisionRequest.objects.filter(workflow=workflow, public_id=public_id).first()
        action = PublicAction.objects.filter(workflow=workflow, public_id=public_id).first()
        if revision is not None:
            revision_request_revoke(revision=revision, acting_user=request.user)  # type: ignore[arg-type]
        elif action is not None:
            public_action_revoke(action=action, acting_user=request.user)  # type: ignore[arg-type]
        else:
            self.message_user(request, "No such link on this workflow.", level=messages.ERROR)  # type: ignore[attr-defined]
            return self._back(workflow, "#links")
        self.message_user(request, f"Link {public_id} revoked: it no longer opens.")  # type: ignore[attr-defined]
        return self._back(workflow, "#links")

    def complete_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        workflow = self._workflow_for_review(request, object_id)
        try:
            workflow_complete(
                workspace=workflow.workspace,
                workflow_id=workflow.public_id,
                acting_user=request.user,  # type: ignore[arg-type]
            )
        except ApplicationError as exc:
            self._fail(request, exc)
            return self._back(workflow, "#requirements")
        self.message_user(request, "Workflow completed; it is read-only now.")  # type: ignore[attr-defined]
        return self._back(workflow, "")
