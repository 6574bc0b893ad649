"""The ownership structure on a workflow's admin page: direct and indirect shares, UBOs, cycles and excess totals."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.workflows.factories import SubjectRecordFactory, WorkflowFactory
from workflows.constants import CustomerType
from workflows.models import Relation, SubjectRecord, Workflow
from workspaces.constants import Role
from workspaces.models import Workspace


def person(workspace: Workspace, first: str, last: str, reference: str) -> SubjectRecord:
    return SubjectRecordFactory.create(
        workspace=workspace,
        customer_type=CustomerType.INDIVIDUAL,
        reference=reference,
        data={"first_name": first, "last_name": last},
    )


def company(workspace: Workspace, name: str, reference: str) -> SubjectRecord:
    return SubjectRecordFactory.create(
        workspace=workspace, customer_type=CustomerType.COMPANY, reference=reference, data={"company_name": name}
    )


def owns(holder: SubjectRecord, held: SubjectRecord, share: str | None, role: str = "owner") -> None:
    Relation.objects.create(
        workspace=holder.workspace,
        from_record=holder,
        to_record=held,
        role=role,
        ownership_percentage=None if share is None else Decimal(share),
    )


def build_group(workspace: Workspace) -> Workflow:
    """Acme (the client) <- 50% Beta <- 60% Anna, 40% Bob; Bob also 10% of Acme directly; Carl directs Acme."""
    root = company(workspace, "Acme Holdings", "ACME")
    beta = company(workspace, "Beta GmbH", "BETA")
    anna = person(workspace, "Anna", "Alpha", "P-ANNA")
    bob = person(workspace, "Bob", "Brown", "P-BOB")
    carl = person(workspace, "Carl", "Clark", "P-CARL")
    owns(beta, root, "50")
    owns(anna, beta, "60")
    owns(bob, beta, "40")
    owns(bob, root, "10", role="shareholder")
    owns(carl, root, None, role="director")
    return WorkflowFactory.create(subject_record=root)


def parties(html: str) -> dict[str, tuple[str, str]]:
    """reference -> (total share, UBO yes/no) from the page's party table."""
    rows = re.findall(r'<tr data-party="([^"]+)" data-effective="([^"]*)" data-ubo="(yes|no)">', html)
    return {reference: (share, ubo) for reference, share, ubo in rows}


def page(client: Client, workflow: Workflow) -> str:
    response = client.get(reverse("admin:workflows_workflow_change", args=[workflow.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_indirect_shares_sum_over_every_path_and_ubos_are_flagged(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    workflow = build_group(workspace)
    client.force_login(member_of(workspace, Role.MEMBER, is_staff=True))

    with django_assert_max_num_queries(30):
        html = page(client, workflow)

    shares = {reference: (Decimal(share) if share else None, ubo) for reference, (share, ubo) in parties(html).items()}
    assert shares == {
        "BETA": (Decimal(50), "no"),  # a company is never a UBO itself
        "P-ANNA": (Decimal(30), "yes"),  # 60% of 50%
        "P-BOB": (Decimal(30), "yes"),  # 40% of 50% + 10% directly
        "P-CARL": (None, "no"),  # a director without a share
    }
    assert "Anna Alpha" in html and "Beta GmbH" in html and "director" in html
    assert "= 30% of the client" in html  # Anna's row in the tree under Beta
    assert 'id="ownership-warnings"' not in html


def test_the_query_count_does_not_grow_with_the_number_of_owners(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], django_assert_max_num_queries: Any
) -> None:
    workflow = build_group(workspace)
    beta = SubjectRecord.objects.get(reference="BETA")
    for index in range(30):
        owns(person(workspace, "Small", f"Holder{index}", f"P-S{index}"), beta, None, role="signatory")
    client.force_login(member_of(workspace, Role.MEMBER, is_staff=True))

    with django_assert_max_num_queries(30):
        html = page(client, workflow)

    assert len(parties(html)) == 34


@pytest.mark.parametrize(("threshold", "ubos"), [("25", {"P-ANNA", "P-BOB"}), ("30.01", set())])
def test_the_ubo_threshold_is_a_setting(
    client: Client, workspace: Workspace, member_of: Callable[..., Any], settings: Any, threshold: str, ubos: set[str]
) -> None:
    settings.UBO_THRESHOLD_PERCENT = Decimal(threshold)
    workflow = build_group(workspace)
    client.force_login(member_of(workspace, Role.VIEWER, is_staff=True))  # a viewer reads the structure too

    html = page(client, workflow)

    assert {reference for reference, (_, ubo) in parties(html).items() if ubo == "yes"} == ubos
    assert f"{Decimal(threshold).normalize()}% or more" in html


def test_cycles_and_totals_over_100_percent_are_flagged_not_hidden(
    client: Client, workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    root = company(workspace, "Root Ltd", "ROOT")
    x = company(workspace, "Xeno Corp", "X")
    y = company(workspace, "Ypsilon AG", "Y")
    dora = person(workspace, "Dora", "Diaz", "P-DORA")
    owns(x, root, "70")
    owns(dora, root, "40")  # 110% of Root together
    owns(y, x, "50")
    owns(x, y, "10")  # X holds Y which holds X
    workflow = WorkflowFactory.create(subject_record=root)
    client.force_login(member_of(workspace, Role.MEMBER, is_staff=True))

    html = page(client, workflow)

    warnings = re.search(r'<ul class="wf-warnings" id="ownership-warnings">(.*?)</ul>', html, re.S)
    assert warnings is not None
    text = warnings.group(1)
    assert "Ownership goes round in a circle: Xeno Corp → Ypsilon AG → Xeno Corp." in text
    assert "The owners of Root Ltd hold 110.00% together, more than 100%." in text
    assert "circular ownership" in html  # the closing edge is shown in the tree, not dropped
    shares = parties(html)
    assert shares["X"][0] == "70.00"  # the circle adds nothing to X's own share
    assert Decimal(shares["Y"][0]) == Decimal(35)
    assert shares["P-DORA"] == ("40.00", "yes")


def test_another_workspaces_structure_is_not_shown(
    client: Client, workspace: Workspace, other_workspace: Workspace, member_of: Callable[..., Any]
) -> None:
    theirs = build_group(other_workspace)
    client.force_login(member_of(workspace, Role.OWNER, is_staff=True))

    response = client.get(reverse("admin:workflows_workflow_change", args=[theirs.pk]))

    assert response.status_code == 302  # "not found" back to the admin index
    assert "Anna" not in response.content.decode()


def test_a_client_without_parties_says_so(client: Client, workspace: Workspace, member_of: Callable[..., Any]) -> None:
    workflow = WorkflowFactory.create(subject_record=company(workspace, "Solo Ltd", "SOLO"))
    client.force_login(member_of(workspace, Role.MEMBER, is_staff=True))

    html = page(client, workflow)

    assert "No owners, directors or other parties are recorded for this client." in html
