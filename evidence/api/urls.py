"""Mounted under /api/ by config/urls.py."""

from django.urls import path

from evidence.api import views

urlpatterns = [
    path(
        "workflows/<str:workflow_id>/evidence-packs",
        views.WorkflowEvidencePackView.as_view(),
        name="workflow-evidence-pack-create",
    ),
    path(
        "submissions/<str:submission_id>/evidence-packs",
        views.SubmissionEvidencePackView.as_view(),
        name="submission-evidence-pack-create",
    ),
    path("evidence-packs", views.EvidencePackListView.as_view(), name="evidence-pack-list"),
    path("evidence-packs/<str:pack_id>", views.EvidencePackDetailView.as_view(), name="evidence-pack-detail"),
    path("evidence-packs/<str:pack_id>/links", views.EvidencePackLinksView.as_view(), name="evidence-pack-links"),
]
