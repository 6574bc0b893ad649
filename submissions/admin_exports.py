"""The export jobs page in the admin: the user's own jobs with their progress (the page reloads itself while one
runs) and the link to each finished file; "Start an export" asks for a format and the list's filters. Jobs are
made, run and handed out by ``submissions.export_jobs``, as for the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import AdminForm
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from config.errors import ApplicationError
from submissions.constants import ExportFormat, ExportJobState, SubmissionStatus
from submissions.export_jobs import export_job_create, export_job_download_url
from submissions.models import ExportJob
from submissions.queue import queue_form_choices
from submissions.selectors import SubmissionFilters
from workspaces.access import REVIEW, Rights, user_contexts, user_workspace_ids
from workspaces.admin_base import WorkspaceScopedAdmin

ACTIVE = (ExportJobState.QUEUED, ExportJobState.RUNNING)
REFRESH_SECONDS = 3


class ExportJobStartForm(forms.Form):
    workspace = forms.ChoiceField(label="Workspace")
    export_format = forms.ChoiceField(label="Format", choices=ExportFormat.choices, initial=ExportFormat.CSV)
    form = forms.ChoiceField(label="Form", required=False)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any"), *SubmissionStatus.choices])
    date_from = forms.DateField(label="Received from", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="Received until", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    search = forms.CharField(label="Search", required=False, max_length=200, help_text="As the queue's search.")
    include_drafts = forms.BooleanField(label="Include drafts", required=False)

    def __init__(self, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        contexts = user_contexts(request.user)
        ids = user_workspace_ids(request.user, REVIEW)
        workspaces = [(str(pk), contexts[pk].workspace.name) for pk in ids]
        self.fields["workspace"].choices = workspaces  # type: ignore[attr-defined]
        if len(ids) == 1:
            self.fields["workspace"].widget = forms.HiddenInput()
            self.fields["workspace"].initial = str(ids[0])
        forms_shown = [("", "Every form"), *queue_form_choices(user=request.user)]
        self.fields["form"].choices = forms_shown  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            raise forms.ValidationError("“Received until” is before “Received from”.")
        return data

    def filters(self) -> SubmissionFilters:
        data = self.cleaned_data
        return SubmissionFilters(
            form_id=data["form"] or None,
            status=data["status"] or None,
            search=data["search"].strip() or None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            include_drafts=data["include_drafts"],
        )


@admin.register(ExportJob)
class ExportJobAdmin(WorkspaceScopedAdmin):
    """Each user sees its own jobs only (superusers too): a file holds what its requester may see."""

    rights = Rights(view=REVIEW, add=REVIEW)
    list_display = ["requested", "export", "progress", "file"]
    list_display_links = None
    list_per_page = 50
    actions = None

    class Media:
        css = {"all": ["css/export_jobs.css"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[ExportJob]:
        return super().get_queryset(request).filter(requested_by_id=request.user.pk).order_by("-created_at", "-id")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        download = path(
            "<path:object_id>/download/",
            self.admin_site.admin_view(self.download_view),
            name="submissions_exportjob_download",
        )
        return [download, *super().get_urls()]

    # --- Columns

    @admin.display(description="Requested", ordering="created_at")
    def requested(self, job: ExportJob) -> str:
        return date_format(timezone.localtime(job.created_at), "j M Y, H:i")

    @admin.display(description="Export")
    def export(self, job: ExportJob) -> str:
        kind = job.get_export_format_display().split(" (")[0]
        if job.state == ExportJobState.FAILED:
            return format_html('{} · <span class="export-failed">failed: {}</span>', kind, job.error)
        return f"{kind} · {job.get_state_display().lower()}"

    @admin.display(description="Progress")
    def progress(self, job: ExportJob) -> str:
        total = job.rows_total
        if total is None:
            return "Waiting for a worker" if job.state == ExportJobState.QUEUED else "—"
        percent = 100 if not total else min(100, round(100 * job.rows_done / total))
        return format_html(
            '<progress max="100" value="{}" aria-label="{}% done"></progress> <span>{} of {} rows</span>',
            percent,
            percent,
            f"{job.rows_done:,}",
            f"{total:,}",
        )

    @admin.display(description="File")
    def file(self, job: ExportJob) -> str:
        if job.state != ExportJobState.DONE:
            return "—"
        url = reverse("admin:submissions_exportjob_download", args=[job.pk])
        size = filesizeformat(job.size_bytes or 0)
        return format_html('<a href="{}" title="{}">Download</a> <span>{}</span>', url, job.file_name, size)

    # --- Pages

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        running = self.get_queryset(request).filter(state__in=ACTIVE).exists()
        context = {**(extra_context or {}), "refresh_seconds": REFRESH_SECONDS if running else None}
        context["title"] = "Your export jobs"
        return super().changelist_view(request, context)

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None) -> Any:
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ExportJobStartForm(request.POST or None, request=request)
        if request.method == "POST" and form.is_valid():
            context = user_contexts(request.user).get(int(form.cleaned_data["workspace"]))
            changelist = reverse("admin:submissions_exportjob_changelist")
            sent = {key: str(value) for key, value in form.cleaned_data.items() if value not in ("", None, False)}
            try:
                if context is None:
                    raise ApplicationError("Choose one of your workspaces.")
                job = export_job_create(
                    context=context,
                    export_format=ExportFormat(form.cleaned_data["export_format"]),
                    filters=form.filters(),
                    query=sent,
                    via="admin",
                    page_url=request.build_absolute_uri(changelist),
                )
            except ApplicationError as exc:
                self.message_user(request, exc.message, level=messages.ERROR)
            else:
                self.message_user(request, f"Export {job.public_id} started; this page shows its progress.")
                return HttpResponseRedirect(changelist)
        fieldsets = [(None, {"fields": list(form.fields)})]
        page = {
            **self.admin_site.each_context(request),
            "title": "Start an export",
            "opts": self.opts,
            "adminform": AdminForm(form, fieldsets, prepopulated_fields={}, model_admin=self),  # type: ignore[arg-type]
            "errors": form.errors,
            "has_view_permission": True,
        }
        return TemplateResponse(request, "admin/submissions/exportjob/start.html", page)

    def download_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        job = self.get_object(request, object_id)
        if job is None:  # not one of the user's jobs: as the admin answers a missing object
            self.message_user(request, "No such export job.", level=messages.WARNING)
            return HttpResponseRedirect(reverse("admin:index"))
        try:
            return HttpResponseRedirect(export_job_download_url(job=job, via="admin"))
        except ApplicationError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(reverse("admin:submissions_exportjob_changelist"))
