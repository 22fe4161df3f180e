"""`zicht demo`: the whole real path on a synthetic gemeente.

It writes exports in the formats case systems and providers produce, ingests them
through the mapping files a user would use, refreshes and (in the CLI) serves. Nothing
here takes a shortcut around the public steps.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from zicht.errors import WorkspaceError

MARKER = ".zicht-demo"


@dataclass
class DemoResult:
    root: Path
    exports: Path
    workspace: Path
    seconds: dict[str, float] = field(default_factory=dict)


def _prepare(root: Path) -> None:
    """Start from an empty demo folder; never delete a folder the demo did not make."""
    if root.exists():
        if not (root / MARKER).exists():
            if any(root.iterdir()):
                raise WorkspaceError(
                    f"{root}: map bestaat al en is geen demo-map; kies een andere --workspace"
                )
        else:
            shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_text("Gemaakt door `zicht demo`; wordt bij een nieuwe demo gewist.\n")


def run_demo(
    root: Path,
    *,
    persons: int = 120_000,
    seed: int = 1,
    progress: bool = False,
    echo: Callable[[str], None] = print,
) -> DemoResult:
    from zicht.indicators.refresh import refresh
    from zicht.sources.ingest import ingest_files
    from zicht.synth import generate
    from zicht.workspace import Workspace

    root = Path(root)
    _prepare(root)
    result = DemoResult(root=root, exports=root / "exports", workspace=root / "werkruimte")

    t0 = time.perf_counter()
    echo(f"1/4 Synthetische gemeente met {persons:,} inwoners schrijven…".replace(",", "."))
    manifest = generate(result.exports, persons=persons, seed=seed, progress=progress)
    result.seconds["synth"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    echo("2/4 Werkruimte maken…")
    ws = Workspace.init(result.workspace)
    echo("3/4 Exports en berichten inlezen (valideren, pseudonimiseren)…")
    quarantined = 0
    for rel in manifest["ingest_order"]:
        reports = ingest_files(ws, [result.exports / rel], progress=progress)
        for r in reports:
            quarantined += r.quarantined
    if manifest.get("cbs_kwb"):
        from zicht.sources.cbs import load_kwb

        echo("    CBS-kerncijfers van de gemeente inlezen (ter vergelijking)…")
        load_kwb(ws, result.exports / manifest["cbs_kwb"])
    if manifest.get("stories"):
        from zicht.stories.importer import import_csv

        echo("    Verhalen uit vertelsessies inlezen (persoonsgegevens verwijderen)…")
        import_csv(ws, manifest["stories"]["form"], result.exports / manifest["stories"]["file"])
    result.seconds["ingest"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    echo("4/4 Indicatoren berekenen en publiceren…")
    report = refresh(Workspace.open(result.workspace), progress=progress)
    from zicht.analysis.keten_publish import publish_chain

    publish_chain(Workspace.open(result.workspace))
    result.seconds["refresh"] = time.perf_counter() - t0

    from zicht.privacy.accounts import create_demo_users

    with Workspace.open(result.workspace).store(read_only=True) as store:
        wijk = store.scalar("SELECT min(code) FROM area WHERE level = 'wijk'") or ""
    users = create_demo_users(result.workspace, str(wijk))

    total = sum(result.seconds.values())
    echo("")
    echo(f"Klaar in {total:.1f} s.")
    echo(f"  Exports (zoals een gemeente ze heeft): {result.exports}")
    echo(f"  Mappingbestanden: naast elke export ({result.exports}/*/*.mapping.yaml)")
    echo(f"  Grondwaarheid van de generator:        {result.exports / 'manifest.json'}")
    echo(f"  Werkruimte:                            {result.workspace}")
    echo(f"  Rijen in quarantaine:                  {quarantined}")
    echo(
        f"  Gepubliceerde cellen:                  {report.published} "
        f"({report.suppressed} onderdrukt)"
    )
    echo("  Gebruikers van het dashboard (één per rol; wachtwoorden worden niet bewaard):")
    for name, (role, password) in users.items():
        echo(f"    {name:<13} {password}   ({role.value})")
    return result
