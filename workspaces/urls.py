from django.urls import path

from workspaces import views

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/", views.choose_workspace, name="choose-workspace"),
]
