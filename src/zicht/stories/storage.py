"""The story tables and the only code that reads or writes them (through the Store).

``story``          one row per told story; its text is scrubbed before it gets here.
``story_answer``   one row per answer (per placed stone, per chosen option).
``story_original`` the unscrubbed text, Fernet-encrypted, only where the form allows
                   follow-up and the teller agreed to it.
``story_observation`` an analyst's observation on a pattern, with its interpretations.

See docs/model.md for the columns.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from contextlib import nullcontext
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from zicht.model.stories import Answer, Story
from zicht.store import Store

STORY_TABLES: dict[str, str] = {
    "story": """
        CREATE TABLE IF NOT EXISTS story (
            story_id VARCHAR NOT NULL PRIMARY KEY,
            form_id VARCHAR NOT NULL,
            told_on DATE NOT NULL,
            period INTEGER NOT NULL,
            title VARCHAR NOT NULL,
            text_scrubbed VARCHAR NOT NULL,
            pseudonym VARCHAR,
            role VARCHAR,
            law VARCHAR,
            wijk_code VARCHAR,
            age_group VARCHAR,
            source VARCHAR NOT NULL,
            load_id VARCHAR NOT NULL
        )""",
    "story_answer": """
        CREATE TABLE IF NOT EXISTS story_answer (
            story_id VARCHAR NOT NULL,
            signifier_id VARCHAR NOT NULL,
            kind VARCHAR NOT NULL,
            na BOOLEAN NOT NULL,
            item VARCHAR,
            a DOUBLE PRECISION,
            b DOUBLE PRECISION,
            c DOUBLE PRECISION
        )""",
    "story_original": """
        CREATE TABLE IF NOT EXISTS story_original (
            story_id VARCHAR NOT NULL PRIMARY KEY,
            token VARCHAR NOT NULL
        )""",
    "story_observation": """
        CREATE TABLE IF NOT EXISTS story_observation (
            observation_id VARCHAR NOT NULL PRIMARY KEY,
            form_id VARCHAR NOT NULL,
            pattern_key VARCHAR NOT NULL,
            observation VARCHAR NOT NULL,
            interpretations VARCHAR NOT NULL,
            created_at TIMESTAMP WITH TIME ZONE NOT NULL
        )""",
}

_CONTEXT_COLUMNS = {"role": "role", "law": "law", "wijk": "wijk_code", "age_group": "age_group"}


def create_story_schema(store: Store) -> None:
    """Create the story tables that do not exist yet (idempotent)."""
    for ddl in STORY_TABLES.values():
        store.execute(ddl)


def _answer_rows(story: Story, kinds: Mapping[str, str]) -> Iterable[dict[str, Any]]:
    for sid, ans in story.answers.items():
        base = {"story_id": story.story_id, "signifier_id": sid, "kind": kinds[sid]}
        if ans.na:
            yield {**base, "na": True, "item": None, "a": None, "b": None, "c": None}
        elif ans.points:
            for item, (x, y) in sorted(ans.points.items()):
                yield {**base, "na": False, "item": item, "a": x, "b": y, "c": None}
        elif ans.options:
            for opt in ans.options:
                yield {**base, "na": False, "item": opt, "a": None, "b": None, "c": None}
        elif ans.values:
            vals = list(ans.values) + [None] * (3 - len(ans.values))
            yield {**base, "na": False, "item": None, "a": vals[0], "b": vals[1], "c": vals[2]}


def save_stories(
    store: Store,
    stories: list[Story],
    kinds: Mapping[str, str],
    load_id: str,
    originals: dict[str, str] | None = None,
    *,
    own_transaction: bool = True,
) -> int:
    """Append ``stories`` (already scrubbed) and their answers; ``kinds`` maps each
    signifier id to its type. ``originals`` are Fernet tokens by story id. With
    ``own_transaction=False`` the caller holds the transaction (and creates the schema)."""
    if own_transaction:
        create_story_schema(store)
    if not stories:
        return 0
    story_rows = [
        {
            "story_id": s.story_id,
            "form_id": s.form_id,
            "told_on": s.told_on,
            "period": s.period,
            "title": s.title,
            "text_scrubbed": s.text,
            "pseudonym": s.pseudonym,
            **{col: s.context.get(name) for name, col in _CONTEXT_COLUMNS.items()},
            "source": s.source,
            "load_id": load_id,
        }
        for s in stories
    ]
    answers = [row for s in stories for row in _answer_rows(s, kinds)]
    with store.transaction() if own_transaction else nullcontext(store):
        store.insert_arrow("story", pa.Table.from_pylist(story_rows))
        if answers:
            schema = pa.schema(
                [
                    ("story_id", pa.string()),
                    ("signifier_id", pa.string()),
                    ("kind", pa.string()),
                    ("na", pa.bool_()),
                    ("item", pa.string()),
                    ("a", pa.float64()),
                    ("b", pa.float64()),
                    ("c", pa.float64()),
                ]
            )
            store.insert_arrow("story_answer", pa.Table.from_pylist(answers, schema=schema))
        if originals:
            rows = [{"story_id": k, "token": v} for k, v in originals.items()]
            store.insert_arrow("story_original", pa.Table.from_pylist(rows))
    return len(stories)


def load_stories(store: Store, form_id: str) -> list[Story]:
    """Every stored story of one form, with its answers, ordered by story id."""
    if not store.table_exists("story"):
        return []
    rows = store.fetchall(
        "SELECT story_id, form_id, told_on, title, text_scrubbed, pseudonym, role, law, "
        "wijk_code, age_group, source FROM story WHERE form_id = ? ORDER BY story_id",
        [form_id],
    )
    answers: dict[str, dict[str, Answer]] = {}
    parts: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
    for row in store.fetchall(
        "SELECT a.story_id, a.signifier_id, a.kind, a.na, a.item, a.a, a.b, a.c "
        "FROM story_answer a JOIN story s ON s.story_id = a.story_id WHERE s.form_id = ? "
        "ORDER BY a.story_id, a.signifier_id, a.item",
        [form_id],
    ):
        parts.setdefault((row[0], row[1]), []).append(row)
    for (story_id, sid), group in parts.items():
        kind, na = group[0][2], bool(group[0][3])
        if na:
            ans = Answer(sid, na=True)
        elif kind == "stones":
            ans = Answer(sid, points={r[4]: (float(r[5]), float(r[6])) for r in group})
        elif kind == "choice":
            ans = Answer(sid, options=tuple(r[4] for r in group))
        elif kind == "triad":
            r = group[0]
            ans = Answer(sid, values=(float(r[5]), float(r[6]), float(r[7])))
        else:
            ans = Answer(sid, values=(float(group[0][5]),))
        answers.setdefault(story_id, {})[sid] = ans
    return [
        Story(
            story_id=r[0],
            form_id=r[1],
            told_on=r[2],
            title=r[3],
            text=r[4],
            answers=answers.get(r[0], {}),
            context={"role": r[6], "law": r[7], "wijk": r[8], "age_group": r[9]},
            pseudonym=r[5],
            source=r[10],
        )
        for r in rows
    ]


def save_observation(
    store: Store,
    observation_id: str,
    form_id: str,
    pattern_key: str,
    observation: str,
    interpretations: list[str],
) -> None:
    create_story_schema(store)
    row = {
        "observation_id": observation_id,
        "form_id": form_id,
        "pattern_key": pattern_key,
        "observation": observation,
        "interpretations": json.dumps(interpretations, ensure_ascii=False),
        "created_at": datetime.now(UTC),
    }
    store.insert_arrow("story_observation", pa.Table.from_pylist([row]))


def load_observations(store: Store, form_id: str) -> list[dict[str, Any]]:
    if not store.table_exists("story_observation"):
        return []
    rows = store.fetchall(
        "SELECT observation_id, pattern_key, observation, interpretations, created_at "
        "FROM story_observation WHERE form_id = ? ORDER BY created_at",
        [form_id],
    )
    return [
        {
            "observation_id": r[0],
            "pattern_key": r[1],
            "observation": r[2],
            "interpretations": json.loads(r[3]),
            "created_at": r[4],
        }
        for r in rows
    ]
