"""The append-only audit log: who did what, when, from where. Rows are only ever inserted (``audit_record``)."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One recorded action. Kept when its workspace, user or API key goes: the log outlives what it is about
    (no database constraints, nothing cascades), and it names the actor as it was known then (``actor_label``)."""

    created_at = models.DateTimeField("time", auto_now_add=True, db_index=True)
    workspace = models.ForeignKey(
        "workspaces.Workspace",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_api_key = models.CharField(
        "API key", max_length=100, blank=True, help_text="The name of the API key that acted."
    )
    actor_label = models.CharField("actor", max_length=200, blank=True, help_text="Who acted, as they were known then.")
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "audit event"
        indexes = [
            models.Index(fields=["workspace", "-id"], name="audit_workspace_newest"),
            models.Index(fields=["workspace", "action", "-id"], name="audit_workspace_action"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label or '-'} {self.action}"
