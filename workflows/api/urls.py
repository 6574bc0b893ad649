from django.urls import path

from workflows.api import documents

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
