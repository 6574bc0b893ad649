"""Mounted under /api/ by config/urls.py."""

from django.urls import path

from submissions.api import exports, views

urlpatterns = [
    path("forms", views.FormListView.as_view(), name="form-list"),
    path("forms/<str:form_id>", views.FormDetailView.as_view(), name="form-detail"),
    path("forms/<str:form_id>/publish", views.FormPublishView.as_view(), name="form-publish"),
    path("forms/<str:form_id>/archive", views.FormArchiveView.as_view(), name="form-archive"),
    path("submissions", views.SubmissionListView.as_view(), name="submission-list"),
    path("submissions/stats", views.SubmissionStatsView.as_view(), name="submission-stats"),
    path("submissions/export", exports.SubmissionExportView.as_view(), name="submission-export"),
    path("submissions/exports", exports.ExportJobListView.as_view(), name="export-job-list"),
    path("submissions/exports/<str:job_id>", exports.ExportJobDetailView.as_view(), name="export-job-detail"),
    path(
        "submissions/exports/<str:job_id>/download", exports.ExportJobDownloadView.as_view(), name="export-job-download"
    ),
    path("submissions/drafts", views.DraftListView.as_view(), name="draft-list"),
    path("submissions/drafts/<str:submission_id>", views.DraftDetailView.as_view(), name="draft-detail"),
    path("submissions/<str:submission_id>", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path("submissions/<str:submission_id>/submit", views.SubmissionSubmitView.as_view(), name="submission-submit"),
    path("submissions/<str:submission_id>/notes", views.NotesView.as_view(), name="submission-notes"),
    path("submissions/<str:submission_id>/documents", views.DocumentsView.as_view(), name="submission-documents"),
    path("submissions/<str:submission_id>/share", views.ShareView.as_view(), name="submission-share"),
    path("submissions/<str:submission_id>/share/email", views.ShareEmailView.as_view(), name="submission-share-email"),
    path("submissions/<str:submission_id>/history", views.HistoryView.as_view(), name="submission-history"),
    path(
        "submissions/<str:submission_id>/snapshots/<str:snapshot_id>",
        views.SnapshotView.as_view(),
        name="submission-snapshot",
    ),
    path(
        "submissions/<str:submission_id>/snapshots/<str:snapshot_id>/rollback",
        views.RollbackView.as_view(),
        name="submission-rollback",
    ),
    path("submissions/<str:submission_id>/visibility", views.VisibilityView.as_view(), name="submission-visibility"),
]
