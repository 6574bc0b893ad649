from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from workspaces.constants import Role
from workspaces.models import ApiKey, Workspace
from workspaces.services import api_key_create, api_key_revoke, membership_set, workspace_create

DEMO_SLUG = "demo"
DEMO_KEY_NAME = "demo key (make run)"


class Command(BaseCommand):
    help = "Create the demo workspace with an owner login, and print a fresh API key for it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--username", default="owner")
        parser.add_argument("--password", default="demo-owner-password")

    @transaction.atomic
    def handle(self, *args: Any, username: str, password: str, **options: Any) -> None:
        user_model = get_user_model()
        owner, created = user_model.objects.get_or_create(
            username=username, defaults={"email": f"{username}@example.com", "is_staff": True, "is_superuser": True}
        )
        if created:
            owner.set_password(password)
            owner.save()
        workspace = Workspace.objects.filter(slug=DEMO_SLUG).first() or workspace_create(
            name="Demo workspace", slug=DEMO_SLUG, owner=owner
        )
        membership_set(workspace=workspace, user=owner, role=Role.OWNER)
        for old_key in ApiKey.objects.filter(workspace=workspace, name=DEMO_KEY_NAME, revoked_at__isnull=True):
            api_key_revoke(api_key=old_key)
        _, raw_key = api_key_create(workspace=workspace, name=DEMO_KEY_NAME, acting_user=owner)
        self.stdout.write(
            self.style.SUCCESS("Demo workspace ready.")
            + f"\n  Workspace:  {workspace.name} (X-BUSINESS-ID {workspace.public_id})"
            + f"\n  Login:      http://127.0.0.1:8000/admin/  user {username!r}"
            + (f", password {password!r}" if created else " (existing password)")
            + f"\n  API key:    {raw_key}   (send it as X-API-KEY; a new one is made on every start)\n"
        )
