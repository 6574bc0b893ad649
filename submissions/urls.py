from django.urls import path

from submissions import views

app_name = "submissions"

urlpatterns = [
    path("share/<str:token>/", views.share_page, name="share-page"),
    path("forms/<str:form_id>/preview/", views.form_preview, name="form-preview"),
    path("forms/versions/<str:version_id>/preview/", views.form_preview, name="form-version-preview"),
]
