from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from config.errors import handle_400, handle_403, handle_404, handle_500
from config.views import HealthView, ReadinessView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the end-client pages' language switcher
    path("api/health", HealthView.as_view(), name="health"),
    path("api/health/ready", ReadinessView.as_view(), name="health-ready"),
    # Public documentation: credentials, even revoked ones, change nothing in it.
    path("api/schema/", SpectacularAPIView.as_view(authentication_classes=[]), name="schema"),
    # The split view serves Swagger UI's init script as a file: no inline script under the CSP.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="schema", authentication_classes=[]),
        name="api-docs",
    ),
    path("api/s3/", include("documents.api.urls")),
    path("api/", include("submissions.api.urls")),
    path("api/", include("audit.api.urls")),
    path("api/", include("evidence.api.urls")),
    path("api/", include("webhooks.api.urls")),
    path("", include("workflows.api.urls")),
    path("files/", include("documents.urls")),
    path("", include("submissions.urls")),
    path("", include("workflows.urls")),
    path("", include("workspaces.urls")),
]

handler400 = handle_400
handler403 = handle_403
handler404 = handle_404
handler500 = handle_500
