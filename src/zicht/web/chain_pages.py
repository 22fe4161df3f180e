"""Pages for the client chain, stapeling, signals and data quality (role beleid, analist).

They read only the ``keten_*.parquet`` files of the published snapshot, which passed the
disclosure gate when they were written (:mod:`zicht.analysis.keten_publish`); a snapshot
without them (published by an older refresh) gets a Dutch notice. Filters are GET query
parameters, so every view is a shareable link and works without JavaScript.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from zicht.analysis.keten_publish import read_table
from zicht.web import _format as fmt
from zicht.web._labels import LAW_TEXT
from zicht.web._snapshot import PUBLISHED_DIR
from zicht.web.access import Role, audit, require
from zicht.web.pages import base_context, nothing_published, render, snapshot_of

router = APIRouter(dependencies=[Depends(require(Role.BELEID, Role.ANALIST))])

STEP_TEXT = {
    "melding": "melding",
    "onderzoek": "onderzoek",
    "aanvraag": "aanvraag",
    "verzoek_toewijzing": "verzoek om toewijzing (315)",
    "beschikking": "beschikking",
    "toewijzing": "toewijzing (301)",
    "start_levering": "start zorg (305)",
    "declaratie": "declaratie (303)",
    "stop_levering": "stop zorg (307)",
    "eerste_gesprek": "eerste gesprek",
}
DIMENSION_TEXT = {
    "totaal": "totaal",
    "law": "wet",
    "product_category": "productcategorie",
    "provider_code": "aanbieder",
    "referrer": "verwijzer",
    "wijk_code": "wijk",
}
RULE_TEXT = {
    "wmo_onderzoek": "Wmo: onderzoek na melding",
    "wmo_beschikking": "Wmo: beschikking na aanvraag",
    "jeugd_beschikking": "Jeugdwet: beschikking na aanvraag",
    "pwet_beschikking": "Participatiewet: besluit na aanvraag",
    "schuld_eerste_gesprek": "Wgs: eerste gesprek na hulpvraag",
}
CHECK_TEXT = {
    "levering_zonder_toewijzing": "Levering zonder toewijzing",
    "levering_zonder_beschikking": "Levering zonder beschikking",
    "declaratie_buiten_periode": "Declaratie buiten de periode van de toewijzing",
    "declaratie_boven_toewijzing": "Meer dagen gedeclareerd dan toegewezen",
    "start_na_stop": "Start zorg na stop zorg",
    "andere_aanbieder": "Andere aanbieder dan toegewezen",
    "toewijzing_nooit_gestart": "Toewijzing zonder start (na 90 dagen)",
}
PATTERN_TEXT = {
    "late_beschikking": "Beschikkingen vaak te laat",
    "overbilling_provider": "Declaraties buiten de toewijzing",
    "gp_hotspot": "Veel verwijzingen via de huisarts",
    "rising_stapeling": "Stapeling stijgt",
}
COMBINATION_TEXT = {
    "": "2 of meer wetten",
    "jeugd+pwet": "Jeugdwet + Participatiewet",
    "jeugd+wmo": "Jeugdwet + Wmo",
    "pwet+wmo": "Participatiewet + Wmo",
    "jeugd+pwet+wmo": "alle drie",
}
DIMENSION_TEXT_NL = {
    "completeness": "volledigheid",
    "validity": "geldigheid",
    "consistency": "consistentie",
    "timeliness": "actualiteit",
}


def _folder(request: Request, snapshot_id: str) -> Path:
    root = Path(request.app.state.access.root)
    return root / PUBLISHED_DIR / snapshot_id


def _num(value: Any, decimals: int = 0) -> str:
    if value is None:
        return fmt.SUPPRESSED_TEXT
    return fmt.number(float(value), decimals)


def _common(request: Request, what: str) -> tuple[dict[str, Any], Path] | Response:
    snapshot = snapshot_of(request)
    if snapshot is None:
        return nothing_published(request)
    audit(request, "bekijken", what)
    folder = _folder(request, snapshot.snapshot_id)
    titles = {k: str(v.get("title", k)) for k, v in snapshot.indicators.items()}
    extra = {"area_names": snapshot.area_names(), "indicator_titles": titles}
    return base_context(snapshot) | extra, folder


def _missing(request: Request, ctx: dict[str, Any], title: str) -> Response:
    return render(request, "keten_leeg.html", ctx | {"title": title})


@router.get("/keten", include_in_schema=False)
def keten(request: Request, uitsplitsing: str = "totaal") -> Response:
    got = _common(request, "ketenanalyse")
    if isinstance(got, Response):
        return got
    ctx, folder = got
    steps = read_table(folder, "doorlooptijden")
    if steps is None:
        return _missing(request, ctx, "Klantketen")
    notices = []
    if uitsplitsing not in DIMENSION_TEXT:
        notices.append(f"Onbekende uitsplitsing {uitsplitsing!r}; getoond wordt het totaal.")
        uitsplitsing = "totaal"
    names = ctx["area_names"]
    sel = steps.filter(pc.equal(steps["dimension"], uitsplitsing)).to_pylist()
    step_rows = [
        {
            "group": _group_text(uitsplitsing, r["dim_value"], names),
            "from": STEP_TEXT.get(r["from_step"], r["from_step"]),
            "to": STEP_TEXT.get(r["to_step"], r["to_step"]),
            "n": _num(r["n"]),
            "median": _num(r["median_days"], 1),
            "p90": _num(r["p90_days"], 1),
            "suppressed": r["status"] != "gepubliceerd",
        }
        for r in sel
    ]
    terms = _rows(read_table(folder, "termijnen"))
    term_rows = [
        {
            "rule": RULE_TEXT.get(r["rule"], r["rule"]),
            "period": r["period"],
            "term": r["term_days"],
            "cases": _num(r["cases"]),
            "within": _num(r["within_term"]),
            "pct": _num(r["within_term_pct"], 1),
            "median": _num(r["median_days"], 1),
            "suppressed": r["status"] != "gepubliceerd",
        }
        for r in terms
    ]
    conf = _rows(read_table(folder, "conformiteit"))
    conf_rows = [
        {
            "check": CHECK_TEXT.get(r["check_id"], r["check_id"]),
            "law": LAW_TEXT.get(r["law"], r["law"]),
            "provider": r["provider_code"] or "–",
            "checked": _num(r["checked"]),
            "failed": _num(r["failed"]),
            "pct": _num(r["failed_pct"], 1),
        }
        for r in conf
        if r["status"] == "gepubliceerd" and r["failed"]
    ]
    variants = _rows(read_table(folder, "varianten"))
    variant_rows = [
        {
            "steps": " → ".join(STEP_TEXT.get(s, s) for s in r["variant"].split(",")),
            "cases": _num(r["cases"]),
            "median": _num(r["median_days"], 1),
            "p90": _num(r["p90_days"], 1),
        }
        for r in variants
        if r["status"] == "gepubliceerd"
    ][:15]
    hidden_variants = sum(1 for r in variants if r["status"] != "gepubliceerd")
    wait = _rows(read_table(folder, "wachttijd"))
    wait_rows = [
        {
            "group": _group_text(r["dimension"], r["dim_value"], names),
            "started": _num(r["started"]),
            "median": _num(r["median_days"], 1),
            "p90": _num(r["p90_days"], 1),
            "waiting": _num(r["on_waiting_list"]),
            "open": _num(r["median_open_days"], 1),
        }
        for r in wait
        if r["dimension"] in ("totaal", uitsplitsing)
    ]
    return render(
        request,
        "keten_overzicht.html",
        ctx
        | {
            "title": "Klantketen",
            "uitsplitsing": uitsplitsing,
            "dimensions": DIMENSION_TEXT,
            "notices": notices,
            "step_rows": step_rows,
            "term_rows": term_rows,
            "conf_rows": conf_rows,
            "variant_rows": variant_rows,
            "hidden_variants": hidden_variants,
            "wait_rows": wait_rows,
        },
    )


@router.get("/keten/stapeling", include_in_schema=False)
def stapeling_page(
    request: Request, niveau: str = "buurt", jaar: str = "", eenheid: str = "huishoudens"
) -> Response:
    got = _common(request, "stapeling")
    if isinstance(got, Response):
        return got
    ctx, folder = got
    cube = read_table(folder, "stapeling")
    if cube is None:
        return _missing(request, ctx, "Stapeling")
    notices = []
    if niveau not in ("gemeente", "wijk", "buurt"):
        notices.append(f"Onbekend niveau {niveau!r}; getoond worden buurten.")
        niveau = "buurt"
    if eenheid not in ("huishoudens", "personen"):
        eenheid = "huishoudens"
    indicator = f"keten_stapeling_{eenheid}_pct"
    cube = cube.filter(pc.equal(cube["indicator_id"], indicator))
    periods = sorted(set(cube["period"].to_pylist()))
    period = periods[-1] if periods else None
    if jaar:
        if jaar.isdigit() and int(jaar) in periods:
            period = int(jaar)
        else:
            notices.append(f"Voor jaar {jaar} zijn geen cijfers gepubliceerd; getoond: {period}.")
    names = ctx["area_names"]
    cells = cube.filter(
        pc.and_(pc.equal(cube["level"], niveau), pc.equal(cube["period"], period or 0))
    ).to_pylist()
    by_area: dict[str, dict[str, Any]] = {}
    for c in cells:
        row = by_area.setdefault(
            c["area_code"], {"code": c["area_code"], "name": names.get(c["area_code"], "")}
        )
        row[c["breakdown"] or "totaal"] = _num(c["value"], 1)
        if not c["breakdown"]:
            row["n"] = _num(c["denominator"])
            row["sort"] = c["value"] if c["value"] is not None else -1.0
    ctx_table = read_table(folder, "context")
    cbs = {
        c["area_code"]: c
        for c in ([] if ctx_table is None else ctx_table.to_pylist())
        if c["period"] == period
    }
    own = {c.area_code: c for c in snapshot_cells(request, "bijstand_pct", niveau, period)}
    for code, row in by_area.items():
        cb = cbs.get(code, {})
        row["sociale_huur"] = _opt(cb.get("sociale_huur_pct"))
        row["bijstand_cbs"] = _opt(cb.get("bijstand_pct_cbs"))
        cell = own.get(code)
        row["bijstand"] = "–" if cell is None else _num(cell.value, 1)
    rows = sorted(by_area.values(), key=lambda r: (-r.get("sort", -1.0), r["code"]))
    gem = cube.filter(pc.and_(pc.equal(cube["level"], "gemeente"), pc.equal(cube["breakdown"], "")))
    trend = [
        {"period": c["period"], "value": _num(c["value"], 1), "n": _num(c["numerator"])}
        for c in sorted(gem.to_pylist(), key=lambda c: c["period"])
    ]
    mix_table = read_table(folder, "mix")
    mix_rows = [
        {
            "combination": COMBINATION_TEXT.get(r["combination"], r["combination"]),
            "households": _num(r["households"]),
            "now": _num(r["mean_now"], 2),
            "next": _num(r["mean_next"], 2),
            "fewer": _num(r["fewer"]),
            "same": _num(r["same"]),
            "more": _num(r["more"]),
        }
        for r in ([] if mix_table is None else mix_table.to_pylist())
    ]
    return render(
        request,
        "keten_stapeling.html",
        ctx
        | {
            "title": "Stapeling",
            "niveau": niveau,
            "eenheid": eenheid,
            "period": period,
            "periods": periods,
            "notices": notices,
            "rows": rows,
            "combinations": COMBINATION_TEXT,
            "trend": trend,
            "mix_rows": mix_rows,
        },
    )


@router.get("/keten/signalen", include_in_schema=False)
def signalen(request: Request) -> Response:
    got = _common(request, "signalen en datakwaliteit")
    if isinstance(got, Response):
        return got
    ctx, folder = got
    sig = read_table(folder, "signalen")
    quality = read_table(folder, "kwaliteit")
    if sig is None or quality is None:
        return _missing(request, ctx, "Signalen en datakwaliteit")
    names = ctx["area_names"]
    signal_rows = [
        {
            "pattern": PATTERN_TEXT.get(r["pattern"], r["pattern"]),
            "unit": _unit_text(r["unit"], names),
            "observed": _num(r["observed"], 1),
            "expected": _num(r["expected"], 1),
            "cases": _num(r["cases"]),
            "z": _num(r["z"], 1),
            "difference": r["pattern"] == "rising_stapeling",
        }
        for r in sig.to_pylist()
    ]
    q = quality.to_pylist()
    sources = [
        {
            "name": r["name"],
            **{k: _score(r[k]) for k in DIMENSION_TEXT_NL},
            "score": _score(r["score"]),
        }
        for r in q
        if r["kind"] == "bron"
    ]
    # Every indicator's score as its cells carry it (quality.json of the snapshot, from the
    # sources each definition reads); the chain table's own short list only for a
    # snapshot published before quality.json existed.
    snapshot = snapshot_of(request)
    if snapshot is not None and snapshot.quality.get("indicators"):
        indicators = [
            {"name": str(info.get("title", key)), "score": _score(snapshot.quality_score(key))}
            for key, info in snapshot.indicators.items()
        ]
    else:
        indicators = [
            {"name": ctx["indicator_titles"].get(r["name"], r["name"]), "score": _score(r["score"])}
            for r in q
            if r["kind"] == "indicator"
        ]
    return render(
        request,
        "keten_signalen.html",
        ctx
        | {
            "title": "Signalen en datakwaliteit",
            "signal_rows": signal_rows,
            "sources": sources,
            "indicator_scores": indicators,
            "dimension_text": DIMENSION_TEXT_NL,
        },
    )


def snapshot_cells(request: Request, indicator: str, level: str, period: int | None) -> list[Any]:
    snapshot = snapshot_of(request)
    if snapshot is None or period is None:
        return []
    return list(snapshot.cells_of(indicator, level=level, period=period, breakdown=""))


def _opt(value: float | None) -> str:
    return "–" if value is None else fmt.number(float(value), 1)


@router.get("/keten/lokaal-team", include_in_schema=False)
def lokaal_team_page(request: Request) -> Response:
    got = _common(request, "lokaal team")
    if isinstance(got, Response):
        return got
    ctx, folder = got
    table = read_table(folder, "lokaal_team")
    if table is None:
        return _missing(request, ctx, "Lokaal team")
    names = ctx["area_names"]
    rows = [
        {
            "area": "hele gemeente"
            if r["level"] == "gemeente"
            else names.get(r["area_code"], r["area_code"]),
            "code": r["area_code"],
            "level": r["level"],
            "period": r["period"],
            "requests": _num(r["requests"]),
            "without": _num(r["without_maatwerk_pct"], 1),
            "closed": _num(r["closed_observable"]),
            "reentry": _num(r["reentry_pct"], 1),
            "contact": _num(r["median_contact_days"], 1),
        }
        for r in table.to_pylist()
    ]
    if not rows:
        return _missing(request, ctx, "Lokaal team")
    return render(request, "keten_lokaal_team.html", ctx | {"title": "Lokaal team", "rows": rows})


def _rows(table: pa.Table | None) -> list[dict[str, Any]]:
    return [] if table is None else table.to_pylist()


def _score(value: float | None) -> str:
    return "n.v.t." if value is None else fmt.number(float(value), 1)


def _group_text(dimension: str, value: str, names: dict[str, str]) -> str:
    if dimension == "totaal":
        return "totaal"
    if not value:
        return "onbekend"
    if dimension == "law":
        return LAW_TEXT.get(value, value)
    if dimension == "wijk_code":
        return f"{names.get(value, value)} ({value})"
    return value


def _unit_text(unit: str, names: dict[str, str]) -> str:
    parts = []
    for item in unit.split(", "):
        key, _, value = item.partition("=")
        if key == "buurt":
            parts.append(f"buurt {names.get(value, value)} ({value})")
        elif key == "law":
            parts.append(LAW_TEXT.get(value, value))
        elif key == "product_category":
            parts.append(f"product {value}")
        elif key == "provider":
            parts.append(f"aanbieder {value}")
        else:
            parts.append(item)
    return ", ".join(parts)
