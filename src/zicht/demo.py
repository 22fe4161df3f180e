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


STAGES = {
    "synth": "synthetische exports",
    "berichten": "berichten (schrijven tijdens het inlezen)",
    "ingest": "inlezen",
    "cbs": "CBS-bestand",
    "stories": "verhalen",
    "refresh": "verversen (indicatoren)",
    "keten": "ketentabellen (in de verversing)",
    "users": "gebruikers (tijdens de verversing)",
}
"""The stages the demo times, with the Dutch label it prints."""


def run_demo(
    root: Path,
    *,
    persons: int = 120_000,
    seed: int = 1,
    progress: bool = False,
    echo: Callable[[str], None] = print,
) -> DemoResult:
    """Run the real path and time each stage (``result.seconds``, wall clock).

    Two stages overlap with others, because the machine has spare cores while they run:
    deduce (the story scrubber) loads and scrubs in its own process while the exports
    are written and ingested, and the demo users' passwords are hashed in a thread while
    the refresh runs. ``result.seconds["total"]`` is the wall time of the whole run.
    """
    import threading

    from zicht.indicators.refresh import refresh
    from zicht.privacy.accounts import create_demo_users
    from zicht.privacy.roles import Role
    from zicht.sources.ingest import ingest_files
    from zicht.stories.scrub_worker import ScrubWorker, candidate_texts
    from zicht.synth import start
    from zicht.workspace import Workspace

    root = Path(root)
    began = time.perf_counter()
    # Started first: in a script without a ``__main__`` guard, which a spawned process
    # runs again, the worker fails here, before it could touch the demo folder.
    scrub_worker = ScrubWorker()
    try:
        _prepare(root)
    except BaseException:
        scrub_worker.close()
        raise
    result = DemoResult(root=root, exports=root / "exports", workspace=root / "werkruimte")
    clock = [time.perf_counter()]

    def lap(stage: str) -> None:
        now = time.perf_counter()
        result.seconds[stage] = now - clock[0]
        clock[0] = now

    with scrub_worker:  # deduce loads in its own process from now on
        echo(f"1/4 Synthetische gemeente met {persons:,} inwoners schrijven…".replace(",", "."))
        # The exports are written first; a worker process goes on writing the iJw/iWmo
        # message files while this process already ingests the exports.
        synth_began = clock[0]
        started = start(result.exports, persons=persons, seed=seed, progress=progress)
        with started:
            manifest = started.manifest
            stories = manifest.get("stories")
            if stories:
                scrub_worker.submit(candidate_texts(result.exports / stories["file"]))
            lap("synth")

            def messages_written() -> None:
                started.wait()
                result.seconds["berichten"] = time.perf_counter() - synth_began

            echo("2/4 Werkruimte maken…")
            ws = Workspace.init(result.workspace)
            echo("3/4 Exports en berichten inlezen (valideren, pseudonimiseren)…")
            # One call in the manifest's order: one open of the database, and the iJw and
            # iWmo folders parsed by one worker pool once their writer is done.
            order = [result.exports / rel for rel in manifest["ingest_order"]]
            reports = ingest_files(ws, order, progress=progress, written=messages_written)
            started.wait()  # at once: the messages were read; raises if the writer failed
        quarantined = sum(r.quarantined for r in reports)
        lap("ingest")
        if manifest.get("cbs_kwb"):
            from zicht.sources.cbs import load_kwb

            echo("    CBS-kerncijfers van de gemeente inlezen (ter vergelijking)…")
            load_kwb(ws, result.exports / manifest["cbs_kwb"])
        lap("cbs")
        if stories:
            from zicht.stories.importer import import_csv

            echo("    Verhalen uit vertelsessies inlezen (persoonsgegevens verwijderen)…")
            import_csv(
                ws, stories["form"], result.exports / stories["file"], scrub_worker.scrubber()
            )
        lap("stories")

    with Workspace.open(result.workspace).store(read_only=True) as store:
        wijk = store.scalar("SELECT min(code) FROM area WHERE level = 'wijk'") or ""
    users: dict[str, tuple[Role, str]] = {}
    failed: list[BaseException] = []

    def make_users() -> None:
        started = time.perf_counter()
        try:
            users.update(create_demo_users(result.workspace, str(wijk)))
        except BaseException as exc:  # re-raised in the main thread below
            failed.append(exc)
        result.seconds["users"] = time.perf_counter() - started

    # argon2 hashes in C without the interpreter lock and writes access.duckdb, not the
    # canonical database: it runs beside the refresh.
    hashing = threading.Thread(target=make_users, name="demo-users")
    hashing.start()
    echo("4/4 Indicatoren en ketentabellen berekenen en publiceren…")
    try:
        report = refresh(Workspace.open(result.workspace), progress=progress)
    finally:
        hashing.join()
    if failed:
        raise failed[0]
    lap("refresh")
    result.seconds["keten"] = report.seconds_keten
    result.seconds["refresh"] -= report.seconds_keten
    result.seconds["total"] = time.perf_counter() - began

    echo("")
    echo(f"Klaar in {result.seconds['total']:.1f} s.")
    for stage, label in STAGES.items():
        if stage in result.seconds:
            echo(f"  {label + ':':<38} {result.seconds[stage]:6.1f} s")
    echo(f"  Exports (zoals een gemeente ze heeft): {result.exports}")
    echo(f"  Mappingbestanden: naast elke export ({result.exports}/*/*.mapping.yaml)")
    echo(f"  Grondwaarheid van de generator:        {result.exports / 'manifest.json'}")
    echo(f"  Werkruimte:                            {result.workspace}")
    echo(f"  Rijen in quarantaine:                  {quarantined}")
    echo(
        f"  Gepubliceerde cellen:                  {report.published} "
        f"({report.suppressed} onderdrukt)"
    )
    for line in report.warnings():
        echo(f"  {line}")
    echo("  Gebruikers van het dashboard (één per rol; wachtwoorden worden niet bewaard):")
    for name, (role, password) in users.items():
        echo(f"    {name:<13} {password}   ({role.value})")
    return result
