from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from config.actors import History
from documents.models import Document
from submissions import ids
from submissions.constants import (
    AccessLevel,
    EventType,
    ExportFormat,
    ExportJobState,
    FormStatus,
    GrantTargetType,
    SubmissionStatus,
    VisibilityMode,
)
from workspaces.models import ApiKey, Workspace


class Form(models.Model):
    """A workspace's form. ``schema`` is the editable draft; each publish freezes it into a new FormVersion."""

    public_id = models.CharField(max_length=30, unique=True, default=ids.form_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="forms")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=FormStatus.choices, default=FormStatus.DRAFT)
    schema = models.JSONField(default=dict, blank=True, help_text="The draft schema; published on publish.")
    is_public = models.BooleanField(
        default=False,
        help_text="Open to the public: anyone with its address (/f/<workspace>/<form>/) may fill in the published "
        "version. Off: only the form's invitation links open it.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "slug"], name="uniq_form_slug")]
        indexes = [models.Index(fields=["workspace", "status", "created_at"])]

    def __str__(self) -> str:
        return self.title


class FormVersion(models.Model):
    """A published, immutable copy of a form's schema. Submissions point at the version they answered."""

    public_id = models.CharField(max_length=30, unique=True, default=ids.form_version_id, editable=False)
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    schema = models.JSONField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["form", "version"], name="uniq_form_version")]
        ordering = ["form", "-version"]

    def __str__(self) -> str:
        return f"{self.form} v{self.version}"


class Matter(models.Model):
    """A case file of a workspace (``MAT-1``), to which submissions are linked."""

    public_id = models.CharField(max_length=30, unique=True, default=ids.matter_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="matters")
    number_prefix = models.CharField(max_length=10, default="MAT")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number_prefix", "number"], name="uniq_matter_number")
        ]

    def __str__(self) -> str:
        return f"{self.number_prefix}-{self.number} {self.title}"


class SnapshotFields(models.Model):
    """Extra columns of every submission snapshot (one historical row of Submission)."""

    snapshot_id = models.CharField(max_length=30, default=ids.snapshot_id, db_index=True, editable=False)

    class Meta:
        abstract = True


class SnapshotHistory(History):
    """Submission history that stores a snapshot's data as ``services._save_snapshot`` chose (a delta or the data).

    The choice rides on the instance as ``_snapshot_data`` for the one save; anything else saved with history
    (``bulk_history_create``, a save without it) stores the full data, which is always a valid snapshot.
    """

    def create_historical_record(self, instance: models.Model, history_type: str, using: str | None = None) -> None:
        stored = instance.__dict__.pop("_snapshot_data", None)
        if stored is None:
            super().create_historical_record(instance, history_type, using)
            return
        data = instance.data  # type: ignore[attr-defined]
        instance.data = stored  # type: ignore[attr-defined]
        try:
            super().create_historical_record(instance, history_type, using)
        finally:
            instance.data = data  # type: ignore[attr-defined]


class Submission(models.Model):
    """Data submitted for one form version, keyed by field key. Every data or status change is a snapshot.

    The snapshot's trigger is the history's change reason (``create``, ``edit``, ``submit``, ``status``,
    ``rollback:<version>``); version and changelog are derived from the history rows.
    """

    public_id = models.CharField(max_length=16, unique=True, default=ids.submission_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="submissions")
    form = models.ForeignKey(Form, on_delete=models.PROTECT, related_name="submissions")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="submissions")
    status = models.CharField(max_length=10, choices=SubmissionStatus.choices, default=SubmissionStatus.COMPLETED)
    data = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        help_text="The submitter (or the member it was reassigned to).",
    )
    assignee_read_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the assignee first opened it since it was assigned (unset: unread).",
    )
    visibility_mode = models.CharField(max_length=12, choices=VisibilityMode.choices, default=VisibilityMode.WORKSPACE)
    matters = models.ManyToManyField(Matter, through="MatterSubmission", related_name="submissions", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = SnapshotHistory(bases=[SnapshotFields], excluded_fields=["updated_at", "assignee_read_at"])

    class Meta:
        indexes = [
            # Covering: a list's OFFSET walk, its visibility filter and its count read this index alone.
            models.Index(
                fields=["workspace", "created_at", "id", "status", "visibility_mode", "user"],
                name="sub_ws_created_cover",
            ),
            models.Index(fields=["workspace", "updated_at"], name="sub_ws_updated"),
            models.Index(fields=["workspace", "status", "created_at"], name="sub_ws_status_created"),
            models.Index(fields=["workspace", "form", "created_at"], name="sub_ws_form_created"),
            models.Index(fields=["workspace", "user", "created_at"], name="sub_ws_user_created"),
        ]

    def __str__(self) -> str:
        return self.public_id


class SubmissionVisibility(Submission):
    """A submission's visibility settings without its data: what ADMIN and OWNER manage in the admin, for every
    submission of their workspace (also a restricted one they may not read; see ``submissions.access``)."""

    class Meta:
        proxy = True
        verbose_name = "submission visibility"
        verbose_name_plural = "submission visibility"


class MatterSubmission(models.Model):
    """A submission linked to a matter; the first link is the one lists show."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="links")
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="matter_links")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["matter", "submission"], name="uniq_matter_submission")]

    def __str__(self) -> str:
        return f"{self.submission_id} in {self.matter_id}"


class VisibilityGrant(models.Model):
    """Who may see a restricted submission: one user, every member with a role, or an overseer workspace."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="grants")
    target_type = models.CharField(max_length=20, choices=GrantTargetType.choices)
    target_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_role = models.CharField(max_length=10, blank=True)
    target_workspace = models.ForeignKey(Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    access_level = models.CharField(max_length=10, choices=AccessLevel.choices, default=AccessLevel.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    history = History()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target_type=GrantTargetType.USER, target_user__isnull=False)
                    | Q(target_type=GrantTargetType.WORKSPACE_ROLE, target_role__gt="")
                    | Q(target_type=GrantTargetType.OVERSIGHT_WORKSPACE, target_workspace__isnull=False)
                ),
                name="grant_target_matches_type",
            )
        ]
        indexes = [
            models.Index(fields=["target_user", "submission"], name="grant_user"),
            # What a member may see of restricted submissions: its own user grants and its role's grants.
            models.Index(
                fields=["target_user", "submission"],
                name="grant_user_only",
                condition=Q(target_type=GrantTargetType.USER),
            ),
            models.Index(
                fields=["target_role", "submission"],
                name="grant_role",
                condition=Q(target_type=GrantTargetType.WORKSPACE_ROLE),
            ),
            models.Index(fields=["target_workspace", "submission"], name="grant_workspace"),
        ]

    def __str__(self) -> str:
        return f"{self.target_type} grant on {self.submission_id}"


class SubmissionNote(models.Model):
    """An internal note; members of the submission's workspace only."""

    public_id = models.CharField(max_length=30, unique=True, default=ids.note_id, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    content = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.content[:50]


class SubmissionAttachment(models.Model):
    """A document of the same workspace attached to a submission."""

    public_id = models.CharField(max_length=30, unique=True, default=ids.attachment_id, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    attached_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "document"], name="uniq_submission_attachment")]
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id} on {self.submission_id}"


class SubmissionEvent(models.Model):
    """An audit event that is not a snapshot (note added, document attached, shared, ...)."""

    public_id = models.CharField(max_length=30, unique=True, default=ids.event_id, editable=False)
    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=30, choices=EventType.choices)
    description = models.CharField(max_length=300)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["submission", "created_at"], name="event_submission_created")]

    def __str__(self) -> str:
        return self.description


class ShareLink(models.Model):
    """A read-only link to a submission. Only the token's hash is stored; it expires and can be revoked."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="share_links")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(blank=True, help_text="The address it was sent to, when shared by email.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Share link for {self.submission_id}"


class SubmissionFile(models.Model):
    """A document one of the submission's file fields names, kept beside the data by the services, so that a list
    of documents knows whose files it shows (a restricted submission's files are as restricted as its data)."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="file_links")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["submission", "document"], name="uniq_submission_file")]
        indexes = [models.Index(fields=["document"], name="submission_file_document")]

    def __str__(self) -> str:
        return f"{self.document_id} in {self.submission_id}"


class FormInvitation(models.Model):
    """A private link to a form's page, for a form that is not open to the public (or for one client of one that
    is). Only the token's hash is stored; it expires and can be revoked; it may be used until then."""

    public_id = models.CharField(max_length=30, unique=True, default=ids.invitation_id, editable=False)
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=200, blank=True, help_text="Whom it is for; reviewers see it, clients not.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.label or f"Invitation {self.public_id}"


class PublicFormSession(models.Model):
    """One visit of a public form page: the files it uploaded and what it sent, so a repeated Send finds it.

    The page carries a random key; only its hash is stored, on the visit's first upload or send.
    """

    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="+")
    submission = models.ForeignKey(Submission, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Visit of {self.form_id} at {self.created_at:%Y-%m-%d %H:%M}"


class PublicFormUpload(models.Model):
    """A file a public form page's visit asked to upload, for one file field (``path``) of the form."""

    session = models.ForeignKey(PublicFormSession, on_delete=models.CASCADE, related_name="uploads")
    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.document_id} for {self.path}"


class DraftLink(models.Model):
    """The private resume link of a draft saved on a public form page. Only the token's hash is stored; it
    expires, can be revoked, and a newer link of the same draft replaces it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="draft_links")
    invitation = models.ForeignKey(
        FormInvitation, null=True, blank=True, on_delete=models.CASCADE, related_name="draft_links"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    email = models.EmailField(blank=True, help_text="The address the link was sent to.")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Resume link of {self.submission_id}"


class ExportJob(models.Model):
    """A large export run by a worker (``submissions.export_jobs``): the list's filters as the requester asked,
    its progress, and the file it wrote to S3. Only its requester (the user, or the API key acting on its own)
    sees it: the file holds what that requester may see."""

    public_id = models.CharField(max_length=30, unique=True, default=ids.export_job_id, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="export_jobs"
    )
    api_key = models.ForeignKey(ApiKey, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    export_format = models.CharField(max_length=4, choices=ExportFormat.choices)
    filters = models.JSONField(default=dict, blank=True, help_text="The list's filters (SubmissionFilters).")
    via = models.CharField(max_length=10, default="api")
    page_url = models.CharField(max_length=500, blank=True, help_text="Where the e-mail sends the requester.")
    state = models.CharField(max_length=10, choices=ExportJobState.choices, default=ExportJobState.QUEUED)
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(null=True, blank=True)
    s3_key = models.CharField(max_length=300, blank=True)
    file_name = models.CharField(max_length=60, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size_bytes = models.BigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="The file is not handed out after this.")

    class Meta:
        indexes = [models.Index(fields=["workspace", "requested_by", "-created_at"], name="export_job_requester")]

    def __str__(self) -> str:
        return self.public_id
