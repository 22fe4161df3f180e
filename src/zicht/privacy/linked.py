"""Linked tables: what one table publishes, the attacker knows in every other.

The secondary suppression of :mod:`zicht.privacy._hierarchy` protects every table (one
indicator and period, or one stapeling family) on its own. But many tables carry the
same quantity: the inhabitants of a buurt are the denominator of every per-1,000 figure,
the youth with jeugdhulp are the numerator of one indicator and the denominator of the
referrer shares, the persons with two or more laws are in the cube and in
``keten_stapeling``. A count hidden in one table and published in another is simply
read from the other, and the first table's protection rested on not knowing it.

So the gate links tables the way an attacker would, by their values: two series (one
table, field, breakdown and category over every area and period) that agree wherever
both have a cell are one quantity. Sums that hold only across tables get a cell of
their own first (:func:`with_unions`: the 65-74 plus the 75+ of one table is the 65+ of
another), so that they link too. Linking too much is not harmless: where a series
agrees with two of one other table, only because a rest is 0 everywhere (the 65+ with
both the 65+ and the 65-74 where nobody over 74 has it), linking both hands the gate's
attacker the very 0 it must protect, and no hiding can; such a series is linked only to
the one with its own breakdown and category (:func:`_by_definition`).

Every table is first protected on its own, as if the others published nothing. Then
the indicators are gated one at a time (all their years in one call), each
knowing which fields of its cells the others give away: constants of the attacker's
programs, nothing to protect (the numerator, denominator and complement of a rate are
then audited in one program). A field is given away when another table publishes it,
or hides it without keeping it wide: with ``protect_below`` a hidden count at or above
the minimum needs no width of its own, and its own table's sums may well pin it.

1. An indicator that could protect a cell only with a quantity another table gives
   away (it chooses those last) has that quantity hidden and *guarded* in every table
   that carries it: a guarded count is kept wide whatever its size.
2. The next indicator sees that. One at a time, so two tables do not each hide a
   different quantity for the same small cell (gated all at once they did: of 165
   gemeente totals at 120,000 generated inhabitants 83 were published, one at a time
   93, with the rest of this module 108; per table 110).
3. Until nothing changes, a table that counted on a quantity nobody gives away any
   more, or got hidden or guarded cells from a later one, is protected again.

Hiding and guarding only grow, so this ends. This is how tau-ARGUS treats linked
tables (the tables are protected again until their statuses agree); the attacker test
in ``tests/privacy`` checks the result against the sums of all tables at once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zicht.privacy.disclosure import AMOUNT_UNIT, RATE_UNITS

Series = tuple[str, str, str, str]
"""(table, field, breakdown, category): one counted field of one table over its areas
and periods."""

Key = tuple[int, str]
"""(period, area_code)."""

MIN_SHARED_CELLS = 2
"""Two series are one quantity when they agree on every cell they share and share at
least this many cells (one shared cell would link every pair of tiny tables)."""


POOL_FROM = 400
"""The linked gate protects one indicator at a time (all its years); from this many
cells its tables are protected by worker processes (:data:`zicht.privacy._hierarchy.POOL_FROM`
for one call over every table)."""


def _columns(cube: pa.Table) -> dict[str, list[object]]:
    names = ("indicator_id", "period", "area_code", "breakdown", "category", "unit")
    blank: list[object] = [""] * cube.num_rows  # breakdown and category may be left out
    out = {n: cube.column(n).to_pylist() if n in cube.column_names else blank for n in names}
    out["numerator"] = cube.column("numerator").to_pylist()
    out["denominator"] = cube.column("denominator").to_pylist()
    return out


def series_rows(cube: pa.Table) -> dict[Series, dict[Key, int]]:
    """Per series, the row of ``cube`` holding each of its cells.

    Counted fields are the denominator of every cell and the numerator of rates (the
    numerator of a median or a cost sum is not a count of anyone)."""
    c = _columns(cube)
    out: dict[Series, dict[Key, int]] = defaultdict(dict)
    for row in range(cube.num_rows):
        table = str(c["indicator_id"][row])
        bd, cat = str(c["breakdown"][row] or ""), str(c["category"][row] or "")
        key = (int(c["period"][row]), str(c["area_code"][row]))  # type: ignore[call-overload]
        out[(table, "den", bd, cat)][key] = row
        if c["unit"][row] in RATE_UNITS:
            out[(table, "num", bd, cat)][key] = row
    return out


def _value(c: dict[str, list[object]], field: str, row: int) -> float:
    x = c["denominator" if field == "den" else "numerator"][row]
    return float(x or 0)  # type: ignore[arg-type]  # counts are numbers or NULL


def link(cube: pa.Table, rows: dict[Series, dict[Key, int]]) -> list[list[Series]]:
    """Groups of series that are one quantity (groups of two or more, tables of more
    than one): series that agree wherever both have a cell, on at least
    :data:`MIN_SHARED_CELLS` cells, and are not all zero. ``rows``: :func:`series_rows`
    of ``cube``."""
    c = _columns(cube)
    values = {s: {k: _value(c, s[1], r) for k, r in cells.items()} for s, cells in rows.items()}
    # Candidates share their gemeente figures (every series has the gemeente's cells).
    index: dict[Hashable, list[Series]] = defaultdict(list)
    for s, xs in values.items():
        if not any(xs.values()):
            continue
        gm = tuple(sorted((k, x) for k, x in xs.items() if k[1].startswith("GM")))
        index[gm].append(s)
    parent: dict[Series, Series] = {}

    def find(s: Series) -> Series:
        while parent.get(s, s) != s:
            s = parent[s]
        return s

    for group in index.values():
        agree: dict[Series, dict[str, list[Series]]] = defaultdict(lambda: defaultdict(list))
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if a[0] == b[0]:
                    continue
                xa, xb = values[a], values[b]
                common = xa.keys() & xb.keys()
                if len(common) >= MIN_SHARED_CELLS and all(xa[k] == xb[k] for k in common):
                    agree[a][b[0]].append(b)
                    agree[b][a[0]].append(a)
        for a, per_table in agree.items():
            for bs in per_table.values():
                for b in _by_definition(a, bs):
                    if a in _by_definition(b, agree[b][a[0]]):
                        parent[max(find(a), find(b))] = min(find(a), find(b))
    groups: dict[Series, list[Series]] = defaultdict(list)
    for s in values:
        groups[find(s)].append(s)
    return [sorted(g) for g in groups.values() if len({s[0] for s in g}) > 1]


def _label(s: Series) -> tuple[str, str]:
    """What a series counts by its name: breakdown (an age span as an age group) and
    category."""
    from zicht.privacy._hierarchy import AGE, AGE_SPANS

    return (AGE if s[2] == AGE_SPANS else s[2], s[3])


def _by_definition(a: Series, candidates: list[Series]) -> list[Series]:
    """Of the series of one other table that agree with ``a`` everywhere, those that are
    the same quantity by definition: when there are several (the 65+ of one table
    agrees with both the 65+ and the 65-74 of another where nobody over 74 has it), the
    ones with ``a``'s breakdown and category; otherwise all of them.

    Two categories of one table agree only when the rest of a sum is 0 in every cell,
    which an attacker cannot see: a hidden 75+ of 0 is what the gate protects. Linking
    the 65+ to the 65-74 as well would hand the gate's attacker that 0, and no hiding
    could then protect it (the demo, docs/disclosure.md)."""
    if len(candidates) < 2:
        return candidates
    same = [b for b in candidates if _label(b) == _label(a)]
    return same or candidates


class Links:
    """The cells of linked series as arrays, to ask per mask which fields other tables
    publish (:meth:`known`) and which rows carry the same quantity as given ones
    (:meth:`spread`). ``groups``: :func:`link` of the cube's :func:`series_rows`
    ``rows``; ``n``: the cube's number of rows."""

    def __init__(
        self, groups: Iterable[list[Series]], rows: dict[Series, dict[Key, int]], n: int
    ) -> None:
        row, quantity, owner, field = [], [], [], []
        names: dict[str, int] = {}
        ids: dict[tuple[int, Key], int] = {}
        for g, group in enumerate(groups):
            for s in group:
                t = names.setdefault(s[0], len(names))
                for k, r in rows[s].items():
                    row.append(r)
                    quantity.append(ids.setdefault((g, k), len(ids)))
                    owner.append(t)
                    field.append(s[1] == "num")
        self.n = n
        self.row = np.array(row, dtype=np.int64)
        self.quantity = np.array(quantity, dtype=np.int64)
        self.num = np.array(field, dtype=bool)
        self.quantities = len(ids)
        # One entry per (quantity, table): a table may hold one quantity twice.
        pair = self.quantity * max(len(names), 1) + np.array(owner, dtype=np.int64)
        pairs, self.pair = np.unique(pair, return_inverse=True)
        self.pair_quantity = pairs // max(len(names), 1)

    def known(self, mask: np.ndarray, loose: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per row of the cube, whether another table gives its denominator, and its
        numerator, away (two boolean arrays): a linked series shows the same quantity in
        a row ``mask`` leaves published, or hides it without protecting it (``loose``, two
        rows of booleans: per row, a hidden denominator, numerator that its table need
        not keep wide, so the attacker may know it as well as a published one)."""
        field = np.where(self.num, loose[1][self.row], loose[0][self.row])
        seen = ~mask[self.row] | field
        shown = np.bincount(self.pair, weights=seen, minlength=len(self.pair_quantity)) > 0
        tables = np.bincount(self.pair_quantity, weights=shown, minlength=self.quantities)
        other = tables[self.quantity] - shown[self.pair] > 0
        return self._per_field(other)

    def spread(self, den: np.ndarray, num: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows that carry a quantity of the ``den`` rows' denominators or the
        ``num`` rows' numerators: (rows whose denominator is one, rows whose numerator
        is one), boolean arrays over the rows of the cube."""
        new = np.where(self.num, num[self.row], den[self.row])
        hit = np.zeros(self.quantities, dtype=bool)
        hit[self.quantity[new]] = True
        return self._per_field(hit[self.quantity])

    def rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The rows whose denominator, numerator is in a linked series."""
        return self._per_field(np.ones(len(self.row), dtype=bool))

    def _per_field(self, entries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        den = np.zeros(self.n, dtype=bool)
        num = np.zeros(self.n, dtype=bool)
        den[self.row[~self.num]] = entries[~self.num]
        num[self.row[self.num]] = entries[self.num]
        return den, num


def with_unions(cube: pa.Table) -> pa.Table:
    """``cube`` with union cells appended, to be gated and dropped again: the cells of
    :data:`zicht.privacy._hierarchy.UNIONS` (their denominator the sum of their
    parts'), and per table with age groups the age spans another table publishes as
    one group or as its whole population (:data:`~zicht.privacy._hierarchy.AGE_SPANS`;
    denominator and, for rates and amounts, numerator summed)."""
    from zicht.privacy._hierarchy import AGE, AGE_SPANS, UNIONS, span_members

    if "category" not in cube.column_names or "breakdown" not in cube.column_names:
        return cube
    c = _columns(cube)
    parts: dict[tuple[str, int, str, str], dict[str, tuple[float, float | None]]]
    parts = defaultdict(dict)
    wanted = {fine for fine, _ in UNIONS.values()}
    summed = (*RATE_UNITS, AMOUNT_UNIT)
    for row in range(cube.num_rows):
        bd, unit = c["breakdown"][row], c["unit"][row]
        if not (bd == AGE or (bd in wanted and unit not in RATE_UNITS)):
            continue
        key = (str(c["indicator_id"][row]), int(c["period"][row]),  # type: ignore[call-overload]
               str(c["area_code"][row]), str(bd))  # fmt: skip
        num = _value(c, "num", row) if unit in summed else None
        parts[key][str(c["category"][row])] = (_value(c, "den", row), num)
    labels = _age_spans(parts)
    extra: dict[str, list[object]] = defaultdict(list)

    def add(key: tuple[str, int, str, str], bd: str, cat: str, members: tuple[str, ...]) -> None:
        cells = parts[key]
        nums = [cells[m][1] for m in members]
        extra["indicator_id"].append(key[0])
        extra["period"].append(key[1])
        extra["area_code"].append(key[2])
        extra["breakdown"].append(bd)
        extra["category"].append(cat)
        extra["denominator"].append(sum(cells[m][0] for m in members))
        extra["numerator"].append(None if None in nums else sum(nums))  # type: ignore[arg-type]

    for key, cats in sorted(parts.items()):
        if key[3] == AGE:
            for label in labels:
                members = span_members(label, list(cats))
                if members and len(members) < len(cats):  # all of them: the total
                    add(key, AGE_SPANS, label, members)
            continue
        for union, (of, by_union) in UNIONS.items():
            if of != key[3]:
                continue
            for cat, pieces in by_union.items():
                if all(p in cats for p in pieces):
                    add(key, union, cat, pieces)
    if not extra:
        return cube
    n = len(extra["indicator_id"])
    unit = dict(zip(c["indicator_id"], c["unit"], strict=True))
    extra["unit"] = [unit[t] for t in extra["indicator_id"]]
    added = pa.table(
        {
            f.name: pa.array(extra[f.name]).cast(f.type) if f.name in extra else pa.nulls(n, f.type)
            for f in cube.schema
        }
    )
    return pa.concat_tables([cube, added])


def _age_spans(parts: Mapping[tuple[str, int, str, str], Iterable[str]]) -> list[str]:
    """The age spans worth a union cell: every table's age groups, and the ages each
    table covers (the adults of a table of adults). ``parts``: the categories per
    (table, period, area, breakdown)."""
    from zicht.privacy._hierarchy import AGE, age_span, span_label

    spans: set[tuple[int, float]] = set()
    covered: dict[str, set[tuple[int, float]]] = defaultdict(set)
    for (table, _, _, bd), cats in parts.items():
        if bd == AGE:
            ages = {s for s in map(age_span, cats) if s is not None}
            spans |= ages
            covered[table] |= ages
    spans |= {(min(a[0] for a in x), max(a[1] for a in x)) for x in covered.values()}
    return sorted(span_label(s) for s in spans)


def _linked_unions(
    cube: pa.Table, n: int
) -> tuple[pa.Table, dict[Series, dict[Key, int]], list[list[Series]]]:
    """``cube`` (whose rows from ``n`` on are union cells) without the union cells no
    other table's series equals (they protect nothing; gated, they could only hide
    more), with its :func:`series_rows` and :func:`link` groups."""
    rows = series_rows(cube)
    groups = link(cube, rows)
    if cube.num_rows == n:
        return cube, rows, groups
    linked = {s for g in groups for s in g}
    keep = sorted({r for s in linked for r in rows[s].values() if r >= n})
    if len(keep) == cube.num_rows - n:
        return cube, rows, groups
    cube = pa.concat_tables([cube.slice(0, n), cube.take(pa.array(keep, pa.int64()))])
    # The rows of the cells kept, renumbered; the groups hold none of the others.
    moved = {r: n + i for i, r in enumerate(keep)}
    rows = {
        s: {k: r if r < n else moved[r] for k, r in cells.items()}
        for s, cells in rows.items()
        if all(r < n or r in moved for r in cells.values())
    }
    return cube, rows, groups


def linked_mask(
    cube: pa.Table,
    areas: pa.Table,
    primary: pa.ChunkedArray | pa.Array,
    *,
    protection: float,
    amount_protection_pct: float = 0.0,
    protect_below: float | None = None,
    zero: np.ndarray | None = None,
    empty: np.ndarray | None = None,
) -> pa.Array:
    """:func:`zicht.privacy._hierarchy.hierarchy_mask` over every table of ``cube``, one
    indicator at a time, each knowing what the others give away, again until that
    knowledge no longer changes (the module's docstring).

    ``protect_below`` (the minimum cell count): only hidden counts under it need the
    protection width (default: every hidden count). ``zero``: per row, whether its
    numerator is zero by definition (known to every table); ``empty``: whether nobody is
    in it by definition."""
    from zicht.privacy._hierarchy import base_of, hierarchy_mask, table_of

    n = cube.num_rows
    cube, rows, groups = _linked_unions(with_unions(cube), n)
    table = table_of(cube)

    links = Links(groups, rows, cube.num_rows)
    public = np.zeros(cube.num_rows, dtype=bool)  # union cells are never zero by definition
    if zero is not None:
        public[:n] = zero
    nobody = np.zeros(cube.num_rows, dtype=bool)
    if empty is not None:
        nobody[:n] = empty

    def known_now() -> tuple[np.ndarray, np.ndarray]:
        den, num = links.known(mask, loose)
        return den, num | public

    bases = base_of(cube)
    # Per row, denominator and numerator (two rows of booleans each). Hidden counts at
    # or above ``protect_below`` need no width of their own: those their table's sums
    # narrow (``loose``) are as good as published to another table. A table that had
    # to make a quantity uncertain has it guarded (protected whatever its size) in
    # every table that carries it.
    loose = np.zeros((2, cube.num_rows), dtype=bool)
    guard = np.zeros((2, cube.num_rows), dtype=bool)
    linked = links.rows()  # only there does it matter whether a count is narrowed

    def gate(
        tables: np.ndarray, current: np.ndarray, known: tuple[np.ndarray, np.ndarray]
    ) -> tuple[np.ndarray, np.ndarray]:
        """The rows of ``tables`` protected again: their mask, and which of their
        fields are still known (less those the gates had to hide although other
        tables give them away); ``loose`` updated for them."""
        at = np.flatnonzero(tables)
        here = (known[0][at], known[1][at])
        narrowed = (linked[0][at], linked[1][at])  # asked about; answered in place
        got = hierarchy_mask(
            cube.take(pa.array(at)),
            areas,
            pa.array(current[at]),
            protection=protection,
            amount_protection_pct=amount_protection_pct,
            protect_empty=True,
            known=here,
            protect_below=protect_below,
            guard=(guard[0][at], guard[1][at]),
            pool_from=POOL_FROM,
            narrowed=narrowed,
            zero=public[at],
            empty=nobody[at],
        )
        loose[:, at] = narrowed
        return np.asarray(got, dtype=bool), np.stack(here)

    given = np.asarray(pc.fill_null(primary, True).to_numpy(zero_copy_only=False), dtype=bool)
    # A union cell is never published: another table's figure or its parts give it away.
    before = np.concatenate([given, np.ones(cube.num_rows - n, dtype=bool)])
    # The indicator publishing the largest share of its cells goes first: it has the
    # most to lose, and one that hides most of its cells anyway can better take a
    # quantity another had to make uncertain (measured at 120,000 inhabitants: more
    # cells published than in the order of the names, or the reverse).
    share = np.bincount(bases, weights=~before) / np.maximum(np.bincount(bases), 1)
    first = {int(b): (-share[b], int(b)) for b in np.unique(bases)}

    # Every table first protects itself, as if the others published nothing. Gated
    # against the others' primary publication instead, the first table assumed their
    # small counts were as good as published wherever their own sums pinned them (the
    # demo's 4 minors of an "overig" household, exact from bijstand_pct's other
    # household types), could not protect its own cells and hid all of them; those
    # tables protect such counts themselves, and hiding only grows.
    alone = hierarchy_mask(
        cube, areas, pa.array(before), protection=protection,
        amount_protection_pct=amount_protection_pct, protect_empty=True,
        protect_below=protect_below, zero=public, empty=nobody,
    )  # fmt: skip
    before = before | np.asarray(alone, dtype=bool)
    mask = before.copy()
    own = before.copy()  # per row, its table's own result (later tables may hide more)
    assumed = np.zeros((2, cube.num_rows), dtype=bool)  # what its table counted as known
    guarded = guard.copy()  # per row, what was guarded when its table was protected

    def protect(tables: np.ndarray) -> None:
        """The rows of ``tables`` protected again, one indicator (all its years) at a
        time, each seeing what the ones before it had to hide."""
        nonlocal mask
        for base in sorted(np.unique(bases[tables]).tolist(), key=first.__getitem__):
            at = tables & (bases == base)
            now = known_now()
            mask[at], assumed[:, at] = gate(at, mask, now)
            own[at], guarded[:, at] = mask[at], guard[:, at]
            # A quantity another table gives away, hidden here because nothing else
            # could protect a cell, is hidden and guarded in every table that carries it.
            den, num = links.spread(at & now[0] & ~assumed[0], at & now[1] & ~assumed[1])
            mask |= den | num
            guard[0, den], guard[1, num] = True, True

    # Start from what the primary rules leave published; hiding more only takes
    # knowledge away, and every table that relied on it is protected again.
    protect(np.ones_like(before))
    while True:
        # Tables that counted on a quantity nobody gives away any more, or got hidden
        # or guarded cells from a later table, are protected again.
        now = np.stack(known_now())
        stale = mask & (now != assumed).any(axis=0)
        touched = stale | (mask & ~own) | (guard & ~guarded).any(axis=0)
        if not touched.any():
            return pa.array(mask[:n])
        protect(np.isin(table, np.unique(table[touched])))
