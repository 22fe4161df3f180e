"""The dashboard: a FastAPI app that reads only the published snapshot.

Example::

    from zicht.web.app import create_app
    app = create_app(Path("mijn-werkruimte"))   # ASGI app; or serve(root, "127.0.0.1", 8000)
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path

import jinja2
import plotly
import uvicorn
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from zicht.errors import ZichtError
from zicht.web import _format as fmt
from zicht.web import access
from zicht.web._nav import nav_for
from zicht.web._security import SecurityHeadersMiddleware
from zicht.web._snapshot import SnapshotCache, SnapshotError
from zicht.web._timing import ServerTimingMiddleware
from zicht.web.admin import router as admin_router
from zicht.web.api import router as api_router
from zicht.web.areas import router as areas_router
from zicht.web.auditpage import router as audit_router
from zicht.web.auth import router as auth_router
from zicht.web.chain_pages import router as chain_router
from zicht.web.goal_pages import router as goal_pages_router
from zicht.web.pages import router as pages_router
from zicht.web.peers_page import router as peers_router
from zicht.web.quality import router as quality_router
from zicht.web.story_pages import router as story_pages_router
from zicht.web.vertelpunt import router as vertelpunt_router

_HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = _HERE / "templates"
STATIC_DIR = _HERE / "static"
# Served from the installed plotly package, never copied into the repository or
# fetched from a CDN (the app must work on an air-gapped network).
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
PLOTLY_URL = "/vendor/plotly.min.js"
OPENAPI_URL = "/api/openapi.json"
# Plotly's geo subplot loads a world base map (topojson) from cdn.plot.ly whenever a trace
# has a locationmode, which a choropleth with its own GeoJSON always has. Our maps hide
# the base map (geo.visible=False), so the charts point Plotly's ``topojsonURL`` here
# and get an empty topology: no request leaves the server, no base map is drawn.
TOPOJSON_URL = "/vendor/topojson/"
_TOPOJSON_OBJECTS = ("coastlines", "land", "ocean", "lakes", "rivers", "countries", "subunits")
EMPTY_TOPOLOGY = {
    "type": "Topology",
    "objects": {
        name: {"type": "GeometryCollection", "geometries": []} for name in _TOPOJSON_OBJECTS
    },
    "arcs": [],
}

_ERROR_TEXT = {
    400: ("Ongeldige aanvraag", "De aanvraag bevat een waarde die zicht niet begrijpt."),
    404: ("Pagina niet gevonden", "Deze pagina of deze indicator bestaat niet."),
    401: ("Niet ingelogd", "Log in om deze pagina te zien."),
    403: ("Geen toegang", "U heeft geen toegang tot deze pagina."),
    405: ("Niet toegestaan", "Deze handeling is op deze pagina niet toegestaan."),
    422: ("Ongeldige aanvraag", "De aanvraag bevat een waarde die zicht niet begrijpt."),
    503: (
        "Gegevens tijdelijk onleesbaar",
        "De gepubliceerde gegevens konden niet worden "
        "gelezen. Draai `zicht refresh` opnieuw of neem contact op met de beheerder.",
    ),
}


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["waarde"] = fmt.value
    env.filters["aantal"] = fmt.count
    env.globals["plotly_url"] = PLOTLY_URL
    env.globals["level_text"] = fmt.LEVEL_TEXT
    env.globals["csrf_token"] = access.csrf_token
    env.globals["session_user"] = access.current_user
    env.globals["nav_for"] = nav_for
    return Jinja2Templates(env=env)


def create_app(ws_root: Path) -> FastAPI:
    """The dashboard for one workspace; it reads ``ws_root/published`` and nothing else."""
    app = FastAPI(
        title="zicht",
        description="Gepubliceerde indicatoren voor het sociaal domein.",
        docs_url=None,  # the Swagger page loads its assets from a CDN
        redoc_url=None,
        openapi_url=None,  # served below, behind a login like the rest of the API
        # Fail closed: a route that states no access rule is refused (see access.enforce).
        dependencies=[Depends(access.enforce)],
    )
    app.state.snapshots = SnapshotCache(Path(ws_root))
    app.state.templates = _templates()
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(ServerTimingMiddleware)
    access.install(app, Path(ws_root))

    @app.get(OPENAPI_URL, include_in_schema=False, dependencies=[Depends(access.require())])
    def openapi_schema() -> JSONResponse:
        return JSONResponse(app.openapi())

    @app.get(PLOTLY_URL, include_in_schema=False, dependencies=[Depends(access.public)])
    def plotly_js() -> FileResponse:
        return FileResponse(
            PLOTLY_JS,
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    @app.get(
        TOPOJSON_URL + "{name}.json", include_in_schema=False, dependencies=[Depends(access.public)]
    )
    def empty_topojson(name: str) -> JSONResponse:
        return JSONResponse(EMPTY_TOPOLOGY, headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(api_router)
    app.include_router(pages_router)
    app.include_router(goal_pages_router)  # /doelen: goals for raad, beleid, analist
    app.include_router(auth_router)
    app.include_router(admin_router)
    app.include_router(audit_router)
    app.include_router(quality_router)
    app.include_router(areas_router)
    app.include_router(chain_router)
    app.include_router(vertelpunt_router)
    app.include_router(story_pages_router)
    app.include_router(peers_router)  # /vergelijkbare-gemeenten

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, exc.detail)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return error_response(request, 400, None)

    @app.exception_handler(ZichtError)
    async def zicht_error(request: Request, exc: ZichtError) -> Response:
        # E.g. the access database held by another process for too long.
        return error_response(request, 503, None)

    @app.exception_handler(SnapshotError)
    async def snapshot_error(request: Request, exc: SnapshotError) -> Response:
        return error_response(request, 503, None)

    return app


def error_response(request: Request, status: int, detail: object) -> Response:
    """A Dutch error: JSON under /api, an HTML page elsewhere."""
    title, text = _ERROR_TEXT.get(status, ("Er ging iets mis", "Probeer het later opnieuw."))
    # Our own HTTPExceptions carry a Dutch detail; Starlette's default is the English
    # reason phrase, which is replaced by the Dutch text.
    own = isinstance(detail, str) and detail and detail != _phrase(status)
    message = str(detail) if own else text
    if request.url.path.startswith("/api/"):
        return JSONResponse({"detail": message}, status_code=status)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request,
        "error.html",
        {"title": title, "message": message, "status": status, "gemeente": ""},
        status_code=status,
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def serve(ws_root: Path, host: str, port: int) -> None:
    """Serve the dashboard until interrupted."""
    uvicorn.run(create_app(ws_root), host=host, port=port, log_level="info")
