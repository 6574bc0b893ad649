"""Reviewers read subject records in the admin: data, related parties both ways, files; only their workspace's."""

from decimal import Decimal

from django.contrib.auth.models import Permission
from django.urls import reverse

from documents.constants import DocumentStatus, UploadProblem
from documents.models import Document
from tests.workflows.factories import SubjectRecordFactory, uploaded_subject_document
from workflows.constants import CustomerType
from workflows.models import Relation
from workspaces.constants import Role


def reviewer(workspace, member_of):
    user = member_of(workspace, Role.MEMBER, is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_subjectrecord", "view_relation", "view_subjectrecorddocument"])
    )
    return user


def test_a_record_page_shows_its_data_relations_and_files(client, workspace, member_of, django_assert_max_num_queries):
    company = SubjectRecordFactory.create(
        workspace=workspace,
        customer_type=CustomerType.COMPANY,
        reference="ACME-1",
        data={"company_name": "Acme <b>Corp</b>", "registration_number": "12345678"},
    )
    owner = SubjectRecordFactory.create(
        workspace=workspace,
        customer_type=CustomerType.INDIVIDUAL,
        reference="JOHN-1",
        data={"first_name": "John", "last_name": "Smith"},
    )
    Relation.objects.create(
        workspace=workspace, from_record=owner, to_record=company, role="ubo", ownership_percentage=Decimal("75")
    )
    link = uploaded_subject_document(company, "registration.pdf")
    client.force_login(reviewer(workspace, member_of))

    with django_assert_max_num_queries(25):
        page = client.get(reverse("admin:workflows_subjectrecord_change", args=[company.pk]))

    assert page.status_code == 200
    html = page.content.decode()
    assert "12345678" in html and "Acme &lt;b&gt;Corp&lt;/b&gt;" in html  # data escaped, never rendered as markup
    assert "ubo" in html and "75" in html and "JOHN-1" in html
    assert "registration.pdf" in html and link.public_id in html
    assert "Save" not in html  # read-only for reviewers


def test_the_list_shows_names_and_only_the_reviewers_workspace(
    client, workspace, other_workspace, member_of, django_assert_max_num_queries
):
    SubjectRecordFactory.create(workspace=workspace, reference="MINE-1", data={"first_name": "Ann", "last_name": "Lee"})
    SubjectRecordFactory.create(workspace=other_workspace, reference="THEIRS-1")
    client.force_login(reviewer(workspace, member_of))

    with django_assert_max_num_queries(12):
        page = client.get(reverse("admin:workflows_subjectrecord_changelist"))

    html = page.content.decode()
    assert "MINE-1" in html and "Ann Lee" in html
    assert "THEIRS-1" not in html


def test_a_record_page_says_why_a_file_is_not_accepted_and_shows_the_checksum(client, workspace, member_of):
    company = SubjectRecordFactory.create(workspace=workspace, customer_type=CustomerType.COMPANY)
    accepted = uploaded_subject_document(company, "registration.pdf")
    refused = uploaded_subject_document(company, "statement.pdf").document
    Document.objects.filter(pk=refused.pk).update(
        status=DocumentStatus.REJECTED,
        problem=UploadProblem.TOO_LARGE,
        final_key="",
        sha256="",
        rejection_reason="Size 99 bytes is outside the allowed range 1..10 bytes.",
    )
    client.force_login(reviewer(workspace, member_of))

    html = client.get(reverse("admin:workflows_subjectrecord_change", args=[company.pk])).content.decode()

    assert f"SHA-256 {accepted.document.sha256}" in html
    assert "Rejected (Too large) Size 99 bytes is outside the allowed range 1..10 bytes." in html
