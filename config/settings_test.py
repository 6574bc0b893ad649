"""The test override: the suite's S3 endpoint is set by tests/conftest.py (a moto server on 127.0.0.1)."""

import os
import uuid

# The suite runs the development defaults (the built-in key, plain-HTTP cookies); production ones are tested
# in subprocesses with their own environment.
os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings import *  # noqa: E402, F403
from config.settings import env  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AWS_STORAGE_BUCKET_NAME = "intake-test"
AWS_ACCESS_KEY_ID = "testing"
AWS_SECRET_ACCESS_KEY = "testing"
AWS_SESSION_TOKEN = None
# No `collectstatic` before the suite: plain file names, served by the test servers from the app folders.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
# The suite's S3 emulator listens on a free port of 127.0.0.1 chosen at start-up.
CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"] = ["'self'", "http://127.0.0.1:*"]  # noqa: F405
CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"] = ["'self'", "data:", "http://127.0.0.1:*"]  # noqa: F405
STATIC_ROOT = None  # whitenoise serves nothing collected in the suite
# Limits high enough for the suite's own bursts; the rate-limit tests set the ones they check.
RATE_LIMITS = dict.fromkeys(RATE_LIMITS, "100000/minute")  # noqa: F405
# django-axes wants the request on every authenticate(); the test client's login() has none. The lockout tests
# turn it back on.
AXES_ENABLED = False
CLAMAV_URL = ""  # tests that scan point it at the suite's own clamd (tests/clamd.py)
# Tasks run in the caller, except on the delivery paths, which tests/celery_worker.py sends through a real
# worker and broker; that worker runs these settings, with its e-mail written to files it is told of.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
if env.str("TEST_EMAIL_FILE_PATH", default=""):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env.str("TEST_EMAIL_FILE_PATH")
DOCUMENT_EVENTS_QUEUE_URL = env.str("TEST_DOCUMENT_EVENTS_QUEUE_URL", default="")
# A Redis db per xdist worker and a queue per test process, so suites run at once never share tasks; the real
# worker (tests/celery_worker.py) is handed both. Set here, before the app first connects (it keeps its pool).
_XDIST_INDEX = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
CELERY_BROKER_URL = env.str("TEST_CELERY_BROKER_URL", default=f"redis://127.0.0.1:6379/{1 + _XDIST_INDEX % 15}")
CELERY_TASK_DEFAULT_QUEUE = env.str("TEST_CELERY_QUEUE", default=f"test-{uuid.uuid4().hex}")
# The suite's receivers listen on 127.0.0.1; the refusal tests turn this off.
WEBHOOK_ALLOW_PRIVATE_URLS = True
