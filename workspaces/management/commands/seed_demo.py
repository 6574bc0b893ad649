from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from workflows.models import Workflow
from workspaces.constants import Role
from workspaces.demo_data import CLIENT_REFERENCE, seed_reviewer_data
from workspaces.demo_files import seed_demo_files
from workspaces.models import ApiKey, Workspace
from workspaces.services import api_key_create, api_key_revoke, membership_set, workspace_create

DEMO_SLUG = "demo"
DEMO_KEY_NAME = "demo key (make run)"
# The demo logins: staff users whose admin rights come from their workspace role alone (none is a superuser).
DEMO_LOGINS = (
    (Role.OWNER, "owner", "demo-owner-password"),
    (Role.MEMBER, "reviewer", "demo-reviewer-password"),
    (Role.VIEWER, "viewer", "demo-viewer-password"),
)


class Command(BaseCommand):
    help = "Create the demo workspace with an owner, a reviewer and a viewer login, and print a fresh API key."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="owner", help="The owner's login.")
        parser.add_argument("--password", default="demo-owner-password", help="The owner's password.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Where the app is served.")

    def handle(self, *args: Any, username: str, password: str, base_url: str, **options: Any) -> None:
        with transaction.atomic():
            workspace, lines, users, raw_key, seeded = self._seed(username, password)
        # The files go to S3 outside any transaction.
        workflow = Workflow.objects.filter(workspace=workspace, subject_record__reference=CLIENT_REFERENCE).first()
        if workflow is not None:
            seeded += f"; on {CLIENT_REFERENCE}: {seed_demo_files(workflow=workflow, owner=users[Role.OWNER])}"
        self.stdout.write(
            self.style.SUCCESS("Demo workspace ready.")
            + f"\n  Workspace:  {workspace.name} (X-BUSINESS-ID {workspace.public_id})"
            + f"\n  Logins for {base_url.rstrip('/')}/admin/ (workspace roles; none is a superuser):"
            + "".join(lines)
            + f"\n  Demo data:  {seeded}"
            + f"\n  API key:    {raw_key}   (send it as X-API-KEY; a new one is made on every start)\n"
        )

    def _seed(self, username: str, password: str) -> tuple[Workspace, list[str], dict[Any, Any], str, str]:
        user_model = get_user_model()
        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first() or workspace_create(
            name="Demo workspace", slug=DEMO_SLUG, owner=None
        )
        lines = []
        users: dict[str, Any] = {}
        for role, default_name, default_password in DEMO_LOGINS:
            name, secret = (username, password) if role == Role.OWNER else (default_name, default_password)
            user, created = user_model.objects.get_or_create(
                username=name, defaults={"email": f"{name}@example.com", "is_staff": True}
            )
            if created:
                user.set_password(secret)
            user.is_staff, user.is_superuser = True, False  # also for a database seeded before roles drove the admin
            user.save()
            membership_set(workspace=workspace, user=user, role=role, acting_user=None)
            users[role] = user
            shown = f"password {secret!r}" if created else "existing password"
            lines.append(f"\n  {role.label + ':':<11} user {name!r}, {shown}")
        for old_key in ApiKey.objects.filter(workspace=workspace, name=DEMO_KEY_NAME, revoked_at__isnull=True):
            api_key_revoke(api_key=old_key, acting_user=None)
        owner = users[Role.OWNER]
        _, raw_key = api_key_create(workspace=workspace, name=DEMO_KEY_NAME, acting_user=owner)
        seeded = seed_reviewer_data(workspace=workspace, owner=owner, reviewer=users[Role.MEMBER])
        return workspace, lines, users, raw_key, seeded
