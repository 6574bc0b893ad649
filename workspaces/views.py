from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from workspaces.authentication import SESSION_WORKSPACE_KEY
from workspaces.selectors import membership_list_for_user


def home(request: HttpRequest) -> HttpResponse:
    memberships = list(membership_list_for_user(user=request.user)) if request.user.is_authenticated else []
    return render(
        request,
        "workspaces/home.html",
        {"memberships": memberships, "active_workspace": request.session.get(SESSION_WORKSPACE_KEY)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def choose_workspace(request: HttpRequest) -> HttpResponse:
    """Pick the active workspace of this session; only the user's own workspaces can be picked."""
    assert request.user.is_authenticated
    memberships = list(membership_list_for_user(user=request.user))
    if request.method == "POST":
        wanted = request.POST.get("workspace", "")
        chosen = next((m.workspace for m in memberships if str(m.workspace.public_id) == wanted), None)
        if chosen is None:
            messages.error(request, "You are not a member of that workspace.")
            return render(request, "workspaces/choose.html", {"memberships": memberships}, status=403)
        request.session[SESSION_WORKSPACE_KEY] = str(chosen.public_id)
        messages.success(request, f"Active workspace: {chosen.name}.")
        return redirect("home")
    return render(request, "workspaces/choose.html", {"memberships": memberships})
