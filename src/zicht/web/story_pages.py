"""Analyst pages for told stories: distributions, patterns and observations.

Only the roles ``analist`` and ``beleid`` see them. Stories are shown scrubbed, with
their context only where at least ``stories_k`` stories share it. An analyst can mark a
pattern as remarkable with an observation and at least two competing interpretations
(as a sensemaking session does); observations are kept in ``story_observation``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from zicht.analysis._signifiers import anonymous_context, distribution
from zicht.analysis.patterns import MinEffect, filter_stories, find_patterns
from zicht.analysis.warm_cold import warm_next_to_cold
from zicht.config import Settings
from zicht.errors import ZichtError
from zicht.model.stories import Story, StoryForm
from zicht.reports.story_export import pattern_markdown
from zicht.store import open_store
from zicht.stories.forms import load_forms
from zicht.stories.storage import load_observations, load_stories, save_observation
from zicht.web import _charts, _story_charts, access
from zicht.web.access import Role

ROLES = (Role.ANALIST, Role.BELEID)
router = APIRouter(dependencies=[Depends(access.require(*ROLES))])
MAX_PATTERNS = 25


def _root(request: Request) -> Path:
    root: Path = request.app.state.access.root
    return root


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, name, {"gemeente": "", "with_charts": True, **context}, status_code=status
    )


def _load(root: Path, form_id: str) -> tuple[list[Story], list[dict[str, Any]]]:
    path = root / "zicht.duckdb"
    if not path.exists():
        return [], []
    try:
        with open_store(path, read_only=True) as store:
            return load_stories(store, form_id), load_observations(store, form_id)
    except ZichtError:
        raise HTTPException(
            503, "De verhalen zijn nu niet leesbaar; probeer het zo opnieuw."
        ) from None


def _form(request: Request, form_id: str) -> StoryForm:
    forms = load_forms(_root(request) / "forms")
    if form_id not in forms:
        raise HTTPException(404, "Dit verhalenformulier bestaat niet.")
    return forms[form_id]


@router.get("/verhalen", include_in_schema=False)
def story_index(request: Request) -> Response:
    forms = load_forms(_root(request) / "forms")
    counts = {fid: len(_load(_root(request), fid)[0]) for fid in forms}
    return _render(request, "verhalen_index.html", {"forms": forms, "counts": counts})


def _shared_values(stories: list[Story], field: str, k: int) -> list[str]:
    """Filter options: only values that at least k stories share."""
    counts: dict[str, int] = {}
    for s in stories:
        v = s.context.get(field)
        if v and v != "nvt":
            counts[v] = counts.get(v, 0) + 1
    return sorted(v for v, n in counts.items() if n >= k)


@router.get("/verhalen/{form_id}", include_in_schema=False)
def story_patterns(
    request: Request,
    form_id: str,
    wet: str = "",
    wijk: str = "",
    rol: str = "",
    periode: int | None = None,
) -> Response:
    form = _form(request, form_id)
    settings = Settings.load(_root(request) / "zicht.toml")
    k, min_group = settings.get_int("stories_k"), settings.get_int("stories_min_group")
    all_stories, observations = _load(_root(request), form_id)
    access.audit(request, "bekijken", f"verhalen {form_id}")
    stories = filter_stories(all_stories, role=rol, law=wet, wijk=wijk, period=periode)
    minimum = MinEffect.from_settings(settings)
    report = find_patterns(form, stories, min_group=min_group, k=k, min_effect=minimum)
    shown_context = anonymous_context(stories, k)
    patterns = []
    for p in report.patterns[:MAX_PATTERNS]:
        examples = [
            {"story": stories[i], "context": shown_context[stories[i].story_id]}
            for i in p.illustrate
        ]
        patterns.append({"p": p, "examples": examples})
    charts = []
    for sig in form.signifiers:
        dist = distribution(form, stories, sig.id)
        fig: dict[str, Any] | None = None
        if sig.type == "triad":
            fig = _story_charts.ternary_figure(dist)
        elif sig.type == "dyad":
            fig = _story_charts.histogram_figure(dist)
        elif sig.type == "stones":
            fig = _story_charts.stones_figure(dist)
        charts.append({"dist": dist, "json": _charts.to_json(fig) if fig else None})
    filters = {"wet": wet, "wijk": wijk, "rol": rol, "periode": periode or ""}
    query = urlencode({k_: v for k_, v in filters.items() if v})
    return _render(
        request,
        "verhalen_patronen.html",
        {
            "form": form,
            "n_all": len(all_stories),
            "n": len(stories),
            "k": k,
            "min_group": max(min_group, k),
            "patterns": patterns,
            "n_tested": len(report.tested),
            "n_too_small": len(report.too_small),
            "minimum": minimum,
            "untestable": report.untestable,
            "charts": charts,
            "observations": observations,
            "filters": filters,
            "query": query,
            "options": {
                "wet": _shared_values(all_stories, "law", k),
                "wijk": _shared_values(all_stories, "wijk", k),
                "rol": _shared_values(all_stories, "role", k),
                "periode": sorted({s.period for s in all_stories}),
            },
        },
    )


def _settings_k(request: Request) -> tuple[int, int]:
    settings = Settings.load(_root(request) / "zicht.toml")
    return settings.get_int("stories_k"), settings.get_int("stories_min_group")


@router.get("/verhalen/{form_id}/warm-koud", include_in_schema=False)
def warm_cold_page(request: Request, form_id: str) -> Response:
    form = _form(request, form_id)
    k, _ = _settings_k(request)
    stories, _ = _load(_root(request), form_id)
    snapshot = request.app.state.snapshots.get()
    tables = warm_next_to_cold(form, stories, snapshot, k)
    names = snapshot.area_names() if snapshot is not None else {}
    access.audit(request, "bekijken", f"verhalen warm-koud {form_id}")
    return _render(
        request,
        "verhalen_warm_koud.html",
        {"form": form, "tables": tables, "names": names, "k": k, "published": snapshot},
    )


@router.get("/verhalen/{form_id}/export", include_in_schema=False)
def export_pattern(
    request: Request,
    form_id: str,
    patroon: str,
    wet: str = "",
    wijk: str = "",
    rol: str = "",
    periode: int | None = None,
) -> Response:
    form = _form(request, form_id)
    k, min_group = _settings_k(request)
    all_stories, observations = _load(_root(request), form_id)
    stories = filter_stories(all_stories, role=rol, law=wet, wijk=wijk, period=periode)
    minimum = MinEffect.from_settings(Settings.load(_root(request) / "zicht.toml"))
    report = find_patterns(form, stories, min_group=min_group, k=k, min_effect=minimum)
    found = next((p for p in report.patterns if p.key == patroon), None)
    if found is None:
        raise HTTPException(404, "Dit patroon is in deze selectie niet (meer) gevonden.")
    access.audit(request, "exporteren", f"verhalen {form_id} {patroon}")
    text = pattern_markdown(form, found, stories, observations, k)
    filename = f"patroon-{form_id}.md"
    return Response(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/verhalen/{form_id}/opmerkelijk", include_in_schema=False)
async def mark_remarkable(request: Request, form_id: str) -> Response:
    form = _form(request, form_id)
    data = await request.form()
    key = str(data.get("patroon", "")).strip()
    observation = str(data.get("observatie", "")).strip()
    interpretations = [str(v).strip() for v in data.getlist("interpretatie") if str(v).strip()]
    if not key or not observation or len(interpretations) < 2:
        raise HTTPException(
            400,
            "Een observatie heeft een tekst en minstens twee verschillende interpretaties nodig.",
        )
    if len(set(interpretations)) < len(interpretations):
        raise HTTPException(400, "De interpretaties moeten van elkaar verschillen.")
    try:
        with open_store(_root(request) / "zicht.duckdb") as store:
            save_observation(
                store,
                "obs-" + secrets.token_hex(6),
                form.id,
                key[:300],
                observation[:4000],
                [i[:2000] for i in interpretations[:6]],
            )
    except ZichtError:
        raise HTTPException(503, "De observatie kon nu niet worden opgeslagen.") from None
    access.audit(request, "observatie", f"verhalen {form.id} {key}")
    back = str(data.get("terug", ""))
    target = f"/verhalen/{form.id}" + (f"?{back}" if back and "//" not in back else "")
    return RedirectResponse(target + "#observaties", status_code=303)
