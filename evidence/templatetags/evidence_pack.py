"""Filters of the evidence pack's PDF template: its dict holds ISO times and enum codes, the page shows words."""

from __future__ import annotations

from datetime import datetime

from django import template

from evidence.content import code_words

register = template.Library()


@register.filter
def when(value: str | None) -> str:
    """An ISO time as ``2026-12-02 01:35 UTC`` (the pack's times are all UTC); a dash for none."""
    if not value:
        return "—"
    return datetime.fromisoformat(value).strftime("%Y-%m-%d %H:%M UTC")


register.filter("words", code_words)
