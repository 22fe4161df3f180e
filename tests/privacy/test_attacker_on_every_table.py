"""The attacker against every table a workspace publishes, all at once.

A generated gemeente (3 wijken of 4 buurten, two years; canonical tables straight from
numpy, as the refresh benchmark builds them) goes through the real refresh, which
publishes the keten tables in the same snapshot. Per period the attacker of
:mod:`tests.privacy._published_attack` combines every cube table and the stapeling
combinations, with the sums inside each table and the identities between tables, and
solves min and max of every hidden count with HiGHS: no interval may be
narrower than the minimum cell count.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zicht.indicators._bench import canonical
from zicht.indicators.definitions import load_definitions
from zicht.indicators.refresh import refresh
from zicht.privacy.secondary import attack, narrow
from zicht.workspace import Workspace

from ._published_attack import Period, build, read_publication

pytestmark = pytest.mark.slow  # about 2 min CPU: some 4,800 hidden counts per attack

PERIODS = (2024, 2025)
WMO = ("01", "02", "05", "06")
"""Hulp bij het huishouden (01) among other products, so persons with hbh are not all
persons with Wmo (with one category the two indicators would be one quantity)."""


Publication = tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, str], int]


def _publish(root: Path, linked: bool) -> Publication:
    ws = Workspace.init(
        root / "ws", gemeente_code="GM9901", gemeente_naam="Benchstad", boundary_year=PERIODS[-1]
    )
    ws.set_setting("gate_linked_tables", int(linked))
    with ws.store() as store:
        for name, t in canonical(
            12_000, 7, wijken=3, per_wijk=4, periods=PERIODS, wmo_categories=WMO
        ).items():
            store.insert_arrow(name, t)
    assert refresh(ws).keten  # the keten tables are in the same snapshot
    published, truth, parent = read_publication(ws, PERIODS[-1])
    return published, truth, parent, ws.settings.get_int("min_cell_count")


@pytest.fixture(scope="module")
def publication(tmp_path_factory: pytest.TempPathFactory) -> Publication:
    """Every table gated on its own (``gate_linked_tables = 0``)."""
    return _publish(tmp_path_factory.mktemp("attack_all"), linked=False)


@pytest.fixture(scope="module")
def linked_publication(tmp_path_factory: pytest.TempPathFactory) -> Publication:
    """All tables gated together (``gate_linked_tables = 1``, the default)."""
    return _publish(tmp_path_factory.mktemp("attack_linked"), linked=True)


@pytest.fixture(scope="module")
def programs(publication: Publication) -> tuple[dict[int, Period], int]:
    """Every table on its own (with the sums inside it and inside the stapeling family)."""
    published, truth, parent, protection = publication
    return build(published, truth, parent, link_tables=False), protection


def test_every_published_table_is_in_the_attack(
    programs: tuple[dict[int, Period], int],
) -> None:
    per_period, _ = programs
    assert sorted(per_period) == list(PERIODS)
    for per in per_period.values():
        assert len({t for t in per.tables if not t.startswith("keten:")}) == len(load_definitions())
        assert sum(t.startswith("keten:") for t in per.tables) == 10  # 2 × (""+4 combos)
        assert len(per.hidden) > 100
        # Buurten, wijken, the gemeente and breakdown cells are all among the hidden.
        assert {v[2][:2] for v in per.hidden} == {"BU", "WK", "GM"}
        assert any(v[3] for v in per.hidden)


@pytest.mark.parametrize("period", PERIODS)
def test_no_hidden_count_can_be_narrowed(
    programs: tuple[dict[int, Period], int], period: int
) -> None:
    per_period, protection = programs
    per = per_period[period]
    narrow = [
        iv for iv in attack(per.values, per.hidden, per.constraints)
        if iv.width < protection - 1e-6
    ]  # fmt: skip
    assert not narrow, (len(narrow), narrow[:10])


@pytest.mark.xfail(
    strict=True,
    reason="known leak of gate_linked_tables = 0: the gate runs per indicator "
    "and per stapeling family, so one quantity published in two tables (persons with two "
    "laws in the cube and in keten_stapeling, the inhabitants behind two rates) can be "
    "hidden in one and shown in the other",
)
def test_per_table_gating_leaks_when_tables_are_combined(publication: Publication) -> None:
    published, truth, parent, protection = publication
    for per in build(published, truth, parent, link_tables=True).values():
        assert not narrow(per.values, per.hidden, per.constraints, protection)


@pytest.mark.parametrize("period", PERIODS)
def test_linked_gating_leaves_no_hidden_count_narrow_in_all_tables_at_once(
    linked_publication: Publication, period: int
) -> None:
    """Linked gating protects the counts the primary rule would not publish (under the
    minimum, zeros included); a hidden larger count (a denominator of a rate hidden for
    its small numerator) may be narrowed, as publishing it would have been allowed."""
    published, truth, parent, protection = linked_publication
    per = build(published, truth, parent, link_tables=True, empty_known=False)[period]
    small = [v for v in per.hidden if per.values[v] < protection]
    assert len(small) > 500  # every table, empty cells included
    found = [
        iv
        for iv in narrow(per.values, per.hidden, per.constraints, protection)
        if per.values[iv.cell] < protection
    ]
    assert not found, (len(found), found[:10])


def test_linked_gating_publishes_most_of_what_per_table_gating_does(
    publication: Publication, linked_publication: Publication
) -> None:
    """The price of linking, on the test gemeente: 763 of the 917 cube cells per-table
    gating publishes (measured 2026-12-04; 724 of 908 before linking by definition and
    the start from every table protected alone). A regression bound, not a truth. It
    was 811 when all tables were gated at once, counting a hidden count at or above the
    minimum as unknown to the other tables; gated one at a time on that assumption, the
    attacker narrowed 44 small counts (such a count may be narrowed in its own table,
    and then it gives the others away). Before the gate knew which fields other tables
    publish it was 424."""

    def shown(p: Publication) -> int:
        return sum(r["status"] != "onderdrukt" for r in p[0])

    assert shown(linked_publication) >= 0.8 * shown(publication)
