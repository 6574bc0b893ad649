"""The test override: the suite's S3 endpoint is set by tests/conftest.py (a moto server on 127.0.0.1)."""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AWS_STORAGE_BUCKET_NAME = "intake-test"
AWS_ACCESS_KEY_ID = "testing"
AWS_SECRET_ACCESS_KEY = "testing"
AWS_SESSION_TOKEN = None
DOCUMENT_EVENTS_QUEUE_URL = ""
