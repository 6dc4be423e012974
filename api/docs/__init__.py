"""The API docs at ``/docs`` (Swagger UI) with every asset served by this service.

FastAPI's own ``/docs`` loads Swagger UI from a CDN and starts it with an inline script, so it is
blank on a machine without internet and under the Content-Security-Policy of :mod:`api.guard`.
Here the assets come from the pinned ``swagger-ui-bundle-v2`` package (``/docs/assets/``) and
the start-up script is a file of this package (``/docs/start.js``).
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.responses import FileResponse, HTMLResponse
from swagger_ui_bundle import swagger_ui_path

HERE = Path(__file__).resolve().parent

PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} - API docs</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <noscript>The API docs need JavaScript; the schema itself is at <a href="/openapi.json">/openapi.json</a>.</noscript>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/start.js"></script>
</body>
</html>
"""


def mount(app: FastAPI) -> None:
    """``/docs``, ``/docs/start.js`` and ``/docs/assets/`` on ``app`` (not in the schema)."""
    page = PAGE.format(title=app.title)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(page)

    @app.get("/docs/start.js", include_in_schema=False)
    def start() -> FileResponse:
        return FileResponse(HERE / "start.js", media_type="text/javascript")

    app.mount("/docs/assets", StaticFiles(directory=str(swagger_ui_path)), name="docs-assets")
