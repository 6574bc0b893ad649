"""make run's demo data: three logins whose admin rights are their workspace roles (none is a superuser), a
workflow with an ownership chain and a review queue."""

import re
from decimal import Decimal

import requests
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


def _reviewer_page(client, name, *args, **params):
    response = client.get(reverse(name, args=args), params)
    assert response.status_code == 200
    return response


def test_seed_demo_gives_the_reviewer_a_workflow_with_a_ubo_and_a_queue_and_runs_again(client, db, capsys):
    call_command("seed_demo")
    call_command("seed_demo")  # make run seeds on every start: nothing doubles
    assert capsys.readouterr().out.count("Demo data:  workflow DEMO-NORTHWIND") == 2

    assert client.login(username="reviewer", password="demo-reviewer-password")
    workflows = _reviewer_page(client, "admin:workflows_workflow_changelist").context["cl"].result_list
    assert [w.subject_record.reference for w in workflows] == ["DEMO-NORTHWIND"]
    html = _reviewer_page(client, "admin:workflows_workflow_change", workflows[0].pk).content.decode()
    parties = dict(re.findall(r'<tr data-party="([^"]+)" data-effective="([^"]*)" data-ubo="(?:yes|no)">', html))
    ubos = set(re.findall(r'<tr data-party="([^"]+)" data-effective="[^"]*" data-ubo="yes">', html))
    assert {ref: Decimal(share) if share else None for ref, share in parties.items()} == {
        "DEMO-HOLDING": Decimal(50),
        "DEMO-ANNA": Decimal(30),  # 60% of the 50% holding
        "DEMO-BEN": Decimal(20),
        "DEMO-CLARA": None,
    }
    assert ubos == {"DEMO-ANNA"}
    assert "Northwind Holding GmbH" in html and "Anna Schmidt" in html and "= 30% of the client" in html
    assert "Articles of Incorporation" in html and "Proof of Address" in html and "Passport" in html

    queue = "admin:submissions_submission_changelist"
    rows = _reviewer_page(client, queue).context["cl"].result_list
    assert len(rows) == 6  # the client's own submission and five applications
    assert {row.status for row in rows} == {"DRAFT", "PENDING", "COMPLETED", "EDITED"}
    mine = _reviewer_page(client, queue, assignee="me").context["cl"].result_list
    assert [row.data["company_name"] for row in mine] == ["Fjord Analytics AS"]
    assert len(_reviewer_page(client, queue, assignee="nobody").context["cl"].result_list) == 5
    queue_html = _reviewer_page(client, queue).content.decode()
    assert "Tagus Logistics Lda" in queue_html and "Northwind Trading Ltd" in queue_html


def test_seed_demo_uploads_real_files_a_reviewer_previews_and_downloads(client, db, capsys):
    from documents.links import document_download_url
    from documents.models import Document
    from submissions.models import Submission
    from workflows.models import Fulfillment

    call_command("seed_demo")
    call_command("seed_demo")  # the files are uploaded once
    assert "a PDF and an image for its requirements" in capsys.readouterr().out

    documents = {document.original_name: document for document in Document.objects.all()}
    assert set(documents) == {"certificate-of-incorporation.pdf", "utility-bill.png"}
    for name, magic in (("certificate-of-incorporation.pdf", b"%PDF"), ("utility-bill.png", b"\x89PNG")):
        document = documents[name]
        assert document.servable and document.thumbnail_key and document.sha256
        url = document_download_url(document)
        assert url is not None
        downloaded = requests.get(url, timeout=10)
        assert downloaded.status_code == 200 and len(downloaded.content) == document.size
        assert downloaded.content.startswith(magic)
    fulfilled = Fulfillment.objects.values_list("required_document__document_type_code", flat=True)
    assert sorted(fulfilled) == ["ARTICLES_OF_INCORPORATION", "PROOF_OF_ADDRESS"]

    assert client.login(username="reviewer", password="demo-reviewer-password")
    pdf = documents["certificate-of-incorporation.pdf"]
    page = _reviewer_page(client, "admin:documents_document_change", pdf.pk).content.decode()
    assert 'class="document-thumbnail"' in page and "Download (link valid 15 minutes)" in page
    case = Submission.objects.get(data__company_name="Fjord Analytics AS")
    case_page = _reviewer_page(client, "admin:submissions_submission_change", case.pk).content.decode()
    assert "certificate-of-incorporation.pdf" in case_page and "/files/thumbnails/" in case_page
