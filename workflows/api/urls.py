from django.urls import path

from workflows.api import documents, public_actions, revision_requests

# The document contract keeps the seed's dotted names at the root (no /api/ prefix).
urlpatterns = [
    path("document.create", documents.DocumentCreateView.as_view(), name="document-create"),
    path("document.get", documents.DocumentGetView.as_view(), name="document-get"),
    path("workflow.create", documents.WorkflowCreateView.as_view(), name="workflow-create"),
    path("workflow.get", documents.WorkflowGetView.as_view(), name="workflow-get"),
    path("workflow.complete", documents.WorkflowCompleteView.as_view(), name="workflow-complete"),
    path("workflow.requiredDocument.add", documents.RequiredDocumentAddView.as_view(), name="required-document-add"),
    path("workflow.requiredDocument.list", documents.RequiredDocumentListView.as_view(), name="required-document-list"),
    path(
        "workflow.requiredDocument.fulfillment.batchAdd",
        documents.FulfillmentBatchAddView.as_view(),
        name="fulfillment-batch-add",
    ),
    path(
        "workflow.requiredDocument.fulfillment.list", documents.FulfillmentListView.as_view(), name="fulfillment-list"
    ),
    path(
        "workflow.requiredDocument.fulfillment.decide",
        documents.FulfillmentDecideView.as_view(),
        name="fulfillment-decide",
    ),
]

# The public action contract (authenticated by the link token only) and the members' API that creates links.
urlpatterns += [
    path("v3/public/actions/<str:token>", public_actions.PublicActionSubmitView.as_view(), name="public-action-submit"),
    path(
        "v3/public/actions/<str:token>/confirm",
        public_actions.PublicActionConfirmView.as_view(),
        name="public-action-confirm",
    ),
    path("workflow.publicAction.create", public_actions.PublicActionCreateView.as_view(), name="public-action-create"),
    path("workflow.publicAction.list", public_actions.PublicActionListView.as_view(), name="public-action-list"),
]

# Revision requests: a reviewer asks the client for new files (the client's side is under /actions/<token>/revision/).
urlpatterns += [
    path(
        "workflow.revisionRequest.create",
        revision_requests.RevisionRequestCreateView.as_view(),
        name="revision-request-create",
    ),
    path(
        "workflow.revisionRequest.list",
        revision_requests.RevisionRequestListView.as_view(),
        name="revision-request-list",
    ),
    path(
        "workflow.revisionRequest.revoke",
        revision_requests.RevisionRequestRevokeView.as_view(),
        name="revision-request-revoke",
    ),
]
