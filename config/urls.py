from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from config.errors import handle_400, handle_403, handle_404, handle_500
from config.views import HealthView

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/health", HealthView.as_view(), name="health"),
    # Public documentation: credentials, even revoked ones, change nothing in it.
    path("api/schema/", SpectacularAPIView.as_view(authentication_classes=[]), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema", authentication_classes=[]), name="api-docs"),
    path("api/s3/", include("documents.api.urls")),
    path("api/", include("submissions.api.urls")),
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
