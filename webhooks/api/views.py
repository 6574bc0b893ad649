"""/api/webhooks/...: a workspace's endpoints, their delivery log and replays (ADMIN/OWNER)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from webhooks import selectors, services
from webhooks.api import serializers as s
from webhooks.models import WebhookEndpoint
from workspaces.access import MANAGE, require_role
from workspaces.context import WorkspaceContext
from workspaces.permissions import workspace_context

TAGS = ["Webhooks"]


def _manager(request: Request) -> WorkspaceContext:
    context = workspace_context(request)
    require_role(context, MANAGE)
    return context


def _managed_endpoint(request: Request, endpoint_id: str) -> tuple[WorkspaceContext, WebhookEndpoint]:
    """The caller's context (ADMIN/OWNER) and its workspace's endpoint ``endpoint_id`` (404 for any other)."""
    context = _manager(request)
    return context, selectors.webhook_endpoint_get(workspace=context.workspace, public_id=endpoint_id)


def _schema(operation_id: str, **kwargs: Any) -> Any:
    """``extend_schema`` of an operation of this module, under the Webhooks tag."""
    return extend_schema(operation_id=operation_id, tags=TAGS, **kwargs)


def _page(rows: QuerySet[Any], limit: int) -> tuple[list[Any], int | None]:
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, page[-1].pk if more and page else None


class WebhookEndpointListView(APIView):
    @_schema(
        "webhook_endpoints_list",
        summary="The workspace's webhook endpoints (ADMIN/OWNER).",
        responses=s.WebhookEndpointListSerializer,
    )
    def get(self, request: Request) -> Response:
        context = _manager(request)
        endpoints = selectors.webhook_endpoint_list(workspace=context.workspace)
        return Response(s.WebhookEndpointListSerializer({"endpoints": endpoints}).data)

    @_schema(
        "webhook_endpoints_create",
        summary="Add an endpoint; the answer carries its signing secret, shown this once (ADMIN/OWNER).",
        description="A URL that resolves to a loopback, private, link-local or reserved address is refused "
        "(400 `WEBHOOK_URL_REFUSED`).",
        request=s.WebhookEndpointCreateSerializer,
        responses={201: s.WebhookEndpointWithSecretSerializer},
    )
    def post(self, request: Request) -> Response:
        context = _manager(request)
        body = parse(s.WebhookEndpointCreateSerializer, request.data)
        endpoint, secret = services.webhook_endpoint_create(
            workspace=context.workspace,
            url=body["url"],
            event_types=body["eventTypes"],
            description=body.get("description", ""),
            acting_user=context.user,
        )
        endpoint.secret = secret
        return Response(s.WebhookEndpointWithSecretSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class WebhookEndpointDetailView(APIView):
    @_schema("webhook_endpoints_retrieve", responses=s.WebhookEndpointSerializer)
    def get(self, request: Request, endpoint_id: str) -> Response:
        _, endpoint = _managed_endpoint(request, endpoint_id)
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @_schema(
        "webhook_endpoints_update",
        summary="Change the URL, event types, description, or pause / enable the endpoint.",
        request=s.WebhookEndpointUpdateSerializer,
        responses=s.WebhookEndpointSerializer,
    )
    def patch(self, request: Request, endpoint_id: str) -> Response:
        context, endpoint = _managed_endpoint(request, endpoint_id)
        body = parse(s.WebhookEndpointUpdateSerializer, request.data)
        endpoint = services.webhook_endpoint_update(
            endpoint=endpoint,
            acting_user=context.user,
            url=body.get("url"),
            event_types=body.get("eventTypes"),
            description=body.get("description"),
            is_active=body.get("isActive"),
        )
        return Response(s.WebhookEndpointSerializer(endpoint).data)

    @_schema(
        "webhook_endpoints_destroy",
        summary="Delete the endpoint, with its deliveries and their log.",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, endpoint_id: str) -> Response:
        context, endpoint = _managed_endpoint(request, endpoint_id)
        services.webhook_endpoint_delete(endpoint=endpoint, acting_user=context.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSecretRotateView(APIView):
    @_schema(
        "webhook_endpoints_rotate_secret",
        summary="A new signing secret, shown this once; the old one still signs during the overlap.",
        request=s.WebhookSecretRotateSerializer,
        responses=s.WebhookEndpointWithSecretSerializer,
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        context, endpoint = _managed_endpoint(request, endpoint_id)
        body = parse(s.WebhookSecretRotateSerializer, request.data)  # an empty body is {}; `false` is refused
        endpoint, secret = services.webhook_endpoint_rotate_secret(
            endpoint=endpoint, acting_user=context.user, overlap_hours=body.get("overlapHours")
        )
        endpoint.secret = secret
        return Response(s.WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookDeliveryListView(APIView):
    @_schema(
        "webhook_deliveries_list",
        summary="The endpoint's deliveries, newest first (status filter; beforeId pages on).",
        parameters=[s.WebhookDeliveryQuerySerializer],
        responses=s.WebhookDeliveryPageSerializer,
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        _, endpoint = _managed_endpoint(request, endpoint_id)
        query = parse(s.WebhookDeliveryQuerySerializer, request.query_params)
        rows = selectors.webhook_delivery_list(
            endpoint=endpoint, status=query.get("status"), before_id=query.get("beforeId")
        )
        page, next_before = _page(rows, query["limit"])
        return Response(s.WebhookDeliveryPageSerializer({"deliveries": page, "nextBeforeId": next_before}).data)


class WebhookAttemptListView(APIView):
    @_schema(
        "webhook_attempts_list",
        summary="The delivery log: every attempt (status code, latency, response excerpt), newest first.",
        parameters=[s.WebhookAttemptQuerySerializer],
        responses=s.WebhookAttemptPageSerializer,
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        _, endpoint = _managed_endpoint(request, endpoint_id)
        query = parse(s.WebhookAttemptQuerySerializer, request.query_params)
        rows = selectors.webhook_attempt_list(endpoint=endpoint, before_id=query.get("beforeId"))
        page, next_before = _page(rows, query["limit"])
        return Response(s.WebhookAttemptPageSerializer({"attempts": page, "nextBeforeId": next_before}).data)


class WebhookEndpointReplayView(APIView):
    @_schema(
        "webhook_endpoints_replay_failed",
        summary="Send every FAILED delivery of the endpoint again.",
        request=None,
        responses=s.WebhookReplaySerializer,
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        context, endpoint = _managed_endpoint(request, endpoint_id)
        count = services.webhook_endpoint_replay_failed(endpoint=endpoint, acting_user=context.user)
        return Response(s.WebhookReplaySerializer({"replayed": count}).data)


class WebhookDeliveryReplayView(APIView):
    @_schema(
        "webhook_deliveries_replay",
        summary="Send one delivery again (failed, or delivered and lost by the receiver).",
        request=None,
        responses=s.WebhookDeliverySerializer,
    )
    def post(self, request: Request, delivery_id: str) -> Response:
        context = _manager(request)
        delivery = selectors.webhook_delivery_get(workspace=context.workspace, public_id=delivery_id)
        delivery = services.webhook_delivery_replay(delivery=delivery, acting_user=context.user)
        return Response(s.WebhookDeliverySerializer(delivery).data)
