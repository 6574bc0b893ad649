from __future__ import annotations

import uuid

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
