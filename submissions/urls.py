from django.urls import path

from submissions import public_views, views

app_name = "submissions"


def _public_form(prefix: str, name: str, **kwargs: str) -> list:
    """A way into a public form page: the page, and its script's uploads and send endpoints."""
    return [
        path(prefix, public_views.public_form_page, kwargs, name=name),
        path(f"{prefix}uploads", public_views.PublicFormUploadsView.as_view(), kwargs, name=f"{name}-uploads"),
        path(f"{prefix}send", public_views.PublicFormSendView.as_view(), kwargs, name=f"{name}-send"),
    ]


_FORM = "f/<slug:workspace_slug>/<slug:form_slug>/"

urlpatterns = [
    path("share/<str:token>/", views.share_page, name="share-page"),
    path("forms/<str:form_id>/preview/", views.form_preview, name="form-preview"),
    path("forms/versions/<str:version_id>/preview/", views.form_preview, name="form-version-preview"),
    *_public_form(_FORM, "public-form"),
    *_public_form(f"{_FORM}i/<str:token>/", "public-form-invitation", way=public_views.INVITATION),
    *_public_form(f"{_FORM}d/<str:token>/", "public-form-draft", way=public_views.DRAFT),
    path(f"{_FORM}sent/<str:signed>/", public_views.public_form_sent, name="public-form-sent"),
]
