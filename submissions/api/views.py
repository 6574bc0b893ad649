"""Thin DRF views: parse, call a selector or service, render. Who may see what is decided in ``submissions.access``."""

from __future__ import annotations

import math
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from config.parsing import parse
from config.schema import conflict
from submissions import access, history, selectors, services
from submissions.api import responses as r
from submissions.api import serializers as s
from submissions.api.list_query import parse_list_query
from submissions.constants import GrantTargetType, VisibilityMode
from submissions.links import share_url
from submissions.selectors import SubmissionFilters
from workspaces.access import require_role
from workspaces.constants import Role
from workspaces.permissions import workspace_context

# --- Forms ---------------------------------------------------------------------------------------


class FormListView(APIView):
    @extend_schema(
        operation_id="forms_list",
        summary="List forms.",
        parameters=[s.FormListQuerySerializer],
        responses=r.FormPageSerializer,
        tags=["Forms"],
    )
    def get(self, request: Request) -> Response:
        context = workspace_context(request)
        query = parse(s.FormListQuerySerializer, request.query_params)
        forms = selectors.form_list(context=context, status=query.get("status")).prefetch_related("versions")
        total = forms.count()
        page, limit = query["page"], query["limit"]
        rows = forms[(page - 1) * limit : page * limit]
        pagination = {"page": page, "limit": limit, "total": total, "pages": math.ceil(total / limit)}
        return Response(r.FormPageSerializer({"forms": rows, "pagination": pagination}).data)

    @extend_schema(
        operation_id="forms_create",
        summary="Create a draft form (ADMIN/OWNER).",
        request=s.FormCreateSerializer,
        responses={201: s.FormSerializer},
        tags=["Forms"],
    )
    def post(self, request: Request) -> Response:
        context = workspace_context(request)
        require_role(context, Role.ADMIN)
        body = parse(s.FormCreateSerializer, request.data)
        form = services.form_create(workspace=context.workspace, acting_user=context.user, **body)
        return Response(s.FormSerializer(form).data, status=status.HTTP_201_CREATED)


class FormDetailView(APIView):
    @extend_schema(
        operation_id="forms_retrieve",
        summary="Get a form with its versions.",
        responses=s.FormSerializer,
        tags=["Forms"],
    )
    def get(self, request: Request, form_id: str) -> Response:
        form = selectors.form_get(context=workspace_context(request), public_id=form_id)
        return Response(s.FormSerializer(form).data)

    @extend_schema(
        operation_id="forms_update",
        summary="Update the draft (ADMIN/OWNER); published versions never change.",
        request=s.FormUpdateSerializer,
        responses={200: s.FormSerializer, 409: conflict("The form is archived (FORM_ARCHIVED).")},
        tags=["Forms"],
    )
    def patch(self, request: Request, form_id: str) -> Response:
        context = workspace_context(request)
        require_role(context, Role.ADMIN)
        form = selectors.form_get(context=context, public_id=form_id)
        body = parse(s.FormUpdateSerializer, request.data)
        form = services.form_update(form=form, acting_user=context.user, **body)
        return Response(s.FormSerializer(form).data)


class FormPublishView(APIView):
    @extend_schema(
        operation_id="forms_publish",
        summary="Validate the draft schema and publish it as a new immutable version.",
        request=None,
        responses={
            201: r.FormPublishResponseSerializer,
            409: conflict("The form is archived (FORM_ARCHIVED)."),
        },
        tags=["Forms"],
    )
    def post(self, request: Request, form_id: str) -> Response:
        context = workspace_context(request)
        require_role(context, Role.ADMIN)
        form = selectors.form_get(context=context, public_id=form_id)
        version = services.form_publish(form=form, acting_user=context.user)
        body = r.FormPublishResponseSerializer({"form": version.form, "formVersion": version}).data
        return Response(body, status=status.HTTP_201_CREATED)


class FormArchiveView(APIView):
    @extend_schema(
        operation_id="forms_archive",
        summary="Archive a form: no new submissions.",
        request=None,
        responses=s.FormSerializer,
        tags=["Forms"],
    )
    def post(self, request: Request, form_id: str) -> Response:
        context = workspace_context(request)
        require_role(context, Role.ADMIN)
        form = services.form_archive(
            form=selectors.form_get(context=context, public_id=form_id), acting_user=context.user
        )
        return Response(s.FormSerializer(form).data)


# --- Submissions ---------------------------------------------------------------------------------


TOTAL_EXACT_HEADER = "X-Total-Count-Exact"
TOTAL_EXACT_PARAMETER = OpenApiParameter(
    TOTAL_EXACT_HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    response=True,
    enum=["true", "false"],
    description=(
        "`false` when `pagination.total` is PostgreSQL's planner estimate: past 10,000 matching submissions "
        "the total is estimated rather than counted (never below 10,001); `pages` follows it."
    ),
)

LIST_DESCRIPTION = (
    "Two ways to page, the same rows in the same order: `page` and `limit` (OFFSET paging, whose cost grows "
    "with the depth of the page), or `cursor` and `limit` (keyset paging, as cheap at any depth as a first "
    "page). Every page's `pagination.nextCursor` (null on the last page) is the `cursor` of the page after it; "
    "send it with the same filters, `sortBy` and `sortOrder`. A page read by cursor has `pagination.page` null "
    "(a keyset page does not count the rows before it); `total` and `pages` are as for `page`. `page` together "
    "with `cursor` is a 400 `VALIDATION_ERROR`; a malformed or altered cursor, or one made for another sort, is "
    "a 400 `INVALID_CURSOR`."
)


def _page_response(
    request: Request,
    query: dict[str, Any],
    filters: SubmissionFilters,
    page_serializer: type[r.SubmissionPageSerializer | r.DraftPageSerializer],
) -> Response:
    page = selectors.submission_list(
        context=workspace_context(request),
        filters=filters,
        limit=query["limit"],
        page=query["page"],
        cursor=query.get("cursor"),
    )
    key = "drafts" if page_serializer is r.DraftPageSerializer else "submissions"
    # The page's shape is ``page_serializer``'s (the schema's); its items render as its child does.
    items = [s.listed_representation(item) for item in page.items]
    response = Response({key: items, "pagination": page.pagination})
    response[TOTAL_EXACT_HEADER] = "true" if page.total_exact else "false"
    return response


def list_filters(query: dict[str, Any]) -> SubmissionFilters:
    """The list's filters of a parsed ``SubmissionListQuerySerializer`` (the list and its export)."""
    return SubmissionFilters(
        form_id=query.get("formId"),
        status=query.get("status"),
        search=query.get("search"),
        date_from=query.get("dateFrom"),
        date_to=query.get("dateTo"),
        submitted_by=query.get("submittedBy"),
        include_drafts=query["includeDrafts"],
        sort_by=query["sortBy"],
        sort_order=query["sortOrder"],
    )


class SubmissionListView(APIView):
    @extend_schema(
        operation_id="submissions_list",
        summary="List submissions.",
        description=LIST_DESCRIPTION,
        parameters=[s.SubmissionListQuerySerializer, TOTAL_EXACT_PARAMETER],
        responses=r.SubmissionPageSerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request) -> Response:
        query = parse_list_query(request.query_params)
        return _page_response(request, query, list_filters(query), r.SubmissionPageSerializer)

    @extend_schema(
        operation_id="submissions_create",
        summary="Create a submission (persisted COMPLETED, or DRAFT on request).",
        request=s.SubmissionCreateSerializer,
        responses={
            201: s.SubmissionSerializer,
            409: conflict("The form is not published (FORM_NOT_PUBLISHED) or archived (FORM_ARCHIVED)."),
        },
        tags=["Submissions"],
    )
    def post(self, request: Request) -> Response:
        context = workspace_context(request)
        require_role(context, Role.MEMBER)
        body = parse(s.SubmissionCreateSerializer, request.data)
        version = selectors.form_version_for_new_submission(context=context, form_public_id=body["formId"])
        submission = services.submission_create(
            workspace=context.workspace,
            form_version=version,
            data=body["data"],
            metadata=body.get("metadata"),
            status=body["status"],
            acting_user=context.user,
        )
        return Response(s.SubmissionSerializer(submission).data, status=status.HTTP_201_CREATED)


class SubmissionStatsView(APIView):
    @extend_schema(
        operation_id="submissions_stats",
        summary="Counts per status, per form and per day.",
        parameters=[s.StatsQuerySerializer],
        responses=r.SubmissionStatsSerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request) -> Response:
        query = parse(s.StatsQuerySerializer, request.query_params)
        stats = selectors.submission_stats(
            context=workspace_context(request), date_from=query.get("dateFrom"), date_to=query.get("dateTo")
        )
        return Response(r.SubmissionStatsSerializer(stats).data)


class SubmissionDetailView(APIView):
    @extend_schema(
        operation_id="submissions_retrieve",
        summary="Get a submission.",
        responses=s.SubmissionSerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_visible(context=context, public_id=submission_id)
        services.submission_record_read(submission=submission, acting_user=context.user, via="api")
        return Response(s.SubmissionSerializer(submission).data)

    @extend_schema(
        operation_id="submissions_update",
        summary="Update data, status, metadata or the assignee.",
        request=s.SubmissionUpdateSerializer,
        responses={
            200: s.SubmissionSerializer,
            409: conflict("The status cannot move that way (INVALID_STATUS_TRANSITION)."),
        },
        tags=["Submissions"],
    )
    def patch(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER
        )
        body = parse(s.SubmissionUpdateSerializer, request.data)
        submission = services.submission_update(
            submission=submission,
            acting_user=context.user,
            data=body.get("data"),
            status=body.get("status"),
            metadata=body.get("metadata"),
            user_id=body.get("userId", services.Keep.KEEP),
        )
        return Response(s.SubmissionSerializer(submission).data)

    @extend_schema(
        operation_id="submissions_delete",
        summary="Delete a submission (ADMIN/OWNER); its snapshots stay.",
        responses={200: r.SuccessSerializer},
        tags=["Submissions"],
    )
    def delete(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(context=context, public_id=submission_id, minimum_role=Role.ADMIN)
        services.submission_delete(submission=submission, acting_user=context.user)
        return Response(r.SuccessSerializer({}).data)


class SubmissionSubmitView(APIView):
    @extend_schema(
        operation_id="submissions_submit",
        summary="Submit a draft (DRAFT to PENDING) once required fields are present.",
        request=None,
        responses={200: s.SubmissionSerializer, 409: conflict("Not a DRAFT (INVALID_STATUS_TRANSITION).")},
        tags=["Submissions"],
    )
    def post(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER
        )
        submission = services.submission_submit(submission=submission, acting_user=context.user)
        return Response(s.SubmissionSerializer(submission).data)


# --- Drafts --------------------------------------------------------------------------------------


class DraftListView(APIView):
    @extend_schema(
        operation_id="drafts_list",
        summary="List draft submissions.",
        description=LIST_DESCRIPTION,
        parameters=[s.SubmissionListQuerySerializer, TOTAL_EXACT_PARAMETER],
        responses=r.DraftPageSerializer,
        tags=["Drafts"],
    )
    def get(self, request: Request) -> Response:
        query = parse_list_query(request.query_params)
        filters = SubmissionFilters(
            form_id=query.get("formId"),
            search=query.get("search"),
            drafts_only=True,
            sort_by=query["sortBy"],
            sort_order=query["sortOrder"],
        )
        return _page_response(request, query, filters, r.DraftPageSerializer)


class DraftDetailView(APIView):
    @extend_schema(
        operation_id="drafts_retrieve", summary="Get a draft.", responses=s.SubmissionSerializer, tags=["Drafts"]
    )
    def get(self, request: Request, submission_id: str) -> Response:
        draft = access.submission_get_visible(
            context=workspace_context(request), public_id=submission_id, drafts_only=True
        )
        return Response(s.SubmissionSerializer(draft).data)

    @extend_schema(
        operation_id="drafts_update",
        summary="Save a draft's data or metadata (required fields not enforced).",
        request=s.DraftUpdateSerializer,
        responses=s.SubmissionSerializer,
        tags=["Drafts"],
    )
    def patch(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        draft = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER, drafts_only=True
        )
        body = parse(s.DraftUpdateSerializer, request.data)
        draft = services.submission_update(
            submission=draft, acting_user=context.user, data=body.get("data"), metadata=body.get("metadata")
        )
        return Response(s.SubmissionSerializer(draft).data)

    @extend_schema(
        operation_id="drafts_delete", summary="Delete a draft.", responses={200: r.SuccessSerializer}, tags=["Drafts"]
    )
    def delete(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        draft = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER, drafts_only=True
        )
        services.submission_delete(submission=draft, acting_user=context.user)
        return Response(r.SuccessSerializer({}).data)


# --- Notes and documents -------------------------------------------------------------------------


class NotesView(APIView):
    """Notes are internal: members of the submission's own workspace only (overseers get a 403)."""

    @extend_schema(
        operation_id="submission_notes_list",
        summary="List notes (workspace members only).",
        responses=r.NoteListSerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request, submission_id: str) -> Response:
        submission = access.submission_get_for_member(context=workspace_context(request), public_id=submission_id)
        notes = selectors.note_list(submission=submission)
        return Response(r.NoteListSerializer({"notes": notes}).data)

    @extend_schema(
        operation_id="submission_notes_create",
        summary="Add an internal note.",
        request=s.NoteCreateSerializer,
        responses={201: s.NoteSerializer},
        tags=["Submissions"],
    )
    def post(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER
        )
        body = parse(s.NoteCreateSerializer, request.data)
        note = services.note_create(submission=submission, content=body["content"], acting_user=context.user)
        return Response(s.NoteSerializer(note).data, status=status.HTTP_201_CREATED)


class DocumentsView(APIView):
    @extend_schema(
        operation_id="submission_documents_list",
        summary="List attached documents.",
        responses=r.AttachmentListSerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request, submission_id: str) -> Response:
        submission = access.submission_get_visible(context=workspace_context(request), public_id=submission_id)
        attachments = selectors.attachment_list(submission=submission)
        return Response(r.AttachmentListSerializer({"documents": attachments}, context={"request": request}).data)

    @extend_schema(
        operation_id="submission_documents_attach",
        summary="Attach an uploaded file of the same workspace.",
        request=s.AttachmentCreateSerializer,
        responses={
            201: s.AttachmentSerializer,
            409: conflict("The file is not accepted yet or already attached (DOCUMENT_NOT_ATTACHABLE)."),
        },
        tags=["Submissions"],
    )
    def post(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER
        )
        body = parse(s.AttachmentCreateSerializer, request.data)
        attachment = services.attachment_add(
            submission=submission, document_uuid=body["fileId"], acting_user=context.user
        )
        return Response(
            s.AttachmentSerializer(attachment, context={"request": request}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        operation_id="submission_documents_remove",
        summary="Remove an attachment.",
        parameters=[OpenApiParameter("attachmentId", str, OpenApiParameter.QUERY, required=True)],
        responses={200: r.SuccessSerializer},
        tags=["Submissions"],
    )
    def delete(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER
        )
        attachment_id = request.query_params.get("attachmentId", "")
        services.attachment_remove(submission=submission, attachment_id=attachment_id, acting_user=context.user)
        return Response(r.SuccessSerializer({}).data)


# --- Sharing -------------------------------------------------------------------------------------


class ShareView(APIView):
    @extend_schema(
        operation_id="submission_share",
        summary="Create a revocable, expiring read-only link.",
        request=None,
        responses={201: r.ShareLinkSerializer},
        tags=["Submissions"],
    )
    def post(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER
        )
        link, token = services.share_link_create(submission=submission, acting_user=context.user)
        body = r.ShareLinkSerializer({"shareUrl": share_url(request, token), "link": link}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="submission_share_revoke",
        summary="Revoke every live share link.",
        responses={200: r.RevokeResponseSerializer},
        tags=["Submissions"],
    )
    def delete(self, request: Request, submission_id: str) -> Response:
        """Revoke every live share link of the submission (not in the specification's table)."""
        context = workspace_context(request)
        submission = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER
        )
        revoked = services.share_links_revoke(submission=submission, acting_user=context.user)
        return Response(r.RevokeResponseSerializer({"revoked": revoked}).data)


class ShareEmailView(APIView):
    @extend_schema(
        operation_id="submission_share_email",
        summary="Email a read-only link (sent after commit).",
        request=s.ShareEmailSerializer,
        responses=r.ShareEmailResponseSerializer,
        tags=["Submissions"],
    )
    def post(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(
            context=context, public_id=submission_id, minimum_role=Role.MEMBER
        )
        body = parse(s.ShareEmailSerializer, request.data)
        link = services.share_link_email(
            submission=submission,
            email=body["email"],
            message=body["message"],
            acting_user=context.user,
            build_url=lambda token: share_url(request, token),
        )
        return Response(r.ShareEmailResponseSerializer(link).data)


# --- Snapshots, history, visibility --------------------------------------------------------------


class HistoryView(APIView):
    @extend_schema(
        operation_id="submission_history",
        summary="Snapshots and audit events, newest first (at most 100).",
        responses=r.HistorySerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request, submission_id: str) -> Response:
        submission = access.submission_get_visible(context=workspace_context(request), public_id=submission_id)
        events = history.submission_history(submission=submission)
        return Response(r.HistorySerializer({"events": events}).data)


class SnapshotView(APIView):
    @extend_schema(
        operation_id="submission_snapshot",
        summary="Get a snapshot.",
        responses=r.SnapshotSerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request, submission_id: str, snapshot_id: str) -> Response:
        submission = access.submission_get_visible(context=workspace_context(request), public_id=submission_id)
        snapshot = history.snapshot_get(submission=submission, snapshot_id=snapshot_id)
        return Response(r.SnapshotSerializer(snapshot).data)


class RollbackView(APIView):
    @extend_schema(
        operation_id="submission_rollback",
        summary="Restore a snapshot's data as a new snapshot (ADMIN/OWNER).",
        request=None,
        responses=r.RollbackSerializer,
        tags=["Submissions"],
    )
    def post(self, request: Request, submission_id: str, snapshot_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_member(context=context, public_id=submission_id, minimum_role=Role.ADMIN)
        snapshot = history.snapshot_get(submission=submission, snapshot_id=snapshot_id)
        submission = services.submission_rollback(submission=submission, snapshot=snapshot, acting_user=context.user)
        body = {"rolledBackToVersion": snapshot.version, "submission": submission}
        return Response(r.RollbackSerializer(body).data)


class VisibilityView(APIView):
    @extend_schema(
        operation_id="submission_visibility",
        summary="Visibility settings with member lists.",
        responses=r.VisibilitySerializer,
        tags=["Submissions"],
    )
    def get(self, request: Request, submission_id: str) -> Response:
        submission = access.submission_get_for_visibility(context=workspace_context(request), public_id=submission_id)
        return Response(r.VisibilitySerializer(selectors.visibility_settings(submission=submission)).data)

    @extend_schema(
        operation_id="submission_visibility_update",
        summary="Set visibility mode and grants (ADMIN/OWNER).",
        request=s.VisibilityUpdateSerializer,
        responses=r.VisibilitySerializer,
        tags=["Submissions"],
    )
    def put(self, request: Request, submission_id: str) -> Response:
        context = workspace_context(request)
        submission = access.submission_get_for_visibility(context=context, public_id=submission_id, write=True)
        body = parse(s.VisibilityUpdateSerializer, request.data)
        grants = [
            services.GrantRequest(
                target_type=GrantTargetType(item["targetType"]),
                target_id=item["targetId"],
                access_level=item["accessLevel"],
            )
            for item in body["grants"]
        ]
        submission = services.visibility_set(
            submission=submission, mode=VisibilityMode(body["mode"]), grants=grants, acting_user=context.user
        )
        return Response(r.VisibilitySerializer(selectors.visibility_settings(submission=submission)).data)
