"""drf-spectacular extensions: how Homeward's API describes itself.

Imported by ApiConfig.ready(), so the extensions are registered before the
schema is generated.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "homeward.api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token (created on the account page or with "
            "`homeward user token USERNAME`), sent as `Authorization: Bearer <token>`.",
        }


class NotificationBodyExtension(OpenApiSerializerExtension):
    """The notification body keeps fields it does not know: say so in the schema."""

    target_class = "homeward.api.serializers.NotificationSerializer"

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target_class, direction, bypass_extensions=True)
        schema["additionalProperties"] = {
            "type": "string",
            "nullable": True,
            "description": "Any other field is kept with the notification as received",
        }
        return schema
