"""The authorisation matrix: every URL pattern of the URL conf, every kind of caller, the allowed set per route.

The routes come from walking ``get_resolver().url_patterns``, so a new route without an entry in ``MATRIX``
(or, under /admin/, in ``ADMIN_MATRIX``) fails ``test_every_route_has_an_entry``. Each request runs in a
savepoint that is rolled back, so every caller meets the same data. A refusal (401, 403, 404, or a redirect
to the login page) must leak nothing: no id of the workspace's objects and, on a JSON route, only the
standard error body. A caller from outside the workspace never sees those ids, even when it is answered.
Every admin page needs a staff login, and shows a staff member no row of another workspace, listed or by id.
"""

from __future__ import annotations

import io
import json
import re
import secrets
import time
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from documents.constants import DOWNLOAD_URL_EXPIRY_SECONDS
from documents.links import document_thumbnail_url
from evidence.constants import PackSubject
from evidence.models import EvidencePack
from submissions.access import public_form_entry
from submissions.constants import ExportFormat, GrantTargetType, VisibilityMode
from submissions.export_jobs import export_job_create
from submissions.models import DraftLink, FormInvitation, ShareLink
from submissions.public_views import sent_url
from submissions.selectors import SubmissionFilters
from submissions.services import (
    GrantRequest,
    attachment_add,
    form_create,
    form_publish,
    share_link_create,
    submission_create,
    visibility_set,
)
from submissions.services.public_forms import form_invitation_create, public_form_send
from tests.routes import Route, all_routes
from tests.rows import PRODUCT_APPS
from tests.workflows.factories import RequiredDocumentFactory, uploaded_subject_document
from tests.workflows.public_action_support import make_action
from tests.workspaces.factories import MembershipFactory, UserFactory, WorkspaceFactory
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import webhook_endpoint_create
from workflows.models import Fulfillment, PublicAction, RevisionRequest
from workflows.services.revisions import revision_request_create
from workspaces.constants import Role
from workspaces.context import WorkspaceContext
from workspaces.models import OversightRelationship, Workspace
from workspaces.services import api_key_create, api_key_revoke

# --- Callers -------------------------------------------------------------------------------------

KEY_CALLERS = ["anonymous", "revoked_key", "stranger_key", "viewer", "member", "admin", "owner", "overseer"]
# A member who is neither the submitter nor a grantee: on a submission's routes it asks for a restricted one.
NON_GRANTEE = "non_grantee"
TOKEN_CALLERS = ["valid_token", "bad_token", "expired_token"]
PAGE_CALLERS = ["anonymous", "logged_in_owner"]

EVERYONE = frozenset(KEY_CALLERS + [NON_GRANTEE])
# A route that names no object acts in the caller's own workspace: any valid key with the role may call it
# (the stranger's key and the overseer are ADMINs of their own workspaces).
SIGNED_IN = EVERYONE - {"anonymous", "revoked_key"}
OWN_READERS = SIGNED_IN
OWN_WRITERS = SIGNED_IN - {"viewer"}
OWN_ADMINS = frozenset({"admin", "owner", "stranger_key", "overseer"})
# A route that names an object of the home workspace: its members only, by role.
READERS = frozenset({"viewer", "member", "admin", "owner", NON_GRANTEE})
WRITERS = READERS - {"viewer"}
ADMINS = frozenset({"admin", "owner"})
# A submission's routes: the overseer and the non-grantee ask for a restricted submission granted (read-only)
# to the overseer's workspace and not to the non-grantee.
SEEN_BY_OVERSEER = READERS - {NON_GRANTEE} | {"overseer"}
SUBMISSION_READERS = READERS - {NON_GRANTEE}
SUBMISSION_WRITERS = WRITERS - {NON_GRANTEE}
TOKEN_HOLDER = frozenset({"valid_token"})


@dataclass(frozen=True)
class Call:
    """One request of a route: its method, body or query, and who may make it."""

    method: str
    allowed: frozenset[str]
    body: Any = None
    query: str = ""
    callers: tuple[str, ...] = tuple(KEY_CALLERS + [NON_GRANTEE])


def _token(method: str = "post", body: Any = None) -> Call:
    return Call(method, TOKEN_HOLDER, body, callers=tuple(TOKEN_CALLERS))


def _page(allowed: frozenset[str]) -> Call:
    return Call("get", allowed, callers=tuple(PAGE_CALLERS))


_SUBMIT_BODY = {"first_name": "Jane"}
# A public form page: its open address (anyone, the form being open), an invitation's and a draft's (the token).
_PUBLIC_FORM = "f/<slug:workspace_slug>/<slug:form_slug>/"
_PUBLIC_UPLOADS = {"visit": "v" * 43, "files": [{"path": "full_name", "fileName": "a.pdf"}]}
_PUBLIC_SEND = {"visit": "v" * 43, "answers": {"full_name": "From the page"}}

# pattern -> the calls made of it. Bodies may name "{key}" placeholders, filled from the world's ids.
MATRIX: dict[str, list[Call]] = {
    "api/health": [Call("get", EVERYONE)],
    "api/health/ready": [Call("get", EVERYONE)],
    "api/schema/": [Call("get", EVERYONE)],
    "api/docs/": [Call("get", EVERYONE)],
    "api/s3/presigned-post": [
        Call("get", OWN_WRITERS, query="contenttype=application/pdf&filename=a.pdf&source=field_value")
    ],
    "api/s3/success": [Call("post", WRITERS, {"uuid": "{document_uuid}"})],
    "api/audit": [Call("get", OWN_ADMINS)],
    "api/webhooks/endpoints": [
        Call("get", OWN_ADMINS),
        Call("post", OWN_ADMINS, {"url": "http://127.0.0.1:9/new", "eventTypes": ["submission.created"]}),
    ],
    "api/webhooks/endpoints/<str:endpoint_id>": [
        Call("get", ADMINS),
        Call("patch", ADMINS, {"description": "Renamed"}),
        Call("delete", ADMINS),
    ],
    "api/webhooks/endpoints/<str:endpoint_id>/rotate-secret": [Call("post", ADMINS)],
    "api/webhooks/endpoints/<str:endpoint_id>/deliveries": [Call("get", ADMINS)],
    "api/webhooks/endpoints/<str:endpoint_id>/attempts": [Call("get", ADMINS)],
    "api/webhooks/endpoints/<str:endpoint_id>/replay": [Call("post", ADMINS)],
    "api/webhooks/deliveries/<str:delivery_id>/replay": [Call("post", ADMINS)],
    "api/forms": [Call("get", OWN_READERS), Call("post", OWN_ADMINS, {"title": "New form"})],
    "api/forms/<str:form_id>": [Call("get", READERS), Call("patch", ADMINS, {"title": "Renamed"})],
    "api/forms/<str:form_id>/publish": [Call("post", ADMINS)],
    "api/forms/<str:form_id>/archive": [Call("post", ADMINS)],
    "api/submissions": [
        Call("get", OWN_READERS),
        Call("post", WRITERS, {"formId": "{form_id}", "data": {"full_name": "New"}}),
    ],
    "api/submissions/stats": [Call("get", OWN_READERS)],
    "api/submissions/export": [Call("get", OWN_WRITERS, query="format=csv")],
    "api/submissions/exports": [Call("get", OWN_READERS), Call("post", OWN_WRITERS, {"format": "csv"})],
    # A job is its requester's (the owner's, here) alone; queued, its file is not ready (409, not a refusal).
    "api/submissions/exports/<str:job_id>": [Call("get", frozenset({"owner"}))],
    "api/submissions/exports/<str:job_id>/download": [Call("get", frozenset({"owner"}))],
    "api/submissions/drafts": [Call("get", OWN_READERS)],
    "api/submissions/drafts/<str:submission_id>": [
        Call("get", READERS),
        Call("patch", WRITERS, {"data": {"full_name": "Draft"}}),
        Call("delete", WRITERS),
    ],
    "api/submissions/<str:submission_id>": [
        Call("get", SEEN_BY_OVERSEER),
        Call("patch", SUBMISSION_WRITERS, {"metadata": {"x": 1}}),
        Call("delete", ADMINS),
    ],
    "api/submissions/<str:submission_id>/submit": [Call("post", SUBMISSION_WRITERS)],
    "api/submissions/<str:submission_id>/notes": [
        Call("get", SUBMISSION_READERS),
        Call("post", SUBMISSION_WRITERS, {"content": "A note"}),
    ],
    "api/submissions/<str:submission_id>/documents": [
        Call("get", SEEN_BY_OVERSEER),
        Call("post", SUBMISSION_WRITERS, {"fileId": "{document_uuid}"}),
        Call("delete", SUBMISSION_WRITERS, query="attachmentId={attachment_id}"),
    ],
    "api/submissions/<str:submission_id>/share": [Call("post", SUBMISSION_WRITERS), Call("delete", SUBMISSION_WRITERS)],
    "api/submissions/<str:submission_id>/share/email": [Call("post", SUBMISSION_WRITERS, {"email": "a@example.com"})],
    "api/submissions/<str:submission_id>/history": [Call("get", SEEN_BY_OVERSEER)],
    "api/submissions/<str:submission_id>/snapshots/<str:snapshot_id>": [Call("get", SEEN_BY_OVERSEER)],
    "api/submissions/<str:submission_id>/snapshots/<str:snapshot_id>/rollback": [Call("post", ADMINS)],
    "api/submissions/<str:submission_id>/evidence-packs": [Call("post", SUBMISSION_WRITERS)],
    "api/workflows/<str:workflow_id>/evidence-packs": [Call("post", WRITERS)],
    "api/evidence-packs": [Call("get", OWN_WRITERS)],
    "api/evidence-packs/<str:pack_id>": [Call("get", WRITERS)],
    "api/evidence-packs/<str:pack_id>/links": [Call("get", WRITERS)],  # a QUEUED pack: 409 to those allowed
    "api/submissions/<str:submission_id>/visibility": [
        Call("get", SUBMISSION_READERS),
        Call("put", ADMINS, {"mode": "workspace"}),
    ],
    "document.create": [
        Call("post", WRITERS, {"subject_record_id": "{record_id}", "file_name": "a.pdf", "file_size_in_bytes": 9})
    ],
    "document.get": [Call("post", READERS, {"document_id": "{subject_document_id}"})],
    "workflow.create": [Call("post", WRITERS, {"type": "BUSINESS_APPLICATION", "subject_record_id": "{record_id}"})],
    "workflow.get": [Call("post", READERS, {"workflow_id": "{workflow_id}"})],
    "workflow.complete": [Call("post", WRITERS, {"workflow_id": "{workflow_id}"})],
    "workflow.requiredDocument.add": [
        Call(
            "post",
            WRITERS,
            {"workflow_id": "{workflow_id}", "document_type_code": "PASSPORT", "category": "REQUIREMENT"},
        )
    ],
    "workflow.requiredDocument.list": [Call("post", READERS, {"workflow_id": "{workflow_id}"})],
    "workflow.requiredDocument.fulfillment.batchAdd": [
        Call(
            "post",
            WRITERS,
            {
                "workflow_id": "{workflow_id}",
                "fulfillments": [
                    {"required_document_id": "{required_document_id}", "document_id": "{subject_document_id}"}
                ],
            },
        )
    ],
    "workflow.requiredDocument.fulfillment.list": [Call("post", READERS, {"workflow_id": "{workflow_id}"})],
    "workflow.requiredDocument.fulfillment.decide": [
        Call("post", WRITERS, {"fulfillment_id": "{fulfillment_id}", "decision_status": "ACCEPTED"})
    ],
    "workflow.publicAction.create": [
        Call("post", WRITERS, {"workflow_id": "{workflow_id}", "form_version_id": "{form_version_id}"})
    ],
    "workflow.publicAction.list": [Call("post", OWN_READERS, {})],
    "workflow.revisionRequest.create": [
        Call(
            "post",
            WRITERS,
            {"workflow_id": "{workflow_id}", "required_document_ids": ["{required_document_id}"], "message": "Again"},
        )
    ],
    "workflow.revisionRequest.list": [Call("post", READERS, {"workflow_id": "{workflow_id}"})],
    "workflow.revisionRequest.revoke": [Call("post", WRITERS, {"revision_request_id": "{revision_request_id}"})],
    "v3/public/actions/<str:token>": [_token("post", _SUBMIT_BODY)],
    "v3/public/actions/<str:token>/confirm": [_token("post")],
    "files/thumbnails/<str:token>/": [_token("get")],
    "files/icons/<slug:extension>.svg": [_page(frozenset(PAGE_CALLERS))],
    "share/<str:token>/": [_token("get")],
    "actions/<str:token>": [_token("get")],
    "actions/<str:token>/send": [_token("post", _SUBMIT_BODY)],  # the page's route to the submit view
    "actions/<str:token>/revision/uploads": [
        _token("post", {"files": [{"required_document_id": "{revision_required_id}", "file_name": "new.pdf"}]})
    ],
    "actions/<str:token>/revision/confirm": [_token("post")],
    "": [_page(frozenset(PAGE_CALLERS))],
    "workspaces/": [_page(frozenset({"logged_in_owner"}))],
    "i18n/setlang/": [_page(frozenset(PAGE_CALLERS))],  # the language switcher: a cookie, no data
    "forms/<str:form_id>/preview/": [_page(frozenset({"logged_in_owner"}))],
    "forms/versions/<str:version_id>/preview/": [_page(frozenset({"logged_in_owner"}))],
    _PUBLIC_FORM: [_page(frozenset(PAGE_CALLERS))],
    f"{_PUBLIC_FORM}uploads": [Call("post", frozenset(PAGE_CALLERS), _PUBLIC_UPLOADS, callers=tuple(PAGE_CALLERS))],
    f"{_PUBLIC_FORM}send": [Call("post", frozenset(PAGE_CALLERS), _PUBLIC_SEND, callers=tuple(PAGE_CALLERS))],
    f"{_PUBLIC_FORM}sent/<str:signed>/": [_page(frozenset(PAGE_CALLERS))],
    **{
        f"{_PUBLIC_FORM}{way}/<str:token>/{part}": [call]
        for way in ("i", "d")
        for part, call in (
            ("", _token("get")),
            ("uploads", _token("post", _PUBLIC_UPLOADS)),
            ("send", _token("post", _PUBLIC_SEND)),
        )
    },
}

# The admin, by kind of page (the end of the URL name): who is served without being a workspace's staff. The
# admin's role policy (what each role may open) belongs to the admin scoping test; here: a staff login is needed
# for every page but the login itself, and another workspace's rows are never shown (the test below).
ADMIN_CALLERS = ["anonymous", "non_staff_member"]
ADMIN_OPEN = frozenset(ADMIN_CALLERS)
ADMIN_MATRIX: dict[str, frozenset[str]] = {
    **{
        kind: frozenset()
        for kind in (
            "index",
            "app_list",
            "changelist",
            "add",
            "change",
            "history",
            "delete",
            "simple_history",
            "autocomplete",
            "password_change",
            "password_change_done",
            "jsi18n",
            "view_on_site",
            "object_redirect",
            "case_action",
            "compare",
            "object_action",
            "reverify",
            "evidence_evidencepack_request",  # the evidence pack button's POST (a GET is a 405)
        )
    },
    "login": ADMIN_OPEN,
    "logout": frozenset(),  # logged out or not, the answer is the way back to the login page
}
# Each model of the admin and the path from it to its workspace: how the test finds another workspace's rows.
ADMIN_WORKSPACE_LOOKUP: dict[str, str | None] = {
    "audit.auditevent": "workspace",
    "auth.group": None,
    "auth.user": "memberships__workspace",
    "workspaces.workspace": "pk",
    "workspaces.oversightrelationship": "overseen",
    "workspaces.apikey": "workspace",
    "documents.document": "workspace",
    "submissions.form": "workspace",
    "submissions.formversion": "form__workspace",
    "submissions.submission": "workspace",
    "submissions.submissionvisibility": "workspace",
    "submissions.matter": "workspace",
    "submissions.sharelink": "submission__workspace",
    "submissions.forminvitation": "form__workspace",
    "submissions.draftlink": "submission__workspace",
    "submissions.exportjob": "workspace",
    "workflows.publicaction": "workspace",
    "workflows.subjectrecord": "workspace",
    "workflows.workflow": "workspace",
    "workflows.fulfillment": "required_document__workflow__workspace",
    "evidence.evidencepack": "workspace",
    "webhooks.webhookendpoint": "workspace",
    "webhooks.webhookdelivery": "endpoint__workspace",
}


# --- The world -----------------------------------------------------------------------------------


@dataclass
class Tenant:
    """One workspace with one of everything, its ids by placeholder name."""

    workspace: Workspace
    ids: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)  # route pattern -> caller -> token
    public_form: dict[str, str] = field(default_factory=dict)  # the public form page's path values

    @property
    def secrets(self) -> set[str]:
        return {value for name, value in self.ids.items() if name != "document_uuid" and len(value) > 8}


def _thumbnail_token(document: Any) -> str:
    return str(document_thumbnail_url(document).rstrip("/").rsplit("/", 1)[1])


def _tenant(workspace: Workspace) -> Tenant:
    schema = {"fields": [{"key": "full_name", "label": "Name", "type": "text"}]}
    form = form_create(workspace=workspace, title="Matrix form", schema=schema, acting_user=None)
    version = form_publish(form=form, acting_user=None)
    submitted = submission_create(workspace=workspace, form_version=version, data={"full_name": "S"}, acting_user=None)
    draft = submission_create(
        workspace=workspace, form_version=version, data={"full_name": "D"}, acting_user=None, status="DRAFT"
    )
    restricted = submission_create(workspace=workspace, form_version=version, data={"full_name": "R"}, acting_user=None)
    action, action_token = make_action(workspace)
    record = action.workflow.subject_record
    subject_document = uploaded_subject_document(record)
    required = RequiredDocumentFactory.create(workflow=action.workflow)
    fulfillment = Fulfillment.objects.create(required_document=required, subject_document=subject_document)
    _, expired_action_token = make_action(workspace)
    PublicAction.objects.filter(pk=PublicAction.objects.latest("pk").pk).update(expires_at=timezone.now())
    revision_required = RequiredDocumentFactory.create(workflow=action.workflow)
    revision_tokens = [
        revision_request_create(
            workspace=workspace,
            workflow_id=action.workflow.public_id,
            required_document_ids=[revision_required.public_id],
            message="Please send it again.",
            acting_user=None,
        )
        for _ in range(2)
    ]
    RevisionRequest.objects.filter(pk=revision_tokens[1][0].pk).update(expires_at=timezone.now())
    attachment = attachment_add(submission=submitted, document_uuid=subject_document.document.uuid, acting_user=None)
    _, share_token = share_link_create(submission=submitted, acting_user=None)
    expired_link, expired_share_token = share_link_create(submission=submitted, acting_user=None)
    ShareLink.objects.filter(pk=expired_link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    thumbnail = _thumbnail_token(subject_document.document)
    with mock.patch("django.core.signing.time.time", return_value=time.time() - 10 * DOWNLOAD_URL_EXPIRY_SECONDS):
        expired_thumbnail = _thumbnail_token(subject_document.document)
    pack = EvidencePack.objects.create(workspace=workspace, subject_type=PackSubject.WORKFLOW, workflow=action.workflow)
    endpoint, _ = webhook_endpoint_create(
        workspace=workspace, url="http://127.0.0.1:9/hook", event_types=["workflow.completed"], acting_user=None
    )
    event = WebhookEvent.objects.create(workspace=workspace, event_type="workflow.completed", payload={})
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint, status="FAILED")
    tenant = Tenant(workspace=workspace)
    tenant.ids = {
        "form_id": form.public_id,
        "form_version_id": version.public_id,
        "submission_id": submitted.public_id,
        "draft_id": draft.public_id,
        "restricted_id": restricted.public_id,
        "snapshot_id": submitted.history.first().snapshot_id,
        "restricted_snapshot_id": restricted.history.first().snapshot_id,
        "workflow_id": action.workflow.public_id,
        "record_id": record.public_id,
        "subject_document_id": subject_document.public_id,
        "required_document_id": required.public_id,
        "fulfillment_id": fulfillment.public_id,
        "revision_required_id": revision_required.public_id,
        "revision_request_id": revision_tokens[0][0].public_id,
        "document_uuid": str(subject_document.document.uuid),
        "attachment_id": attachment.public_id,
        "pack_id": pack.public_id,
        "endpoint_id": endpoint.public_id,
        "delivery_id": delivery.public_id,
    }
    action_tokens = {"valid_token": action_token, "bad_token": "x" * 43, "expired_token": expired_action_token}
    tenant.tokens = {
        "v3/public/actions/<str:token>": action_tokens,
        "v3/public/actions/<str:token>/confirm": action_tokens,
        "actions/<str:token>": action_tokens,
        "actions/<str:token>/send": action_tokens,
        **{
            f"actions/<str:token>/revision/{step}": {
                "valid_token": revision_tokens[0][1],
                "bad_token": "x" * 43,
                "expired_token": revision_tokens[1][1],
            }
            for step in ("uploads", "confirm")
        },
        "share/<str:token>/": {"valid_token": share_token, "bad_token": "x" * 43, "expired_token": expired_share_token},
        "files/thumbnails/<str:token>/": {
            "valid_token": thumbnail,
            "bad_token": thumbnail[:-4] + "AAAA",
            "expired_token": expired_thumbnail,
        },
    }
    _public_form(tenant, schema)
    return tenant


def _public_form(tenant: Tenant, schema: dict[str, Any]) -> None:
    """A form open to the public, with a live and an expired invitation and resume link, and a sent answer."""
    workspace = tenant.workspace
    form = form_create(
        workspace=workspace,
        title="Matrix public",
        slug="matrix-public",
        schema=schema,
        acting_user=None,
        is_public=True,
    )
    form_publish(form=form, acting_user=None)
    invitations = [form_invitation_create(form=form, acting_user=None)[1] for _ in range(2)]
    FormInvitation.objects.filter(pk=FormInvitation.objects.latest("pk").pk).update(expires_at=timezone.now())
    entry = public_form_entry(workspace_slug=workspace.slug, form_slug=form.slug)
    drafts = [
        public_form_send(
            entry=entry, visit_key=secrets.token_urlsafe(32), data={"full_name": "P"}, as_draft=True
        ).draft_token
        for _ in range(2)
    ]
    DraftLink.objects.filter(pk=DraftLink.objects.latest("pk").pk).update(expires_at=timezone.now())
    sent = public_form_send(entry=entry, visit_key=secrets.token_urlsafe(32), data={"full_name": "Sent"}).submission
    tenant.public_form = {
        "workspace_slug": workspace.slug,
        "form_slug": form.slug,
        "signed": sent_url(entry, sent).rstrip("/").rsplit("/", 1)[1],
    }
    for way, tokens in (("i", invitations), ("d", drafts)):
        for part in ("", "uploads", "send"):
            tenant.tokens[f"{_PUBLIC_FORM}{way}/<str:token>/{part}"] = {
                "valid_token": tokens[0],
                "bad_token": "x" * 43,
                "expired_token": tokens[1],
            }


@dataclass
class World:
    home: Tenant
    stranger: Tenant
    overseer_workspace: Workspace
    clients: dict[str, Client]


def _key_client(workspace: Workspace, user: User | None = None, *, revoked: bool = False) -> APIClient:
    api_key, raw_key = api_key_create(workspace=workspace, name="matrix", acting_user=None, role=Role.ADMIN)
    if revoked:
        api_key_revoke(api_key=api_key, acting_user=None)
    client = APIClient()
    headers = {"HTTP_X_API_KEY": raw_key}
    if user is not None:
        headers["HTTP_X_USER_ID"] = str(user.pk)
    client.credentials(**headers)
    return client


def _member(workspace: Workspace, role: Role, **fields: Any) -> User:
    user = UserFactory.create(**fields)
    MembershipFactory.create(user=user, workspace=workspace, role=role)
    return user


@pytest.fixture
def world(db: None) -> World:
    home_ws = WorkspaceFactory.create(name="Home Workspace")
    stranger_ws = WorkspaceFactory.create(name="Stranger Workspace")
    overseer_ws = WorkspaceFactory.create(name="Overseer Workspace")
    OversightRelationship.objects.create(overseer=overseer_ws, overseen=home_ws, active=True)
    home, stranger = _tenant(home_ws), _tenant(stranger_ws)
    grant = GrantRequest(target_type=GrantTargetType.OVERSIGHT_WORKSPACE, target_id=str(overseer_ws.public_id))
    restricted = home_ws.submissions.get(public_id=home.ids["restricted_id"])
    visibility_set(submission=restricted, mode=VisibilityMode.RESTRICTED, grants=[grant], acting_user=None)

    owner = _member(home_ws, Role.OWNER, is_staff=True)
    for tenant, requester in ((home, owner), (stranger, _member(stranger_ws, Role.OWNER))):
        job = export_job_create(
            context=WorkspaceContext(workspace=tenant.workspace, role=Role.OWNER, user=requester),
            export_format=ExportFormat.CSV,
            filters=SubmissionFilters(),
            query={"format": "csv"},
            via="api",
        )
        tenant.ids["export_job_id"] = job.public_id
    clients: dict[str, Client] = {
        "anonymous": APIClient(),
        "revoked_key": _key_client(home_ws, revoked=True),
        "stranger_key": _key_client(stranger_ws),
        "overseer": _key_client(overseer_ws, _member(overseer_ws, Role.ADMIN)),
        NON_GRANTEE: _key_client(home_ws, _member(home_ws, Role.MEMBER)),
        "owner": _key_client(home_ws, owner),
        **{
            role.value.lower(): _key_client(home_ws, _member(home_ws, role))
            for role in (Role.VIEWER, Role.MEMBER, Role.ADMIN)
        },
        **{caller: APIClient() for caller in TOKEN_CALLERS},
    }
    logged_in = Client()
    logged_in.force_login(owner)
    non_staff = Client()
    non_staff.force_login(_member(home_ws, Role.MEMBER))
    clients.update({"logged_in_owner": logged_in, "staff_owner": logged_in, "non_staff_member": non_staff})
    for client in clients.values():
        client.raise_request_exception = False
    return World(home=home, stranger=stranger, overseer_workspace=overseer_ws, clients=clients)


# --- Running a call ------------------------------------------------------------------------------

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda match: ids[match.group(1)], value)
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def _path_values(route: Route, caller: str, world: World) -> dict[str, str]:
    ids = world.home.ids
    restricted = caller in {NON_GRANTEE, "overseer"}
    values = {
        "form_id": ids["form_id"],
        "version_id": ids["form_version_id"],
        "submission_id": ids["restricted_id"] if restricted else ids["submission_id"],
        "snapshot_id": ids["restricted_snapshot_id"] if restricted else ids["snapshot_id"],
        "workflow_id": ids["workflow_id"],
        "pack_id": ids["pack_id"],
        "extension": "pdf",
        **world.home.public_form,
        "endpoint_id": ids["endpoint_id"],
        "delivery_id": ids["delivery_id"],
        "job_id": ids["export_job_id"],
    }
    if "drafts/" in route.pattern:
        values["submission_id"] = ids["draft_id"]
    if "token" in route.params:
        values["token"] = world.home.tokens[route.pattern][caller]
    return values


def _refused(response: Any) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "login" in response.get("Location", "")


def _request(client: Client, method: str, url: str, body: Any) -> Any:
    """One request in a savepoint rolled back afterwards: every caller meets the same data."""
    with transaction.atomic():
        data = json.dumps(body) if body is not None else None
        response: Any = client.generic(method.upper(), url, data or "", content_type="application/json")
        if response.streaming:  # read while the rows exist; a ZIP (an export) is read as the text it holds
            content = b"".join(response.streaming_content)
            if response["Content-Type"] == "application/zip":
                archive = zipfile.ZipFile(io.BytesIO(content))
                content = b"\n".join(archive.read(name) for name in archive.namelist())
            response = HttpResponse(content, status=response.status_code, content_type=response["Content-Type"])
        transaction.set_rollback(True)
    return response


def _leaks(response: Any, caller: str, world: World, sent: str) -> list[str]:
    """The home workspace's ids that an outsider's (or a refused caller's) answer shows, beyond those it sent."""
    text = response.content.decode(errors="replace")
    secrets = {secret for secret in world.home.secrets if secret not in sent}
    if caller == "overseer" and not _refused(response):
        secrets -= {world.home.ids["restricted_id"], world.home.ids["form_id"], world.home.ids["form_version_id"]}
        secrets -= {world.home.ids["restricted_snapshot_id"]}
    return sorted(secret for secret in secrets if secret in text)


OUTSIDERS = {"anonymous", "revoked_key", "stranger_key", "overseer", "bad_token", "expired_token"}


def _check(route: Route, call: Call, world: World, problems: list[str]) -> None:
    for caller in call.callers:
        values = _path_values(route, caller, world)
        url = route.path(**values) + (f"?{_fill(call.query, world.home.ids)}" if call.query else "")
        body = _fill(call.body, world.home.ids)
        response = _request(world.clients[caller], call.method, url, body)
        label = f"{call.method.upper()} /{route.pattern} as {caller}"
        if response.status_code == 503 and b"STORAGE_UNAVAILABLE" in response.content:
            continue  # S3 slow on a loaded machine: the request was let through, and answered with a retry
        if response.status_code >= 500:
            problems.append(f"{label}: {response.status_code}")
            continue
        refused = _refused(response)
        if refused == (caller in call.allowed):
            problems.append(f"{label}: {'refused' if refused else 'allowed'} ({response.status_code})")
        if refused and route.is_json:
            body = response.json() if response["Content-Type"].startswith("application/json") else {}
            if set(body) != {"success", "error", "code", "details"}:
                problems.append(f"{label}: a refusal without the standard body")
        if refused or caller in OUTSIDERS:
            leaked = _leaks(response, caller, world, sent=url + json.dumps(body))
            if leaked:
                problems.append(f"{label}: shows {leaked}")


# --- Tests ---------------------------------------------------------------------------------------


def test_every_route_has_an_entry() -> None:
    routes = all_routes()
    missing = [
        route.pattern for route in routes if not route.pattern.startswith("admin/") and route.pattern not in MATRIX
    ]
    assert not missing, f"routes with no entry in the authorisation matrix: {missing}"
    stale = set(MATRIX) - {route.pattern for route in routes}
    assert not stale, f"matrix entries of routes that no longer exist: {stale}"
    for route in routes:
        if route.pattern in MATRIX:
            assert {call.method for call in MATRIX[route.pattern]} == set(route.methods), route.pattern
        elif route.pattern.startswith("admin/"):
            assert _admin_kind(route) in ADMIN_MATRIX, route.pattern
    unscoped = {model._meta.label_lower for model in admin.site._registry} - set(ADMIN_WORKSPACE_LOOKUP)
    assert not unscoped, f"admin models with no path to their workspace in ADMIN_WORKSPACE_LOOKUP: {unscoped}"


def test_each_caller_gets_exactly_its_allowed_set_and_refusals_leak_nothing(world: World) -> None:
    problems: list[str] = []
    for route in all_routes():
        for call in MATRIX.get(route.pattern, []):
            _check(route, call, world, problems)
    assert not problems, "\n".join(problems)


def _admin_kind(route: Route) -> str:
    name = route.name.removeprefix("admin:")
    if not name:
        return "object_redirect"
    kinds = (
        "simple_history",
        "changelist",
        "add",
        "change",
        "history",
        "delete",
        "autocomplete",
        "case_action",
        "compare",
        "reverify",
    )
    for kind in kinds:
        if name.endswith(f"_{kind}") or name == kind:
            return kind
    if "<path:object_id>" in route.pattern:
        return "object_action"  # a button of an object's page (POST only): decide, revoke...
    return name


# --- The admin -----------------------------------------------------------------------------------

OBJECT_KINDS = (
    "change",
    "history",
    "delete",
    "object_redirect",
    "simple_history",
    "case_action",
    "compare",
    "object_action",
    "reverify",
)


def _admin_model(route: Route) -> Any:
    for model in admin.site._registry:
        if route.pattern.startswith(f"admin/{model._meta.app_label}/{model._meta.model_name}/"):
            return model
    return None


def _admin_object(model: Any, workspace: Workspace) -> Any:
    lookup = ADMIN_WORKSPACE_LOOKUP[model._meta.label_lower] if model is not None else None
    return None if lookup is None else model.objects.filter(**{lookup: workspace.pk}).order_by("pk").first()


def _admin_urls(route: Route, obj: Any) -> list[str]:
    """The route's URLs: for ``obj`` on an object's page (none without one), else the page itself."""
    kind = _admin_kind(route)
    if kind in OBJECT_KINDS:
        if obj is None:
            return []
        if kind == "object_redirect":
            return [f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/"]
        if kind == "simple_history":
            record = obj.history.order_by("history_id").first()
            return [reverse(route.name, args=[obj.pk, record.history_id])] if record else []
        if kind == "case_action":  # a GET of an action (a POST) is refused, and answers nothing about the row
            return [reverse(route.name, args=[obj.pk, "note"])]
        return [reverse(route.name, args=[obj.pk])]
    if kind == "app_list":
        return [reverse(route.name, kwargs={"app_label": label}) for label in ("workspaces", *PRODUCT_APPS[1:])]
    if kind == "view_on_site":
        return []  # no model of the admin has a page of its own to view on the site
    return [reverse(route.name)]


def _admin_refused(response: Any) -> bool:
    """Not served: 403, 404, or a redirect to the login page or away from a row it may not see (the index)."""
    if response.status_code in (403, 404):
        return True
    location = response.get("Location", "") if response.status_code == 302 else ""
    return "/login/" in location or location.rstrip("/").endswith("/admin")


def test_the_admin_needs_a_staff_login_and_never_shows_another_workspace(world: World) -> None:
    """The staff owner's rights come from its OWNER role (workspaces/admin_base.py): every page of its own rows."""
    problems: list[str] = []
    stranger_secrets = world.stranger.secrets | {world.stranger.workspace.name}
    for route in all_routes():
        if not route.pattern.startswith("admin/"):
            continue
        kind, model = _admin_kind(route), _admin_model(route)
        method = "post" if kind == "logout" else "get"
        # Logging out would end the other callers' sessions: only the anonymous caller does.
        callers = ["anonymous"] if kind == "logout" else [*ADMIN_CALLERS, "staff_owner"]
        for url in _admin_urls(route, _admin_object(model, world.home.workspace)):
            for caller in callers:
                response = _request(world.clients[caller], method, url, None)
                text = response.content.decode(errors="replace")
                served = not _admin_refused(response)
                if response.status_code >= 500 or (
                    caller in ADMIN_CALLERS and served != (caller in ADMIN_MATRIX[kind])
                ):
                    problems.append(f"{method.upper()} {url} as {caller}: {response.status_code}")
                shown = sorted(secret for secret in stranger_secrets if secret in text)
                if shown:
                    problems.append(f"{method.upper()} {url} as {caller}: shows another workspace's {shown}")
        # Another workspace's row, asked for by its id: not served to the staff, whatever the page (the bare
        # object URL only redirects to its change page, asked for here too).
        stranger_kinds = set(OBJECT_KINDS) - {"object_redirect"}
        for url in _admin_urls(route, _admin_object(model, world.stranger.workspace)) if kind in stranger_kinds else []:
            response = _request(world.clients["staff_owner"], "get", url, None)
            if not _admin_refused(response):
                problems.append(f"GET {url} (another workspace's row) as staff_owner: {response.status_code}")
    assert not problems, "\n".join(problems)
