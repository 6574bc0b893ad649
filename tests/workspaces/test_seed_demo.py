"""make run's demo data: three logins whose admin rights are their workspace roles; none is a superuser."""

from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from workspaces.models import Membership


def test_seed_demo_creates_an_owner_a_reviewer_and_a_viewer(client, db, capsys):
    call_command("seed_demo")
    printed = capsys.readouterr().out

    roles = {m.user.username: m.role for m in Membership.objects.select_related("user")}
    assert roles == {"owner": "OWNER", "reviewer": "MEMBER", "viewer": "VIEWER"}
    for username, password in [
        ("owner", "demo-owner-password"),
        ("reviewer", "demo-reviewer-password"),
        ("viewer", "demo-viewer-password"),
    ]:
        assert f"user {username!r}, password {password!r}" in printed
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser and not user.user_permissions.exists()
        assert client.login(username=username, password=password)
        index = client.get(reverse("admin:index")).content.decode()
        assert "Submissions" in index and "You don’t have permission" not in index
        can_add_forms = reverse("admin:submissions_form_add") in index
        assert can_add_forms == (username == "owner")
        client.logout()


def test_seed_demo_runs_again_and_demotes_an_old_superuser_owner(db, capsys):
    User.objects.create_superuser("owner", "owner@example.com", "x")
    call_command("seed_demo")
    call_command("seed_demo")
    owner = User.objects.get(username="owner")
    assert not owner.is_superuser and owner.check_password("x")
    assert "existing password" in capsys.readouterr().out
