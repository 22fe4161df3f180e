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
    if as_json:
        _print_json(report.as_dict())
        return
    click.echo(
        f"Gepubliceerd: {report.published} cellen, {report.suppressed} onderdrukt, "
        f"perioden {', '.join(map(str, report.periods))} ({report.seconds:.1f} s)"
    )


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
@_user_errors
def bench(persons: int, years: int, as_json: bool, markdown: Path | None) -> None:
    """Meet synth, ingest, refresh en de eerste pagina (tijd en piekgeheugen)."""
    from zicht.bench import append_markdown, format_text, run_bench

    result = run_bench(persons=persons, years=years, echo=None if as_json else click.echo)
    if as_json:
        _print_json(result)
    else:
        click.echo(format_text(result))
    if markdown is not None:
        append_markdown(markdown, result)


if __name__ == "__main__":  # pragma: no cover
    main()


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
