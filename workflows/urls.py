from django.urls import path

from workflows import views

urlpatterns: list = [
    path("actions/<str:token>", views.public_action_page, name="public-action-page"),
]
