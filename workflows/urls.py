from django.urls import path

from workflows import views
from workflows.api import revisions

urlpatterns: list = [
    path("actions/<str:token>", views.public_action_page, name="public-action-page"),
    # The page's script sends its answers here: the API's view, with the refusals in the page's language.
    path("actions/<str:token>/send", views.PublicActionPageSubmitView.as_view(), name="public-action-page-submit"),
    path("actions/<str:token>/revision/uploads", revisions.RevisionUploadsView.as_view(), name="revision-uploads"),
    path("actions/<str:token>/revision/confirm", revisions.RevisionConfirmView.as_view(), name="revision-confirm"),
]
