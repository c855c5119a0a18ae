"""``/docs``: the OpenAPI document in Swagger UI, served whole from our own origin.

FastAPI's own page loads Swagger UI from a CDN, so it is blank offline and depends on a third party.
Here its script and style come from ``/swagger-ui/``, files the web client's build copies from the
``swagger-ui-dist`` package (``web/vite.config.ts``) and the API serves with the rest of the client.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

#: Where the web client's build puts Swagger UI's files.
ASSETS = "/swagger-ui"
FAVICON = "/favicon.svg"


def docs_router(openapi_url: str, title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/docs")
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{title}: docs",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=FAVICON,
        )

    return router
