"""The test override: the suite's S3 endpoint is set by tests/conftest.py (a moto server on 127.0.0.1)."""

import os

# The suite runs the development defaults (the built-in key, plain-HTTP cookies); production ones are tested
# in subprocesses with their own environment.
os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AWS_STORAGE_BUCKET_NAME = "intake-test"
AWS_ACCESS_KEY_ID = "testing"
AWS_SECRET_ACCESS_KEY = "testing"
AWS_SESSION_TOKEN = None
DOCUMENT_EVENTS_QUEUE_URL = ""
# No `collectstatic` before the suite: plain file names, served by the test servers from the app folders.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# The suite's S3 emulator listens on a free port of 127.0.0.1 chosen at start-up.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"] = ["'self'", "http://127.0.0.1:*"]  # noqa: F405
STATIC_ROOT = None  # whitenoise serves nothing collected in the suite
# Limits high enough for the suite's own bursts; the rate-limit tests set the ones they check.
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "100000/minute")  # noqa: F405
# django-axes wants the request on every authenticate(); the test client's login() has none. The lockout tests
# turn it back on.
AXES_ENABLED = False
CLAMAV_URL = ""  # tests that scan point it at the suite's own clamd (tests/clamd.py)
