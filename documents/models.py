import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from config.actors import History
from documents.constants import DocumentStatus, ScanStatus, UploadProblem, UploadSource
from workspaces.models import Workspace


class Document(models.Model):
    """The one record of an object in S3: what was declared when the upload was signed, and what arrived."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="documents")
    key = models.CharField(max_length=512, unique=True)
    original_name = models.CharField(max_length=255)
    sanitized_name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=120, help_text="The declared content type, pinned in the policy.")
    min_size = models.PositiveBigIntegerField(default=1)
    max_size = models.PositiveBigIntegerField(help_text="The size limit pinned in the policy, in bytes.")
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="The size that arrived, in bytes.")
    etag = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=DocumentStatus.choices, default=DocumentStatus.AWAITING_UPLOAD)
    rejection_reason = models.CharField(max_length=500, blank=True)
    problem = models.CharField(
        max_length=30,
        choices=UploadProblem.choices,
        blank=True,
        help_text="Why the last upload was not accepted; kept when the upload is issued again.",
    )
    final_key = models.CharField(
        max_length=512, blank=True, help_text="The accepted object, copied from the upload key; no presign names it."
    )
    sha256 = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the final object (hex), computed by S3.")
    scan_status = models.CharField(
        max_length=20,
        choices=ScanStatus.choices,
        default=ScanStatus.SCANNING,
        help_text="The deep content check and malware scan of the accepted file; it is served only once passed.",
    )
    scan_reason = models.CharField(max_length=500, blank=True, help_text="Why the file was quarantined.")
    scanned_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=40, choices=UploadSource.choices)
    is_public = models.BooleanField(default=False)
    metadata = models.JSONField(default=dict, blank=True, help_text="The x-amz-meta-* fields pinned in the policy.")
    upload_expires_at = models.DateTimeField()
    uploaded_at = models.DateTimeField(null=True, blank=True)
    thumbnail_key = models.CharField(max_length=512, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = History()

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "status", "created_at"]),
            models.Index(fields=["scan_status", "uploaded_at"]),  # the scan worker's queue
        ]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def servable(self) -> bool:
        """Accepted, and its content check and malware scan passed (or no scanner is configured)."""
        return self.status == DocumentStatus.UPLOADED and self.scan_status in (ScanStatus.CLEAN, ScanStatus.NOT_SCANNED)

    @property
    def upload_expired(self) -> bool:
        return self.status == DocumentStatus.AWAITING_UPLOAD and self.upload_expires_at < timezone.now()
