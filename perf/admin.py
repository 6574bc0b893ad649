"""The admin changelist's row checkbox, written out instead of rendered through the form widget templates
(``PERF_ADMIN_CHECKBOX``).

Django renders every row's action checkbox as a ``CheckboxInput`` through the forms template renderer: about a
quarter of the review queue's Python time for a page of 50 rows. The markup here is the widget's own, character
for character (a test compares both); off, Django's ``ModelAdmin.action_checkbox`` renders it. Public API only.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.admin import helpers
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _


class RowCheckboxMixin:
    """For a ModelAdmin whose changelist shows actions."""

    def action_checkbox(self, obj: Any) -> SafeString:
        if not settings.PERF_ADMIN_CHECKBOX:
            return super().action_checkbox(obj)  # type: ignore[misc]
        label = format_html(_("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )
