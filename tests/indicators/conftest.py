"""A tiny hand-made workspace whose every indicator cell is computed by hand.

Geography (boundary year 2024; a 2023 version of some areas must be ignored):
    GM9901 ─ WK990101 ─ BU99010101 (B11), BU99010102 (B12)
           └ WK990102 ─ BU99010201 (B21), BU99010202 (B22, empty in 2024)

Population (period: persons):
    B11 a01..a20, both years; a01..a08 youth (born 2010)
    B12 b01..b10, both years; b01..b03 youth (born 2012)
    B21 c01..c13 both years, c14..c15 only 2024; c01..c04 youth (born 2015);
        e01 born 2006: youth in 2023 (17), not in 2024 (18)
    B22 d01..d05 only 2023
    x01 is never in the population (has provisions, events and costs that must not count)

Sex: odd-numbered persons 1, even-numbered 2 (``sex_of``).

Households (everyone else alone): hA1 {a01, a09}, hA2 {a02, a10}, hX {b01 (B12), c06
(B21)} counted in B12, hY {c05 (B21), d01 (B22, 2023 only)} counted in B21, hW {a11, x01}.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from zicht.workspace import Workspace

D = date.fromisoformat

AREAS = [
    # level, code, name, parent, boundary_year
    ("gemeente", "GM9901", "Teststad", None, 2024),
    ("wijk", "WK990101", "Noord", "GM9901", 2024),
    ("wijk", "WK990102", "Zuid", "GM9901", 2024),
    ("buurt", "BU99010101", "Noord-Oost", "WK990101", 2024),
    ("buurt", "BU99010102", "Noord-West", "WK990101", 2024),
    ("buurt", "BU99010201", "Zuid-Oost", "WK990102", 2024),
    ("buurt", "BU99010202", "Zuid-West", "WK990102", 2024),
    ("gemeente", "GM9901", "Teststad (oud)", None, 2023),
    ("wijk", "WK990101", "Noord (oud)", "GM9901", 2023),
    ("buurt", "BU99010101", "Noord (oud)", "WK990101", 2023),
]

HOUSEHOLDS = {
    "a01": "hA1",
    "a09": "hA1",
    "a02": "hA2",
    "a10": "hA2",
    "b01": "hX",
    "c06": "hX",
    "c05": "hY",
    "d01": "hY",
    "a11": "hW",
    "x01": "hW",
}


def _persons() -> list[tuple[str, int, str, tuple[int, ...]]]:
    """(person, birth_year, buurt, periods)."""
    both: tuple[int, ...] = (2023, 2024)
    rows: list[tuple[str, int, str, tuple[int, ...]]] = [
        (f"a{i:02d}", 2010 if i <= 8 else 1980, "BU99010101", both) for i in range(1, 21)
    ]
    rows += [(f"b{i:02d}", 2012 if i <= 3 else 1970, "BU99010102", both) for i in range(1, 11)]
    rows += [
        (f"c{i:02d}", 2015 if i <= 4 else 1990, "BU99010201", both if i <= 13 else (2024,))
        for i in range(1, 16)
    ]
    rows.append(("e01", 2006, "BU99010201", both))
    rows += [(f"d{i:02d}", 1960, "BU99010202", (2023,)) for i in range(1, 6)]
    return rows


# provision_id, person, law, category, referrer, start, end
PROVISIONS = [
    ("J1", "a01", "jeugd", "45", "01", "2022-03-01", "2023-01-01"),  # ends on 1 Jan 2023
    ("J2", "a02", "jeugd", "48", "01", "2023-06-01", None),  # open end; jeugdbescherming
    ("J3", "a02", "jeugd", "45", "02", "2024-02-01", "2024-05-01"),
    ("J4", "b01", "jeugd", "45", "02", "2024-12-31", None),  # starts on 31 Dec
    ("J5", "e01", "jeugd", "35", "04", "2023-01-15", "2024-06-30"),  # pleegzorg, via GI
    ("J6", "x01", "jeugd", "45", "02", "2023-01-01", None),  # not in population
    ("J7", "a03", "jeugd", "45", "02", "2025-01-01", None),  # after both periods
    ("J8", "a04", "jeugd", "45", "01", "2022-01-01", "2022-12-31"),  # before both
    ("J9", "c01", "jeugd", "47", "05", "2024-03-01", "2024-03-31"),  # jeugdreclassering
    ("W1", "a09", "wmo", "01", None, "2020-01-01", None),
    ("W2", "a10", "wmo", "01", None, "2023-05-01", "2023-12-31"),
    ("W3", "b04", "wmo", "01", None, "2024-01-01", "2024-01-01"),
    ("W4", "d01", "wmo", "01", None, "2022-01-01", None),
    ("W5", "c05", "wmo", "02", None, "2023-11-01", None),
    ("W6", "a09", "wmo", "02", None, "2023-02-01", "2023-03-01"),
    ("P1", "a11", "pwet", "bijstandsuitkering", None, "2021-01-01", None),
    ("P2", "a09", "pwet", "bijstandsuitkering", None, "2023-07-01", "2024-01-01"),
    ("P3", "c06", "pwet", "re_integratie", None, "2023-01-01", None),
    ("P4", "c07", "pwet", "bijstandsuitkering", None, "2024-06-01", None),
    ("P5", "c07", "pwet", "re_integratie", None, "2024-08-01", None),
]

# provision_id, person, law, aanvraag, beschikking
CASES = [
    ("J2", "a02", "jeugd", "2023-04-01", "2023-05-27"),  # 56 days: exactly the term
    ("J5", "e01", "jeugd", "2022-12-01", "2023-01-10"),  # 40
    ("W2", "a10", "wmo", "2023-04-01", "2023-04-15"),  # 14: exactly the term
    ("W5", "c05", "wmo", "2023-10-01", "2023-10-16"),  # 15: one day late
    ("W4", "d01", "wmo", "2023-01-10", "2023-02-09"),  # 30
    ("W3", "b04", "wmo", "2023-12-20", "2024-01-02"),  # 13, counted in 2024
    ("P4", "c07", "pwet", "2024-03-01", "2024-05-01"),  # 61
    ("J4", "b01", "jeugd", "2024-10-01", "2024-11-27"),  # 57
    ("J6", "x01", "jeugd", "2023-01-01", "2023-01-05"),  # not in population
    ("J3", "a02", "jeugd", None, "2024-01-20"),  # no aanvraag: not a case
    ("S1", "a03", "schuld", "2023-01-01", "2023-01-10"),  # law not counted
]

# Further chain events: provision_id, person, law, step, date.
EVENTS = [
    ("W2", "a10", "wmo", "melding", "2023-03-01"),  # 31 days to the aanvraag
    ("W5", "c05", "wmo", "melding", "2023-09-01"),  # 30
    ("W3", "b04", "wmo", "melding", "2023-12-01"),  # 19
    ("S2", "a12", "schuld", "aanvraag", "2023-03-01"),
    ("S2", "a12", "schuld", "eerste_gesprek", "2023-03-20"),  # 19 days, 2023
    ("S3", "b05", "schuld", "aanvraag", "2023-12-10"),
    ("S3", "b05", "schuld", "eerste_gesprek", "2024-01-20"),  # 41 days, 2024
    ("S4", "c08", "schuld", "aanvraag", "2024-02-01"),
    ("S4", "c08", "schuld", "eerste_gesprek", "2024-02-29"),  # 28 days: within 4 weeks
]


def sex_of(person: str) -> str:
    """COD046: odd-numbered persons 1 (man), even-numbered 2 (vrouw)."""
    return "1" if int(person[1:]) % 2 else "2"


# declaratie, person, law, period_start, amount
COSTS = [
    ("K1", "a01", "jeugd", "2023-01-01", "100.00"),
    ("K2", "a01", "jeugd", "2023-02-01", "150.50"),
    ("K3", "a02", "jeugd", "2023-06-01", "200.00"),
    ("K4", "a02", "jeugd", "2024-01-01", "300.00"),
    ("K5", "a02", "jeugd", "2023-12-01", "50.25"),  # runs into 2024, starts in 2023
    ("K6", "e01", "jeugd", "2023-03-01", "400.00"),
    ("K7", "x01", "jeugd", "2023-01-01", "999.00"),  # not in population
    ("K8", "b01", "jeugd", "2024-12-31", "75.00"),
    ("K9", "a09", "wmo", "2023-02-01", "120.00"),
    ("K10", "a09", "wmo", "2024-03-01", "130.00"),
    ("K11", "c05", "wmo", "2023-11-01", "80.10"),
    ("K12", "c05", "wmo", "2023-12-01", "19.90"),
    ("K13", "d01", "wmo", "2023-01-01", "60.00"),
]


def _d(text: str | None) -> date | None:
    return None if text is None else D(text)


def insert_rows(ws: Workspace) -> None:
    from decimal import Decimal

    pp: dict[str, list[Any]] = {
        k: []
        for k in (
            "period",
            "person_id",
            "birth_year",
            "sex",
            "household_id",
            "buurt_code",
            "load_id",
        )
    }
    for person, birth, buurt, periods in _persons():
        for period in periods:
            pp["period"].append(period)
            pp["person_id"].append(person)
            pp["birth_year"].append(birth)
            pp["sex"].append(sex_of(person))
            pp["household_id"].append(HOUSEHOLDS.get(person, "h_" + person))
            pp["buurt_code"].append(buurt)
            pp["load_id"].append("t")
    events: list[dict[str, Any]] = []
    for pid, person, law, aanvraag, beschikking in CASES:
        for step, day in (("aanvraag", aanvraag), ("beschikking", beschikking)):
            if day is not None:
                events.append(
                    {
                        "person_id": person,
                        "law": law,
                        "step": step,
                        "event_date": D(day),
                        "provision_id": pid,
                        "source": "t",
                        "load_id": "t",
                    }
                )
    for pid, person, law, step, day in EVENTS:
        events.append(
            {
                "person_id": person,
                "law": law,
                "step": step,
                "event_date": D(day),
                "provision_id": pid,
                "source": "t",
                "load_id": "t",
            }
        )
    with ws.store() as store:
        store.insert_arrow(
            "area",
            pa.Table.from_pylist(
                [
                    {
                        "level": lv,
                        "code": c,
                        "name": n,
                        "parent_code": p,
                        "gemeente_code": "GM9901",
                        "boundary_year": y,
                        "geometry": '{"type": "Point", "coordinates": [4.6, 51.8]}',
                        "load_id": "t",
                    }
                    for lv, c, n, p, y in AREAS
                ]
            ),
        )
        store.insert_arrow("person_period", pa.table(pp))
        store.insert_arrow(
            "provision",
            pa.Table.from_pylist(
                [
                    {
                        "provision_id": i,
                        "person_id": p,
                        "law": law,
                        "product_category": cat,
                        "referrer": ref,
                        "start_date": D(s),
                        "end_date": _d(e),
                        "source": "t",
                        "load_id": "t",
                    }
                    for i, p, law, cat, ref, s, e in PROVISIONS
                ]
            ),
        )
        store.insert_arrow("chain_event", pa.Table.from_pylist(events))
        store.insert_arrow(
            "cost",
            pa.Table.from_pylist(
                [
                    {
                        "declaratie_id": i,
                        "person_id": p,
                        "law": law,
                        "period_start": D(s),
                        "period_end": D(s),
                        "amount": Decimal(a),
                        "source": "t",
                        "load_id": "t",
                    }
                    for i, p, law, s, a in COSTS
                ]
            ),
        )
        store.execute(
            "INSERT INTO load_log VALUES ('t', 'brp', 'brp/bevolking.csv', 'abc', "
            "'population', 100, 95, 5, '{\"invalid_bsn\": 5}', "
            "TIMESTAMPTZ '2025-01-01 10:00:00+00')"
        )


@pytest.fixture
def make_ws(tmp_path: Path) -> Callable[..., Workspace]:
    def make(
        min_cell_count: int | None = None,
        *,
        rows: bool = True,
        dominance_pct: int = 0,
        linked: bool | None = None,
    ) -> Workspace:
        ws = Workspace.init(
            tmp_path / "ws", gemeente_code="GM9901", gemeente_naam="Teststad", boundary_year=2024
        )
        # Off unless a test asks: every client here is alone in some buurt.
        ws.set_setting("dominance_pct", dominance_pct)
        if min_cell_count is not None:
            ws.set_setting("min_cell_count", min_cell_count)
        if linked is not None:
            ws.set_setting("gate_linked_tables", int(linked))
        if rows:
            insert_rows(ws)
        return ws

    return make
