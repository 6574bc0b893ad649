from __future__ import annotations

from typing import Any

from rest_framework import serializers

from audit.constants import DEFAULT_LIMIT, MAX_LIMIT
from audit.models import AuditEvent
from config.inputs import MAX_BIGINT
from config.query import QuerySerializer, in_query_range


class AuditQuerySerializer(QuerySerializer):
    action = serializers.CharField(required=False, max_length=40, help_text="e.g. submission_read, sign_in.")
    targetType = serializers.CharField(required=False, max_length=40, help_text="e.g. submission, api_key, user.")
    targetId = serializers.CharField(required=False, max_length=64)
    actor = serializers.CharField(required=False, max_length=200, help_text="A login, or an API key's name.")
    since = serializers.DateTimeField(required=False, validators=[in_query_range], help_text="From (inclusive).")
    until = serializers.DateTimeField(required=False, validators=[in_query_range], help_text="Until (exclusive).")
    beforeId = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_BIGINT, help_text="The previous page's nextBeforeId."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT)
    format = serializers.ChoiceField(
        choices=["json", "csv"], required=False, default="json", help_text="csv streams every matching row."
    )


class AuditEventSerializer(serializers.ModelSerializer[AuditEvent]):
    createdAt = serializers.DateTimeField(source="created_at")
    actor = serializers.CharField(source="actor_label", help_text="Who acted, as they were known then.")
    userId = serializers.IntegerField(source="actor_user_id", allow_null=True)
    apiKey = serializers.CharField(source="actor_api_key", help_text="The API key's name; empty for a session.")
    targetType = serializers.CharField(source="target_type")
    targetId = serializers.CharField(source="target_id")
    ip = serializers.IPAddressField(source="ip_address", allow_null=True)
    userAgent = serializers.CharField(source="user_agent")
    details = serializers.DictField(child=serializers.JSONField())

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "createdAt",
            "actor",
            "userId",
            "apiKey",
            "action",
            "targetType",
            "targetId",
            "ip",
            "userAgent",
            "details",
        ]


class AuditPageSerializer(serializers.Serializer[Any]):
    events = AuditEventSerializer(many=True)
    nextBeforeId = serializers.IntegerField(allow_null=True, help_text="Pass as beforeId for the next page.")
