"""OpenAPI descriptions of our authentication classes (drf-spectacular extensions)."""

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "X-API-KEY",
            "description": "A workspace API key. Optional X-BUSINESS-ID must name the key's workspace; optional "
            "X-USER-ID names the member to act as.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "workspaces.authentication.SessionWorkspaceAuthentication"
    name = "SessionAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
