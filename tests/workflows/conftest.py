"""Fixtures shared by the workflows tests (the browser is suite-wide: tests/conftest.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from documents import s3


def embedded_default_credentials() -> list[str | None]:
    """The S3 credentials of ``config.settings`` with nothing set in the environment (the default of make run)."""
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("AWS_", "DJANGO_"))}
    environment["DJANGO_DEBUG"] = "true"  # what make run sets; off DEBUG the settings refuse the built-in key
    script = "import json; from config import settings as s; "
    script += "print(json.dumps([s.AWS_ACCESS_KEY_ID, s.AWS_SECRET_ACCESS_KEY, s.AWS_SESSION_TOKEN]))"
    result = subprocess.run(
        [sys.executable, "-c", script], env=environment, cwd=Path(__file__).parents[2], capture_output=True, check=True
    )
    return list(json.loads(result.stdout))


@pytest.fixture
def session_credentials(settings: Any) -> Any:
    """The embedded defaults sign with temporary credentials, so X-Amz-Security-Token is there as the seed shows."""
    defaults = embedded_default_credentials()
    assert defaults[2], "the embedded default has no session token"
    saved = [settings.AWS_ACCESS_KEY_ID, settings.AWS_SECRET_ACCESS_KEY, settings.AWS_SESSION_TOKEN]
    settings.AWS_ACCESS_KEY_ID, settings.AWS_SECRET_ACCESS_KEY, settings.AWS_SESSION_TOKEN = defaults
    s3.clear_cached_clients()
    yield settings
    settings.AWS_ACCESS_KEY_ID, settings.AWS_SECRET_ACCESS_KEY, settings.AWS_SESSION_TOKEN = saved
    s3.clear_cached_clients()
