"""Off DEBUG the defaults are the safe ones: no built-in secret, HTTPS only, check --deploy clean."""

from __future__ import annotations

import pytest

from tests.ops.production import manage, production_env


def test_check_deploy_is_clean_with_only_a_key_and_hosts() -> None:
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_debug_is_off_unless_set_and_then_the_server_refuses_the_built_in_key() -> None:
    result = manage("check", env=production_env(DJANGO_SECRET_KEY=""))
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr
    # The development path says so explicitly, and then starts with its key.
    assert manage("check", env=production_env(DJANGO_SECRET_KEY="", DJANGO_DEBUG="true")).returncode == 0


@pytest.mark.parametrize("url", ["postgress://intake:secret-pw@db/intake", "intake:secret-pw@db:5432/intake", "oops"])
def test_a_malformed_database_url_is_a_clear_message_at_start_up(url: str) -> None:
    result = manage("check", env=production_env(DATABASE_URL=url))
    assert result.returncode != 0
    assert "ImproperlyConfigured: DATABASE_URL is malformed" in result.stderr
    assert "KeyError" not in result.stderr and "secret-pw" not in result.stderr
