"""The API documentation page ``/api/docs``: Swagger UI served from ``/static/vendor``.

FastAPI's default page loads Swagger UI and a favicon from a CDN; this one uses the vendored
npm package ``swagger-ui-dist`` (see ``web/static/vendor/README.md``) and starts it from a
small JS file, so the page works offline and under the app's Content-Security-Policy.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

router = APIRouter()

SWAGGER_UI_VERSION = "5.35.0"
_VENDOR = f"/static/vendor/swagger-ui-{SWAGGER_UI_VERSION}"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>convolab API</title>
<link rel="icon" type="image/png" href="{_VENDOR}-favicon-32x32.png">
<link rel="stylesheet" href="{_VENDOR}.css">
</head>
<body>
<div id="swagger-ui" data-openapi="/openapi.json"></div>
<script src="{_VENDOR}-bundle.js"></script>
<script src="/static/docs/init.js"></script>
</body>
</html>
"""


@router.get("/api/docs", include_in_schema=False)
async def api_docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
