"""Import of stories told on paper (a CSV typed in after a vertelsessie).

Columns (header names, any order; ``;`` or ``,``; UTF-8, a BOM is fine):

* ``verhaal`` (required): the story; ``verteld_op`` (required): ``dd-mm-jjjj`` or
  ``jjjj-mm-dd``; ``titel`` and ``schuilnaam`` (optional);
* one column per context field the form asks (``role``, ``law``, ``wijk``, ``age_group``)
  and per signifier id, in the text format of :mod:`zicht.stories.answers`.

A row with an invalid value goes to quarantine with a Dutch reason; its story text is
scrubbed before it is written there (the original is never stored). The same file
(same SHA-256) is not loaded twice.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from zicht.errors import SourceError
from zicht.model.stories import Story, StoryForm
from zicht.privacy.scrub import Scrubber, get_scrubber
from zicht.store import Store
from zicht.stories.answers import parse_answers, parse_context
from zicht.stories.forms import load_forms
from zicht.stories.storage import create_story_schema, save_stories
from zicht.workspace import Workspace

SOURCE = "verhalen"
REQUIRED = ("verhaal", "verteld_op")
OPTIONAL = ("titel", "schuilnaam")


@dataclass
class ImportReport:
    file: str
    form: str
    rows_in: int = 0
    accepted: int = 0
    quarantined: int = 0
    skipped: bool = False
    reasons: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def parse_date(text: str) -> date:
    text = text.strip()
    for fmt in ("%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).date()
        except ValueError:
            continue
    raise ValueError(f"verteld_op: ongeldige datum {text[:20]!r} (verwacht dd-mm-jjjj)")


def wijk_codes(store: Store) -> set[str] | None:
    """Wijk codes of the workspace, or None when no geography is loaded (not checked)."""
    if not store.table_exists("area"):
        return None
    codes = {r[0] for r in store.fetchall("SELECT code FROM area WHERE level = 'wijk'")}
    return codes or None


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a story CSV (``;`` or ``,``; UTF-8, BOM allowed)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{path}: geen UTF-8; sla het bestand op als CSV UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise SourceError(f"{path}: het bestand is leeg")
    header = [h.strip() for h in rows[0]]
    return header, rows[1:]


def _check_header(path: Path, form: StoryForm, header: list[str]) -> None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise SourceError(f"{path}: kolom {missing[0]!r} ontbreekt")
    known = set(REQUIRED) | set(OPTIONAL) | {s.id for s in form.signifiers}
    known |= {c.field for c in form.context}
    unknown = [h for h in header if h not in known]
    if unknown:
        raise SourceError(
            f"{path}: onbekende kolom {unknown[0]!r} voor formulier {form.id!r} "
            "(zie docs/stories.md)"
        )


def _scrub_pseudonym(scrubber: Scrubber, pseudonym: str) -> str:
    """A self-chosen pseudonym is often a first name ("Merel"), which is fine alone; it is
    scrubbed like a story when it has several words (possibly a full name) and always
    stripped of numbers, addresses and e-mail by the own rules."""
    if " " in pseudonym.strip():
        return scrubber.scrub(pseudonym).text
    return Scrubber.rules_only(pseudonym)


def build_story(
    form: StoryForm,
    raw: dict[str, str],
    *,
    story_id: str,
    source: str,
    scrubber: Scrubber,
    wijken: set[str] | None,
) -> Story:
    """Validate one raw story (web form or CSV row) and scrub it; ValueError in Dutch."""
    text = raw.get("verhaal", "").strip()
    if len(text) < form.min_story_chars:
        raise ValueError(f"verhaal: te kort (minstens {form.min_story_chars} tekens)")
    if len(text) > form.max_story_chars:
        raise ValueError(f"verhaal: te lang (hoogstens {form.max_story_chars} tekens)")
    told = parse_date(raw.get("verteld_op", ""))
    answers = parse_answers(form, raw)
    context = parse_context(form, raw, wijken)
    pseudonym = raw.get("schuilnaam", "").strip()[:40] or None
    return Story(
        story_id=story_id,
        form_id=form.id,
        told_on=told,
        title=scrubber.scrub(raw.get("titel", "").strip()[:120]).text,
        text=scrubber.scrub(text).text,
        answers=answers,
        context=context,
        pseudonym=_scrub_pseudonym(scrubber, pseudonym) if pseudonym else None,
        source=source,
    )


def import_csv(
    ws: Workspace, form_id: str, path: Path, scrubber: Scrubber | None = None
) -> ImportReport:
    """Load the stories of one CSV file for one form; see the module docstring."""
    forms = load_forms(ws.root / "forms")
    if form_id not in forms:
        raise SourceError(f"onbekend formulier {form_id!r} (bekend: {', '.join(forms)})")
    form = forms[form_id]
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path}: bestand bestaat niet")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    header, rows = read_rows(path)
    _check_header(path, form, header)
    report = ImportReport(file=str(path), form=form_id, rows_in=len(rows))
    load_id = f"verhalen-{digest[:16]}"
    with ws.store() as store:
        create_story_schema(store)
        from zicht.model.schema import create_schema

        create_schema(store)
        if store.scalar("SELECT count(*) FROM load_log WHERE load_id = ?", [load_id]):
            report.skipped = True
            return report
        wijken = wijk_codes(store)
        scrub = scrubber or get_scrubber()
        stories: list[Story] = []
        bad: list[dict[str, Any]] = []
        for i, values in enumerate(rows, start=2):
            if not any(v.strip() for v in values):
                report.rows_in -= 1
                continue
            raw = dict(zip(header, values + [""] * (len(header) - len(values)), strict=False))
            try:
                if len(values) > len(header):
                    raise ValueError("rij: meer waarden dan kolommen")
                stories.append(
                    build_story(
                        form,
                        raw,
                        story_id=f"{load_id}-{i}",
                        source="csv",
                        scrubber=scrub,
                        wijken=wijken,
                    )
                )
            except ValueError as exc:
                rule = "story_" + str(exc).split(":", 1)[0].replace(" ", "_")
                safe = {k: scrub.scrub(v).text for k, v in raw.items()}
                bad.append(
                    {
                        "load_id": load_id,
                        "source": SOURCE,
                        "file": str(path),
                        "row_number": i,
                        "rule": rule,
                        "message": str(exc),
                        "record": json.dumps(safe, ensure_ascii=False),
                    }
                )
                report.reasons[rule] = report.reasons.get(rule, 0) + 1
        kinds = {s.id: s.type for s in form.signifiers}
        report.accepted, report.quarantined = len(stories), len(bad)
        log = {
            "load_id": load_id,
            "source": SOURCE,
            "file": str(path),
            "file_sha256": digest,
            "target": "story",
            "rows_in": report.rows_in,
            "accepted": report.accepted,
            "quarantined": report.quarantined,
            "reasons": json.dumps(report.reasons, sort_keys=True),
            "loaded_at": datetime.now(UTC),
        }
        # Stories, quarantine and the load log together or not at all: a failed load
        # leaves nothing behind and can simply be run again.
        with store.transaction():
            save_stories(store, stories, kinds, load_id, own_transaction=False)
            if bad:
                store.insert_arrow("quarantine", pa.Table.from_pylist(bad))
            store.insert_arrow("load_log", pa.Table.from_pylist([log]))
    return report
