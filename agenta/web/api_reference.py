"""The API reference page (``/api/docs``): Swagger UI, or where the schema is when it cannot load.

Swagger UI's scripts come from a CDN (the bundle is not shipped with Agenta). Where that CDN is
out of reach (a machine without internet, a strict proxy) the page would stay blank; it shows
instead that the scripts did not load and links the OpenAPI schema that Agenta serves itself.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin

SCHEMA_PATH = "/api/openapi.json"


class ApiReferencePlugin(SwaggerRenderPlugin):
    """Litestar's Swagger UI page plus a notice shown only when Swagger UI did not load."""

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        page = super().render(request, openapi_schema)
        return page.replace(b"</body>", self._unavailable_notice() + b"</body>", 1)

    def _unavailable_notice(self) -> bytes:
        cdn = urlsplit(self.js_url).netloc
        return f"""
          <div id="swagger-unavailable" style="display:none;font-family:system-ui,sans-serif;
               max-width:42rem;margin:3rem auto;line-height:1.5">
            <h1>API reference</h1>
            <p>Swagger UI could not be loaded from {cdn}, so the interactive reference is not
               available from this browser.</p>
            <p>Agenta serves the OpenAPI schema itself: <a href="{SCHEMA_PATH}">{SCHEMA_PATH}</a>.
               Any OpenAPI viewer or editor can open it.</p>
          </div>
          <script>
            if (typeof SwaggerUIBundle === "undefined") {{
              document.getElementById("swagger-unavailable").style.display = "block";
            }}
          </script>
        """.encode()
