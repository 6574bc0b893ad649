from __future__ import annotations

import uuid

from django.db import connection
from django.db.models import QuerySet

from documents.errors import DocumentNotFound
from documents.models import Document
from workspaces.models import Workspace


def document_list_for_workspace(*, workspace: Workspace) -> QuerySet[Document]:
    return Document.objects.filter(workspace=workspace)


def document_get_for_workspace(*, workspace: Workspace, document_uuid: uuid.UUID | str) -> Document:
    """A document of this workspace; another workspace's document is reported as missing, never as forbidden."""
    try:
        return document_list_for_workspace(workspace=workspace).get(uuid=document_uuid)
    except (Document.DoesNotExist, ValueError, TypeError) as exc:
        raise DocumentNotFound("No such file in this workspace.") from exc


def document_keys_under(*, prefix: str) -> set[str]:
    """The keys of every document whose key starts with ``prefix`` (one indexed query on either database).

    PostgreSQL finds them with ``LIKE 'prefix%'`` on the key's ``varchar_pattern_ops`` index. SQLite's LIKE is
    case-insensitive and cannot use the key's index (it scanned all 120,000 keys of the benchmark database per
    submit); its keys are ordered bytewise, so the range ``prefix <= key < prefix'`` (last character + 1) is the
    same set, read from the index.
    """
    if not prefix:
        raise ValueError("A prefix is required.")
    documents = Document.objects.all()
    if connection.vendor == "sqlite":
        documents = documents.filter(key__gte=prefix, key__lt=prefix[:-1] + chr(ord(prefix[-1]) + 1))
    else:
        documents = documents.filter(key__startswith=prefix)
    return set(documents.values_list("key", flat=True))
