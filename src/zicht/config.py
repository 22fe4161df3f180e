"""Every setting, once: name, default and help.

A value comes from the environment (``ZICHT_<NAME>``), else from the workspace's
``zicht.toml``, else from the default below. Nothing else in zicht reads ``os.environ``.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zicht.errors import ConfigError


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("gemeente_code", "", "CBS code of the gemeente this workspace is for (GM + 4 digits)."),
    Setting("gemeente_naam", "", "Name of the gemeente, shown in the interface."),
    Setting("boundary_year", 0, "Year of the wijk and buurt boundaries figures are published on."),
    Setting(
        "min_cell_count",
        10,
        "Disclosure gate: counts below this are suppressed, "
        "and so are rates whose numerator or denominator is below it.",
    ),
    Setting(
        "youth_max_age",
        17,
        "Oldest age counted as youth, in whole years on 31 December of the period "
        "(period minus birth year: zicht keeps no birth dates).",
    ),
    Setting("term_days_wmo_onderzoek", 42, "Wmo 2015: days from melding to end of onderzoek."),
    Setting("term_days_wmo_beschikking", 14, "Wmo 2015: days from aanvraag to beschikking."),
    Setting(
        "term_days_jeugd_beschikking",
        56,
        "Jeugdwet: days from aanvraag to beschikking "
        "(Awb term, 8 weeks; check the local verordening).",
    ),
    Setting(
        "term_days_pwet_beschikking",
        56,
        "Participatiewet: days from aanvraag to besluit on bijstand (8 weeks; check).",
    ),
    Setting(
        "term_days_schuld_eerste_gesprek",
        28,
        "Wgs: days from hulpvraag to first "
        "conversation (4 weeks; 3 working days when eviction or disconnection threatens).",
    ),
    Setting(
        "round_counts_to",
        0,
        "Disclosure gate: round published counts to a multiple of this (CBS uses 5); "
        "0 or 1: no rounding. Rounded cells get status afgerond.",
    ),
    Setting(
        "dominance_pct",
        85,
        "Disclosure gate: suppress a cost sum when one person contributes more than "
        "this percentage of it (0: no dominance rule).",
    ),
    Setting(
        "gate_linked_tables",
        1,
        "Disclosure gate: 1 (default) gates every table of a refresh together, each "
        "knowing what the others give away (empty cells are protected like small counts), "
        "so that no table's figures narrow another's hidden counts; 0: every table on its "
        "own, about three times faster, but a count hidden in one table can then be read "
        "from the figures of others.",
    ),
    Setting(
        "istandaarden_dir",
        "",
        "Folder with the iJw/iWmo schemas (ijw/xsd, iwmo/xsd). "
        "Empty: look for ../shared/data/istandaarden next to the working directory.",
    ),
    Setting(
        "cbs_odata_url",
        "https://opendata.cbs.nl/ODataApi/odata",
        "Base address of CBS's OData API, used by `zicht cbs download` (the only online step).",
    ),
    Setting("similar_k", 10, "Similar gemeenten: how many of the most similar are shown."),
    Setting(
        "similar_attributes_file",
        "",
        "Similar gemeenten: GeoJSON with CBS attributes of every gemeente "
        "(nl_gemeenten_*.geojson). Empty: ../shared/data/geo/nl_gemeenten_*.geojson if there.",
    ),
    Setting(
        "similar_gemeente_code",
        "",
        "Similar gemeenten: the CBS code whose attributes place this gemeente among the "
        "others. Empty: gemeente_code of the published figures.",
    ),
    Setting("host", "127.0.0.1", "Address the web server listens on."),
    Setting("port", 8000, "Port the web server listens on."),
    Setting("session_hours", 8, "Dashboard: a login session ends after this many hours."),
    Setting(
        "login_max_failures_user",
        5,
        "Dashboard: failed logins per username within 15 minutes before logins are refused.",
    ),
    Setting(
        "login_max_failures_client",
        20,
        "Dashboard: failed logins per client address within 15 minutes before refusal.",
    ),
    Setting(
        "secure_cookies",
        False,
        "Dashboard: send the session cookie only over HTTPS (set when behind a TLS proxy).",
    ),
    Setting(
        "stories_k",
        5,
        "Stories: a context value (wijk, age group, law) is shown only where at least "
        "this many stories share it.",
    ),
    Setting("stories_min_group", 20, "Stories: smallest group compared in pattern tests."),
    Setting(
        "stories_rate_limit",
        10,
        "Vertelpunt: stories accepted per hour from one network address.",
    ),
    Setting(
        "stories_min_cramers_v",
        0.3,
        "Story patterns: smallest Cramér's V reported (2-row or 2-column table; larger "
        "tables: divided by sqrt(min(rows, cols) - 1)).",
    ),
    Setting(
        "stories_min_rank_biserial",
        0.3,
        "Story patterns: smallest |rank-biserial r| (= Cliff's delta) for two groups.",
    ),
    Setting("stories_min_epsilon2", 0.06, "Story patterns: smallest ε² for three or more groups."),
    Setting("stories_min_spearman", 0.3, "Story patterns: smallest |Spearman ρ| reported."),
    Setting(
        "refresh_memory_mib",
        0,
        "Refresh: working memory of the embedded database in MiB, spilling to disk beyond "
        "it (0: DuckDB's default, 80 % of RAM); the process needs up to ~2.5 GiB more.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def env_name(name: str) -> str:
    return "ZICHT_" + name.upper()


@dataclass(frozen=True)
class Settings:
    """Resolved settings of one workspace (or of no workspace: defaults and environment)."""

    values: dict[str, Any]

    def __getitem__(self, name: str) -> Any:
        if name not in _BY_NAME:
            raise KeyError(name)
        return self.values[name]

    def get_int(self, name: str) -> int:
        return int(self[name])

    def get_str(self, name: str) -> str:
        return str(self[name])

    def get_float(self, name: str) -> float:
        return float(self[name])

    @classmethod
    def load(cls, toml_path: Path | None = None) -> Settings:
        file_values: dict[str, Any] = {}
        if toml_path is not None and toml_path.exists():
            try:
                data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ConfigError(f"{toml_path}: ongeldige TOML: {exc}") from None
            file_values = dict(data.get("zicht", {}))
            unknown = sorted(set(file_values) - set(_BY_NAME))
            if unknown:
                raise ConfigError(f"{toml_path}: onbekende instelling {unknown[0]!r}")
        values: dict[str, Any] = {}
        for s in SETTINGS:
            raw: Any = s.default
            if s.name in file_values:
                raw = file_values[s.name]
            env = os.environ.get(env_name(s.name))
            if env is not None:
                raw = env
            values[s.name] = _coerce(s, raw)
        return cls(values)


def _coerce(setting: Setting, raw: Any) -> Any:
    if isinstance(setting.default, bool):
        return str(raw).lower() in {"1", "true", "yes", "ja"}
    if isinstance(setting.default, int):
        try:
            return int(raw)
        except (TypeError, ValueError):
            raise ConfigError(
                f"instelling {setting.name} moet een geheel getal zijn, niet {raw!r}"
            ) from None
    if isinstance(setting.default, float):
        try:
            return float(raw)
        except (TypeError, ValueError):
            raise ConfigError(
                f"instelling {setting.name} moet een getal zijn, niet {raw!r}"
            ) from None
    return str(raw)


def environment_flag(name: str) -> str | None:
    """Process-level switches that are not workspace settings (e.g. ``CI``)."""
    return os.environ.get(name)


def shared_data_dir() -> Path | None:
    """The team's public data folder (``../shared/data``), if it is there.

    ``ZICHT_SHARED_DATA`` overrides; otherwise it is looked for next to the current
    directory and next to the source checkout.
    """
    explicit = os.environ.get("ZICHT_SHARED_DATA")
    if explicit:
        return Path(explicit)
    here = Path(__file__).resolve()
    candidates = [Path.cwd().parent / "shared" / "data"]
    candidates += [p.parent / "shared" / "data" for p in here.parents]
    for c in candidates:
        if c.is_dir():
            return c
    return None


def istandaarden_dir(settings: Settings) -> Path | None:
    configured = settings.get_str("istandaarden_dir")
    if configured:
        return Path(configured)
    shared = shared_data_dir()
    if shared is not None and (shared / "istandaarden").is_dir():
        return shared / "istandaarden"
    return None
