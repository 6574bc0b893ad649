"""Admin of the workflows app, one module per area (imported here so Django's autodiscovery finds them)."""

from workflows.admin import public_actions, records, requirements  # noqa: F401
