import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from workspaces.constants import Role


class Workspace(models.Model):
    """A tenant: every form, submission, record and document belongs to exactly one workspace."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in a workspace."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "workspace"], name="uniq_membership_user_workspace")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class OversightRelationship(models.Model):
    """An overseer workspace may be granted read-only sight of an overseen workspace's submissions."""

    overseer = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="overseeing")
    overseen = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="overseen_by")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["overseer", "overseen"], name="uniq_oversight_pair"),
            models.CheckConstraint(condition=~Q(overseer=models.F("overseen")), name="oversight_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.overseer} oversees {self.overseen}"


class ApiKey(models.Model):
    """A workspace's machine credential. Only a SHA-256 hash of the secret is stored; it is shown once."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="The first characters of the key, to recognise it.")
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    role = models.CharField(
        max_length=10,
        choices=Role.choices,
        default=Role.ADMIN,
        help_text="The role the key acts with when the request names no member in X-USER-ID.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
