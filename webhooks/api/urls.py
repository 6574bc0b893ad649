from django.urls import path

from webhooks.api import views

urlpatterns = [
    path("webhooks/endpoints", views.WebhookEndpointListView.as_view(), name="webhook-endpoint-list"),
    path(
        "webhooks/endpoints/<str:endpoint_id>",
        views.WebhookEndpointDetailView.as_view(),
        name="webhook-endpoint-detail",
    ),
    path(
        "webhooks/endpoints/<str:endpoint_id>/rotate-secret",
        views.WebhookSecretRotateView.as_view(),
        name="webhook-endpoint-rotate-secret",
    ),
    path(
        "webhooks/endpoints/<str:endpoint_id>/deliveries",
        views.WebhookDeliveryListView.as_view(),
        name="webhook-delivery-list",
    ),
    path(
        "webhooks/endpoints/<str:endpoint_id>/attempts",
        views.WebhookAttemptListView.as_view(),
        name="webhook-attempt-list",
    ),
    path(
        "webhooks/endpoints/<str:endpoint_id>/replay",
        views.WebhookEndpointReplayView.as_view(),
        name="webhook-endpoint-replay",
    ),
    path(
        "webhooks/deliveries/<str:delivery_id>/replay",
        views.WebhookDeliveryReplayView.as_view(),
        name="webhook-delivery-replay",
    ),
]
