"""Issue 11: every registered ModelAdmin, walked for every kind of actor, shows and allows exactly its role's share.

One workspace ("Acme") holds one object of every kind, among them a RESTRICTED submission granted to one member
and to an overseer workspace, with two files (one its file field names, one attached) as hidden as its data. For
each actor (its OWNER, an ADMIN, a MEMBER and a VIEWER who are not granted the restricted submission, the granted
MEMBER, a member of the overseer workspace, the OWNER of another workspace) the test walks
``admin.site._registry`` (so a new admin cannot be forgotten): changelist (rows and counts), change, delete and
history pages of every object, every action, and autocomplete. What the actor may not see never appears on any
page, and what it may not do changes nothing in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db.models import Model
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from audit.constants import AuditAction
from audit.models import AuditEvent
from config.ids import token_hash
from evidence.constants import PackSubject
from evidence.models import EvidencePack
from submissions.constants import GrantTargetType, VisibilityMode
from submissions.models import DraftLink, Submission, SubmissionVisibility
from submissions.services import (
    GrantRequest,
    attachment_add,
    form_create,
    form_publish,
    matter_create,
    matter_link_submission,
    note_create,
    share_link_create,
    submission_create,
    visibility_set,
)
from submissions.services.public_forms import form_invitation_create
from tests.documents.factories import UploadedDocumentFactory
from tests.workflows.factories import (
    RequiredDocumentFactory,
    SubjectRecordFactory,
    WorkflowFactory,
    uploaded_subject_document,
)
from tests.workspaces.factories import MembershipFactory, UserFactory, WorkspaceFactory
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.services import webhook_endpoint_create
from workflows.models import Fulfillment
from workflows.services.public_actions import public_action_create
from workspaces.constants import ROLE_RANK, Role
from workspaces.models import OversightRelationship
from workspaces.services import api_key_create

SCHEMA = {
    "fields": [
        {"key": "full_name", "type": "text", "label": "Full name", "required": True},
        {"key": "passport", "type": "file", "label": "Passport"},
    ]
}
# The restricted submission's files: one named by its file field, one attached; as hidden as its data.
RESTRICTED_FILES = ("zebediah-passport.pdf", "zebediah-contract.pdf")

# The policy, as a reviewer reads it: the role that sees, changes and deletes each kind of object (None: nobody
# but a superuser), and the role each action needs. Every registered admin must be listed here.
VIEW: dict[str, Role | None] = {
    "audit.auditevent": Role.ADMIN,
    "auth.user": None,
    "auth.group": None,
    "workspaces.workspace": Role.VIEWER,
    "workspaces.oversightrelationship": Role.VIEWER,
    "workspaces.apikey": Role.ADMIN,
    "documents.document": Role.VIEWER,
    "submissions.form": Role.VIEWER,
    "submissions.formversion": Role.VIEWER,
    "submissions.submission": Role.VIEWER,
    "submissions.submissionvisibility": Role.ADMIN,
    "submissions.matter": Role.VIEWER,
    "submissions.sharelink": Role.VIEWER,
    "submissions.forminvitation": Role.VIEWER,
    "submissions.draftlink": Role.VIEWER,
    "submissions.exportjob": Role.MEMBER,  # its requester's own jobs only
    "workflows.publicaction": Role.VIEWER,
    "workflows.subjectrecord": Role.VIEWER,
    "workflows.workflow": Role.VIEWER,
    "workflows.fulfillment": Role.VIEWER,
    "evidence.evidencepack": Role.MEMBER,
    "webhooks.webhookendpoint": Role.ADMIN,
    "webhooks.webhookdelivery": Role.ADMIN,
}
CHANGE: dict[str, Role] = {
    "workspaces.workspace": Role.ADMIN,
    "submissions.form": Role.ADMIN,
    "submissions.submission": Role.MEMBER,
    "submissions.submissionvisibility": Role.ADMIN,
    "submissions.matter": Role.MEMBER,
    "submissions.sharelink": Role.MEMBER,
    "workflows.workflow": Role.MEMBER,
    "workflows.fulfillment": Role.MEMBER,
    "webhooks.webhookendpoint": Role.ADMIN,
}
DELETE: dict[str, Role] = {"submissions.submission": Role.ADMIN, "webhooks.webhookendpoint": Role.ADMIN}
ADD: dict[str, Role] = {
    "workspaces.apikey": Role.ADMIN,
    "submissions.form": Role.ADMIN,
    "submissions.matter": Role.MEMBER,
    "submissions.exportjob": Role.MEMBER,
    "workflows.workflow": Role.MEMBER,
    "workflows.publicaction": Role.MEMBER,
    "submissions.forminvitation": Role.MEMBER,
    "webhooks.webhookendpoint": Role.ADMIN,
}
ACTIONS: dict[str, dict[str, Role]] = {
    "workspaces.apikey": {"revoke_keys": Role.ADMIN},
    "documents.document": {"reverify": Role.MEMBER},
    "submissions.form": {"publish": Role.ADMIN, "archive": Role.ADMIN},
    "submissions.submission": {
        "delete_selected": Role.ADMIN,
        "export_csv": Role.MEMBER,
        "export_xlsx": Role.MEMBER,
        "claim": Role.MEMBER,
        "assign": Role.MEMBER,
        "unassign": Role.MEMBER,
        "set_status": Role.MEMBER,
    },
    "submissions.submissionvisibility": {"open_to_workspace": Role.ADMIN},
    "submissions.sharelink": {"revoke": Role.MEMBER},
    "submissions.forminvitation": {"revoke": Role.MEMBER},
    "submissions.draftlink": {"revoke": Role.MEMBER},
    "workflows.workflow": {"complete_workflows": Role.MEMBER, "cancel_workflows": Role.MEMBER},
    "workflows.fulfillment": {"accept_fulfillments": Role.MEMBER},
    "workflows.publicaction": {"expire_links": Role.MEMBER},
    "webhooks.webhookendpoint": {
        "delete_selected": Role.ADMIN,
        "rotate_secrets": Role.ADMIN,
        "replay_failed": Role.ADMIN,
    },
    "webhooks.webhookdelivery": {"replay": Role.ADMIN},
}
ACTORS = ["owner", "admin", "member", "viewer", "grantee", "overseer", "outsider"]
PRODUCT_APPS = ("workspaces", "documents", "submissions", "workflows", "evidence", "webhooks")


@dataclass
class World:
    objects: dict[str, list[Model]] = field(default_factory=dict)
    restricted: Submission | None = None
    restricted_documents: set[int] = field(default_factory=set)
    users: dict[str, Any] = field(default_factory=dict)

    def add(self, *objs: Model) -> None:
        for obj in objs:
            self.objects.setdefault(obj._meta.label_lower, []).append(obj)


@pytest.fixture
def world(db: None) -> World:
    acme = WorkspaceFactory.create(name="Acme Secretive")
    overseer_ws = WorkspaceFactory.create(name="Overseer Office")
    other = WorkspaceFactory.create(name="Other Tenant")
    w = World()
    for name, workspace, role in [
        ("owner", acme, Role.OWNER),
        ("admin", acme, Role.ADMIN),
        ("member", acme, Role.MEMBER),
        ("viewer", acme, Role.VIEWER),
        ("grantee", acme, Role.MEMBER),
        ("overseer", overseer_ws, Role.ADMIN),
        ("outsider", other, Role.OWNER),
    ]:
        user = UserFactory.create(username=f"{name}-user", is_staff=True)
        MembershipFactory.create(user=user, workspace=workspace, role=role)
        w.users[name] = user
    oversight = OversightRelationship.objects.create(overseer=overseer_ws, overseen=acme)

    form = form_create(workspace=acme, title="Acme intake form", schema=SCHEMA, acting_user=None)
    version = form_publish(form=form, acting_user=None)
    open_submission = submission_create(
        workspace=acme, form_version=version, data={"full_name": "Olive Open"}, acting_user=None
    )
    named, attached = (UploadedDocumentFactory.create(workspace=acme, original_name=name) for name in RESTRICTED_FILES)
    restricted = submission_create(
        workspace=acme,
        form_version=version,
        data={"full_name": "Zebediah Hidden", "passport": str(named.uuid)},
        acting_user=None,
    )
    attachment_add(submission=restricted, document_uuid=attached.uuid, acting_user=None)
    visibility_set(
        submission=restricted,
        mode=VisibilityMode.RESTRICTED,
        grants=[
            GrantRequest(target_type=GrantTargetType.USER, target_id=str(w.users["grantee"].pk)),
            GrantRequest(target_type=GrantTargetType.OVERSIGHT_WORKSPACE, target_id=str(overseer_ws.public_id)),
        ],
        acting_user=None,
    )
    note_create(submission=restricted, content="Hidden note", acting_user=None)
    matter = matter_create(workspace=acme, title="Acme matter", acting_user=None)
    matter_link_submission(matter=matter, submission=open_submission, acting_user=None)
    matter_link_submission(matter=matter, submission=restricted, acting_user=None)
    open_link, _ = share_link_create(submission=open_submission, acting_user=None)
    restricted_link, _ = share_link_create(submission=restricted, acting_user=None)
    invitation, _ = form_invitation_create(form=form, acting_user=None, label="Acme invitation")
    open_draft_link, restricted_draft_link = (
        DraftLink.objects.create(
            submission=submission, token_hash=token_hash(name), expires_at=timezone.now() + timedelta(days=1)
        )
        for name, submission in (("open", open_submission), ("restricted", restricted))
    )
    record = SubjectRecordFactory.create(workspace=acme, reference="ACME-REF-1")
    workflow = WorkflowFactory.create(subject_record=record)
    requirement = RequiredDocumentFactory.create(workflow=workflow)
    subject_document = uploaded_subject_document(record, file_name="acme-scan.pdf")
    fulfillment = Fulfillment.objects.create(required_document=requirement, subject_document=subject_document)
    action, _ = public_action_create(workflow=workflow, form_version=version, acting_user=None)
    api_key, _ = api_key_create(workspace=acme, name="Acme ERP key", acting_user=None)
    workflow_pack = EvidencePack.objects.create(workspace=acme, subject_type=PackSubject.WORKFLOW, workflow=workflow)
    restricted_pack = EvidencePack.objects.create(
        workspace=acme, subject_type=PackSubject.SUBMISSION, submission=restricted
    )
    endpoint, _ = webhook_endpoint_create(
        workspace=acme, url="http://127.0.0.1:9/acme", event_types=["workflow.completed"], acting_user=None
    )
    event = WebhookEvent.objects.create(workspace=acme, event_type="workflow.completed", payload={})
    delivery = WebhookDelivery.objects.create(event=event, endpoint=endpoint, status="FAILED")

    w.add(acme, oversight, api_key, subject_document.document, form, version, open_submission, restricted)
    w.add(matter, open_link, restricted_link, record, workflow, fulfillment, action, endpoint, delivery)
    w.add(invitation, open_draft_link, restricted_draft_link)
    w.add(workflow_pack, restricted_pack)
    w.add(*SubmissionVisibility.objects.filter(pk__in=[open_submission.pk, restricted.pk]))
    w.add(*AuditEvent.objects.filter(workspace=acme, action=AuditAction.API_KEY_CREATED))
    w.add(named, attached)
    w.restricted = restricted
    w.restricted_documents = {named.pk, attached.pk}
    return w


def role_of(actor: str) -> Role | None:
    return {
        "owner": Role.OWNER,
        "admin": Role.ADMIN,
        "member": Role.MEMBER,
        "viewer": Role.VIEWER,
        "grantee": Role.MEMBER,
    }.get(actor)


def allows(actor: str, minimum: Role | None) -> bool:
    role = role_of(actor)
    return role is not None and minimum is not None and ROLE_RANK[role] >= ROLE_RANK[minimum]


def sees_restricted(actor: str) -> bool:
    return actor in ("owner", "grantee", "overseer")


def visible(w: World, actor: str, obj: Model) -> bool:
    label = obj._meta.label_lower
    restricted = w.restricted
    assert restricted is not None
    tied_to_restricted = obj == restricted or getattr(obj, "submission_id", None) == restricted.pk
    tied_to_restricted |= label == "documents.document" and obj.pk in w.restricted_documents
    if actor == "overseer":  # an overseer sees the submission granted to its workspace, and nothing else
        return obj == restricted and label == "submissions.submission"
    if label == "submissions.submissionvisibility":  # ADMIN and OWNER manage every submission's visibility
        return allows(actor, Role.ADMIN)
    return allows(actor, VIEW[label]) and (sees_restricted(actor) or not tied_to_restricted)


def forbidden_strings(w: World, actor: str) -> list[str]:
    """What identifies an object the actor may not see; none of it may appear on any page it gets."""
    hidden = [] if sees_restricted(actor) else ["Zebediah Hidden", "Hidden note", *RESTRICTED_FILES]
    if not sees_restricted(actor) and not allows(actor, Role.ADMIN):  # an ADMIN sees it among the visibility settings
        hidden.append(w.restricted.public_id)  # type: ignore[union-attr]
    acme = ["Olive Open", "Acme matter", "ACME-REF-1", "acme-scan.pdf", "Acme ERP key"]
    acme += [obj.public_id for obj in w.objects["submissions.submission"] if obj != w.restricted]  # type: ignore[attr-defined]
    if actor == "outsider":
        return hidden + acme + ["Acme Secretive", "Acme intake form"]
    if actor == "overseer":
        return hidden + acme
    return hidden if allows(actor, Role.ADMIN) else [*hidden, "Acme ERP key"]


def database_state() -> dict[str, list[dict[str, Any]]]:
    """Every row of every product table (history and audit tables included)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.app_label in PRODUCT_APPS or model._meta.label == "admin.LogEntry"
    }


def registered() -> list[tuple[str, admin.ModelAdmin]]:
    return sorted((model._meta.label_lower, model_admin) for model, model_admin in admin.site._registry.items())


def test_every_registered_admin_is_in_the_policy_table() -> None:
    labels = [label for label, _ in registered()]
    assert set(labels) == set(VIEW), "a new ModelAdmin needs its row in VIEW (and CHANGE, DELETE, ACTIONS)"


@pytest.mark.parametrize("actor", ACTORS)
def test_the_admin_shows_and_allows_exactly_the_role_s_share(
    actor: str, world: World, client: Client, django_assert_max_num_queries: Any
) -> None:
    client.force_login(world.users[actor])
    forbidden = forbidden_strings(world, actor)

    def get(url: str, **params: Any) -> Any:
        response = client.get(url, params)
        body = response.content.decode()
        for secret in forbidden:
            assert secret not in body, (actor, url, secret)
        return response

    index = get(reverse("admin:index"))
    assert index.status_code == 200 and "have permission to view or edit anything" not in index.content.decode()

    for label, model_admin in registered():
        info = label.replace(".", "_")
        objects = world.objects.get(label, [])
        may_view_any = allows(actor, VIEW[label]) or (actor == "overseer" and label == "submissions.submission")
        may_view_any = may_view_any or (actor in ("overseer", "outsider") and VIEW[label] is not None)

        with django_assert_max_num_queries(16):
            changelist = get(reverse(f"admin:{info}_changelist"))
        if not may_view_any:
            assert changelist.status_code == 403, (actor, label)
            continue
        assert changelist.status_code == 200, (actor, label)
        cl = changelist.context["cl"]
        shown = {obj.pk for obj in cl.result_list if obj in objects}
        expected = {obj.pk for obj in objects if visible(world, actor, obj)}
        assert shown == expected, (actor, label)
        if not expected and actor != "overseer" and actor != "outsider":
            assert cl.result_count == 0 and cl.full_result_count == 0

        action_form = changelist.context["action_form"]
        offered = {name for name, _ in action_form.fields["action"].choices if name} if action_form else set()
        policy_actions = ACTIONS.get(label, {})
        assert set(model_admin.get_actions(_superuser_request())) <= set(policy_actions) | {"delete_selected"}
        own_actions = {name for name, minimum in policy_actions.items() if allows(actor, minimum)}
        if actor not in ("overseer", "outsider"):
            assert offered == own_actions, (actor, label)

        for obj in objects:
            _walk_object(world, actor, label, info, obj, get, client)
        _walk_add_page(world, actor, label, info, get)

        for name in sorted(policy_actions, key=lambda n: n == "delete_selected"):
            may_act = allows(actor, policy_actions[name])
            targets = [obj for obj in objects if not may_act or not visible(world, actor, obj)]
            if not targets:
                continue
            before = database_state()
            client.post(
                reverse(f"admin:{info}_changelist"),
                {"action": name, "_selected_action": [obj.pk for obj in targets], "post": "yes"},
            )
            assert database_state() == before, (actor, label, name)

    _walk_autocomplete(world, actor, get)


def _walk_object(world: World, actor: str, label: str, info: str, obj: Model, get: Any, client: Client) -> None:
    seen = visible(world, actor, obj)
    own = actor not in ("overseer", "outsider")
    change_url = reverse(f"admin:{info}_change", args=[obj.pk])
    change = get(change_url)
    if not seen:
        assert change.status_code == 302, (actor, label, change.status_code)
    else:
        assert change.status_code == 200, (actor, label)
        may_change = own and allows(actor, CHANGE.get(label))
        assert bool(change.context["has_change_permission"]) == may_change, (actor, label)
    history_url = reverse(f"admin:{info}_history", args=[obj.pk])
    history = get(history_url)
    assert (history.status_code == 200) == seen, (actor, label, history.status_code)
    if isinstance(admin.site._registry[type(obj)], SimpleHistoryAdmin):  # one snapshot's page too
        version = obj.history.order_by("history_id").first()  # type: ignore[attr-defined]
        snapshot = get(reverse(f"admin:{info}_simple_history", args=[obj.pk, version.history_id]))
        assert (snapshot.status_code == 200) == seen, (actor, label, snapshot.status_code)
    delete_url = reverse(f"admin:{info}_delete", args=[obj.pk])
    may_delete = seen and own and allows(actor, DELETE.get(label))
    delete = get(delete_url)
    assert (delete.status_code == 200) == may_delete, (actor, label, delete.status_code)
    if not may_delete:
        before = database_state()
        client.post(delete_url, {"post": "yes"})
        assert database_state() == before, (actor, label, "delete")
    if seen and not (own and allows(actor, CHANGE.get(label))):
        before = database_state()
        client.post(change_url, {})
        assert database_state() == before, (actor, label, "change")


def _walk_add_page(world: World, actor: str, label: str, info: str, get: Any) -> None:
    """The add page opens where the role may add somewhere, and its choices hold no row of a workspace where the
    actor may not add (foreign keys, raw id and autocomplete widgets all read the field's choices)."""
    add = get(reverse(f"admin:{info}_add"))
    may_add_here = allows(actor, ADD.get(label))
    may_add_elsewhere = actor in ("overseer", "outsider") and label in ADD
    assert (add.status_code == 200) == (may_add_here or may_add_elsewhere), (actor, label, add.status_code)
    if add.status_code != 200 or may_add_here:
        return
    acme_rows = [obj for objects in world.objects.values() for obj in objects]
    for name, form_field in add.context["adminform"].form.fields.items():
        for choice in getattr(form_field, "queryset", []):
            assert choice not in acme_rows, (actor, label, name, choice)


def _walk_autocomplete(world: World, actor: str, get: Any) -> None:
    """Autocomplete of every admin with search fields, through a foreign key that points at its model."""
    for label, model_admin in registered():
        if not model_admin.search_fields:
            continue
        model = model_admin.model
        source = next(
            (
                (other, f)
                for other in apps.get_models()
                for f in other._meta.get_fields()
                if getattr(f, "many_to_one", False) and f.concrete and f.related_model is model
            ),
            None,
        )
        if source is None:
            continue
        source_model, source_field = source
        response = get(
            reverse("admin:autocomplete"),
            app_label=source_model._meta.app_label,
            model_name=source_model._meta.model_name,
            field_name=source_field.name,
            term="",
        )
        objects = world.objects.get(label, [])
        if response.status_code == 403:
            assert not any(visible(world, actor, obj) for obj in objects), (actor, label)
            continue
        assert response.status_code == 200, (actor, label)
        ids = {result["id"] for result in response.json()["results"]}
        mine = {str(obj.pk) for obj in objects}
        assert ids & mine == {str(obj.pk) for obj in objects if visible(world, actor, obj)}, (actor, label)


def _superuser_request() -> Any:
    from django.contrib.auth.models import User
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    return request
