from django.urls import path

from submissions import views

app_name = "submissions"

urlpatterns = [
    path("share/<str:token>/", views.share_page, name="share-page"),
]
