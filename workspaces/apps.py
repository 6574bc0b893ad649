from django.apps import AppConfig


class WorkspacesConfig(AppConfig):
    name = "workspaces"
    verbose_name = "Workspaces and access"

    def ready(self) -> None:
        from workspaces import schema, signals  # noqa: F401  (OpenAPI authentication extensions; sign-in audit)
