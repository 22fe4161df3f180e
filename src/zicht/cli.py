"""The command line: parse, call the library, print. Nothing else lives here.

Exit codes: 0 done, 1 a problem the user can fix (one line, no traceback), 2 bad usage.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click

from zicht import __version__
from zicht.errors import ZichtError
from zicht.model.published import KETEN_TABLES

P = ParamSpec("P")
R = TypeVar("R")

SIZES = {"small": 20_000, "medium": 120_000, "large": 1_000_000}


def _user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a ZichtError into one line on stderr and exit code 1."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ZichtError as exc:
            click.echo(f"zicht: {exc}", err=True)
            sys.exit(1)
        except OSError as exc:
            # A path that is missing, taken or not writable: the user can fix it.
            where = f": {exc.filename}" if exc.filename else ""
            click.echo(f"zicht: {exc.strerror or exc}{where}", err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("zicht: afgebroken", err=True)
            sys.exit(130)

    return wrapper


def _progress() -> bool:
    return sys.stderr.isatty()


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=None, default=str))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="zicht")
def main() -> None:
    """zicht: privacyveilig inzicht in het sociaal domein."""


@main.command()
@click.argument("directory", type=click.Path(path_type=Path))
@_user_errors
def init(directory: Path) -> None:
    """Maak een werkruimte: zicht.toml, database en geheime sleutel."""
    from zicht.workspace import Workspace

    ws = Workspace.init(directory)
    click.echo(f"Werkruimte gemaakt in {ws.root}")


@main.command()
@click.option("--out", required=True, type=click.Path(path_type=Path), help="Doelmap.")
@click.option("--persons", default=120_000, show_default=True, type=click.IntRange(1_000))
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--years", default=5, show_default=True, type=click.IntRange(1, 20))
@_user_errors
def synth(out: Path, persons: int, seed: int, years: int) -> None:
    """Schrijf een synthetische gemeente: exports, berichten, mappings en manifest."""
    from zicht.synth import generate

    manifest = generate(out, persons=persons, seed=seed, years=years, progress=_progress())
    click.echo(
        f"Synthetische gemeente {manifest['gemeente']['name']} ({manifest['gemeente']['code']}), "
        f"{persons:,} inwoners, geschreven in {out}".replace(",", ".")
    )


@main.command()
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--source", default=None, help="Bronnaam (standaard: uit het mappingbestand).")
@click.option("--mapping", default=None, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Eén JSON-object op stdout.")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@_user_errors
def ingest(
    workspace: Path,
    source: str | None,
    mapping: Path | None,
    as_json: bool,
    files: tuple[Path, ...],
) -> None:
    """Lees exports of iJw/iWmo-berichten in: valideren, pseudonimiseren, laden."""
    from zicht.sources.ingest import ingest_files
    from zicht.workspace import Workspace

    ws = Workspace.open(workspace)
    reports = ingest_files(
        ws, list(files), source=source, mapping=mapping, progress=_progress() and not as_json
    )
    if as_json:
        dicts = [r.as_dict() for r in reports]
        _print_json(dicts[0] if len(dicts) == 1 else dicts)
        return
    for r in reports:
        note = " (al eerder geladen, niets gewijzigd)" if r.skipped else ""
        click.echo(
            f"{r.file}: {r.rows_in} rijen, {r.accepted} geladen, "
            f"{r.quarantined} in quarantaine{note}"
        )
        for rule, count in sorted(r.reasons.items()):
            click.echo(f"    {rule}: {count}")


@main.command()
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@_user_errors
def refresh(workspace: Path, as_json: bool) -> None:
    """Bereken de indicatoren en publiceer ze (na de onthullingscontrole)."""
    from zicht.indicators.refresh import refresh as run_refresh
    from zicht.workspace import Workspace

    report = run_refresh(Workspace.open(workspace), progress=_progress() and not as_json)
    keten = report.keten  # published in the same snapshot as the indicators
    if as_json:
        _print_json(report.as_dict())
        return
    click.echo(
        f"Gepubliceerd: {report.published} cellen, {report.suppressed} onderdrukt, "
        f"perioden {', '.join(map(str, report.periods))} ({report.seconds:.1f} s)"
    )
    click.echo(f"Keten, stapeling, signalen en datakwaliteit: {len(keten)} tabellen")
    for line in report.warnings():
        click.echo(line, err=True)


@main.command()
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--host", default=None, help="Standaard: instelling host (127.0.0.1).")
@click.option("--port", default=None, type=int, help="Standaard: instelling port (8000).")
@_user_errors
def serve(workspace: Path, host: str | None, port: int | None) -> None:
    """Start het dashboard."""
    from zicht.web.app import serve as run_server
    from zicht.workspace import Workspace

    ws = Workspace.open(workspace)
    run_server(
        ws.root,
        host or ws.settings.get_str("host"),
        port or ws.settings.get_int("port"),
    )


@main.command()
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--indicator", "indicator_id", required=True)
@click.option("--level", type=click.Choice(["gemeente", "wijk", "buurt"]), default=None)
@click.option("--period", type=int, default=None)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv")
@click.option("-o", "output", type=click.Path(path_type=Path), default=None)
@_user_errors
def export(
    workspace: Path,
    indicator_id: str,
    level: str | None,
    period: int | None,
    fmt: str,
    output: Path | None,
) -> None:
    """Exporteer gepubliceerde cijfers van één indicator (door de onthullingscontrole)."""
    from zicht.reports.export import export_indicator
    from zicht.workspace import Workspace

    ws = Workspace.open(workspace)
    data = export_indicator(ws, indicator_id, level=level, period=period, fmt=fmt)
    if output is None:
        if fmt == "xlsx":
            raise click.UsageError("xlsx heeft een uitvoerbestand nodig: -o BESTAND.xlsx")
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        click.echo(f"Geschreven: {output}", err=True)
        if fmt == "csv":
            # A CSV has no room for the definition: CSVW metadata goes beside it.
            from zicht.reports.csvw import SUFFIX
            from zicht.reports.export import csv_metadata

            about = output.with_name(output.name + SUFFIX)
            about.write_bytes(csv_metadata(ws, indicator_id, output.name))
            click.echo(f"Geschreven: {about} (definitie, CSVW)", err=True)


@main.command()
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option(
    "--table",
    "name",
    required=True,
    type=click.Choice(KETEN_TABLES),
)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "json"]), default="csv")
@click.option("-o", "output", type=click.Path(path_type=Path), default=None)
@_user_errors
def keten(workspace: Path, name: str, fmt: str, output: Path | None) -> None:
    """Exporteer een gepubliceerde tabel over keten, stapeling, signalen of datakwaliteit."""
    from zicht.analysis.keten_publish import export_table
    from zicht.workspace import Workspace

    data = export_table(Workspace.open(workspace), name, fmt)
    if output is None:
        if fmt == "xlsx":
            raise click.UsageError("xlsx heeft een uitvoerbestand nodig: -o BESTAND.xlsx")
        sys.stdout.buffer.write(data)
    else:
        output.write_bytes(data)
        click.echo(f"Geschreven: {output}", err=True)


@main.command()
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=Path("demo"),
    show_default=True,
    help="Map voor exports en werkruimte van de demo.",
)
@click.option("--persons", type=click.IntRange(1_000), default=None)
@click.option("--size", type=click.Choice(sorted(SIZES)), default=None)
@click.option("--seed", default=1, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Niet serveren, alleen opbouwen.")
@click.option("--port", default=8000, show_default=True, type=int)
@_user_errors
def demo(
    workspace: Path, persons: int | None, size: str | None, seed: int, no_serve: bool, port: int
) -> None:
    """Het hele echte pad: synthetische exports → ingest → refresh → dashboard."""
    from zicht.demo import run_demo

    if persons is not None and size is not None:
        raise click.UsageError("geef --persons of --size, niet allebei")
    n = persons if persons is not None else SIZES[size or "medium"]
    result = run_demo(workspace, persons=n, seed=seed, progress=_progress(), echo=click.echo)
    if not no_serve:
        from zicht.web.app import serve as run_server

        click.echo(f"Dashboard: http://127.0.0.1:{port}  (stoppen met Ctrl+C)")
        run_server(result.workspace, "127.0.0.1", port)


@main.group()
def cbs() -> None:
    """Open data van het CBS (Kerncijfers wijken en buurten)."""


@cbs.command("load")
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.argument("file", type=click.Path(path_type=Path))
@_user_errors
def cbs_load(workspace: Path, as_json: bool, file: Path) -> None:
    """Laad een KWB-bestand (CBS OData-kolomnamen) als context per wijk en buurt."""
    from zicht.sources.cbs import load_kwb
    from zicht.workspace import Workspace

    report = load_kwb(Workspace.open(workspace), file)
    if as_json:
        _print_json(report)
    else:
        click.echo(f"{file}: {report['accepted']} gebieden×jaren geladen")


@cbs.command("download")
@click.option("--gemeente", required=True, help="CBS-gemeentecode, bijv. GM0034.")
@click.option("--year", "years", multiple=True, required=True, type=int, help="Herhaalbaar.")
@click.option("-o", "--out", required=True, type=click.Path(path_type=Path))
@click.option(
    "--workspace",
    type=click.Path(path_type=Path),
    default=None,
    help="Laad het bestand daarna meteen in deze werkruimte.",
)
@click.option("--json", "as_json", is_flag=True)
@_user_errors
def cbs_download(
    gemeente: str, years: tuple[int, ...], out: Path, workspace: Path | None, as_json: bool
) -> None:
    """Download KWB-cijfers van een gemeente bij het CBS (OData; vraagt internet)."""
    from zicht.config import Settings
    from zicht.sources.cbs import load_kwb
    from zicht.sources.cbs_download import download_kwb
    from zicht.workspace import Workspace

    ws = Workspace.open(workspace) if workspace is not None else None
    settings = ws.settings if ws is not None else Settings.load()
    report = download_kwb(
        gemeente.upper(),
        sorted(set(years)),
        out,
        base_url=settings.get_str("cbs_odata_url"),
        progress=None if as_json else click.echo,
    )
    if ws is not None:
        report["load"] = load_kwb(ws, out)
    if as_json:
        _print_json(report)
    else:
        click.echo(f"{out}: {report['rows']} gebieden×jaren van {gemeente} gedownload")


@main.group()
def stories() -> None:
    """Verhalen (warme data): import van verhalen uit vertelsessies op papier."""


@stories.command("import")
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--form", "form_id", required=True, help="Formulier-id, bijv. bewoner.")
@click.option("--json", "as_json", is_flag=True)
@click.argument("file", type=click.Path(path_type=Path))
@_user_errors
def stories_import(workspace: Path, form_id: str, as_json: bool, file: Path) -> None:
    """Lees verhalen uit een CSV in: valideren, persoonsgegevens verwijderen, laden."""
    from zicht.stories.importer import import_csv
    from zicht.workspace import Workspace

    report = import_csv(Workspace.open(workspace), form_id, file)
    if as_json:
        _print_json(report.as_dict())
        return
    note = " (al eerder geladen, niets gewijzigd)" if report.skipped else ""
    click.echo(
        f"{file}: {report.rows_in} verhalen, {report.accepted} geladen, "
        f"{report.quarantined} in quarantaine{note}"
    )
    for rule, count in sorted(report.reasons.items()):
        click.echo(f"    {rule}: {count}")


@main.command()
@click.option("--persons", default=120_000, show_default=True, type=click.IntRange(1_000))
@click.option("--years", default=5, show_default=True, type=click.IntRange(1, 20))
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--markdown",
    type=click.Path(path_type=Path),
    default=None,
    help="Voeg de uitkomst als gedateerde sectie toe aan dit bestand.",
)
@click.option(
    "--keten-events",
    type=click.IntRange(1_000),
    default=None,
    help="Meet in plaats daarvan de ketenanalyse tegen pm4py bij N/100, N/10 en N events.",
)
@_user_errors
def bench(
    persons: int, years: int, as_json: bool, markdown: Path | None, keten_events: int | None
) -> None:
    """Meet synth, ingest, refresh en de eerste pagina (tijd en piekgeheugen)."""
    from zicht.bench import append_markdown, format_text, run_bench

    if keten_events is not None:
        _bench_keten(keten_events, as_json, markdown)
        return
    result = run_bench(persons=persons, years=years, echo=None if as_json else click.echo)
    if as_json:
        _print_json(result)
    else:
        click.echo(format_text(result))
    if markdown is not None:
        append_markdown(markdown, result)


@main.group()
def user() -> None:
    """Accounts van het dashboard: gebruikers, rollen en hun gemeenten."""


@user.command("add")
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--role", required=True, help="raad, beleid, analist, professional, fg of beheer.")
@click.option(
    "--gemeente", "gemeenten", multiple=True, help="GM-code; herhaalbaar (standaard alle)."
)
@click.option("--team", "teams", multiple=True, help="Team of wijkcode (alleen professional).")
@click.option("--password-stdin", is_flag=True, help="Lees het wachtwoord van stdin.")
@click.argument("username")
@_user_errors
def user_add(
    workspace: Path,
    role: str,
    gemeenten: tuple[str, ...],
    teams: tuple[str, ...],
    password_stdin: bool,
    username: str,
) -> None:
    """Maak een gebruiker; zonder --password-stdin wordt een wachtwoord gemaakt en getoond."""
    from zicht.privacy.accounts import Accounts
    from zicht.privacy.roles import parse_role
    from zicht.workspace import Workspace

    ws = Workspace.open(workspace)
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    chosen = Accounts(ws.root).add(
        username, parse_role(role), password=password, gemeenten=list(gemeenten), teams=list(teams)
    )
    click.echo(f"Gebruiker {username} ({role}) gemaakt.")
    if password is None:
        click.echo(f"Wachtwoord (wordt niet opnieuw getoond): {chosen}")


@user.command("list")
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@_user_errors
def user_list(workspace: Path, as_json: bool) -> None:
    """Toon de gebruikers met hun rol en bereik."""
    from zicht.privacy.accounts import Accounts
    from zicht.workspace import Workspace

    accounts = Accounts(Workspace.open(workspace).root).list_accounts()
    rows = [
        {
            "username": a.user.username,
            "role": a.user.role.value,
            "gemeenten": sorted(a.user.gemeenten),
            "teams": sorted(a.user.teams),
        }
        for a in accounts
    ]
    if as_json:
        _print_json({"users": rows})
        return
    for r in rows:
        scope = ", ".join(r["gemeenten"]) or "alle gemeenten"
        team = f"; team/wijk {', '.join(r['teams'])}" if r["teams"] else ""
        click.echo(f"{r['username']}\t{r['role']}\t{scope}{team}")


@user.command("remove")
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.argument("username")
@_user_errors
def user_remove(workspace: Path, username: str) -> None:
    """Verwijder een gebruiker; zijn sessies eindigen direct."""
    from zicht.privacy.accounts import Accounts
    from zicht.workspace import Workspace

    Accounts(Workspace.open(workspace).root).remove(username)
    click.echo(f"Gebruiker {username} verwijderd.")


def _bench_keten(events: int, as_json: bool, markdown: Path | None) -> None:
    import datetime as dt
    import os
    import platform

    from zicht.analysis._chain_bench import format_markdown, run_chain_bench

    sizes = sorted({max(1_000, events // 100), max(1_000, events // 10), events})
    rows = run_chain_bench(sizes, pm4py_max=events)
    if as_json:
        _print_json(rows)
    else:
        for r in rows:
            click.echo(", ".join(f"{k}={v}" for k, v in r.items()))
    if markdown is not None:
        machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        )
        today = dt.datetime.now(dt.UTC).date().isoformat()
        with markdown.open("a", encoding="utf-8") as fh:
            fh.write("\n" + format_markdown(rows, machine, today))


@main.command()
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--goal", "goal_id", default=None, help="Eén doel (id); anders --all.")
@click.option("--all", "all_goals", is_flag=True, help="Alle doelen.")
@click.option("-o", "output", required=True, type=click.Path(path_type=Path), help="FILE.html|.pdf")
@_user_errors
def report(workspace: Path, goal_id: str | None, all_goals: bool, output: Path) -> None:
    """Maak de raadsrapportage over doelen (HTML of PDF) met een Excel-bestand met de cijfers."""
    from zicht.reports.council import write_report
    from zicht.workspace import Workspace

    if (goal_id is None) == (not all_goals):
        raise click.UsageError("kies --goal ID of --all")
    ws = Workspace.open(workspace)
    result = write_report(ws.root, output, goal_id=goal_id)
    click.echo(
        f"Geschreven: {result.path} ({result.goals} doelen, {result.indicators} indicatoren) "
        f"en {result.excel}"
    )


@main.command()
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("--indicator", "indicator_id", required=True)
@click.option(
    "--dialect", type=click.Choice(["duckdb", "postgresql"]), default="duckdb", show_default=True
)
@_user_errors
def sql(workspace: Path, indicator_id: str, dialect: str) -> None:
    """Toon de SQL achter een indicator (voor analisten; de uitkomst is niet gecontroleerd)."""
    from zicht.indicators.published import sql_for
    from zicht.indicators.refresh import WORKSPACE_INDICATORS_DIR
    from zicht.workspace import Workspace

    ws = Workspace.open(workspace)
    click.echo(
        sql_for(
            indicator_id,
            ws.settings,
            dialect=dialect,
            definitions_dir=ws.root / WORKSPACE_INDICATORS_DIR,
        ),
        nl=False,
    )


@main.command()
@click.option("--workspace", required=True, type=click.Path(path_type=Path))
@click.option("-k", "k", type=int, default=None, help="Standaard: instelling similar_k.")
@click.option("--json", "as_json", is_flag=True)
@_user_errors
def vergelijkbaar(workspace: Path, k: int | None, as_json: bool) -> None:
    """Toon de meest vergelijkbare gemeenten en de eigen cijfers naast die van hen."""
    from zicht.reports.peers_report import as_dict, as_lines, comparison
    from zicht.workspace import Workspace

    found = comparison(Workspace.open(workspace), k)
    if as_json:
        _print_json(as_dict(found))
        return
    for line in as_lines(found):
        click.echo(line)


if __name__ == "__main__":  # pragma: no cover
    main()
