"""The shapes of the evidence pack API (camelCase, as the submissions API spells its fields)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from config.inputs import MAX_BIGINT
from config.query import QuerySerializer
from evidence.constants import LIST_DEFAULT_LIMIT, LIST_MAX_LIMIT, PackState, PackSubject
from evidence.models import EvidencePack
from evidence.services import PackLinks


class EvidencePackSerializer(serializers.Serializer[EvidencePack]):
    id = serializers.CharField(source="public_id", help_text="The pack's id (`ep_...`).")
    subjectType = serializers.ChoiceField(source="subject_type", choices=PackSubject.choices)
    subjectId = serializers.CharField(source="subject_id", help_text="The workflow (`w_...`) or submission id.")
    state = serializers.ChoiceField(
        choices=PackState.choices,
        help_text="QUEUED, RUNNING, then READY (links available) or FAILED (see `error`); EXPIRED once the files "
        "are past `expiresAt` and deleted.",
    )
    error = serializers.CharField(help_text="Why the generation failed; empty otherwise.")
    pages = serializers.IntegerField(allow_null=True, help_text="The PDF's number of pages, once READY.")
    createdAt = serializers.DateTimeField(source="created_at")
    startedAt = serializers.DateTimeField(source="started_at", allow_null=True)
    finishedAt = serializers.DateTimeField(source="finished_at", allow_null=True)
    expiresAt = serializers.DateTimeField(
        source="expires_at", allow_null=True, help_text="The files are handed out until then (410 after)."
    )


class EvidencePackQuerySerializer(QuerySerializer):
    state = serializers.ChoiceField(choices=PackState.choices, required=False)
    subjectType = serializers.ChoiceField(choices=PackSubject.choices, required=False)
    subjectId = serializers.CharField(required=False, max_length=64, help_text="A workflow or submission id.")
    beforeId = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_BIGINT, help_text="The previous page's nextBeforeId."
    )
    limit = serializers.IntegerField(required=False, min_value=1, max_value=LIST_MAX_LIMIT, default=LIST_DEFAULT_LIMIT)


class EvidencePackPageSerializer(serializers.Serializer[Any]):
    packs = EvidencePackSerializer(many=True)
    nextBeforeId = serializers.IntegerField(allow_null=True, help_text="Pass as beforeId for the next page.")


class EvidencePackLinkSerializer(serializers.Serializer[Any]):
    format = serializers.ChoiceField(choices=["pdf", "json"])
    url = serializers.CharField(help_text="A presigned GET of the file, valid until `expiresAt`.")
    size = serializers.IntegerField(allow_null=True, help_text="Bytes.")
    sha256 = serializers.CharField(help_text="SHA-256 of the file (hex).")


class EvidencePackLinksSerializer(serializers.Serializer[PackLinks]):
    pack = EvidencePackSerializer()
    expiresAt = serializers.DateTimeField(source="expires_at")
    links = EvidencePackLinkSerializer(many=True)
