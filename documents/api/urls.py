from django.urls import path

from documents.api import views

urlpatterns = [
    path("presigned-post", views.PresignedPostView.as_view(), name="s3-presigned-post"),
    path("success", views.UploadSuccessView.as_view(), name="s3-success"),
]
