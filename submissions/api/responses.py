"""The response shapes the submissions API renders every body through (envelopes, pages, history, visibility)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from submissions.api.serializers import (
    AttachmentSerializer,
    FormSerializer,
    FormVersionSerializer,
    IsoDateTimeField,
    NoteSerializer,
    SubmissionSerializer,
    actor,
)
from submissions.constants import GrantTargetType
from submissions.history import HistoryEvent, Snapshot
from submissions.models import VisibilityGrant
from workspaces.models import Membership, Workspace


class PaginationSerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField()
    limit = serializers.IntegerField()
    total = serializers.IntegerField()
    pages = serializers.IntegerField()


class SubmissionPaginationSerializer(serializers.Serializer[Any]):
    page = serializers.IntegerField(
        allow_null=True,
        help_text=(
            "The page number; null on a page read by `cursor` (a keyset page does not count the rows before it)."
        ),
    )
    limit = serializers.IntegerField()
    total = serializers.IntegerField(help_text="Matching submissions; see the `X-Total-Count-Exact` header.")
    pages = serializers.IntegerField()
    nextCursor = serializers.CharField(
        allow_null=True,
        help_text=(
            "Opaque, signed: send it as `cursor` (with the same filters and sort) for the next page; "
            "null on the last page."
        ),
    )


class SubmissionPageSerializer(serializers.Serializer[Any]):
    submissions = SubmissionSerializer(many=True)
    pagination = SubmissionPaginationSerializer()


class DraftPageSerializer(serializers.Serializer[Any]):
    drafts = SubmissionSerializer(many=True)
    pagination = SubmissionPaginationSerializer()


class FormPageSerializer(serializers.Serializer[Any]):
    forms = FormSerializer(many=True)
    pagination = PaginationSerializer()


class FormPublishResponseSerializer(serializers.Serializer[Any]):
    form = FormSerializer()
    formVersion = FormVersionSerializer()


class FormCountSerializer(serializers.Serializer[Any]):
    formId = serializers.CharField()
    title = serializers.CharField()
    count = serializers.IntegerField()


class DayCountSerializer(serializers.Serializer[Any]):
    date = serializers.DateField()
    count = serializers.IntegerField()


class DateRangeSerializer(serializers.Serializer[Any]):
    dateFrom = serializers.DateField()
    dateTo = serializers.DateField()


class SubmissionStatsSerializer(serializers.Serializer[Any]):
    total = serializers.IntegerField()
    byStatus = serializers.DictField(child=serializers.IntegerField(), help_text="Count per status.")
    byForm = FormCountSerializer(many=True)
    byDay = DayCountSerializer(many=True)
    range = DateRangeSerializer()


class ActorSerializer(serializers.Serializer[Any]):
    name = serializers.CharField()
    email = serializers.EmailField(required=False)
    apiKey = serializers.CharField(
        required=False, help_text="The name of the API key the change came through (added to the documented shape)."
    )


class ChangelogSerializer(serializers.Serializer[Any]):
    summary = serializers.CharField()
    changedFields = serializers.ListField(child=serializers.CharField())
    status = serializers.DictField(child=serializers.CharField(), required=False)


class SnapshotSerializer(serializers.Serializer[Any]):
    """One snapshot of the submission: its data and status then, and what changed."""

    id = serializers.CharField()
    version = serializers.IntegerField()
    status = serializers.CharField(source="record.status")
    trigger = serializers.CharField()
    changelog = ChangelogSerializer()
    data = serializers.JSONField()  # type: ignore[assignment]
    createdBy = serializers.SerializerMethodField()
    createdAt = IsoDateTimeField(source="record.history_date")

    @extend_schema_field(ActorSerializer)
    def get_createdBy(self, snapshot: Snapshot) -> dict[str, str]:
        return actor(snapshot.record.history_user, snapshot.record.history_api_key)


class HistoryEventSerializer(serializers.Serializer[Any]):
    """A snapshot (with its trigger, version and changelog) or an audit event."""

    id = serializers.CharField()
    type = serializers.CharField(help_text="snapshot, note_added, document_attached, shared, ...")
    trigger = serializers.CharField(source="snapshot.trigger", required=False)
    description = serializers.CharField()
    actor = serializers.SerializerMethodField()
    snapshotId = serializers.CharField(source="snapshot.id", required=False)
    version = serializers.IntegerField(source="snapshot.version", required=False)
    changelog = ChangelogSerializer(source="snapshot.changelog", required=False)
    createdAt = IsoDateTimeField(source="created_at")

    @extend_schema_field(ActorSerializer)
    def get_actor(self, event: HistoryEvent) -> dict[str, str]:
        return actor(event.actor, event.api_key_name)

    def to_representation(self, instance: HistoryEvent) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        if instance.snapshot is not None and instance.snapshot.trigger in ("create", "submit"):
            del data["changelog"]  # the specification's create and submit events carry none
        return data


class HistorySerializer(serializers.Serializer[Any]):
    events = HistoryEventSerializer(many=True)


class RollbackSubmissionSerializer(serializers.Serializer[Any]):
    """The short submission the specification shows after a rollback: id, formId, data, status."""

    id = serializers.CharField(source="public_id")
    formId = serializers.CharField(source="form.public_id")
    data = serializers.JSONField()  # type: ignore[assignment]
    status = serializers.CharField()


class RollbackSerializer(serializers.Serializer[Any]):
    success = serializers.BooleanField(default=True, read_only=True)
    rolledBackToVersion = serializers.IntegerField()
    submission = RollbackSubmissionSerializer()


class GrantSerializer(serializers.Serializer[Any]):
    """Who is granted: a user id, a role name or an overseer workspace's id, by `targetType`."""

    targetType = serializers.CharField(source="target_type", help_text="user, workspace_role or oversight_workspace")
    targetId = serializers.SerializerMethodField()
    accessLevel = serializers.CharField(source="access_level", default="viewer")

    def get_targetId(self, grant: VisibilityGrant) -> str:
        if grant.target_type == GrantTargetType.USER:
            return str(grant.target_user_id)
        if grant.target_type == GrantTargetType.WORKSPACE_ROLE:
            return grant.target_role
        return str(grant.target_workspace.public_id)  # type: ignore[union-attr]


class VisibilityModeSerializer(serializers.Serializer[Any]):
    mode = serializers.CharField(source="submission.visibility_mode", help_text="workspace or restricted")
    grants = GrantSerializer(many=True)


class MemberSerializer(serializers.Serializer[Any]):
    """A member of the workspace."""

    userId = serializers.CharField(source="user.pk")
    name = serializers.SerializerMethodField()
    email = serializers.CharField(source="user.email")
    role = serializers.CharField()

    def get_name(self, membership: Membership) -> str:
        return membership.user.get_full_name() or membership.user.username


class OverseerWorkspaceSerializer(serializers.Serializer[Any]):
    """An overseer workspace with its members."""

    workspaceId = serializers.CharField()
    workspaceName = serializers.CharField()
    members = MemberSerializer(many=True)

    def to_representation(self, instance: tuple[Workspace, list[Membership]]) -> dict[str, Any]:
        workspace, members = instance
        return super().to_representation(
            {"workspaceId": str(workspace.public_id), "workspaceName": workspace.name, "members": members}
        )


class VisibilitySerializer(serializers.Serializer[Any]):
    """The visibility mode and grants, and who could be granted."""

    visibility = VisibilityModeSerializer(source="*")
    members = MemberSerializer(many=True)
    overseerWorkspaces = OverseerWorkspaceSerializer(source="overseers", many=True)


class NoteListSerializer(serializers.Serializer[Any]):
    notes = NoteSerializer(many=True)


class AttachmentListSerializer(serializers.Serializer[Any]):
    documents = AttachmentSerializer(many=True)


class ShareLinkSerializer(serializers.Serializer[Any]):
    shareUrl = serializers.URLField()
    expiresAt = IsoDateTimeField(source="link.expires_at")


class ShareEmailResponseSerializer(serializers.Serializer[Any]):
    """The link sent by e-mail."""

    success = serializers.BooleanField(default=True, read_only=True)
    email = serializers.EmailField()
    expiresAt = IsoDateTimeField(source="expires_at")


class SuccessSerializer(serializers.Serializer[Any]):
    success = serializers.BooleanField(default=True, read_only=True)


class RevokeResponseSerializer(SuccessSerializer):
    revoked = serializers.IntegerField()
