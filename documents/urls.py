from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("thumbnails/<str:token>/", views.thumbnail, name="thumbnail"),
    path("icons/<slug:extension>.svg", views.icon, name="icon"),
]
