"""The forms of the submission admin pages: the case page's actions and the visibility settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User

from submissions.constants import GrantTargetType
from submissions.models import SubmissionVisibility
from submissions.services import GrantRequest
from workspaces.constants import Role
from workspaces.models import Workspace
from workspaces.selectors import overseer_workspace_ids


class VisibilityForm(forms.ModelForm):
    """Mode and grants of one submission; the choices are the members and overseers of its workspace."""

    users = forms.ModelMultipleChoiceField(queryset=User.objects.none(), required=False)
    roles = forms.MultipleChoiceField(choices=Role.choices, required=False)
    overseers = forms.ModelMultipleChoiceField(queryset=Workspace.objects.none(), required=False)

    class Meta:
        model = SubmissionVisibility
        fields = ["visibility_mode"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        submission = self.instance
        if submission.pk is None:
            return
        self.fields["users"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__workspace_id=submission.workspace_id
        )
        self.fields["overseers"].queryset = Workspace.objects.filter(  # type: ignore[attr-defined]
            pk__in=overseer_workspace_ids(overseen_id=submission.workspace_id)
        )
        grants = list(submission.grants.all())
        self.initial["users"] = [g.target_user_id for g in grants if g.target_type == GrantTargetType.USER]
        self.initial["roles"] = [g.target_role for g in grants if g.target_type == GrantTargetType.WORKSPACE_ROLE]
        self.initial["overseers"] = [
            g.target_workspace_id for g in grants if g.target_type == GrantTargetType.OVERSIGHT_WORKSPACE
        ]

    def grants(self) -> list[GrantRequest]:
        data = self.cleaned_data
        return [
            *(GrantRequest(target_type=GrantTargetType.USER, target_id=str(user.pk)) for user in data["users"]),
            *(GrantRequest(target_type=GrantTargetType.WORKSPACE_ROLE, target_id=role) for role in data["roles"]),
            *(
                GrantRequest(target_type=GrantTargetType.OVERSIGHT_WORKSPACE, target_id=str(workspace.public_id))
                for workspace in data["overseers"]
            ),
        ]


class StatusForm(forms.Form):
    """The statuses the submission may move to, and no other."""

    status = forms.ChoiceField()

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    """A member of the submission's workspace, or nobody ("")."""

    user = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Nobody"), *members]  # type: ignore[attr-defined]


class NoteForm(forms.Form):
    content = forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))


class AttachForm(forms.Form):
    document = forms.UUIDField()


class ReferenceForm(forms.Form):
    """One object of the submission named by its id: a share link, an attachment, a snapshot."""

    id = forms.CharField(max_length=64)
