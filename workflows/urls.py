from django.urls import path

from workflows import views
from workflows.api import revisions

urlpatterns: list = [
    path("actions/<str:token>", views.public_action_page, name="public-action-page"),
    path("actions/<str:token>/revision/uploads", revisions.RevisionUploadsView.as_view(), name="revision-uploads"),
    path("actions/<str:token>/revision/confirm", revisions.RevisionConfirmView.as_view(), name="revision-confirm"),
]
