"""Health endpoints for load balancers and orchestrators: liveness (the process answers) and readiness."""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.config import Config
from django.conf import settings
from django.db import DatabaseError, connection
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.errors import error_body
from config.schema import ErrorSerializer
from documents import s3

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class HealthView(APIView):
    """Liveness for load balancers; touches neither the database nor S3."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="health",
        responses=inline_serializer("Health", {"status": serializers.CharField()}),
        tags=["Health"],
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


def _probe_client() -> S3Client:
    """A client that gives up fast (a probe must answer before the load balancer's own timeout), built per probe."""
    return s3.s3_session().client(
        "s3",
        endpoint_url=settings.AWS_S3_ENDPOINT_URL,
        config=Config(
            signature_version=settings.AWS_S3_SIGNATURE_VERSION,
            s3={"addressing_style": settings.AWS_S3_ADDRESSING_STYLE},
            retries={"max_attempts": 1, "mode": "standard"},
            connect_timeout=2,
            read_timeout=2,
        ),
    )


def _database_check() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return f"unavailable: {type(exc).__name__}"
    return "ok"


def _storage_check() -> str:
    try:
        _probe_client().head_bucket(Bucket=s3.bucket_name())
    except Exception as exc:  # any botocore failure (unreachable, refused, no such bucket) means not ready
        return f"unavailable: {type(exc).__name__}"
    return "ok"


class ReadinessView(APIView):
    """Readiness: 200 only when this process reaches the database and the bucket; 503 names what it cannot reach."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="health_ready",
        responses={
            200: inline_serializer(
                "Readiness",
                {
                    "status": serializers.CharField(),
                    "checks": serializers.DictField(child=serializers.CharField()),
                },
            ),
            503: OpenApiResponse(ErrorSerializer, description="The database or the bucket cannot be reached."),
        },
        tags=["Health"],
    )
    def get(self, request: Request) -> Response:
        checks = {"database": _database_check(), "storage": _storage_check()}
        failing = [name for name, state in checks.items() if state != "ok"]
        if failing:
            message = f"Not ready: {', '.join(failing)} unreachable."
            return Response(error_body(message, "NOT_READY", {"checks": checks}), status=503)
        return Response({"status": "ready", "checks": checks})
