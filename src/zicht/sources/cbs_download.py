"""Download CBS Kerncijfers wijken en buurten for one gemeente from CBS's OData API.

The result is a ``;``-separated KWB file in exactly the shape ``zicht cbs load`` reads
(and that CBS's own CSV downloads have): OData column names, a ``Peildatum`` per row,
relative figures with their decimals implied (11.4 % written as ``114``).

Why implied decimals: CBS's *typed* data set returns 11.4, but KWB CSVs write ``114`` and
``defaults/cbs_kwb.yaml`` says per concept how many decimals are implied. The downloader
takes the number of decimals from the table's own ``DataProperties`` and refuses a table
whose decimals differ from the configuration, so a changed CBS table can never silently
shift a figure by a factor of ten.

Example::

    path = download_kwb("GM0034", [2023, 2024], Path("kwb_almere.csv"))
"""

from __future__ import annotations

import csv
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from zicht.errors import SourceError
from zicht.sources.cbs import concepts, kwb_config

# CBS's OData endpoints answer pages of at most 10,000 rows and link the next page.
_TIMEOUT_S = 60
_GEMEENTE = re.compile(r"GM\d{4}")

Fetch = Callable[[str], Any]


def table_ids() -> dict[int, str]:
    """The KWB table of each year (``defaults/cbs_kwb.yaml``, ``tables``)."""
    return {int(year): str(tid) for year, tid in kwb_config()["tables"].items()}


def fetch_json(url: str) -> Any:
    """GET ``url`` and parse JSON; network and HTTP problems become one-line errors."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 (http(s) only, checked by caller)
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:  # noqa: S310
            return json.load(response)
    except urllib.error.HTTPError as exc:
        raise SourceError(f"CBS antwoordde {exc.code} op {_short(url)}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SourceError(f"CBS niet bereikbaar ({reason}); werkt u offline?") from None
    except json.JSONDecodeError:
        raise SourceError(f"CBS gaf geen JSON terug op {_short(url)}") from None


def _short(url: str) -> str:
    return url if len(url) < 120 else url[:117] + "..."


def _values(page: Any, url: str) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get("value"), list):
        raise SourceError(f"onverwacht antwoord van CBS op {_short(url)}: geen 'value'-lijst")
    return [row for row in page["value"] if isinstance(row, dict)]


def _pages(base: str, table: str, query: str, fetch: Fetch) -> Iterator[dict[str, Any]]:
    url: str | None = f"{base}/{table}/TypedDataSet?{query}"
    while url is not None:
        page = fetch(url)
        yield from _values(page, url)
        next_link = page.get("odata.nextLink")
        url = str(next_link) if next_link else None


def decimals_by_key(properties: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Column key → number of decimals, from a table's ``DataProperties``."""
    return {
        str(p["Key"]): int(p.get("Decimals") or 0)
        for p in properties
        if p.get("Type") == "Topic" and p.get("Key")
    }


def stem(key: str) -> str:
    """``WmoClienten_98`` → ``WmoClienten``."""
    return re.sub(r"_\d+$", "", key)


def decimals_of(keys: Sequence[str], decimals: dict[str, int]) -> dict[str, int]:
    """Decimals of each of ``keys``; by its stem when this table version numbers a column
    differently (CBS renumbers columns between versions of one year's table)."""
    by_stem: dict[str, set[int]] = {}
    for k, d in decimals.items():
        by_stem.setdefault(stem(k), set()).add(d)
    out: dict[str, int] = {}
    for key in keys:
        found = by_stem.get(stem(key), set())
        out[key] = decimals[key] if key in decimals else (min(found) if len(found) == 1 else 0)
    return out


def check_decimals(table: str, decimals: dict[str, int]) -> None:
    """Refuse a table whose decimals for a configured concept differ from the config."""
    for concept in concepts():
        pattern = re.compile(re.escape(concept.stem) + r"_\d+")
        for key, d in decimals.items():
            if pattern.fullmatch(key) and d != concept.decimals:
                raise SourceError(
                    f"CBS-tabel {table}: {key} heeft {d} decimalen, cbs_kwb.yaml zegt "
                    f"{concept.decimals} voor {concept.name}; pas de configuratie aan"
                )


def _cell(value: Any, decimals: int) -> str:
    """A typed OData value as KWB CSV text (implied decimals, empty for missing)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if decimals:
            return str(round(value * 10**decimals))
        return str(int(value)) if float(value).is_integer() else str(value)
    return str(value).strip()


def gemeente_filter(gemeente: str) -> str:
    """OData filter for the gemeente and all its wijken and buurten.

    Keys are ``GM0034``, ``WK003401``, ``BU00340101``: characters 2–5 are the gemeente's
    four digits in all three.
    """
    digits = gemeente[2:]
    return urllib.parse.urlencode(
        {"$filter": f"substring(WijkenEnBuurten,2,4) eq '{digits}'", "$format": "json"},
        quote_via=urllib.parse.quote,
    )


def download_kwb(
    gemeente: str,
    years: Sequence[int],
    out: Path,
    *,
    base_url: str,
    fetch: Fetch = fetch_json,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Download the KWB rows of ``gemeente`` for ``years`` into ``out``; returns a summary."""
    if not _GEMEENTE.fullmatch(gemeente):
        raise SourceError(f"{gemeente!r} is geen gemeentecode (GM + 4 cijfers)")
    if not base_url.startswith(("https://", "http://")):
        raise SourceError(f"{base_url!r} is geen http(s)-adres")
    known = table_ids()
    unknown = [y for y in years if y not in known]
    if unknown:
        raise SourceError(
            f"geen KWB-tabel bekend voor {unknown[0]}; bekend: {min(known)}–{max(known)}"
        )
    base = base_url.rstrip("/")
    rows: list[dict[str, str]] = []
    header: list[str] = ["Peildatum"]
    seen: set[str] = set(header)
    per_year: dict[int, int] = {}
    for year in years:
        table = known[year]
        if progress is not None:
            progress(f"{year}: tabel {table}")
        properties = fetch(f"{base}/{table}/DataProperties?$format=json")
        decimals = decimals_by_key(_values(properties, table))
        check_decimals(table, decimals)
        count = 0
        known_keys: dict[str, int] = {}
        for record in _pages(base, table, gemeente_filter(gemeente), fetch):
            new_keys = [k for k in record if k not in known_keys and not k.startswith("odata.")]
            if new_keys:
                known_keys.update(decimals_of(new_keys, decimals))
                header.extend(k for k in new_keys if k not in seen)
                seen.update(new_keys)
            row = {"Peildatum": f"1-1-{year}"}
            for key, value in record.items():
                if key in known_keys:
                    row[key] = _cell(value, known_keys[key])
            rows.append(row)
            count += 1
        if count == 0:
            raise SourceError(f"CBS-tabel {table} ({year}) heeft geen rijen voor {gemeente}")
        per_year[year] = count
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=header, delimiter=";", restval="")
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(out)  # a broken download never leaves a half file under the real name
    return {"file": str(out), "gemeente": gemeente, "rows": len(rows), "per_year": per_year}
