"""Evidence packs in the admin: the "Evidence pack" button of the workflow page and the case page posts here; the
pack's own page shows its state until it is ready, then its downloads. Every check is ``evidence.access``'s, for
the user's context in the subject's workspace (a superuser, who holds no workspace role, is refused in words)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse

from config.actors import actor_label
from config.errors import ApplicationError
from evidence.access import admin_context
from evidence.constants import PackState, PackSubject
from evidence.content import code_words
from evidence.models import EvidencePack
from evidence.services import evidence_pack_links, evidence_pack_request
from submissions.access import submission_admin_q
from submissions.models import Submission
from workflows.models import Workflow
from workflows.selectors.ownership import subject_record_name
from workspaces.access import REVIEW, Rights
from workspaces.admin_base import WorkspaceScopedAdmin

SUBJECT_MODELS: dict[str, type[Workflow] | type[Submission]] = {
    PackSubject.WORKFLOW: Workflow,
    PackSubject.SUBMISSION: Submission,
}


def _subject_label(pack: EvidencePack) -> str:
    """What the pack is about, by name: "Business application of Northwind Trading Ltd (w_...)"."""
    if pack.workflow is not None:
        workflow = Workflow.objects.select_related("subject_record").get(pk=pack.workflow.pk)
        return f"{code_words(workflow.type)} of {subject_record_name(workflow.subject_record)} ({workflow.public_id})"
    assert pack.submission is not None
    return f"Submission {pack.submission.public_id} ({pack.submission.form.title})"


@admin.register(EvidencePack)
class EvidencePackAdmin(WorkspaceScopedAdmin):
    rights = Rights(view=REVIEW)
    list_display = ["public_id", "subject", "state", "requested_by", "created_at", "finished_at", "pages"]
    list_filter = ["state", "subject_type"]
    list_select_related = ["workflow", "submission", "requested_by", "workspace"]
    search_fields = ["public_id", "workflow__public_id", "submission__public_id"]

    def scope_q(self, request: HttpRequest) -> Q:
        """The workspace's packs, less those of submissions the user may not see (``submissions.access``)."""
        visible = Submission.objects.filter(submission_admin_q(user=request.user)).values("pk")
        return super().scope_q(request) & (Q(submission__isnull=True) | Q(submission__in=visible))

    @admin.display(description="subject")
    def subject(self, pack: EvidencePack) -> str:
        return f"{pack.get_subject_type_display()} {pack.subject_id}"

    # --- URLs

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("request/", wrap(self.request_view), name="evidence_evidencepack_request"),
            path("<path:object_id>/download/", wrap(self.download_view), name="evidence_evidencepack_download"),
            *super().get_urls(),
        ]

    # --- Views

    def request_view(self, request: HttpRequest) -> HttpResponse:
        """POST ``subject_type`` and ``object_id`` (the row of the workflow or submission admin): ask for its pack,
        then show the pack's page."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        subject_type = str(request.POST.get("subject_type", ""))
        model = SUBJECT_MODELS.get(subject_type)
        subject_admin = self.admin_site._registry.get(model) if model is not None else None
        object_id = str(request.POST.get("object_id", ""))
        subject = subject_admin.get_object(request, object_id) if subject_admin is not None and object_id else None
        if subject is None or not subject_admin.has_view_permission(request, subject):  # type: ignore[union-attr]
            self.message_user(request, "No such workflow or submission.", level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:index"))
        back = reverse(f"admin:{subject._meta.app_label}_{subject._meta.model_name}_change", args=[subject.pk])
        context = admin_context(request.user, subject.workspace_id)
        if context is None:
            self.message_user(request, "Only a member of the workspace may ask for its evidence.", messages.ERROR)
            return HttpResponseRedirect(back)
        try:
            pack = evidence_pack_request(
                context=context, subject_type=PackSubject(subject_type), subject_id=subject.public_id
            )
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(back)
        self.message_user(request, "Evidence pack requested: it is being generated.")
        return HttpResponseRedirect(reverse("admin:evidence_evidencepack_change", args=[pack.pk]))

    def _pack(self, request: HttpRequest, object_id: str) -> EvidencePack | None:
        pack = self.get_object(request, unquote(object_id))
        return pack if pack is not None and self.has_view_permission(request, pack) else None

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """The pack's status page (it refreshes itself while the pack is generated)."""
        pack = self._pack(request, object_id)
        if pack is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        subject = pack.workflow or pack.submission
        assert subject is not None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": pack,
            "pack": pack,
            "has_change_permission": False,  # a pack is never edited
            "title": f"Evidence pack {pack.public_id}",
            "pending": pack.state in (PackState.QUEUED, PackState.RUNNING),
            "subject_url": reverse(
                f"admin:{subject._meta.app_label}_{subject._meta.model_name}_change", args=[subject.pk]
            ),
            "subject_label": _subject_label(pack),
            "requester": actor_label(
                pack.requested_by, pack.requested_by_api_key.name if pack.requested_by_api_key else ""
            )
            or "someone no longer known",
        }
        return TemplateResponse(request, "admin/evidence/evidencepack/status.html", context)

    def download_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """``?format=pdf|json``: a short-lived link to the file (audited), followed at once."""
        file_format = request.GET.get("format", "pdf")
        pack = self._pack(request, object_id)
        context = admin_context(request.user, pack.workspace_id) if pack is not None else None
        if pack is None or context is None or file_format not in ("pdf", "json"):
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)  # type: ignore[attr-defined]
        try:
            links = evidence_pack_links(context=context, pack_id=pack.public_id)
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:evidence_evidencepack_change", args=[pack.pk]))
        (link,) = [link for link in links.links if link.format == file_format]
        return HttpResponseRedirect(link.url)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # packs are made by the button and the API; no role changes or deletes one (``rights``)

    def get_queryset(self, request: HttpRequest) -> QuerySet[EvidencePack]:
        return (
            super()
            .get_queryset(request)
            .select_related("workflow", "submission__form", "requested_by", "requested_by_api_key")
        )
