"""Template filters of the case page."""

from __future__ import annotations

from typing import Any

from django import template

from submissions.case import actor_name

register = template.Library()


@register.filter
def actor(user: Any) -> str:
    """``{{ note.author|actor }}``: the user's name, or "API key" when a key acted on its own."""
    return actor_name(user)
