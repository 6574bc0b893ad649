"""Shared by the end-client page tests: a root form with every field type, a public action that asks it, and in
Chromium: filling every field as a client would, and axe-core on the page as it is."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe

from tests.workflows.factories import SubjectRecordFactory, WorkflowFactory
from tests.workflows.public_action_support import COMPANY_SCHEMA, INDIVIDUAL_SCHEMA, PDF_BYTES, form_version
from workflows.constants import CustomerType
from workflows.models import PublicAction
from workflows.services.public_actions import public_action_create
from workspaces.models import Workspace

OPTIONS = [{"value": "a", "label": "Banking"}, {"value": "b", "label": "Insurance"}, {"value": "c", "label": "Retail"}]
EVERY_FIELD_SCHEMA: dict[str, Any] = {
    "fields": [
        {
            "key": "full_name",
            "label": "Full legal name",
            "type": "text",
            "required": True,
            "helpText": "As it appears on your passport.",
            "constraints": {"maxLength": 80},
        },
        {"key": "email", "label": "Email", "type": "email", "required": True},
        {"key": "phone", "label": "Phone", "type": "tel"},
        {"key": "website", "label": "Website", "type": "url"},
        {"key": "founded", "label": "Date founded", "type": "date", "constraints": {"max": "2026-12-31"}},
        {"key": "call_time", "label": "Best time to call", "type": "time"},
        {"key": "meeting", "label": "Meeting", "type": "datetime"},
        {
            "key": "employees",
            "label": "Employees",
            "type": "number",
            "constraints": {"min": 1, "max": 100000, "integer": True},
        },
        {"key": "turnover", "label": "Annual turnover (EUR)", "type": "currency", "constraints": {"min": 0}},
        {"key": "satisfaction", "label": "How easy was this form?", "type": "rating"},
        {"key": "is_pep", "label": "Are you a politically exposed person?", "type": "yesno", "required": True},
        {
            "key": "pep_role",
            "label": "Public role held",
            "type": "text",
            "required": True,
            "condition": {"field": "is_pep", "operator": "equals", "value": True},
        },
        {"key": "about", "label": "About the business", "type": "textarea", "constraints": {"maxLength": 200}},
        {"key": "industry", "label": "Industry", "type": "select", "options": OPTIONS, "required": True},
        {"key": "size", "label": "Size", "type": "radio", "options": OPTIONS},
        {"key": "services", "label": "Services used", "type": "checkbox", "options": OPTIONS},
        {"key": "markets", "label": "Markets", "type": "multiselect", "options": OPTIONS},
        {"key": "country", "label": "Country of incorporation", "type": "country", "required": True},
        {"key": "id_document", "label": "Registration certificate", "type": "file", "constraints": {"accept": ["pdf"]}},
        {"key": "extract", "label": "Register extract", "type": "file", "constraints": {"accept": ["pdf"]}},
        {"key": "signature", "label": "Signature", "type": "signature"},
        {
            "key": "holdings",
            "label": "Shares held",
            "type": "table_fill",
            "columns": [
                {"key": "holder", "label": "Shareholder", "type": "text", "sourceField": "sh_name"},
                {"key": "shares", "label": "Shares", "type": "number"},
            ],
        },
    ],
    "sections": [
        {
            "id": "shareholders",
            "title": "Shareholders",
            "description": "Everyone who holds shares.",
            "repeatable": True,
            "minItems": 1,
            "maxItems": 3,
            "fields": [
                {"key": "sh_name", "label": "Shareholder name", "type": "text", "required": True},
                {"key": "sh_country", "label": "Shareholder country", "type": "country"},
            ],
        }
    ],
}


def make_rich_action(workspace: Workspace, schema: dict[str, Any] | None = None) -> tuple[PublicAction, str]:
    """A public action whose root form has every field type (``schema`` instead when given), with entities."""
    root = SubjectRecordFactory.create(workspace=workspace, customer_type=CustomerType.COMPANY)
    workflow = WorkflowFactory.create(subject_record=root)
    suffix = f"{workspace.pk}-{PublicAction.objects.count()}"
    return public_action_create(
        workflow=workflow,
        form_version=form_version(workspace, schema or EVERY_FIELD_SCHEMA, f"onboarding-{suffix}", "Client onboarding"),
        individual_form_version=form_version(workspace, INDIVIDUAL_SCHEMA, f"individual-{suffix}"),
        company_form_version=form_version(workspace, COMPANY_SCHEMA, f"company-{suffix}"),
        acting_user=None,
    )


# --- In Chromium ------------------------------------------------------------------------------------

AXE = Axe()

TWO_FILES_SCHEMA: dict[str, Any] = {
    "fields": [
        {"key": "company", "label": "Company name", "type": "text", "required": True},
        {"key": "id_document", "label": "Registration certificate", "type": "file", "required": True},
        {"key": "extract", "label": "Register extract", "type": "file", "required": True},
    ]
}


def hold_the_first_upload(page: Any, s3_endpoint: str) -> list[Any]:
    """The page's first POST to S3 stays in flight (in the returned list) until the test lets it go; others pass."""
    held: list[Any] = []

    def hold(route: Any) -> None:
        if route.request.method == "POST" and not held:
            held.append(route)
            return
        route.continue_()

    page.route(f"{s3_endpoint}/**", hold)
    return held


def assert_accessible(page: Any, state: str) -> None:
    """axe-core on the page as it is: no serious or critical violation."""
    results = AXE.run(page)
    bad = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert bad == [], f"{state}: " + "; ".join(f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in bad)


def pdf(name: str) -> dict[str, Any]:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF_BYTES}


def fill_every_field(page: Any) -> None:
    page.fill("#f-full_name", "Acme <b>Holdings</b>")
    page.fill("#f-email", "ops@acme.example")
    page.fill("#f-phone", "+44 20 7946 0000")
    page.fill("#f-website", "https://acme.example")
    page.fill("#f-founded", "2001-02-03")
    page.fill("#f-call_time", "09:30")
    page.fill("#f-meeting", "2026-12-01T10:00")
    page.fill("#f-employees", "250")
    page.fill("#f-turnover", "1250000.50")
    page.check("#f-satisfaction-4")
    page.check("#f-is_pep-yes")
    page.fill("#f-pep_role", "Mayor")
    page.fill("#f-about", "We sell widgets.")
    page.select_option("#f-industry", "b")
    page.check("#f-size-0")
    page.check("#f-services-0")
    page.check("#f-services-2")
    page.check("#f-markets-1")
    page.fill("#f-country-search", "germ")
    page.select_option("#f-country", "DE")
    page.set_input_files("#f-id_document", files=[pdf("certificate.pdf")])
    page.set_input_files("#f-extract", files=[pdf("extract.pdf")])
    page.fill("#f-shareholders_items-0-sh_name", "Ada Lovelace")
    page.click("text=Add to Shareholders")
    page.fill("#f-shareholders_items-1-sh_name", "Grace Hopper")
    page.fill("#f-holdings-0-shares", "60")
    page.fill("#f-holdings-1-shares", "40")
    pad = page.locator("canvas.rf-signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 40)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=5)
    page.mouse.move(box["x"] + 200, box["y"] + 30, steps=5)
    page.mouse.up()
