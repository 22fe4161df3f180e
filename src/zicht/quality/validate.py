"""Vectorised row validation: one rule per rejected row, the first in RULE_ORDER.

:func:`validate` runs every row-level rule on whole Arrow columns; the loader adds the
rules that look beyond the row (``unknown_reference``, ``duplicate_row``) through the same
:class:`RuleBook`, in that order, so the first failing rule is the one recorded. Messages
are built only for rejected rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.model import codes as code_lists
from zicht.model.schema import CHAIN_STEPS, LAWS, LEVELS
from zicht.privacy.bsn import normalise_array, valid_mask
from zicht.privacy.pseudonym import pseudonymise_array
from zicht.quality.parse import (
    as_array,
    clean,
    parse_dates,
    parse_integers,
    parse_numbers,
    present,
    to_mask,
)
from zicht.quality.rules import MESSAGES, RULE_ORDER, TargetSpec

MAX_VALUE_IN_MESSAGE = 200
PASS_THROUGH = frozenset({"row_number", "source", "load_id", "file", "geometry"})
"""Columns the loader adds (not file values): never cleaned or checked."""


class RuleBook:
    """The rule (if any) of every row, and the messages of the rejected rows."""

    def __init__(self, n: int) -> None:
        self.rule = np.full(n, -1, dtype=np.int16)
        self._messages: list[tuple[np.ndarray, list[str]]] = []

    @property
    def pending(self) -> np.ndarray:
        """Rows that no rule has rejected yet."""
        return self.rule < 0

    def fail(
        self,
        rule: str,
        mask: np.ndarray,
        *,
        field: str = "",
        value: pa.Array | None = None,
        other: str = "",
    ) -> None:
        """Reject rows in ``mask`` that are still pending with ``rule``."""
        idx = np.flatnonzero(mask & self.pending)
        if idx.size == 0:
            return
        self.rule[idx] = RULE_ORDER.index(rule)
        template = MESSAGES[rule].format(field=field, other=other, value="\x00")
        if value is None or "\x00" not in template:
            texts = [template.replace("\x00", "")] * idx.size
        else:
            head, tail = template.split("\x00", 1)
            shown = value.take(pa.array(idx)).to_pylist()
            texts = [f"{head}{_short(v)}{tail}" for v in shown]
        self._messages.append((idx, texts))

    def rejected(self) -> np.ndarray:
        return np.flatnonzero(self.rule >= 0)

    def rule_names(self, idx: np.ndarray) -> list[str]:
        return [RULE_ORDER[int(r)] for r in self.rule[idx]]

    def messages(self) -> dict[int, str]:
        out: dict[int, str] = {}
        for idx, texts in self._messages:
            out.update(zip(idx.tolist(), texts, strict=True))
        return out

    def reasons(self, idx: np.ndarray | None = None) -> dict[str, int]:
        rules = self.rule if idx is None else self.rule[idx]
        counts = np.bincount(rules[rules >= 0], minlength=len(RULE_ORDER))
        return {RULE_ORDER[i]: int(c) for i, c in enumerate(counts) if c}


def _short(value: object) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= MAX_VALUE_IN_MESSAGE else text[:MAX_VALUE_IN_MESSAGE] + "…"


@dataclass
class Checked:
    """A validated batch: cleaned text, typed values and the rule book."""

    n: int
    book: RuleBook
    key: bytes
    text: dict[str, pa.Array]  # cleaned (and translated) text per column
    dates: dict[str, pa.Array] = field(default_factory=dict)
    numbers: dict[str, pa.Array] = field(default_factory=dict)
    person_id: pa.Array | None = None

    def accepted(self) -> np.ndarray:
        return np.flatnonzero(self.book.pending)


def _allowed(spec_field: str) -> set[str] | None:
    if spec_field == "level":
        return set(LEVELS)
    if spec_field == "step":
        return set(CHAIN_STEPS)
    if spec_field == "law":
        return set(LAWS)
    if spec_field in ("referrer", "unit", "frequency", "sex"):
        return set(code_lists.codes(spec_field))
    return None


def _category_allowed() -> list[str]:
    laws: dict[str, dict[str, str]] = code_lists.code_lists()["product_category"]
    return [f"{law}|{code}" for law, cats in laws.items() for code in cats]


def translate(values: pa.Array, table: dict[str, str]) -> pa.Array:
    """Replace file values by canonical codes (``values:`` of a mapping); others stay."""
    if not table:
        return values
    keys = pa.array(list(table), pa.string())
    idx = pc.index_in(values, value_set=keys)
    mapped = pc.take(pa.array(list(table.values()), pa.string()), idx)
    return as_array(pc.if_else(pc.is_valid(idx), mapped, values))


def validate(
    table: pa.Table,
    spec: TargetSpec,
    *,
    date_format: str,
    decimal: str,
    key: bytes,
    values: dict[str, dict[str, str]] | None = None,
    event_columns: Sequence[str] = (),
    schema_errors: pa.Array | None = None,
) -> Checked:
    """Run the row-level rules (missing_bsn … invalid_number) on ``table``.

    ``table`` holds text columns named by canonical field (and ``event_columns``), plus a
    ``law`` column when product categories are checked. ``schema_errors`` (iJw/iWmo)
    holds, per row, the XSD error of its message or null; such rows fail first.
    """
    n = table.num_rows
    book = RuleBook(n)
    text: dict[str, pa.Array] = {}
    for name in table.column_names:
        if name in PASS_THROUGH:
            text[name] = as_array(table.column(name))
            continue
        col = clean(table.column(name))
        if values and name in values:
            col = translate(col, values[name])
        text[name] = col
    checked = Checked(n=n, book=book, key=key, text=text)

    if schema_errors is not None:
        book.fail("schema_invalid", present(schema_errors), value=schema_errors)
    if spec.has_bsn:
        raw = text["bsn"]
        ok, checked.person_id = _bsn_pseudonyms(raw, key)
        book.fail("missing_bsn", ~present(raw))
        book.fail("invalid_bsn", ~ok)

    for name in spec.required:
        if name in text:
            book.fail("missing_value", ~present(text[name]), field=name)

    date_fields = [f for f in spec.dates if f in text] + list(event_columns)
    for name in date_fields:
        fmt = date_format
        parsed, bad = parse_dates(text[name], fmt)
        checked.dates[name] = parsed
        book.fail("invalid_date", bad, field=_label(name), value=text[name])

    for start, end in spec.date_pairs:
        if start in checked.dates and end in checked.dates:
            before = to_mask(pc.less(checked.dates[end], checked.dates[start]))
            book.fail("end_before_start", before, field=end, other=start, value=text[end])

    _check_codes(checked, spec)
    _check_numbers(checked, spec, decimal)
    return checked


def _bsn_pseudonyms(raw: pa.Array, key: bytes) -> tuple[np.ndarray, pa.Array]:
    """Per row: does the BSN pass the 11-proef (after padding), and its pseudonym (null
    when it does not). Checked and hashed once per distinct value: an export of a million
    rows holds a few hundred thousand persons."""
    encoded = as_array(pc.dictionary_encode(raw))
    norm = as_array(normalise_array(encoded.dictionary))
    ok = valid_mask(pa.chunked_array([norm], pa.string()))
    kept = pc.if_else(pa.array(ok, pa.bool_()), norm, pa.scalar(None, pa.string()))
    hashed = pseudonymise_array(key, kept)
    indices = encoded.indices
    row_ok = to_mask(pc.take(pa.array(ok, pa.bool_()), indices))
    return row_ok, as_array(pc.take(hashed, indices))


def _constant(values: pa.Array) -> str | None:
    """The one value of an array without nulls whose values are all equal, else None."""
    if len(values) == 0 or values.null_count:
        return None
    bounds = pc.min_max(values)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    return str(low) if low == high else None


def _check_codes(checked: Checked, spec: TargetSpec) -> None:
    """unknown_code: product category per law, and the flat code lists."""
    book, text, n = checked.book, checked.text, checked.n
    for name in spec.codes:
        if name not in text:
            continue
        col = text[name]
        if name == "product_category":
            law = text.get("law")
            one_law = _constant(law) if law is not None else None
            if one_law is not None and "|" not in one_law:
                # One law for the whole file (the usual case): "law|code" is in the list
                # exactly when the code is one of that law's codes.
                prefix = one_law + "|"
                codes = [c[len(prefix) :] for c in _category_allowed() if c.startswith(prefix)]
                known = pc.is_in(col, value_set=pa.array(codes, pa.string()))
            else:
                combined = pc.binary_join_element_wise(
                    law if law is not None else pa.nulls(n, pa.string()), col, "|"
                )
                known = pc.is_in(combined, value_set=pa.array(_category_allowed()))
        else:
            allowed = _allowed(name)
            if allowed is None:
                continue
            known = pc.is_in(col, value_set=pa.array(sorted(allowed), pa.string()))
        book.fail("unknown_code", present(col) & ~to_mask(known), field=name, value=col)


def _check_numbers(checked: Checked, spec: TargetSpec, decimal: str) -> None:
    book, text = checked.book, checked.text
    for name in spec.numbers:
        if name in text:
            num, bad = parse_numbers(text[name], decimal)
            checked.numbers[name] = num
            book.fail("invalid_number", bad, field=name, value=text[name])
    for name in spec.integers:
        if name in text:
            num, bad = parse_integers(text[name])
            checked.numbers[name] = num
            book.fail("invalid_number", bad, field=name, value=text[name])


def _label(column: str) -> str:
    return column.replace("event:", "events.")


def first_occurrence_duplicates(keys: pa.Array, candidates: np.ndarray) -> np.ndarray:
    """Mask of candidate rows whose key already occurred at an earlier candidate row.

    Rows outside ``candidates`` (already rejected) neither count nor are marked; rows
    with a null key are never duplicates.
    """
    out = np.zeros(len(keys), dtype=bool)
    idx = np.flatnonzero(candidates & present(keys))
    if idx.size == 0:
        return out
    # One hash pass over all keys; equal keys get equal codes.
    encoded = as_array(pc.dictionary_encode(keys))
    if len(encoded.dictionary) == len(keys) - keys.null_count:
        return out  # every key occurs once: no duplicates at all (the usual case)
    codes_np = np.asarray(encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False))[idx]
    _, first = np.unique(codes_np, return_index=True)
    dup = np.ones(idx.size, dtype=bool)
    dup[first] = False
    out[idx[dup]] = True
    return out


def join_key(columns: Sequence[pa.Array]) -> pa.Array:
    """One text key from several columns (nulls make the key null)."""
    if len(columns) == 1:
        return as_array(pc.cast(columns[0], pa.string()))
    parts = [pc.cast(c, pa.string()) for c in columns]
    return as_array(pc.binary_join_element_wise(*parts, "\x1f"))
